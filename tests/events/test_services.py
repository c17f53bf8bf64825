from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from events import services
from events.models import LONDON, Event, EventRole
from tests.events.conftest import last_sunday
from tests.factories import (
    EventFactory,
    EventRoleFactory,
    OrganisationFactory,
    PersonFactory,
    SeriesFactory,
    ThemeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(organiser):
    return EventFactory(
        title="Policy Cafe", status=Event.Status.DRAFT, published_at=None, created_by=organiser
    )


def _fresh(event):
    return Event.objects.get(pk=event.pk)


def test_publishing_a_draft_makes_it_public_freezes_its_slug_and_bumps_sequence(draft, organiser):
    services.publish_event(event=draft, user=organiser)
    event = _fresh(draft)
    assert (event.status, event.sequence) == (Event.Status.PUBLISHED, 1)
    assert event.published_at is not None
    event.title = "Policy Cafe: a new title"
    event.save()
    assert _fresh(event).slug == "policy-cafe"


def test_postpone_then_publish_again_then_cancel_each_bump_sequence(organised_event, organiser):
    start = _fresh(organised_event).sequence
    services.postpone_event(event=organised_event, user=organiser)
    assert (_fresh(organised_event).status, _fresh(organised_event).sequence) == (
        "postponed",
        start + 1,
    )
    first_published_at = _fresh(organised_event).published_at
    services.publish_event(event=organised_event, user=organiser)
    assert (_fresh(organised_event).status, _fresh(organised_event).sequence) == (
        "published",
        start + 2,
    )
    assert _fresh(organised_event).published_at == first_published_at
    services.cancel_event(event=organised_event, user=organiser, reason_en="The venue flooded.")
    event = _fresh(organised_event)
    assert (event.status, event.sequence, event.cancellation_reason) == (
        "cancelled",
        start + 3,
        "The venue flooded.",
    )


@pytest.mark.parametrize(
    ("status", "action"),
    [
        ("draft", "postpone"),
        ("draft", "cancel"),
        ("postponed", "postpone"),
        ("published", "publish"),
        ("cancelled", "publish"),
        ("cancelled", "postpone"),
        ("cancelled", "cancel"),
    ],
)
def test_senseless_transitions_are_refused_with_a_message_and_change_nothing(staff, status, action):
    event = EventFactory(status=status)
    before = (event.status, event.sequence)
    call = {
        "publish": lambda: services.publish_event(event=event, user=staff),
        "postpone": lambda: services.postpone_event(event=event, user=staff),
        "cancel": lambda: services.cancel_event(event=event, user=staff, reason_en="Because."),
    }[action]
    with pytest.raises(services.TransitionNotAllowed) as refusal:
        call()
    assert str(refusal.value).startswith("Only ")
    assert (_fresh(event).status, _fresh(event).sequence) == before


def test_a_finished_event_cannot_be_postponed_or_cancelled(staff):
    now = timezone.now()
    event = EventFactory(
        starts_at=now - timedelta(days=2), ends_at=now - timedelta(days=2, hours=-2)
    )
    with pytest.raises(services.TransitionNotAllowed):
        services.postpone_event(event=event, user=staff)
    with pytest.raises(services.TransitionNotAllowed):
        services.cancel_event(event=event, user=staff, reason_en="Too late")
    assert _fresh(event).status == "published"


@pytest.mark.parametrize("reason", ["", "   \n "])
def test_cancelling_needs_a_reason(organised_event, organiser, reason):
    with pytest.raises(services.TransitionNotAllowed, match="Say why"):
        services.cancel_event(event=organised_event, user=organiser, reason_en=reason)
    assert _fresh(organised_event).status == "published"


def test_status_changes_need_permission_to_edit(event, organiser):
    for call in (
        lambda: services.postpone_event(event=event, user=organiser),
        lambda: services.cancel_event(event=event, user=organiser, reason_en="Mine now"),
        lambda: services.duplicate_event(event=event, user=organiser),
    ):
        with pytest.raises(PermissionDenied):
            call()
    assert (_fresh(event).status, Event.objects.count()) == ("published", 1)


def test_cancelling_calls_the_attendee_notification_hook_once(
    organised_event, organiser, monkeypatch
):
    notified = []
    monkeypatch.setattr(
        services, "notify_attendees_of_cancellation", lambda *, event: notified.append(event.pk)
    )
    services.cancel_event(event=organised_event, user=organiser, reason_en="Storm warning")
    assert notified == [organised_event.pk]


def test_duplicate_is_a_draft_four_weeks_later_at_the_same_london_time_with_everything_copied(
    organiser,
):
    # 18:00 BST on a Wednesday in October; four weeks on the clocks have gone back: 18:00 GMT.
    starts = datetime(2031, 10, 8, 17, 0, tzinfo=UTC)
    theme, host, series = ThemeFactory(), OrganisationFactory(), SeriesFactory()
    original = EventFactory(
        title="Policy Cafe",
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        registration_closes_at=starts - timedelta(hours=1),
        capacity=30,
        series=series,
        hearing_loop=True,
        access_notes="Lift on the left",
        themes=[theme],
        hosts=[host],
        status=Event.Status.CANCELLED,
        cancellation_reason="Snow",
    )
    sophie, ruth = PersonFactory(user=organiser), PersonFactory()
    EventRoleFactory(event=original, person=sophie, role="organiser", order=0)
    EventRoleFactory(
        event=original, person=ruth, role="speaker", contribution_title="Talk", order=1
    )

    copy = services.duplicate_event(event=original, user=organiser)

    copy = _fresh(copy)
    assert copy.pk != original.pk
    assert (copy.status, copy.published_at, copy.cancellation_reason, copy.sequence) == (
        "draft",
        None,
        "",
        0,
    )
    assert (copy.title, copy.slug, copy.created_by) == ("Policy Cafe", "policy-cafe-2", organiser)
    assert copy.starts_at == datetime(2031, 11, 5, 18, 0, tzinfo=UTC)
    assert copy.ends_at == datetime(2031, 11, 5, 20, 0, tzinfo=UTC)
    assert copy.registration_closes_at == datetime(2031, 11, 5, 17, 0, tzinfo=UTC)
    assert copy.local_starts_at.weekday() == original.local_starts_at.weekday()
    assert (copy.capacity, copy.series, copy.venue, copy.hearing_loop, copy.access_notes) == (
        30,
        series,
        original.venue,
        True,
        "Lift on the left",
    )
    assert (list(copy.themes.all()), list(copy.hosts.all())) == ([theme], [host])
    assert [
        (r.person, r.role, r.contribution_title, r.order) for r in copy.roles.order_by("order")
    ] == [(sophie, "organiser", "", 0), (ruth, "speaker", "Talk", 1)]
    assert EventRole.objects.filter(event=original).count() == 2


def test_duplicating_needs_the_right_to_create_events(organised_event):
    # Someone named as organiser of the event but not in the Organisers group.
    member = UserFactory()
    EventRoleFactory(event=organised_event, person=PersonFactory(user=member), role="organiser")
    assert organised_event.can_edit(member)
    with pytest.raises(PermissionDenied):
        services.duplicate_event(event=organised_event, user=member)
    assert Event.objects.count() == 1


def test_events_cannot_take_a_slug_that_is_an_organiser_page(organiser):
    assert EventFactory(title="New", status="draft").slug == "new-event"
    assert EventFactory(title="Mine", status="draft").slug == "mine-event"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_simultaneous_publishes_change_the_event_once():
    from concurrent.futures import ThreadPoolExecutor
    from threading import Barrier

    from django.db import connection, connections

    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    staff = UserFactory(is_staff=True)
    draft = EventFactory(status=Event.Status.DRAFT)
    start = Barrier(5)

    def publish(_):
        start.wait()
        try:
            services.publish_event(event=draft, user=staff)
            return "published"
        except services.TransitionNotAllowed:
            return "refused"
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=5) as pool:
        outcomes = sorted(pool.map(publish, range(5)))

    assert outcomes == ["published"] + ["refused"] * 4
    assert (_fresh(draft).status, _fresh(draft).sequence) == ("published", 1)


# --- recurring series: "schedule the next N" --------------------------------------------------


@pytest.fixture
def cafe_series(organiser):
    """Policy Cafe: the second Monday of each month, 18:00 to 20:00, with its January event."""
    from datetime import date, time

    from tests.events.conftest import FUTURE_YEAR

    series = SeriesFactory(
        name="Policy Cafe",
        created_by=organiser,
        repeat="monthly_weekday",
        repeat_weekday=0,
        repeat_week=2,
        repeat_from=date(FUTURE_YEAR, 1, 1),
        start_time=time(18, 0),
        end_time=time(20, 0),
    )
    january = EventFactory(
        title="Policy Cafe",
        series=series,
        created_by=organiser,
        starts_at=datetime(FUTURE_YEAR, 1, 12, 18, 0, tzinfo=UTC),
        ends_at=datetime(FUTURE_YEAR, 1, 12, 20, 0, tzinfo=UTC),
        capacity=40,
        step_free_access=True,
        access_notes="Lift to the second floor.",
        themes=[ThemeFactory(name="Core economy")],
        hosts=[OrganisationFactory(name="Spice")],
    )
    EventRoleFactory(event=january, role="chair", contribution_title="Welcome")
    return series


def _local(moment):
    return moment.astimezone(LONDON).strftime("%Y-%m-%d %H:%M")


def test_schedule_next_copies_the_latest_event_onto_the_free_dates(cafe_series, organiser):
    from tests.events.conftest import FUTURE_YEAR

    january = cafe_series.events.get()
    # March already has its event (made by hand, later in the evening): that date is skipped.
    march = _second_monday(FUTURE_YEAR, 3)
    template = EventFactory(
        series=cafe_series,
        title="Policy Cafe: March special",
        starts_at=datetime(march.year, march.month, march.day, 18, 30, tzinfo=UTC),
        ends_at=datetime(march.year, march.month, march.day, 20, 0, tzinfo=UTC),
    )
    with freeze(datetime(FUTURE_YEAR, 1, 20, tzinfo=UTC)):
        created = services.schedule_next_occurrences(series=cafe_series, user=organiser, count=3)

    y = FUTURE_YEAR
    second_mondays = [_second_monday(y, m) for m in (2, 4, 5)]
    assert [_local(e.starts_at) for e in created] == [f"{d} 18:00" for d in second_mondays]
    assert [_local(e.ends_at)[-5:] for e in created] == ["20:00"] * 3
    # April and May are in BST: 18:00 in London is 17:00 UTC.
    assert [e.starts_at.astimezone(UTC).hour for e in created] == [18, 17, 17]
    # Each copy is of the latest event of the series.
    for copy in created:
        assert (copy.status, copy.series, copy.created_by, copy.title) == (
            "draft",
            cafe_series,
            organiser,
            template.title,
        )
        assert copy.venue == template.venue
    assert len({e.slug for e in created}) == 3
    assert january.pk not in {e.pk for e in created}


def test_scheduled_occurrences_copy_people_themes_access_and_capacity(cafe_series, organiser):
    from tests.events.conftest import FUTURE_YEAR

    with freeze(datetime(FUTURE_YEAR, 1, 20, tzinfo=UTC)):
        [february] = services.schedule_next_occurrences(series=cafe_series, user=organiser, count=1)
    january = cafe_series.events.exclude(pk=february.pk).get()
    assert (february.capacity, february.step_free_access, february.access_notes) == (
        40,
        True,
        "Lift to the second floor.",
    )
    assert [t.name for t in february.themes.all()] == ["Core economy"]
    assert [o.name for o in february.hosts.all()] == ["Spice"]
    assert list(february.roles.values_list("person", "role", "contribution_title")) == list(
        january.roles.values_list("person", "role", "contribution_title")
    )


def test_scheduling_twice_never_makes_two_events_on_one_date(cafe_series, organiser):
    from tests.events.conftest import FUTURE_YEAR

    with freeze(datetime(FUTURE_YEAR, 1, 20, tzinfo=UTC)):
        first = services.schedule_next_occurrences(series=cafe_series, user=organiser, count=2)
        second = services.schedule_next_occurrences(series=cafe_series, user=organiser, count=2)
    dates = [e.local_starts_at.date() for e in [*first, *second]]
    assert len(dates) == len(set(dates)) == 4


def test_scheduling_needs_a_rule_an_event_and_permission(cafe_series, organiser, user):
    with pytest.raises(PermissionDenied):
        services.schedule_next_occurrences(series=cafe_series, user=user, count=1)
    other_organiser = UserFactory(groups=["Organisers"])
    with pytest.raises(PermissionDenied):
        services.schedule_next_occurrences(series=cafe_series, user=other_organiser, count=1)
    no_rule = SeriesFactory(created_by=organiser)
    with pytest.raises(services.TransitionNotAllowed, match="how it repeats"):
        services.schedule_next_occurrences(series=no_rule, user=organiser, count=1)
    cafe_series.events.all().delete()
    with pytest.raises(services.TransitionNotAllowed, match="first event"):
        services.schedule_next_occurrences(series=cafe_series, user=organiser, count=1)
    assert Event.objects.count() == 0


def test_duplicate_proposes_the_rules_next_date(cafe_series, organiser):
    from tests.events.conftest import FUTURE_YEAR

    january = cafe_series.events.get()
    with freeze(datetime(FUTURE_YEAR, 1, 2, tzinfo=UTC)):
        starts_at, ends_at = services.proposed_copy_times(event=january)
    assert (_local(starts_at), _local(ends_at)) == (
        f"{_second_monday(FUTURE_YEAR, 2)} 18:00",
        f"{_second_monday(FUTURE_YEAR, 2)} 20:00",
    )


def _second_monday(year, month):
    from datetime import date

    first = date(year, month, 1)
    return first + timedelta(days=(7 - first.weekday()) % 7 + 7)


class freeze:
    """Pin timezone.now() (the services' clock) to `moment`."""

    def __init__(self, moment):
        from unittest import mock

        self.patch = mock.patch("django.utils.timezone.now", return_value=moment)

    def __enter__(self):
        return self.patch.__enter__()

    def __exit__(self, *exc):
        return self.patch.__exit__(*exc)


def test_publishing_refuses_a_duplicate_that_lands_in_the_october_clock_change(staff):
    # 1:30 on the last Sunday of October happens twice; the edit form refuses it, and a
    # duplicate (four weeks on, same clock time) must not slip past it through publishing.
    year = timezone.now().year + 1
    sunday = last_sunday(year, 10)
    four_weeks_earlier = sunday - timedelta(weeks=4)
    start = datetime(*four_weeks_earlier.timetuple()[:3], 1, 30, tzinfo=LONDON)
    original = EventFactory(starts_at=start, ends_at=start + timedelta(hours=3))
    copy = services.duplicate_event(event=original, user=staff)
    assert copy.starts_at.astimezone(LONDON).replace(tzinfo=None) == datetime(
        *sunday.timetuple()[:3], 1, 30
    )
    with pytest.raises(services.TransitionNotAllowed) as refused:
        services.publish_event(event=copy, user=staff)
    assert "Starts at: Times from 01:00 to 01:59 on Sunday" in str(refused.value)
    assert "happen twice in the UK" in str(refused.value)
    assert _fresh(copy).status == Event.Status.DRAFT


def test_publishing_an_event_at_ordinary_times_is_unaffected(staff):
    year = timezone.now().year + 1
    start = datetime(year, 10, 10, 1, 30, tzinfo=LONDON)
    draft = EventFactory(starts_at=start, ends_at=start + timedelta(hours=1), status="draft")
    services.publish_event(event=draft, user=staff)
    assert _fresh(draft).status == Event.Status.PUBLISHED


# --- save_event takes plain values (a command or the admin can call it without a form) ---------


def test_save_event_from_plain_values_with_its_people_themes_and_hosts(organiser):
    from django.core.exceptions import ValidationError

    theme, host, chair = ThemeFactory(name="Time Credits"), OrganisationFactory(), PersonFactory()
    start = timezone.now() + timedelta(days=10)
    event = Event(
        title="Round-table on empowerment",
        kind=Event.Kind.ROUND_TABLE,
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        mode=Event.Mode.ONLINE,
        online_url="https://meet.example.org/rt",
    )
    event = services.save_event(
        event=event,
        user=organiser,
        themes=[theme],
        hosts=[host],
        new_theme_names=["Youth voice", "time credits"],  # one new, one reused by name
        people=[
            services.PersonRow(role=EventRole(person=chair, role=EventRole.Role.CHAIR)),
            services.PersonRow(
                role=EventRole(role=EventRole.Role.SPEAKER),
                new_person_name="Catherine Farrell",
                new_person_headline="UK National Teaching Fellow",
            ),
        ],
    )
    event = _fresh(event)
    assert (event.status, event.created_by) == (Event.Status.DRAFT, organiser)
    assert sorted(event.themes.values_list("name", flat=True)) == ["Time Credits", "Youth voice"]
    assert list(event.hosts.all()) == [host]
    roles = {r.person.name: (r.role, r.person.headline) for r in event.roles.all()}
    assert roles == {
        chair.name: ("chair", chair.headline),
        "Catherine Farrell": ("speaker", "UK National Teaching Fellow"),
    }

    # Editing: the chair's row goes, the speaker's row changes, capacity is checked.
    chair_row = event.roles.get(person=chair)
    speaker_row = event.roles.exclude(pk=chair_row.pk).get()
    speaker_row.contribution_title = "What co-production is not"
    event.capacity = 30
    services.save_event(
        event=event,
        user=organiser,
        people=[
            services.PersonRow(role=chair_row, delete=True),
            services.PersonRow(role=speaker_row),
        ],
    )
    event = _fresh(event)
    assert [(r.role, r.contribution_title) for r in event.roles.all()] == [
        ("speaker", "What co-production is not")
    ]
    assert sorted(event.themes.values_list("name", flat=True)) == ["Time Credits", "Youth voice"]

    with pytest.raises(PermissionDenied):
        services.save_event(event=_fresh(event), user=UserFactory())

    Event.objects.filter(pk=event.pk).update(capacity=5, status=Event.Status.PUBLISHED)
    for _ in range(2):
        services.register_attendee(event=event, user=UserFactory())
    lower = _fresh(event)
    lower.capacity = 1
    with pytest.raises(ValidationError) as refused:
        services.save_event(event=lower, user=organiser)
    assert list(refused.value.error_dict) == ["capacity"]
    assert _fresh(event).capacity == 5
