from django.urls import path, re_path

from events import attendee_views, organiser_views, views
from events import views_calendar as cal

app_name = "events"

# Literal paths come before /events/<slug>/ (see RESERVED_EVENT_SLUGS): a slug never shadows them.
urlpatterns: list = [
    # Public pages.
    path("events/", views.event_list, name="list"),
    path("themes/", views.theme_list, name="theme_list"),
    path("themes/<slug:slug>/", views.theme_detail, name="theme"),
    path("series/<slug:slug>/", views.series_detail, name="series"),
    path("people/<slug:slug>/", views.person_detail, name="person"),
    path("organisations/<slug:slug>/", views.organisation_detail, name="organisation"),
    # Organiser workflow.
    path("events/new/", organiser_views.create_event, name="create"),
    path("events/mine/", organiser_views.organising, name="organising"),
    path("events/<slug:slug>/edit/", organiser_views.edit_event, name="edit"),
    path("events/<slug:slug>/preview/", organiser_views.preview_event, name="preview"),
    path("events/<slug:slug>/publish/", organiser_views.publish_event, name="publish"),
    path("events/<slug:slug>/postpone/", organiser_views.postpone_event, name="postpone"),
    path("events/<slug:slug>/cancel/", organiser_views.cancel_event, name="cancel"),
    path("events/<slug:slug>/duplicate/", organiser_views.duplicate_event, name="duplicate"),
    # Registration, attendee lists and calendars (calendar branch).
    path("events/calendar.ics", cal.feed, name="feed"),
    path("events/<slug:slug>/calendar.ics", cal.event_ics, name="event_ics"),
    path("events/<slug:slug>/register/", cal.register, name="register"),
    path(
        "events/<slug:slug>/cancel-registration/",
        cal.cancel_registration_view,
        name="cancel_registration",
    ),
    path("events/<slug:slug>/attendees/", cal.attendees, name="attendees"),
    path("events/<slug:slug>/attendees.csv", cal.attendees_csv, name="attendees_csv"),
    path("events/<slug:slug>/email/", attendee_views.email_attendees, name="email_attendees"),
    path("me/reminders/<str:token>/", attendee_views.reminder_opt_out, name="reminder_opt_out"),
    path("themes/<slug:slug>/calendar.ics", cal.theme_feed, name="theme_feed"),
    path("series/<slug:slug>/calendar.ics", cal.series_feed, name="series_feed"),
    path("people/<slug:slug>/calendar.ics", cal.person_feed, name="person_feed"),
    path("organisations/<slug:slug>/calendar.ics", cal.organisation_feed, name="organisation_feed"),
    # Everything under /calendar/ reaches these views, which keep the token out of logs.
    path("calendar/<path:token>.ics", cal.personal_feed, name="personal_feed"),
    re_path(r"^calendar/", cal.personal_feed_not_found),
    path("me/calendar/", cal.calendar_settings, name="calendar_settings"),
    path("me/events/", cal.my_events, name="my_events"),
    # The catch-all event page comes last.
    path("events/<slug:slug>/", views.event_detail, name="detail"),
]
