"""Every list and event page runs a fixed number of queries, however many events there are."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from events.models import EventRole
from events.services import register_attendee
from tests.factories import (
    AffiliationFactory,
    EventFactory,
    EventRoleFactory,
    OrganisationFactory,
    PersonFactory,
    SeriesFactory,
    ThemeFactory,
)

pytestmark = pytest.mark.django_db

# Each panel another app adds to the event page costs one query (visuals: its rows; record: one
# shared state query and the member's follows, more only when its panels have something to
# list). With an empty cache, as here; the next reader's page costs a few (see
# tests/events/test_event_page_skeleton.py).
BUDGET = 13


@pytest.fixture
def world(settings):
    """`add(n)` adds n events (alternately past and upcoming) sharing a theme, series, host and
    person, each with its own second theme and speaker; returns what the pages are about."""
    settings.EVENTS_PAGE_SIZE = 10  # page 2 of a 30-event list exists
    theme, series, host, person = (
        ThemeFactory(),
        SeriesFactory(),
        OrganisationFactory(),
        PersonFactory(),
    )
    AffiliationFactory(person=person, organisation=host)
    series.hosts.add(host)
    made = []

    def add(count):
        now = timezone.now().replace(microsecond=0)
        for _ in range(count):
            n = len(made) + 1
            starts_at = now + timedelta(days=n if n % 2 else -n)
            event = EventFactory(
                starts_at=starts_at,
                ends_at=starts_at + timedelta(hours=2),
                series=series,
                themes=[theme, ThemeFactory()],
                hosts=[host],
                capacity=40,
                step_free_access=True,
            )
            EventRoleFactory(event=event, person=person, role=EventRole.Role.ORGANISER)
            EventRoleFactory(event=event)
            made.append(event)
        return {"theme": theme, "series": series, "host": host, "person": person, "events": made}

    return add


def urls(world):
    event = world["events"][0]
    theme = world["theme"]
    query = {
        "theme": f"theme={theme.slug}&q=event&after=2000-01-01&access=step_free_access",
        "people": f"person={world['person'].slug}&kind=cafe&mode=in_person"
        f"&organisation={world['host'].slug}&series={world['series'].slug}",
    }
    return [
        reverse("home"),
        reverse("events:list"),
        reverse("events:list") + "?when=past",
        reverse("events:list") + "?" + query["theme"],
        reverse("events:list") + "?" + query["people"],
        reverse("events:list") + "?page=2",
        event.get_absolute_url(),
        reverse("events:theme_list"),
        theme.get_absolute_url(),
        theme.get_absolute_url() + "?when=past&page=2",
        world["series"].get_absolute_url(),
        world["person"].get_absolute_url(),
        world["host"].get_absolute_url(),
    ]


def count_queries(client, url):
    cache.clear()  # count the misses of cached parts (home's theme counts), not their hits
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


@pytest.mark.parametrize("count", [1, 3, 30])
def test_public_pages_stay_within_the_query_budget(
    client, world, count, django_assert_max_num_queries
):
    for url in urls(world(count)):
        with django_assert_max_num_queries(BUDGET, info=url):
            response = client.get(url)
        assert response.status_code == 200


def test_query_counts_do_not_grow_with_the_number_of_events(client, world):
    made = world(2)  # one upcoming, one past: no list is empty
    small = {url: count_queries(client, url) for url in urls(made)}
    made = world(28)
    large = {url: count_queries(client, url) for url in urls(made)}
    assert large == small


@pytest.mark.parametrize("count", [1, 30])
def test_signed_in_event_page_stays_within_the_query_budget(
    client, user, world, count, django_assert_max_num_queries
):
    event = world(count)["events"][0]
    client.force_login(user)
    with django_assert_max_num_queries(BUDGET):
        assert client.get(event.get_absolute_url()).status_code == 200
    with django_assert_max_num_queries(BUDGET):
        assert client.get(reverse("events:list")).status_code == 200


def test_event_page_of_a_registered_attendee_stays_within_the_query_budget(
    client, user, world, django_assert_max_num_queries
):
    event = world(3)["events"][0]  # the first is upcoming
    register_attendee(event=event, user=user)
    client.force_login(user)
    with django_assert_max_num_queries(BUDGET):
        response = client.get(event.get_absolute_url())
    assert "You are registered." in response.content.decode()
    assert "39 places left." in response.content.decode()
