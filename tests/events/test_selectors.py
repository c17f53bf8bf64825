"""Home's theme counts come from the cache, and change at once after a committed change."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import EventFactory, ThemeFactory

pytestmark = pytest.mark.django_db

CHIP = re.compile(r'class="chip" href="[^"]+">([^<]+?)(?: <span class="chip__count">(\d+)<|</a>)')


def home_chips(client):
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return {name: int(count or 0) for name, count in CHIP.findall(response.content.decode())}


def test_a_theme_rename_shows_at_once(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        theme = ThemeFactory(name="Time credits")
        EventFactory(themes=[theme])
    assert home_chips(client) == {"Time credits": 1}
    with django_capture_on_commit_callbacks(execute=True):
        theme.name = "Time banking"
        theme.save()
    assert home_chips(client) == {"Time banking": 1}


def test_a_new_event_counts_at_once(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        theme = ThemeFactory(name="Co-production")
        EventFactory(themes=[theme])
    assert home_chips(client) == {"Co-production": 1}
    with django_capture_on_commit_callbacks(execute=True):
        EventFactory(themes=[theme])
    assert home_chips(client) == {"Co-production": 2}


def test_an_event_that_ends_stops_counting_without_any_write(
    client, django_capture_on_commit_callbacks, monkeypatch
):
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        theme = ThemeFactory(name="Care")
        EventFactory(
            themes=[theme], starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=1)
        )
        EventFactory(themes=[theme], starts_at=now + timedelta(days=3))
    assert home_chips(client) == {"Care": 2}
    later = now + timedelta(hours=2)
    monkeypatch.setattr("django.utils.timezone.now", lambda: later)
    assert home_chips(client) == {"Care": 1}


def test_home_reads_the_counts_once_while_nothing_changes(
    client, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    with django_capture_on_commit_callbacks(execute=True):
        EventFactory(themes=[ThemeFactory(name="Wellbeing")])
    client.get(reverse("home"))
    with django_assert_max_num_queries(50) as captured:
        assert home_chips(client) == {"Wellbeing": 1}
    counting = [q["sql"] for q in captured.captured_queries if "upcoming_count" in q["sql"]]
    assert counting == []
