"""events/signals.py: changes made elsewhere than on the event revise the entries that show them."""

from decimal import Decimal

import pytest
from icalendar import Calendar

from events import calendar as ical
from events.models import Event
from tests.factories import (
    EventFactory,
    EventRoleFactory,
    PersonFactory,
    ThemeFactory,
    VenueFactory,
)

pytestmark = pytest.mark.django_db

SITE = "https://commons.example.org"


def entry(event):
    """The event's VEVENT as a client reads it."""
    full = Event.objects.with_calendar_data().get(pk=event.pk)
    (component,) = Calendar.from_ical(ical.event_calendar(full, site_url=SITE).to_ical()).events
    return component


@pytest.fixture
def venue():
    return VenueFactory(name="Glamorgan Building", address="King Edward VII Avenue")


def test_venue_moving_revises_its_events_location_and_geo(venue):
    event = EventFactory(venue=venue)
    other = EventFactory()
    before, untouched = entry(event), Event.objects.get(pk=other.pk)
    venue.address = "Park Place"
    venue.latitude, venue.longitude = Decimal("51.48"), Decimal("-3.18")
    venue.save()
    after = entry(event)
    assert after["SEQUENCE"] == before["SEQUENCE"] + 1
    assert "Park Place" in str(after["LOCATION"])
    assert after["GEO"].latitude == pytest.approx(51.48)
    assert Event.objects.get(pk=event.pk).updated_at > event.updated_at
    assert Event.objects.get(pk=other.pk).sequence == untouched.sequence


def test_saving_a_venue_unchanged_revises_nothing(venue):
    event = EventFactory(venue=venue)
    venue.save()
    assert Event.objects.get(pk=event.pk).sequence == 0


def test_a_person_renamed_revises_every_event_they_take_part_in():
    person = PersonFactory(name="Ruth Dinen")
    events = [EventFactory(), EventFactory()]
    for event in events:
        EventRoleFactory(event=event, person=person, role="speaker")
    before = [entry(e) for e in events]
    person.name = "Ruth Dineen"
    person.save()
    after = [entry(e) for e in events]
    for old, new in zip(before, after, strict=True):
        assert new["SEQUENCE"] == old["SEQUENCE"] + 1
        assert "Ruth Dineen" in str(new["SUMMARY"])
        assert "Ruth Dineen" in str(new["DESCRIPTION"])


@pytest.mark.parametrize("change", ["add", "retitle", "remove"])
def test_a_role_added_changed_or_removed_revises_the_event(change):
    event = EventFactory()
    role = EventRoleFactory(event=event, person=PersonFactory(name="Becky Booth"), role="chair")
    before = entry(event)
    if change == "add":
        EventRoleFactory(event=event, person=PersonFactory(name="Ann Jones"), role="speaker")
    elif change == "retitle":
        role.contribution_title = "Welcome"
        role.save()
    else:
        role.delete()
    after = entry(event)
    assert after["SEQUENCE"] == before["SEQUENCE"] + 1
    assert str(after["DESCRIPTION"]) != str(before["DESCRIPTION"])
    assert after["DTSTAMP"].dt >= before["DTSTAMP"].dt


@pytest.mark.parametrize("change", ["rename", "add", "remove", "delete"])
def test_theme_changes_give_a_new_updated_at_without_a_new_sequence(change):
    theme = ThemeFactory(name="Arts")
    event = EventFactory(themes=[theme])
    stamp = Event.objects.get(pk=event.pk).updated_at
    if change == "rename":
        theme.name = "Arts and health"
        theme.save()
    elif change == "add":
        event.themes.add(ThemeFactory())
    elif change == "remove":
        theme.events.remove(event)
    else:
        theme.delete()
    after = Event.objects.get(pk=event.pk)
    assert after.updated_at > stamp
    assert after.sequence == 0


def test_people_added_to_a_draft_leave_its_sequence_alone():
    # A draft is in nobody's calendar: it is published with SEQUENCE 0 + its publishing.
    draft = EventFactory(status=Event.Status.DRAFT, published_at=None)
    EventRoleFactory(event=draft, person=PersonFactory(), role="speaker")
    assert Event.objects.get(pk=draft.pk).sequence == 0
