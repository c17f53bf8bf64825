from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError

from events.models import Event, EventRole
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
