"""Every list and event page runs a fixed number of queries, however many events there are."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from events.demo import load_synthetic
from events.models import Event, Series, Theme
from events.services import register_attendee
from people.models import Organisation, Person

pytestmark = pytest.mark.django_db

# Each panel another app adds to the event page costs one query (visuals: its rows).
BUDGET = 11


def busiest(model, relation):
    return model.objects.annotate(n=Count(relation)).order_by("-n", "pk").first()


def urls():
    event = (
        Event.objects.public()
        .filter(series__isnull=False, venue__isnull=False)
        .annotate(n=Count("roles"))
        .order_by("-n", "pk")
        .first()
    )
    theme = busiest(Theme, "events")
    return [
        reverse("home"),
        reverse("events:list"),
        reverse("events:list") + "?when=past",
        reverse("events:list")
        + f"?theme={theme.slug}&q=on&after=2000-01-01&access=step_free_access",
        reverse("events:list")
        + f"?person={busiest(Person, 'event_roles').slug}&kind=cafe&mode=in_person"
        f"&organisation={busiest(Organisation, 'hosted_events').slug}"
        f"&series={busiest(Series, 'events').slug}",
        event.get_absolute_url(),
        reverse("events:theme_list"),
        theme.get_absolute_url(),
        theme.get_absolute_url() + "?when=past&page=2",
        busiest(Series, "events").get_absolute_url(),
        busiest(Person, "event_roles").get_absolute_url(),
        busiest(Organisation, "hosted_events").get_absolute_url(),
    ]


def count_queries(client, url):
    cache.clear()  # count the misses of cached parts (home's theme counts), not their hits
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


@pytest.mark.parametrize("event_count", [5, 500])
def test_public_pages_stay_within_the_query_budget(
    client, django_assert_max_num_queries, event_count
):
    load_synthetic(count=event_count)
    for url in urls():
        with django_assert_max_num_queries(BUDGET, info=url):
            response = client.get(url)
        assert response.status_code == 200


def test_query_counts_do_not_grow_with_the_number_of_events(client):
    load_synthetic(count=5)
    small = {url: count_queries(client, url) for url in urls()}
    load_synthetic(count=500)
    large = {url: count_queries(client, url) for url in urls()}
    assert list(large.values()) == list(small.values())


def test_signed_in_event_page_stays_within_the_query_budget(
    client, user, django_assert_max_num_queries
):
    load_synthetic(count=50)
    event = Event.objects.public().filter(series__isnull=False).first()
    client.force_login(user)
    with django_assert_max_num_queries(BUDGET):
        assert client.get(event.get_absolute_url()).status_code == 200
    with django_assert_max_num_queries(BUDGET):
        assert client.get(reverse("events:list")).status_code == 200


def test_event_page_of_a_registered_attendee_stays_within_the_query_budget(
    client, user, django_assert_max_num_queries
):
    load_synthetic(count=50)
    event = Event.objects.public().upcoming().filter(series__isnull=False).first()
    event.capacity = 40
    event.save()
    register_attendee(event=event, user=user)
    client.force_login(user)
    with django_assert_max_num_queries(BUDGET):
        response = client.get(event.get_absolute_url())
    assert "You are registered." in response.content.decode()
    assert "39 places left." in response.content.decode()
