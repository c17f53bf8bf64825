from datetime import timedelta

import pytest
from django.db import IntegrityError

from events.models import Event
from tests.factories import EventFactory, VenueFactory

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
    event.summary = "Only words changed"
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
