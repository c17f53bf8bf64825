from datetime import timedelta

import pytest
from django.utils import timezone
from icalendar import Calendar

from events.models import Event, EventRole
from tests.factories import PersonFactory, ThemeFactory, VenueFactory


def parse_ics(response) -> Calendar:
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.content)


def uids(calendar: Calendar) -> set[str]:
    return {str(component["UID"]) for component in calendar.events}


def uid_of(event) -> str:
    from django.conf import settings

    from events.calendar import event_uid

    return event_uid(event, site_url=settings.SITE_URL)


@pytest.fixture
def make_events(db):
    """Create `n` published events quickly (bulk), each with a theme and two people."""

    def make(n: int, **fields):
        venue = VenueFactory()
        theme = ThemeFactory()
        start = (timezone.now() + timedelta(days=3)).replace(microsecond=0)
        events = Event.objects.bulk_create(
            Event(
                title=f"Bulk event {i}",
                slug=f"bulk-{venue.pk}-{i}",
                summary="Bulk",
                starts_at=start + timedelta(hours=i),
                ends_at=start + timedelta(hours=i + 2),
                venue=venue,
                status=Event.Status.PUBLISHED,
                published_at=start,
                **fields,
            )
            for i in range(n)
        )
        Event.themes.through.objects.bulk_create(
            Event.themes.through(event_id=e.pk, theme_id=theme.pk) for e in events
        )
        people = [PersonFactory(), PersonFactory()]
        EventRole.objects.bulk_create(
            EventRole(event=e, person=p, role=EventRole.Role.SPEAKER)
            for e in events
            for p in people
        )
        return events

    return make
