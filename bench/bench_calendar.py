"""Bench the calendar feed of N events: cold build, assembly after one change, 304 answers.

    .venv/bin/python bench/bench_calendar.py [--events 10000] [--requests 50]

Uses DATABASE_URL if set, else a fresh SQLite file in /tmp. Creates the events with bulk_create
(each with a venue, a theme and two speakers) unless that many bench events already exist.
Prints wall time, this process's CPU time and queries of: a cold build over HTTP (no VEVENT kept:
every one serialised), the unchanged feed again without validators (assembled from kept VEVENTs),
the feed after one event changed (one VEVENT serialised again), and median / p95 of
If-None-Match and If-Modified-Since 304s. Note the machine's load: numbers scale with it.
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
    client = Client()
    url = "/events/calendar.ics"  # upcoming and the last 90 days: every bench event

    from django.core.cache import cache

    from events.calendar_http import ENTRIES

    def timed_get(**headers):
        with CaptureQueriesContext(connection) as queries:
            started, cpu_started = time.perf_counter(), time.process_time()
            response = client.get(url, **headers)
            wall, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        return response, wall, cpu, len(queries)

    # Cold: nothing kept, every VEVENT serialised.
    ENTRIES.clear()
    cache.clear()
    response, wall, cpu, queries = timed_get()
    assert response.status_code == 200, response.status_code
    parsed = Calendar.from_ical(response.content)
    print(
        f"cold build over HTTP: {len(parsed.events)} events, {len(response.content) / 1e6:.1f} MB, "
        f"{queries} queries, {wall:.2f}s wall, {cpu:.2f}s CPU"
    )

    # Unchanged, no validators (Google polls like this): assembled from kept VEVENTs.
    samples = [timed_get() for _ in range(3)]
    print(
        "unchanged feed, no validators (assembled): "
        f"median {statistics.median(s[1] for s in samples) * 1000:.0f}ms wall, "
        f"best {min(s[2] for s in samples) * 1000:.0f}ms CPU, {samples[0][3]} queries"
    )

    # One event changed: one VEVENT serialised again, the rest assembled.
    changed = []
    for n in range(3):
        event = Event.objects.filter(slug=f"bench-{n * 97}").get()
        event.title = f"{event.title} (changed {time.time()})"
        event.save()
        response, wall, cpu, queries = timed_get()
        assert response.status_code == 200
        assert b"(changed " in response.content
        changed.append((wall, cpu, queries))
    print(
        "after one event changed (assembled, one VEVENT serialised): "
        f"median {statistics.median(c[0] for c in changed) * 1000:.0f}ms wall, "
        f"best {min(c[1] for c in changed) * 1000:.0f}ms CPU, "
        f"median {statistics.median(c[1] for c in changed) * 1000:.0f}ms CPU, "
        f"{changed[0][2]} queries"
    )

    time.sleep(1.1)  # let Last-Modified settle (it is held back within the second of a change)
    response = client.get(url)
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
