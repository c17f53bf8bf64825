from django.urls import path

from events import organiser_views

app_name = "events"

urlpatterns: list = [
    # Organiser workflow. Literal paths come before /events/<slug>/ (see RESERVED_EVENT_SLUGS).
    path("events/new/", organiser_views.create_event, name="create"),
    path("events/mine/", organiser_views.organising, name="organising"),
    path("events/<slug:slug>/edit/", organiser_views.edit_event, name="edit"),
    path("events/<slug:slug>/preview/", organiser_views.preview_event, name="preview"),
    path("events/<slug:slug>/publish/", organiser_views.publish_event, name="publish"),
    path("events/<slug:slug>/postpone/", organiser_views.postpone_event, name="postpone"),
    path("events/<slug:slug>/cancel/", organiser_views.cancel_event, name="cancel"),
    path("events/<slug:slug>/duplicate/", organiser_views.duplicate_event, name="duplicate"),
]
