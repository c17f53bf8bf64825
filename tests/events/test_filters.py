from datetime import UTC, date, datetime, timedelta

import pytest
from django.http import QueryDict

from events.filters import EventFilter
from events.models import Event
from events.selectors import filter_events
from tests.factories import (
    EventFactory,
    EventRoleFactory,
    OrganisationFactory,
    PersonFactory,
    SeriesFactory,
    ThemeFactory,
    VenueFactory,
)

pytestmark = pytest.mark.django_db

NOW = datetime(2027, 1, 1, 12, 0, tzinfo=UTC)


def utc(*args):
    return datetime(*args, tzinfo=UTC)


def titles(params, **kwargs):
    kwargs.setdefault("now", NOW)
    event_filter = filter_events(QueryDict(params), **kwargs)
    assert event_filter.is_valid(), event_filter.errors
    return [event.title for event in event_filter.qs]


def make(title, starts_at, **kwargs):
    return EventFactory(
        title=title, starts_at=starts_at, ends_at=starts_at + timedelta(hours=1), **kwargs
    )


def test_default_is_upcoming_in_time_order_and_past_is_latest_first():
    make("Last year", utc(2026, 6, 1, 18))
    make("Last month", utc(2026, 12, 1, 18))
    make("Next month", utc(2027, 2, 1, 18))
    make("Next week", utc(2027, 1, 8, 18))
    assert titles("") == ["Next week", "Next month"]
    assert titles("when=upcoming") == ["Next week", "Next month"]
    assert titles("when=past") == ["Last month", "Last year"]


def test_event_still_running_counts_as_upcoming_until_it_ends():
    EventFactory(
        title="Running", starts_at=NOW - timedelta(hours=1), ends_at=NOW + timedelta(minutes=1)
    )
    EventFactory(
        title="Just ended", starts_at=NOW - timedelta(hours=2), ends_at=NOW - timedelta(minutes=1)
    )
    assert titles("") == ["Running"]
    assert titles("when=past") == ["Just ended"]


def test_drafts_are_never_listed_but_cancelled_and_postponed_events_are():
    make("Draft", utc(2027, 2, 1, 18), status=Event.Status.DRAFT)
    make("Cancelled", utc(2027, 2, 2, 18), status=Event.Status.CANCELLED)
    make("Postponed", utc(2027, 2, 3, 18), status=Event.Status.POSTPONED)
    assert titles("") == ["Cancelled", "Postponed"]


def test_recent_default_includes_events_ended_within_90_days_and_explicit_when_wins():
    make("Long ago", NOW - timedelta(days=120))
    make("Recently", NOW - timedelta(days=30))
    make("Soon", NOW + timedelta(days=3))
    assert titles("", default_when="recent") == ["Recently", "Soon"]
    assert titles("when=upcoming", default_when="recent") == ["Soon"]
    assert titles("when=past", default_when="recent") == ["Recently", "Long ago"]


def test_feed_filter_shows_recent_events_by_default_and_drops_cancelled_ones_once_over():
    make("Recent talk", NOW - timedelta(days=30))
    make("Cancelled, over", NOW - timedelta(days=20), status=Event.Status.CANCELLED)
    make("Cancelled, coming", NOW + timedelta(days=2), status=Event.Status.CANCELLED)
    make("Draft", NOW + timedelta(days=3), status=Event.Status.DRAFT)
    assert sorted(titles("", feed=True)) == ["Cancelled, coming", "Recent talk"]
    assert titles("when=upcoming", feed=True) == ["Cancelled, coming"]


def test_text_search_matches_title_summary_and_description_case_insensitively():
    make("Time Credits explained", utc(2027, 2, 1, 18))
    make("Cafe", utc(2027, 2, 2, 18), summary="All about TIME credits")
    make("Workshop", utc(2027, 2, 3, 18), description="We will discuss time credits.")
    make("Unrelated", utc(2027, 2, 4, 18))
    assert titles("q=time+credits") == ["Time Credits explained", "Cafe", "Workshop"]
    assert titles("q=credits+explained") == ["Time Credits explained"]


def test_filters_combine_theme_kind_mode_series_person_organisation():
    theme, other_theme = ThemeFactory(slug="risk"), ThemeFactory(slug="economy")
    series = SeriesFactory(slug="policy-cafe")
    host = OrganisationFactory(slug="cardiff-university")
    ruth = PersonFactory(slug="ruth-dineen")
    start = utc(2027, 3, 1, 18)
    match = make(
        "Match",
        start,
        kind="cafe",
        mode="online",
        venue=None,
        online_url="https://x.example",
        series=series,
        themes=[theme, other_theme],
        hosts=[host],
    )
    EventRoleFactory(event=match, person=ruth, role="speaker")
    EventRoleFactory(event=match, person=ruth, role="chair")  # two roles: still listed once
    wrong_kind = make(
        "Wrong kind",
        start,
        kind="workshop",
        mode="online",
        series=series,
        themes=[theme],
        hosts=[host],
    )
    EventRoleFactory(event=wrong_kind, person=ruth)
    make(
        "No person", start, kind="cafe", mode="online", series=series, themes=[theme], hosts=[host]
    )
    params = (
        "theme=risk&kind=cafe&mode=online&series=policy-cafe&person=ruth-dineen"
        "&organisation=cardiff-university"
    )
    assert titles(params) == ["Match"]
    assert titles("theme=risk&person=ruth-dineen") == ["Match", "Wrong kind"]
    assert titles("theme=economy") == ["Match"]
    assert titles("organisation=cardiff-university&kind=workshop") == ["Wrong kind"]


def test_access_filter_takes_features_of_the_event_or_its_venue_and_requires_all():
    start = utc(2027, 3, 1, 18)
    make("Venue has loop", start, venue=VenueFactory(hearing_loop=True, step_free_access=True))
    make("Event has BSL", start, bsl_interpretation=True, venue=VenueFactory(hearing_loop=True))
    make("Nothing", start)
    assert titles("access=hearing_loop") == ["Venue has loop", "Event has BSL"]
    assert titles("access=hearing_loop&access=bsl_interpretation") == ["Event has BSL"]
    assert titles("access=hearing_loop&access=step_free_access") == ["Venue has loop"]


# Spring forward: Sunday 28 March 2027, 01:00 UTC. Fall back: Sunday 31 October 2027, 01:00 UTC.
CLOCK_CHANGE_EVENTS = {
    "Sat 27 Mar 00:30 GMT": utc(2027, 3, 27, 0, 30),
    "Sun 28 Mar 00:30 GMT": utc(2027, 3, 28, 0, 30),
    "Mon 29 Mar 00:30 BST": utc(2027, 3, 28, 23, 30),
    "Sat 30 Oct 00:30 BST": utc(2027, 10, 29, 23, 30),
    "Sun 31 Oct 00:30 BST": utc(2027, 10, 30, 23, 30),
    "Sun 31 Oct 23:30 GMT": utc(2027, 10, 31, 23, 30),
    "Mon 1 Nov 00:30 GMT": utc(2027, 11, 1, 0, 30),
}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ("after=2027-03-28&before=2027-03-28", ["Sun 28 Mar 00:30 GMT"]),
        ("after=2027-03-29&before=2027-03-29", ["Mon 29 Mar 00:30 BST"]),
        ("before=2027-03-28", ["Sat 27 Mar 00:30 GMT", "Sun 28 Mar 00:30 GMT"]),
        ("after=2027-03-29&before=2027-10-30", ["Mon 29 Mar 00:30 BST", "Sat 30 Oct 00:30 BST"]),
        ("after=2027-10-31&before=2027-10-31", ["Sun 31 Oct 00:30 BST", "Sun 31 Oct 23:30 GMT"]),
        ("after=2027-11-01", ["Mon 1 Nov 00:30 GMT"]),
        ("after=2027-10-30&before=2027-10-30", ["Sat 30 Oct 00:30 BST"]),
    ],
)
def test_after_and_before_are_london_dates_on_both_sides_of_clock_changes(params, expected):
    for title, starts_at in CLOCK_CHANGE_EVENTS.items():
        make(title, starts_at)
    assert titles(params) == expected


def test_upcoming_and_past_split_at_the_instant_across_the_spring_clock_change():
    # 00:45 BST on Monday 29 March 2027 is 23:45 UTC on Sunday 28 March.
    now = utc(2027, 3, 28, 23, 45)
    EventFactory(
        title="Ended 00:40 BST",
        starts_at=now - timedelta(hours=1),
        ends_at=now - timedelta(minutes=5),
    )
    EventFactory(
        title="Ends 00:50 BST",
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(minutes=5),
    )
    assert titles("after=2027-03-28", now=now) == ["Ends 00:50 BST"]
    assert titles("when=past&after=2027-03-28", now=now) == ["Ended 00:40 BST"]


def test_after_later_than_before_is_an_error_on_before_and_lists_nothing():
    make("Any", utc(2027, 3, 1, 18))
    event_filter = filter_events(QueryDict("after=2027-05-01&before=2027-04-01"), now=NOW)
    assert not event_filter.is_valid()
    assert list(event_filter.form.errors) == ["before"]
    assert list(event_filter.qs) == []


def test_unknown_theme_is_a_clear_error_and_lists_nothing():
    make("Any", utc(2027, 3, 1, 18))
    event_filter = filter_events(QueryDict("theme=no-such-theme"), now=NOW)
    assert event_filter.errors["theme"] == [
        "Select a valid choice. no-such-theme is not one of the available choices."
    ]
    assert list(event_filter.qs) == []


def test_active_filters_name_each_filter_with_a_link_that_removes_it():
    ThemeFactory(slug="risk", name="Risk-averse cultures")
    event_filter = EventFilter(
        QueryDict("theme=risk&access=hearing_loop&access=quiet_room&q=cafe&page=2"),
        queryset=Event.objects.all(),
        now=NOW,
    )
    assert [(a["label"], a["value"], a["query"]) for a in event_filter.active_filters()] == [
        ("Theme", "Risk-averse cultures", "access=hearing_loop&access=quiet_room&q=cafe"),
        ("Search", "“cafe”", "theme=risk&access=hearing_loop&access=quiet_room"),
        ("Access", "Hearing loop", "theme=risk&access=quiet_room&q=cafe"),
        ("Access", "Quiet room", "theme=risk&access=hearing_loop&q=cafe"),
    ]


def test_unknown_default_when_is_a_programming_error():
    with pytest.raises(ValueError):
        EventFilter(QueryDict(""), queryset=Event.objects.all(), default_when="someday")


def test_dates_in_a_sensible_range_are_accepted():
    make("Any", utc(2027, 3, 1, 18))
    assert titles(f"after={date(1900, 1, 1)}&before={date(2999, 12, 31)}") == ["Any"]
