from datetime import date, timedelta

import pytest

from tests.factories import VenueFactory

FUTURE_YEAR = date.today().year + 3


def last_sunday(year: int, month: int) -> date:
    """The last Sunday of a month: when the UK's clocks change (in March and October)."""
    day = (date(year, month + 1, 1) if month < 12 else date(year + 1, 1, 1)) - timedelta(days=1)
    return day - timedelta(days=(day.weekday() - 6) % 7)


def roles_data(rows, *, initial=0, extra_blank=0) -> dict:
    """POST data for the roles formset (prefix "roles"): `rows` of field values, then blank rows."""
    rows = [*rows, *({} for _ in range(extra_blank))]
    data = {
        "roles-TOTAL_FORMS": str(len(rows)),
        "roles-INITIAL_FORMS": str(initial),
        "roles-MIN_NUM_FORMS": "0",
        "roles-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        for name, value in row.items():
            data[f"roles-{index}-{name}"] = value
    return data


@pytest.fixture
def venue(db):
    return VenueFactory(name="Glamorgan Building")


@pytest.fixture
def event_data(venue):
    """A function giving valid POST data for EventForm (a July evening in Cardiff), overridable."""

    def build(**overrides) -> dict:
        data = {
            "title": "Policy Cafe relaunch",
            "kind": "cafe",
            "summary": "Co-production or reinventing the wheel?",
            "description": "An evening of conversation.",
            "series": "",
            "starts_at": f"{FUTURE_YEAR}-07-08T18:00",
            "ends_at": f"{FUTURE_YEAR}-07-08T20:00",
            "mode": "in_person",
            "venue": str(venue.pk),
            "online_url": "",
            "capacity": "40",
            "registration_closes_at": "",
            "access_notes": "",
        }
        data.update(overrides)
        return {k: v for k, v in data.items() if v is not None}

    return build
