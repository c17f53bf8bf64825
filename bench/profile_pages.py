"""CPU milliseconds and queries per page, in process, as a visitor and as a signed-in member.

    eval "$(make -s prod-env)"          # the production database and Redis (load_run's pages)
    ANONYMOUS_PAGE_CACHE_SECONDS=0 BENCH_VIEWS=1 .venv/bin/python bench/profile_pages.py

The pages of bench/load_run.py (feeds aside) requested with Django's test client in this one
process: after a few warm-up requests, `--requests` timed ones per page. CPU is this process's
(time.process_time: the app's share, robust to other load on the machine); database time is the
wall time of each statement as seen from here (includes waiting for a busy machine). Discussion
search is measured apart over 50 distinct queries (common and rare words, English and Welsh,
with and without filters), each asked once, so that no result cache helps it.
`--profile PAGE` prints a cProfile of that page instead (cumulative, top 40).
"""

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(os.environ.get("COMMONS_ROOT", Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))
os.environ.setdefault("BENCH_VIEWS", "1")

import load_run  # noqa: E402  (sets Django up)
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

SEARCH_WORDS = [
    "co-production", "time credits", "budget", "housing", "wellbeing", "community",
    "participatory", "cydgynhyrchu", "cymuned", "tai", "lles", "gwirfoddoli", "credydau amser",
    "reinventing", "wheel", "economy", "money", "core economy", "volunteer", "council",
    "health", "youth", "carers", "transport", "energy", "food", "climate", "libraries",
    "museum", "festival", "cafe", "round-table", "workshop", "policy", "research",
    "practitioners", "citizens", "government", "Cardiff", "Swansea", "Wrexham", "Bangor",
    "zebra", "quantum", "xylophone", "pwyllgor", "cyngor", "iechyd", "ieuenctid", "bwyd",
]  # fmt: skip


class Statements:
    """A database execute wrapper that counts statements and their wall time."""

    def __init__(self):
        self.count, self.seconds, self.slowest = 0, 0.0, 0.0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            took = time.perf_counter() - started
            self.count += 1
            self.seconds += took
            self.slowest = max(self.slowest, took)


def measure(client, paths, warmup):
    for path in paths[:warmup]:
        client.get(path, HTTP_HOST="127.0.0.1")
    cpu, queries, db_ms, slowest = [], [], [], 0.0
    for path in paths:
        statements = Statements()
        started = time.process_time()
        with connection.execute_wrapper(statements):
            response = client.get(path, HTTP_HOST="127.0.0.1")
        cpu.append((time.process_time() - started) * 1000)
        assert response.status_code == 200, (path, response.status_code)
        queries.append(statements.count)
        db_ms.append(statements.seconds * 1000)
        slowest = max(slowest, statements.slowest * 1000)
    return {
        "cpu": statistics.median(cpu),
        "queries": max(queries),
        "db": statistics.median(db_ms),
        "slowest": slowest,
    }


def search_paths():
    from events.models import Event

    url = load_run.url("discussions:search")
    discussed = Event.objects.filter(board__threads__isnull=False).values_list("slug", flat=True)
    slug = discussed.order_by("-pk").first()
    paths = []
    for n, word in enumerate(SEARCH_WORDS):
        query = {"q": word}
        if n % 3 == 1 and slug:
            query["event"] = slug
        if n % 5 == 2:
            query["sort"] = "new"
        paths.append(url + "?" + urlencode(query))
    return paths


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--as", dest="visitors", default="member,anonymous")
    parser.add_argument("--profile", help="print a cProfile of this page (its name) as member")
    args = parser.parse_args()

    member = load_run.bench_member()
    targets = [(name, path_of) for name, path_of, status in load_run.TARGETS if status == 200]
    targets = [(name, path_of) for name, path_of in targets if "calendar" not in name]
    rows = []
    for visitor in args.visitors.split(","):
        client = Client()
        if visitor == "member":
            client.force_login(member)
        for name, path_of in targets:
            try:
                path = path_of()
            except load_run.NotAvailable as reason:
                print(f"{name}: not measured ({reason})")
                continue
            if args.profile:
                if name != args.profile or visitor != "member":
                    continue
                measure(client, [path] * 3, 3)
                profiler = cProfile.Profile(time.process_time)  # CPU, not waits
                profiler.enable()
                measure(client, [path] * args.requests, 0)
                profiler.disable()
                pstats.Stats(profiler).sort_stats(
                    os.environ.get("PROFILE_SORT", "cumulative")
                ).print_stats(60)
                return
            rows.append((name, visitor, measure(client, [path] * args.requests, 3)))
        if not args.profile:
            rows.append(
                ("discussion search, 50 queries", visitor, measure(client, search_paths(), 0))
            )

    trivial = {v: r["cpu"] for name, v, r in rows if name == "trivial view"}
    print(f"{'page':<38} | {'visitor':<9} | {'app CPU ms':>10} | {'CPU vs trivial':>14} |"
          f" {'queries':>7} | {'db ms':>6} | {'slowest SQL ms':>14}")  # fmt: skip
    print("|".join("-" * n for n in (39, 11, 12, 16, 9, 8, 15)))
    for name, visitor, r in rows:
        ratio = trivial.get(visitor, 0) / r["cpu"] if r["cpu"] else 0
        print(f"{name:<38} | {visitor:<9} | {r['cpu']:>10.2f} | {ratio:>14.3f} |"
              f" {r['queries']:>7} | {r['db']:>6.1f} | {r['slowest']:>14.1f}")  # fmt: skip


if __name__ == "__main__":
    main()
