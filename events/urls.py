from django.urls import path, re_path

from events.views import attendees, calendars, organising, public, registration

app_name = "events"

# Literal paths come before /events/<slug>/ (see RESERVED_EVENT_SLUGS): a slug never shadows them.
urlpatterns: list = [
    # Public pages.
    path("events/", public.event_list, name="list"),
    path("themes/", public.theme_list, name="theme_list"),
    path("themes/<slug:slug>/", public.theme_detail, name="theme"),
    path("series/<slug:slug>/", public.series_detail, name="series"),
    path("people/search.json", organising.people_search, name="people_search"),
    path("people/<slug:slug>/", public.person_detail, name="person"),
    path("people/<slug:slug>/remove/", public.person_removal, name="person_removal"),
    path("organisations/<slug:slug>/", public.organisation_detail, name="organisation"),
    # Organiser workflow.
    path("events/new/", organising.create_event, name="create"),
    path("events/mine/", organising.organising, name="organising"),
    path("events/<slug:slug>/edit/", organising.edit_event, name="edit"),
    path("events/<slug:slug>/preview/", organising.preview_event, name="preview"),
    path("events/<slug:slug>/publish/", organising.publish_event, name="publish"),
    path("events/<slug:slug>/postpone/", organising.postpone_event, name="postpone"),
    path("events/<slug:slug>/unpublish/", organising.unpublish_event, name="unpublish"),
    path("events/<slug:slug>/cancel/", organising.cancel_event, name="cancel"),
    path("events/<slug:slug>/duplicate/", organising.duplicate_event, name="duplicate"),
    path("series/<slug:slug>/schedule/", organising.series_schedule, name="series_schedule"),
    path("invitations/<str:token>/", organising.invitation, name="invitation"),
    # Registration, My events and attendee lists.
    path("events/<slug:slug>/register/", registration.register, name="register"),
    path(
        "events/<slug:slug>/cancel-registration/",
        registration.cancel_registration_view,
        name="cancel_registration",
    ),
    path("me/events/", registration.my_events, name="my_events"),
    path("events/<slug:slug>/attendees/", registration.attendees, name="attendees"),
    path("events/<slug:slug>/attendees.csv", registration.attendees_csv, name="attendees_csv"),
    path("events/<slug:slug>/email/", attendees.email_attendees, name="email_attendees"),
    path("me/emails/<str:token>/", attendees.email_opt_out, name="email_opt_out"),
    path("me/reminders/<str:token>/", attendees.email_opt_out),  # links mailed before 2026-12
    # Calendar files and feeds.
    path("events/calendar.ics", calendars.feed, name="feed"),
    path("events/<slug:slug>/calendar.ics", calendars.event_ics, name="event_ics"),
    path("themes/<slug:slug>/calendar.ics", calendars.theme_feed, name="theme_feed"),
    path("series/<slug:slug>/calendar.ics", calendars.series_feed, name="series_feed"),
    path("people/<slug:slug>/calendar.ics", calendars.person_feed, name="person_feed"),
    path(
        "organisations/<slug:slug>/calendar.ics",
        calendars.organisation_feed,
        name="organisation_feed",
    ),
    # Everything under /calendar/ reaches these views, which keep the token out of logs.
    path("calendar/<path:token>.ics", calendars.personal_feed, name="personal_feed"),
    re_path(r"^calendar/", calendars.personal_feed_not_found),
    path("me/calendar/", calendars.calendar_settings, name="calendar_settings"),
    # The catch-all event page comes last.
    path("events/<slug:slug>/", public.event_detail, name="detail"),
]

# Calendar addresses from before /en/ and /cy/ existed: calendar apps subscribed to them and some
# do not follow redirects, so they answer here directly, in English (a personal feed in its
# owner's language). Unnamed: reverse() gives the prefixed addresses above.
unprefixed_urlpatterns: list = [
    path("events/calendar.ics", calendars.feed),
    path("events/<slug:slug>/calendar.ics", calendars.event_ics),
    path("themes/<slug:slug>/calendar.ics", calendars.theme_feed),
    path("series/<slug:slug>/calendar.ics", calendars.series_feed),
    path("people/<slug:slug>/calendar.ics", calendars.person_feed),
    path("organisations/<slug:slug>/calendar.ics", calendars.organisation_feed),
    path("calendar/<path:token>.ics", calendars.personal_feed),
    re_path(r"^calendar/", calendars.personal_feed_not_found),
    # One-click "stop these emails" (RFC 8058): mail clients POST to it and follow no redirect.
    path("me/emails/<str:token>/", attendees.email_opt_out),
    path("me/reminders/<str:token>/", attendees.email_opt_out),
]
