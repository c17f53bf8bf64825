"""The event form's size and queries with many people listed (issue 9: under 150 KB at 2,500).

    .venv/bin/python bench/bench_event_form.py [--people 2500] [--requests 20]

Creates a fresh SQLite file in a temporary directory (or uses DATABASE_URL, which must point at an
empty database), migrates, adds N people, 50 venues, 30 themes, 40 organisations, 10 series and
an event with four people on it, then fetches the new-event page and that event's edit page as
its organiser: bytes, queries and median time per page; and the people search endpoint.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time

from benchlib import setup_django


class QueryCounter:
    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=2_500)
    parser.add_argument("--requests", type=int, default=20)
    args = parser.parse_args()

    tmp = tempfile.TemporaryDirectory(prefix="commons-bench-")
    setup_django(os.environ.get("DATABASE_URL", f"sqlite:///{tmp.name}/bench.sqlite3"))
    from datetime import timedelta

    from django.conf import settings
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from events.models import Event, EventRole, Series, Theme, Venue
    from people.models import Organisation, Person, User

    print(f"database: {connection.vendor} ({settings.DATABASES['default']['NAME']})")
    call_command("migrate", verbosity=0)
    if Event.objects.exists() or Person.objects.exists():
        sys.exit("The database is not empty: point DATABASE_URL at a fresh database.")
    Person.objects.bulk_create(
        Person(
            name=f"Person {i:05d} Llewellyn-Pritchard", slug=f"person-{i}", headline="Practitioner"
        )
        for i in range(args.people)
    )
    Venue.objects.bulk_create(Venue(name=f"Venue {i}", slug=f"venue-{i}") for i in range(50))
    Theme.objects.bulk_create(Theme(name=f"Theme {i}", slug=f"theme-{i}") for i in range(30))
    Organisation.objects.bulk_create(
        Organisation(name=f"Organisation {i}", slug=f"organisation-{i}") for i in range(40)
    )
    Series.objects.bulk_create(Series(name=f"Series {i}", slug=f"series-{i}") for i in range(10))
    organiser = User.objects.create_user(username="organiser", email="o@example.org")
    organiser.groups.add(Group.objects.get_or_create(name=User.ORGANISERS_GROUP)[0])
    start = timezone.now() + timedelta(days=30)
    event = Event.objects.create(
        title="Policy Cafe",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        venue=Venue.objects.first(),
        created_by=organiser,
    )
    for order, person in enumerate(Person.objects.order_by("pk")[:4]):
        EventRole.objects.create(event=event, person=person, role="speaker", order=order)
    print(
        f"{Person.objects.count()} people, {Venue.objects.count()} venues, "
        f"{Theme.objects.count()} themes, {Organisation.objects.count()} organisations"
    )

    client = Client()
    client.force_login(organiser)
    pages = {
        "new event form": (reverse("events:create"), {}),
        "edit form (4 people)": (reverse("events:edit", kwargs={"slug": event.slug}), {}),
        "people search ?q=0042": (reverse("events:people_search"), {"q": "0042"}),
    }
    for name, (url, query) in pages.items():
        client.get(url, query)  # warm up
        times, counter = [], QueryCounter()
        for _ in range(args.requests):
            counter.count = 0
            with connection.execute_wrapper(counter):
                started = time.perf_counter()
                response = client.get(url, query)
                times.append(time.perf_counter() - started)
            assert response.status_code == 200, (name, response.status_code)
        size = len(response.content)
        print(
            f"{name:24} {size:>9,} bytes ({size / 1024:.1f} KB)  {counter.count} queries  "
            f"median {statistics.median(times) * 1000:.1f} ms"
        )


if __name__ == "__main__":
    main()
