"""With CALENDAR_FINGERPRINT_SECONDS, a conditional feed request skips the aggregate query."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import EventFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _memo(settings):
    settings.CALENDAR_FINGERPRINT_SECONDS = 30
    cache.clear()
    yield
    cache.clear()


def aggregate_queries(queries):
    return [q["sql"] for q in queries if "SUM(" in q["sql"].upper()]


def test_conditional_request_is_answered_from_the_remembered_fingerprint(client):
    EventFactory()
    first = client.get(reverse("events:feed"))
    with CaptureQueriesContext(connection) as ctx:
        again = client.get(reverse("events:feed"), HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert aggregate_queries(ctx.captured_queries) == []


def test_a_committed_change_is_seen_at_once(client, django_capture_on_commit_callbacks):
    EventFactory(title="First cafe")
    first = client.get(reverse("events:feed"))
    with django_capture_on_commit_callbacks(execute=True):
        EventFactory(title="Second cafe")
    changed = client.get(reverse("events:feed"), HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200
    assert changed["ETag"] != first["ETag"]
    assert b"SUMMARY:Second cafe" in changed.content
