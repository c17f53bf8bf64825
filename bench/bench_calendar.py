"""Bench the calendar feed: build the full feed of N events, then time 304 answers.

    .venv/bin/python bench/bench_calendar.py [--events 10000] [--requests 50]

Uses DATABASE_URL if set, else a fresh SQLite file in /tmp. Creates the events with bulk_create
(each with a venue, a theme and two speakers) unless that many bench events already exist.
Prints wall time and query count of a full build over HTTP (the real view: validators + build),
a repeat GET served from the body cache, the time of the pure calendar build, and median / p95
of If-None-Match and If-Modified-Since 304s. Note the machine's load: numbers scale with it.
"""

import argparse
import logging
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("DATABASE_URL", "sqlite:////tmp/commons_bench_calendar.sqlite3")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=50)
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone
    from icalendar import Calendar

    from events import calendar as ical
    from events.models import CalendarChange, Event, EventRole, Theme, Venue
    from people.models import Person

    settings.ALLOWED_HOSTS = ["*"]
    logging.getLogger("commons.request").setLevel(logging.WARNING)
    call_command("migrate", verbosity=0)
    existing = Event.objects.filter(slug__startswith="bench-").count()
    if existing < args.events:
        started = time.perf_counter()
        venue, _ = Venue.objects.get_or_create(
            slug="bench-venue", defaults={"name": "Bench Venue", "address": "1 Park Place"}
        )
        themes = [
            Theme.objects.get_or_create(slug=f"bench-theme-{i}", defaults={"name": f"Theme {i}"})[0]
            for i in range(5)
        ]
        people = [
            Person.objects.get_or_create(slug=f"bench-person-{i}", defaults={"name": f"P {i}"})[0]
            for i in range(20)
        ]
        start = timezone.now().replace(minute=0, second=0, microsecond=0) + timedelta(days=1)
        batch = [
            Event(
                title=f"Bench event {i}: co-production, ŵ ŷ â",
                slug=f"bench-{i}",
                summary="A conversation about co-production; with commas, and Welsh ŵ.",
                starts_at=start + timedelta(hours=3 * i),
                ends_at=start + timedelta(hours=3 * i + 2),
                venue=venue,
                status=Event.Status.PUBLISHED,
                published_at=start,
            )
            for i in range(existing, args.events)
        ]
        created = Event.objects.bulk_create(batch, batch_size=1000)
        if not created or created[0].pk is None:  # backends without RETURNING
            created = list(Event.objects.filter(slug__in=[e.slug for e in batch]))
        Event.themes.through.objects.bulk_create(
            [Event.themes.through(event_id=e.pk, theme_id=themes[e.pk % 5].pk) for e in created],
            batch_size=2000,
        )
        EventRole.objects.bulk_create(
            [
                EventRole(event=e, person=people[(e.pk + k) % 20], role=role, order=k)
                for e in created
                for k, role in enumerate([EventRole.Role.CHAIR, EventRole.Role.SPEAKER])
            ],
            batch_size=2000,
        )
        CalendarChange.objects.update_or_create(pk=1, defaults={"changed_at": timezone.now()})
        print(f"created {len(created)} events in {time.perf_counter() - started:.1f}s")

    total = Event.objects.in_feed().count()
    print(
        f"database: {connection.vendor}; events in the full feed: {total}; load {os.getloadavg()}"
    )
    time.sleep(1.1)  # let Last-Modified settle (it is held back within the second of a change)
    client = Client()
    url = "/events/calendar.ics"  # upcoming and the last 90 days: every bench event

    from django.core.cache import cache

    settings.CALENDAR_BODY_CACHE_MAX_BYTES = 0  # cold: every GET builds
    builds, cpu = [], []
    for _ in range(3):
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            started, cpu_started = time.perf_counter(), time.process_time()
            response = client.get(url)
            builds.append(time.perf_counter() - started)
            cpu.append(time.process_time() - cpu_started)
        assert response.status_code == 200, response.status_code
    size = len(response.content)
    parsed = Calendar.from_ical(response.content)
    print(
        f"full feed over HTTP: {len(parsed.events)} events, {size / 1e6:.1f} MB, "
        f"{len(queries)} queries, best {min(builds):.2f}s, median {statistics.median(builds):.2f}s "
        f"(this process's CPU time: best {min(cpu):.2f}s)"
    )

    settings.CALENDAR_BODY_CACHE_MAX_BYTES = 50_000_000
    client.get(url)  # fills the body cache
    warm = []
    for _ in range(5):
        started = time.perf_counter()
        assert client.get(url).status_code == 200
        warm.append((time.perf_counter() - started) * 1000)
    print(
        f"unchanged feed again, no validators (body cache): median {statistics.median(warm):.0f}ms"
    )

    events = Event.objects.in_feed().with_calendar_data().chronological()
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        fetched = list(events)
        fetched_at = time.perf_counter()
        body = ical.to_bytes(ical.feed_calendar(fetched, name="bench", site_url=settings.SITE_URL))
        done = time.perf_counter()
    print(
        f"  of which: fetch {fetched_at - started:.2f}s ({len(queries)} queries), "
        f"icalendar build+serialise {done - fetched_at:.2f}s ({len(body)} bytes)"
    )

    etag, last_modified = response["ETag"], response.get("Last-Modified")
    for header, value in (("HTTP_IF_NONE_MATCH", etag), ("HTTP_IF_MODIFIED_SINCE", last_modified)):
        if value is None:
            print(f"{header}: no validator sent")
            continue
        times = []
        with CaptureQueriesContext(connection) as queries:
            for _ in range(args.requests):
                started = time.perf_counter()
                answer = client.get(url, **{header: value})
                times.append((time.perf_counter() - started) * 1000)
                assert answer.status_code == 304, answer.status_code
        times.sort()
        p95 = times[max(0, int(len(times) * 0.95) - 1)]
        name = header[5:].replace("_", "-").title()
        print(
            f"304 on {name}: median {statistics.median(times):.1f}ms, "
            f"p95 {p95:.1f}ms over {args.requests} requests, "
            f"{len(queries) // args.requests} queries each"
        )


if __name__ == "__main__":
    main()
