"""Page latency on a large database: list, filtered list and event page.

    .venv/bin/python bench/bench_pages.py [--scale 10000] [--requests 50]

Creates a fresh SQLite file in a temporary directory (or uses DATABASE_URL, which must point at an
empty database), migrates, runs `load_demo --scale N`, then requests each page with the Django test
client and prints median and p95 latency and the queries per request.
"""

import argparse
import io
import os
import statistics
import sys
import tempfile
import time

from benchlib import setup_django


class QueryCounter:
    """A database execute wrapper that records each statement."""

    def __init__(self, log):
        self.log = log

    def __call__(self, execute, sql, params, many, context):
        self.log.append(sql)
        return execute(sql, params, many, context)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=10_000, help="synthetic events to load")
    parser.add_argument("--requests", type=int, default=50, help="timed requests per page")
    args = parser.parse_args()

    tmp = tempfile.TemporaryDirectory(prefix="commons-bench-")
    setup_django(os.environ.get("DATABASE_URL", f"sqlite:///{tmp.name}/bench.sqlite3"))
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.utils import timezone

    from events.models import Event, Theme

    print(f"database: {connection.vendor} ({settings.DATABASES['default']['NAME']})")
    call_command("migrate", verbosity=0)
    if Event.objects.exists():
        sys.exit("The database is not empty: point DATABASE_URL at a fresh database.")
    started = time.perf_counter()
    output = io.StringIO()
    call_command("load_demo", scale=args.scale, stdout=output)
    load_seconds = time.perf_counter() - started
    for line in output.getvalue().splitlines():
        if line.startswith("Synthetic"):  # each app's loader reports its own share
            print(f"  {line}")
    print(
        f"load_demo --scale {args.scale}: {load_seconds:.1f} s in all "
        f"({Event.objects.count()} events in the database)"
    )

    theme = Theme.objects.annotate(n=Count("events")).order_by("-n").first()
    after = (timezone.localdate() - timezone.timedelta(days=365)).isoformat()
    event = (
        Event.objects.public()
        .filter(series__isnull=False)
        .annotate(n=Count("roles"))
        .order_by("-n", "-starts_at")
        .first()
    )
    pages = [
        ("list", "/events/"),
        ("filtered list", f"/events/?theme={theme.slug}&q=on&after={after}&when=past"),
        ("event page", event.get_absolute_url()),
    ]
    client = Client()
    rows = []
    for name, url in pages:
        for _warm_up in range(3):
            assert client.get(url).status_code == 200, url
        queries = []
        with connection.execute_wrapper(QueryCounter(queries)):
            client.get(url)
        timings, cpu = [], []
        for _request in range(args.requests):
            started, started_cpu = time.perf_counter(), time.process_time()
            response = client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
            assert response.status_code == 200
        timings.sort()
        p95 = timings[min(len(timings) - 1, round(0.95 * len(timings)) - 1)]
        rows.append(
            (name, statistics.median(timings), p95, statistics.median(cpu), len(queries), url)
        )

    # CPU time is this process's own work: on a busy shared machine it is the steadier number.
    print(
        f"\n{args.requests} requests per page after 3 warm-ups; "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    print(f"{'page':<15} {'median ms':>10} {'p95 ms':>8} {'cpu ms':>7} {'queries':>8}  url")
    for name, median, p95, cpu_median, query_count, url in rows:
        print(f"{name:<15} {median:>10.1f} {p95:>8.1f} {cpu_median:>7.1f} {query_count:>8}  {url}")
    tmp.cleanup()


if __name__ == "__main__":
    main()
