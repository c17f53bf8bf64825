"""The record's panels on the event page: what they show, and a query count that does not grow."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from record.models import AgendaItem, EventRecord, Outcome, Priority
from tests.factories import EventFactory, SeriesFactory, ThemeFactory, UserFactory


def queries(client, event) -> int:
    cache.clear()  # count the misses of cached parts (group names, shared fragments) each time
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("events:detail", kwargs={"slug": event.slug}))
    assert response.status_code == 200
    return len(captured)


def fill(event, previous, count):
    """`count` priorities with dots and agenda items on `event`, `count` open outcomes and
    unanswered priorities on `previous`."""
    voter = UserFactory()
    for i in range(count):
        item = Priority.objects.create(event=event, author=voter, text=f"P{i}", dot_count=i)
        agenda_item = AgendaItem.objects.create(event=event, starts_at="18:00", title=f"A{i}")
        agenda_item.priorities.add(item)
        Priority.objects.create(event=previous, author=voter, text=f"Old {i}")
        Outcome.objects.create(event=previous, kind="action", title=f"O{i}")


@pytest.mark.parametrize("signed_in", [False, True])
def test_event_page_queries_do_not_grow_with_the_record(client, db, signed_in):
    series = SeriesFactory()
    theme = ThemeFactory()
    start = timezone.now() - timedelta(days=20)
    previous = EventFactory(series=series, starts_at=start, ends_at=start + timedelta(hours=2))
    EventRecord.objects.create(event=previous, summary="S", published_at=timezone.now())
    small = EventFactory(series=series, themes=[theme])
    large = EventFactory(series=series, themes=[theme], starts_at=small.starts_at)
    if signed_in:
        client.force_login(UserFactory())
    fill(small, previous, 1)
    one = queries(client, small)
    fill(large, previous, 30)
    assert queries(client, large) == one


def test_previously_links_to_the_series_outcomes(client, db):
    series = SeriesFactory(name="Policy Cafe")
    start = timezone.now() - timedelta(days=20)
    previous = EventFactory(series=series, starts_at=start, ends_at=start + timedelta(hours=2))
    EventRecord.objects.create(event=previous, summary="S", published_at=timezone.now())
    Outcome.objects.create(event=previous, kind="action", title="Share Talking Points")
    Outcome.objects.create(event=previous, kind="action", title="Finished", status="done")
    upcoming = EventFactory(series=series)
    page = client.get(reverse("events:detail", kwargs={"slug": upcoming.slug})).text
    assert "Previously" in page
    assert "Share Talking Points" in page
    assert "Finished" not in page
    assert reverse("record:series_outcomes", kwargs={"slug": series.slug}) in page


def test_no_previously_when_the_record_is_unpublished_or_the_event_cancelled(client, db):
    series = SeriesFactory()
    start = timezone.now() - timedelta(days=20)
    previous = EventFactory(series=series, starts_at=start, ends_at=start + timedelta(hours=2))
    Outcome.objects.create(event=previous, kind="action", title="Unpublished outcome")
    upcoming = EventFactory(series=series)
    assert "Previously" not in client.get(upcoming.get_absolute_url()).text
    EventRecord.objects.create(event=previous, summary="S", published_at=timezone.now())
    previous.status = "cancelled"
    previous.save()
    assert "Previously" not in client.get(upcoming.get_absolute_url()).text


def test_draft_events_show_no_priorities_panel(client, organiser):
    draft = EventFactory(status="draft", created_by=organiser)
    client.force_login(organiser)
    response = client.get(reverse("events:detail", kwargs={"slug": draft.slug}))
    assert "Questions and priorities" not in response.text
