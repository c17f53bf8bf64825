"""CPU milliseconds and queries per page, in process, as a visitor and as a signed-in member.

    eval "$(make -s prod-env)"          # the production database and Redis (load_run's pages)
    ANONYMOUS_PAGE_CACHE_SECONDS=0 BENCH_VIEWS=1 .venv/bin/python bench/profile_pages.py

The pages of bench/load_run.py (feeds aside) requested with Django's test client in this one
process: after a few warm-up requests, `--requests` timed ones per page. CPU is this process's
(time.process_time: the app's share, robust to other load on the machine); database time is the
wall time of each statement as seen from here (includes waiting for a busy machine). Discussion
search is measured apart over 50 distinct queries (load_run.search_paths: common and rare
words, English and Welsh, with and without filters), each asked once, so that no result cache
helps it; `--each` prints a line per query (its slowest statement too).
`--only WORD,...` measures the pages whose names hold one of these words (and the trivial
view); `--profile PAGE` prints a cProfile of that page instead (cumulative, top 60).
"""

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import unquote_plus

ROOT = Path(os.environ.get("COMMONS_ROOT", Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))
os.environ.setdefault("BENCH_VIEWS", "1")

import load_run  # noqa: E402  (sets Django up)
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402


class Statements:
    """A database execute wrapper that counts statements and their wall time."""

    def __init__(self):
        self.count, self.seconds, self.slowest, self.slowest_sql = 0, 0.0, 0.0, ""

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            took = time.perf_counter() - started
            self.count += 1
            self.seconds += took
            if took > self.slowest:
                self.slowest, self.slowest_sql = took, sql


def measure(client, paths, warmup, each=False):
    """Median CPU and database ms per request, most queries, slowest statement; with `each`,
    one line per path (for a rotating page: which query costs what)."""
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
        if each:
            print(
                f"  {cpu[-1]:7.1f} CPU ms {statements.count:3} queries {db_ms[-1]:7.1f} db ms"
                f" {statements.slowest * 1000:7.1f} slowest  {unquote_plus(path)}"
                f"  [{statements.slowest_sql[:90]}]",
                flush=True,
            )
    return {
        "cpu": statistics.median(cpu),
        "queries": max(queries),
        "db": statistics.median(db_ms),
        "slowest": slowest,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--as", dest="visitors", default="member,anonymous")
    parser.add_argument("--each", action="store_true", help="a line per path of the rotating pages")
    parser.add_argument(
        "--only", help="pages whose names hold one of these comma-separated words (and trivial)"
    )
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
            wanted = args.only.split(",") if args.only else [""]
            if name != "trivial view" and not any(part.strip() in name for part in wanted):
                continue
            try:
                path = path_of()
            except load_run.NotAvailable as reason:
                print(f"{name}: not measured ({reason})")
                continue
            # A rotating page (a list of paths) is asked once per path, with no warm-up.
            paths, warmup = (path, 0) if isinstance(path, list) else ([path] * args.requests, 3)
            if args.profile:
                if name != args.profile or visitor != "member":
                    continue
                measure(client, paths[:3], 3)
                profiler = cProfile.Profile(time.process_time)  # CPU, not waits
                profiler.enable()
                measure(client, paths, 0)
                profiler.disable()
                pstats.Stats(profiler).sort_stats(
                    os.environ.get("PROFILE_SORT", "cumulative")
                ).print_stats(60)
                return
            if args.each and warmup == 0:
                print(f"{name}, {visitor}:")
            rows.append((name, visitor, measure(client, paths, warmup, args.each and not warmup)))

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
