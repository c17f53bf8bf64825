"""Discussion page latency on PostgreSQL: a long thread, a big board, and search over 100,000 posts.

    .venv/bin/python bench/bench_discussions.py [--requests 30] [--keep]

Uses its own database (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/
commons_discussions_bench), recreated unless --keep is given and it already holds the data.
Creates one board with 500 threads of 196 posts and one thread of 2,000 posts (100,000 posts in
all) with bulk_create, then requests each page with the Django test client and prints median and
p95 latency and the queries per request. Bounded: --requests timed requests per page.
"""

import argparse
import os
import statistics
import sys
import time
from datetime import timedelta

from benchlib import setup_django

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/commons_discussions_bench"
THREADS = 500
POSTS_PER_THREAD = 196
LONG_THREAD_POSTS = 2000
THEME = "risk-averse-cultures"
SEARCHES = [
    "co-production",  # in about a quarter of all posts: the worst case
    "risk averse cultures",
    "Aberystwyth",  # about one post in thirty
    "Aberystwyth allotments",  # a few hundred posts
]


class QueryCounter:
    """A database execute wrapper that counts statements."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def recreate_database(url: str) -> None:
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def measure(client, url, requests, *, follow=False):
    from django.db import connection

    client.get(url, follow=follow)  # warm up
    timings, queries, status = [], [], None
    for _ in range(requests):
        counter = QueryCounter()
        with connection.execute_wrapper(counter):
            started = time.perf_counter()
            response = client.get(url, follow=follow)
            timings.append((time.perf_counter() - started) * 1000)
        queries.append(counter.count)
        status = response.status_code
    timings.sort()
    p95 = timings[max(0, round(0.95 * len(timings)) - 1)]
    return status, statistics.median(timings), p95, max(queries)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=30, help="timed requests per page")
    parser.add_argument("--keep", action="store_true", help="reuse the data of an earlier run")
    args = parser.parse_args()

    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    if not args.keep:
        recreate_database(url)
    setup_django(url)
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from demo import discussions as demo
    from discussions.models import Board, Post, Thread
    from events.models import Event, Theme

    if connection.vendor != "postgresql":
        sys.exit("This benchmark needs PostgreSQL.")
    call_command("migrate", verbosity=0)
    if not Post.objects.exists():
        started = time.perf_counter()
        now = timezone.now()
        theme = Theme.objects.create(name="Risk-averse cultures", slug="risk-averse-cultures")
        event = Event.objects.create(
            title="Bench cafe",
            slug="bench-cafe",
            starts_at=now - timedelta(days=7),
            ends_at=now - timedelta(days=7, hours=-2),
            mode=Event.Mode.ONLINE,
            online_url="https://example.org/meet",
            status=Event.Status.PUBLISHED,
            published_at=now,
        )
        event.themes.add(theme)
        board = Board.objects.for_event(event)
        users = demo.synthetic_users(50)
        demo.generate(
            board, threads=THREADS, posts_per_thread=POSTS_PER_THREAD, users=users, themes=[theme]
        )
        demo.generate(board, threads=1, posts_per_thread=LONG_THREAD_POSTS, users=users, key="long")
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE discussions_post")
            cursor.execute("VACUUM ANALYZE discussions_thread")
        print(f"data: {time.perf_counter() - started:.1f} s to create")
    board = Board.objects.select_related("event").get(event__slug="bench-cafe")
    long = Thread.objects.get(board=board, slug="syn-long-0")
    target = Post.objects.get(thread=long, number=1990)
    print(
        f"database: PostgreSQL {connection.pg_version // 10000}; "
        f"{Post.objects.count():,} posts, {Thread.objects.filter(board=board).count()} threads "
        f"on the board, {long.post_count:,} posts in the long thread"
    )

    anonymous, member = Client(), Client()
    member.force_login(long.author)
    thread_url = f"{long.get_absolute_url()}?page={target.page_number}"
    board_url = reverse("discussions:board", kwargs={"event_slug": "bench-cafe"})
    search_url = reverse("discussions:search")
    pages = [
        ("thread page, post 1,990 of 2,000 (page 100)", anonymous, thread_url, False),
        ("  same, signed in", member, thread_url, False),
        (
            "  via permalink /posts/<id>/ (redirect + page)",
            anonymous,
            target.get_absolute_url(),
            True,
        ),
        ("board page, 501 threads (page 1)", anonymous, board_url, False),
        ("  same, signed in", member, board_url, False),
        ("board page 20 of 21", anonymous, board_url + "?page=20", False),
        *[
            (f"search {q!r}", anonymous, f"{search_url}?q={q.replace(' ', '+')}", False)
            for q in SEARCHES
        ],
        ("search 'risk' + theme filter", anonymous, f"{search_url}?q=risk&theme=" + THEME, False),
    ]
    print(f"{'page':52} {'status':>6} {'median':>9} {'p95':>9} {'queries':>8}")
    for label, client, page_url, follow in pages:
        status, median, p95, queries = measure(client, page_url, args.requests, follow=follow)
        print(f"{label:52} {status:>6} {median:>7.1f}ms {p95:>7.1f}ms {queries:>8}")


if __name__ == "__main__":
    main()
