from datetime import UTC, date, datetime, timedelta
from itertools import islice

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError

from events.models import LONDON, Event, EventRole
from tests.events.conftest import FUTURE_YEAR, last_sunday
from tests.factories import EventFactory, EventRoleFactory, PersonFactory, UserFactory, VenueFactory

pytestmark = pytest.mark.django_db


def test_database_refuses_event_ending_before_it_starts():
    event = EventFactory()
    event.ends_at = event.starts_at - timedelta(minutes=1)
    with pytest.raises(IntegrityError):
        event.save()


def test_database_refuses_capacity_zero():
    with pytest.raises(IntegrityError):
        EventFactory(capacity=0)


def test_sequence_goes_up_when_time_place_or_status_change_and_not_otherwise():
    event = EventFactory()
    assert event.sequence == 0
    event = Event.objects.get(pk=event.pk)
    event.capacity = 99  # not in a calendar entry
    event.kind = Event.Kind.SEMINAR
    event.save()
    assert event.sequence == 0
    event.starts_at += timedelta(hours=1)
    event.ends_at += timedelta(hours=1)
    event.save()
    assert Event.objects.get(pk=event.pk).sequence == 1
    event.venue = VenueFactory()
    event.save()
    event.status = Event.Status.CANCELLED
    event.save()
    assert Event.objects.get(pk=event.pk).sequence == 3


def test_slug_follows_title_while_draft_and_is_stable_once_published():
    event = EventFactory(title="Policy Cafe", status=Event.Status.DRAFT, published_at=None)
    assert event.slug == "policy-cafe"
    event.title = "Policy Cafe relaunch"
    event.save()
    assert event.slug == "policy-cafe-relaunch"
    event.status = Event.Status.PUBLISHED
    event.published_at = event.created_at
    event.save()
    event.title = "Something else"
    event.save()
    assert event.slug == "policy-cafe-relaunch"


def test_duplicate_titles_get_distinct_slugs():
    first = EventFactory(title="Policy Cafe")
    second = EventFactory(title="Policy Cafe")
    assert (first.slug, second.slug) == ("policy-cafe", "policy-cafe-2")


# --- a series' rule: dates in London wall-clock time -----------------------------------------


def _rule(**fields):
    from datetime import time

    from events.models import Series

    defaults = {
        "name": "Policy Cafe",
        "repeat": "monthly_weekday",
        "repeat_weekday": 0,
        "repeat_week": 2,
        "repeat_from": date(FUTURE_YEAR, 1, 1),
        "start_time": time(18, 0),
        "end_time": time(20, 0),
    }
    return Series(**{**defaults, **fields})


def _utc(moment):
    return moment.astimezone(UTC).strftime("%m-%d %H:%M")


def _before(year, month=1, day=1):
    return datetime(year, month, day, tzinfo=UTC)


def test_second_monday_of_each_month_stays_at_18_00_in_london_all_year():
    series = _rule(repeat_count=12)

    dates = list(series.occurrences(after=_before(FUTURE_YEAR)))

    assert [
        (s.astimezone(LONDON).strftime("%a %H:%M"), e.astimezone(LONDON).strftime("%H:%M"))
        for s, e in dates
    ] == [("Mon 18:00", "20:00")] * 12
    assert all(8 <= s.astimezone(LONDON).day <= 14 for s, _e in dates)
    # In UTC the hour moves with the clocks: GMT until the end of March, BST until October's end.
    assert [s.astimezone(UTC).hour for s, _e in dates] == [18, 18, 18] + [17] * 7 + [18, 18]
    assert series.describe_rule() == "The second Monday of each month, 18:00 to 20:00 (UK time)"


def test_weekly_dates_keep_their_london_time_across_both_clock_changes():
    spring, autumn = last_sunday(FUTURE_YEAR, 3), last_sunday(FUTURE_YEAR, 10)
    series = _rule(
        repeat="weekly", repeat_weekday=6, repeat_week=None, repeat_from=spring - timedelta(days=7)
    )

    around_spring = list(series.occurrences(after=_before(FUTURE_YEAR)))[:2]
    around_autumn = list(islice(series.occurrences(after=_before(FUTURE_YEAR, 10, 1)), 5))

    assert [_utc(s) for s, _e in around_spring] == [
        f"{spring - timedelta(days=7):%m-%d} 18:00",  # GMT
        f"{spring:%m-%d} 17:00",  # BST from that morning: 18:00 in London
    ]
    autumn_days = [s.astimezone(LONDON).date() for s, _e in around_autumn]
    assert autumn in autumn_days
    for start, end in around_autumn:
        local = start.astimezone(LONDON)
        assert (local.strftime("%H:%M"), end.astimezone(LONDON).strftime("%H:%M")) == (
            "18:00",
            "20:00",
        )
        assert start.astimezone(UTC).hour == (18 if local.date() >= autumn else 17)


def test_a_start_inside_the_skipped_or_repeated_hour_is_left_out():
    from datetime import time

    spring, autumn = last_sunday(FUTURE_YEAR, 3), last_sunday(FUTURE_YEAR, 10)
    series = _rule(
        repeat="weekly",
        repeat_weekday=6,
        repeat_week=None,
        start_time=time(1, 30),
        end_time=time(3, 0),
        repeat_from=date(FUTURE_YEAR, 3, 1),
        repeat_until=date(FUTURE_YEAR, 11, 30),
    )
    days = {s.astimezone(LONDON).date() for s, _e in series.occurrences(after=_before(FUTURE_YEAR))}
    week = timedelta(days=7)
    assert [day in days for day in (spring - week, spring, autumn, autumn + week)] == [
        True,
        False,
        False,
        True,
    ]


def test_day_of_month_every_other_month_until_a_date():
    series = _rule(
        repeat="monthly_day",
        repeat_day=15,
        repeat_week=None,
        repeat_weekday=None,
        repeat_interval=2,
        repeat_until=date(FUTURE_YEAR, 9, 15),
    )
    dates = [
        s.astimezone(LONDON).date() for s, _e in series.occurrences(after=_before(FUTURE_YEAR))
    ]
    assert dates == [date(FUTURE_YEAR, m, 15) for m in (1, 3, 5, 7, 9)]
    assert series.describe_rule() == "Day 15 of every 2 months, 18:00 to 20:00 (UK time)"


def test_occurrences_start_after_the_given_moment():
    series = _rule(repeat_count=3)
    after_first = list(series.occurrences(after=_before(FUTURE_YEAR)))[0][0]
    assert len(list(series.occurrences(after=after_first))) == 2


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        ({"repeat_from": None}, {"repeat_from"}),
        ({"end_time": None}, {"end_time"}),
        ({"repeat_week": None}, {"repeat_week"}),
        ({"repeat": "monthly_day", "repeat_day": None}, {"repeat_day"}),
        ({"repeat_until": date(FUTURE_YEAR, 6, 1), "repeat_count": 4}, {"repeat_count"}),
    ],
)
def test_an_incomplete_rule_is_refused_on_its_field(fields, errors):
    from datetime import time

    from django.core.exceptions import ValidationError

    if fields.get("end_time", 1) is None:
        fields["start_time"] = time(18, 0)
    with pytest.raises(ValidationError) as refusal:
        _rule(**fields).clean()
    assert set(refusal.value.message_dict) == errors


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("title", "A new title"),
        ("summary", "New words in the description"),
        ("description", "A longer text, changed"),
        ("online_url", "https://meet.example/new"),
        ("mode", Event.Mode.HYBRID),
        ("status", Event.Status.POSTPONED),
    ],
)
def test_every_change_a_calendar_shows_raises_sequence_and_updated_at(field, value):
    event = EventFactory(online_url="https://meet.example/old")
    before = Event.objects.get(pk=event.pk)
    setattr(before, field, value)
    before.save()
    after = Event.objects.get(pk=event.pk)
    assert after.sequence == 1
    assert after.updated_at > event.updated_at


def test_a_change_with_update_fields_saves_the_new_sequence_too():
    event = Event.objects.get(pk=EventFactory().pk)
    event.title = "Renamed"
    event.save(update_fields=["title"])
    assert Event.objects.get(pk=event.pk).sequence == 1


def test_loading_with_deferred_fields_costs_no_query_per_row(django_assert_num_queries):
    EventFactory.create_batch(3)
    with django_assert_num_queries(1):
        events = list(Event.objects.only("pk", "slug"))
    assert len(events) == 3


def _access_cases():
    """A draft and a public event, and one user of each kind the rules tell apart."""
    creator, organiser, speaker, stranger, staff = (UserFactory() for _ in range(5))
    staff.is_staff = True
    staff.save()
    inactive_organiser = UserFactory(is_active=False)
    draft = EventFactory(status=Event.Status.DRAFT, created_by=creator)
    public = EventFactory(status=Event.Status.POSTPONED, created_by=creator)
    for user, role in [
        (organiser, EventRole.Role.ORGANISER),
        (inactive_organiser, EventRole.Role.ORGANISER),
        (speaker, EventRole.Role.SPEAKER),
    ]:
        person = PersonFactory(user=user)
        for event in (draft, public):
            EventRoleFactory(event=event, person=person, role=role)
    users = {
        "anonymous": AnonymousUser(),
        "creator": creator,
        "organiser": organiser,
        "inactive organiser": inactive_organiser,
        "speaker": speaker,
        "stranger": stranger,
        "staff": staff,
    }
    return draft, public, users


def test_each_access_rule_says_the_same_as_a_query_and_as_a_predicate():
    draft, public, users = _access_cases()
    expected_editors = {"creator", "organiser", "staff"}
    for name, user in users.items():
        editable = set(Event.objects.editable_by(user))
        visible = set(Event.objects.visible_to(user))
        organised = set(Event.objects.organised_by(user))
        for event in (draft, public):
            assert event.can_edit(user) == (event in editable), (name, event)
            assert event.is_visible_to(user) == (event in visible), (name, event)
            assert event.is_organised_by(user) == (event in organised), (name, event)
        assert {event.can_edit(user) for event in (draft, public)} == {name in expected_editors}
        assert draft.is_visible_to(user) == (name in expected_editors)
    assert set(Event.objects.organised_by(users["staff"])) == set()
    assert set(Event.objects.organised_by(users["inactive organiser"])) == {draft, public}
    assert list(Event.objects.public()) == [public]
