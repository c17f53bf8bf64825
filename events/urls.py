from django.urls import path

from events import views

app_name = "events"

# Fixed paths (other branches add events/new/, events/calendar.ics, …) go above the
# catch-all <slug:slug> pattern so a slug never shadows them.
urlpatterns = [
    path("events/", views.event_list, name="list"),
    path("themes/", views.theme_list, name="theme_list"),
    path("themes/<slug:slug>/", views.theme_detail, name="theme"),
    path("series/<slug:slug>/", views.series_detail, name="series"),
    path("people/<slug:slug>/", views.person_detail, name="person"),
    path("organisations/<slug:slug>/", views.organisation_detail, name="organisation"),
    path("events/<slug:slug>/", views.event_detail, name="detail"),
]
