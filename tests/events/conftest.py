from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from events.models import Event, EventRole
from tests.factories import PersonFactory, ThemeFactory, VenueFactory
from tests.forms import submit_form

FUTURE_YEAR = date.today().year + 3


def parse_ics(response) -> Calendar:
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.content)


def uids(calendar: Calendar) -> set[str]:
    return {str(component["UID"]) for component in calendar.events}


def uid_of(event) -> str:
    from django.conf import settings

    from events.calendar import event_uid

    return event_uid(event, site_url=settings.SITE_URL)


@pytest.fixture(autouse=True)
def _no_kept_calendar_entries():
    """Each test starts without kept VEVENTs (events/calendar_http.py keeps them per process)."""
    from events.calendar_http import ENTRIES

    ENTRIES.clear()
    yield
    ENTRIES.clear()


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


def last_sunday(year: int, month: int) -> date:
    """The last Sunday of a month: when the UK's clocks change (in March and October)."""
    day = (date(year, month + 1, 1) if month < 12 else date(year + 1, 1, 1)) - timedelta(days=1)
    return day - timedelta(days=(day.weekday() - 6) % 7)


def person_row(index: int, **fields) -> dict:
    """What an organiser fills in on row `index` of the people on the event form."""
    return {f"roles-{index}-{name}": value for name, value in fields.items()}


@pytest.fixture
def venue(db):
    return VenueFactory(name="Glamorgan Building")


@pytest.fixture
def event_data(venue):
    """What an organiser types into the event form for a July evening in Cardiff, overridable.

    Tests pass it to `tests.forms.submit_form` as the changes to the rendered page.
    """

    def build(**overrides) -> dict:
        data = {
            "title_en": "Policy Cafe relaunch",
            "kind": "cafe",
            "summary_en": "Co-production or reinventing the wheel?",
            "description_en": "An evening of conversation.",
            "series": "",
            "starts_at": f"{FUTURE_YEAR}-07-08T18:00",
            "ends_at": f"{FUTURE_YEAR}-07-08T20:00",
            "mode": "in_person",
            "venue": str(venue.pk),
            "online_url": "",
            "capacity": "40",
            "registration_closes_at": "",
            "access_notes_en": "",
        }
        data.update(overrides)
        return {k: v for k, v in data.items() if v is not None}

    return build


@pytest.fixture
def submit_event_form(client, organiser, event_data):
    """Fill in the new-event page as an organiser would, with `people` in its blank rows; save.

    Returns the response: a redirect to the preview, or the page again with its errors.
    """

    def submit(*, people=(), **changes):
        client.force_login(organiser)
        page = client.get(reverse("events:create"))
        data = event_data(**changes)
        for index, row in enumerate(people):
            data.update(person_row(index, **row))
        return submit_form(client, page, "#event-form", data=data)

    return submit
