from django.urls import include, path, re_path

from events.views import attendees, calendars, organising, public, registration

app_name = "events"

# Grouped by their first segment: a request for another app's page (a thread, a board) fails
# each group with one comparison instead of every pattern (Django tries them in order; a page
# of discussions tried 47 here). Literal paths come before <slug>/ (see RESERVED_EVENT_SLUGS):
# a slug never shadows them.
event_patterns: list = [
    path("", public.event_list, name="list"),
    path("new/", organising.create_event, name="create"),
    path("mine/", organising.organising, name="organising"),
    path("calendar.ics", calendars.feed, name="feed"),
    # The most read page, first of those with a slug (no other pattern matches its addresses).
    path("<slug:slug>/", public.event_detail, name="detail"),
    # Organiser workflow.
    path("<slug:slug>/edit/", organising.edit_event, name="edit"),
    path("<slug:slug>/preview/", organising.preview_event, name="preview"),
    path("<slug:slug>/publish/", organising.publish_event, name="publish"),
    path("<slug:slug>/postpone/", organising.postpone_event, name="postpone"),
    path("<slug:slug>/unpublish/", organising.unpublish_event, name="unpublish"),
    path("<slug:slug>/cancel/", organising.cancel_event, name="cancel"),
    path("<slug:slug>/duplicate/", organising.duplicate_event, name="duplicate"),
    # Registration and attendee lists.
    path("<slug:slug>/register/", registration.register, name="register"),
    path(
        "<slug:slug>/cancel-registration/",
        registration.cancel_registration_view,
        name="cancel_registration",
    ),
    path("<slug:slug>/attendees/", registration.attendees, name="attendees"),
    path("<slug:slug>/attendees.csv", registration.attendees_csv, name="attendees_csv"),
    path("<slug:slug>/email/", attendees.email_attendees, name="email_attendees"),
    path("<slug:slug>/calendar.ics", calendars.event_ics, name="event_ics"),
]

urlpatterns: list = [
    path("events/", include(event_patterns)),
    path(
        "themes/",
        include(
            [
                path("", public.theme_list, name="theme_list"),
                path("<slug:slug>/", public.theme_detail, name="theme"),
                path("<slug:slug>/calendar.ics", calendars.theme_feed, name="theme_feed"),
            ]
        ),
    ),
    path(
        "series/",
        include(
            [
                path("<slug:slug>/", public.series_detail, name="series"),
                path("<slug:slug>/schedule/", organising.series_schedule, name="series_schedule"),
                path("<slug:slug>/calendar.ics", calendars.series_feed, name="series_feed"),
            ]
        ),
    ),
    path(
        "people/",
        include(
            [
                path("search.json", organising.people_search, name="people_search"),
                path("<slug:slug>/", public.person_detail, name="person"),
                path("<slug:slug>/remove/", public.person_removal, name="person_removal"),
                path("<slug:slug>/calendar.ics", calendars.person_feed, name="person_feed"),
            ]
        ),
    ),
    path(
        "organisations/",
        include(
            [
                path("<slug:slug>/", public.organisation_detail, name="organisation"),
                path(
                    "<slug:slug>/calendar.ics",
                    calendars.organisation_feed,
                    name="organisation_feed",
                ),
            ]
        ),
    ),
    path("invitations/<str:token>/", organising.invitation, name="invitation"),
    path(
        "me/",
        include(
            [
                path("events/", registration.my_events, name="my_events"),
                path("emails/<str:token>/", attendees.email_opt_out, name="email_opt_out"),
                path("reminders/<str:token>/", attendees.email_opt_out),  # mailed before 2026-12
                path("calendar/", calendars.calendar_settings, name="calendar_settings"),
            ]
        ),
    ),
    # Everything under /calendar/ reaches these views, which keep the token out of logs.
    path("calendar/<path:token>.ics", calendars.personal_feed, name="personal_feed"),
    re_path(r"^calendar/", calendars.personal_feed_not_found),
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
