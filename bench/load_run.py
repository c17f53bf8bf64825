"""Load run against the production profile: one wrk run per page, one table, in one go.

    make load-run                      # starts `make prod` with BENCH_VIEWS=1, then runs this
    eval "$(make -s prod-env)"; BENCH_VIEWS=1 .venv/bin/python bench/load_run.py --duration 15

Each page gets `--duration` seconds at 2x the worker count in connections (wrk, installed from
Debian's packages if missing). Errors are responses other than the expected status (200, or 304
for the conditional feed request) plus socket errors. The ratio compares each page's requests per
second with the trivial view's (a tiny template through the whole middleware stack). Pages another
branch has not built yet are listed as not measured, with the reason.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.apps import apps  # noqa: E402
from django.urls import NoReverseMatch, reverse  # noqa: E402

from events.models import Event, Theme  # noqa: E402

LUA = ROOT / "bench" / "wrk_report.lua"


class NotAvailable(Exception):
    """The page does not exist on this branch (or has no data to show)."""


@dataclass
class Result:
    name: str
    path: str
    expected: int = 200
    headers: dict = field(default_factory=dict)
    rps: float | None = None
    p50_ms: float | None = None
    p95_ms: float | None = None
    errors: int | None = None
    app_cpu_ms: float | None = None
    db_cpu_ms: float | None = None
    statuses: dict = field(default_factory=dict)
    note: str = ""


def url(name, **kwargs) -> str:
    try:
        return reverse(name, kwargs=kwargs or None)
    except NoReverseMatch as error:
        raise NotAvailable(f"no URL named {name!r} yet") from error


def discussions_model(name):
    try:
        return apps.get_model("discussions", name)
    except LookupError as error:
        raise NotAvailable(f"no discussions.{name} model yet") from error


def sample_event() -> Event:
    event = (
        Event.objects.filter(status=Event.Status.PUBLISHED, starts_at__gte=django_now())
        .order_by("starts_at")
        .first()
    )
    if event is None:
        raise NotAvailable("no upcoming published event")
    return event


def django_now():
    from django.utils import timezone

    return timezone.now()


def deep_thread_url() -> str:
    """The last page of the longest thread."""
    from django.db.models import Count

    Thread = discussions_model("Thread")
    thread = Thread.objects.annotate(n=Count("posts")).order_by("-n").first()
    if thread is None:
        raise NotAvailable("no threads")
    path = thread.get_absolute_url()
    page_size = int(os.environ.get("BENCH_THREAD_PAGE_SIZE", "0")) or 20
    last_page = max(1, -(-thread.n // page_size))
    return f"{path}?page={last_page}"


def board_url() -> str:
    Board = discussions_model("Board")
    board = (
        Board.objects.filter(threads__isnull=False).order_by("-pk").first() or Board.objects.first()
    )
    if board is None:
        raise NotAvailable("no boards")
    return url("discussions:board", event_slug=board.event.slug)


def filtered_events_url() -> str:
    theme = Theme.objects.order_by("pk").first()
    query = {"q": os.environ.get("BENCH_QUERY", "time credits")}
    if theme:
        query["theme"] = theme.slug
    return url("events:list") + "?" + urlencode(query)


def search_url() -> str:
    return url("discussions:search") + "?" + urlencode({"q": "time credits"})


TARGETS = [
    ("trivial view", lambda: url("bench_trivial"), 200),
    ("/events/", lambda: url("events:list"), 200),
    ("/events/ filtered + text search", filtered_events_url, 200),
    ("event page", lambda: sample_event().get_absolute_url(), 200),
    ("thread page (last page of longest)", deep_thread_url, 200),
    ("board page", board_url, 200),
    ("discussion search", search_url, 200),
    ("calendar feed (all events)", lambda: url("events:feed"), 200),
    ("calendar feed, If-None-Match -> 304", lambda: url("events:feed"), 304),
]


def ensure_wrk() -> str:
    wrk = shutil.which("wrk")
    if wrk:
        return wrk
    print("installing wrk from Debian's packages", flush=True)
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    if subprocess.run([*sudo, "apt-get", "install", "-y", "-qq", "wrk"], env=env).returncode:
        subprocess.run([*sudo, "apt-get", "update", "-qq"], env=env, check=True)
        subprocess.run([*sudo, "apt-get", "install", "-y", "-qq", "wrk"], env=env, check=True)
    return shutil.which("wrk")


def fetch(base: str, path: str, headers: dict | None = None):
    request = urllib.request.Request(base + path, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers)


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pids) -> dict[int, float]:
    """{pid: user + system CPU seconds} of the `pids` still alive."""
    times = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        times[pid] = (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
    return times


def cpu_used(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU seconds spent between two samples; a process born in between counts from zero."""
    return sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())


def gunicorn_workers() -> list[int]:
    pidfile = ROOT / "run" / "prod" / "gunicorn.pid"
    master = pidfile.read_text().strip() if pidfile.exists() else ""
    children = Path(f"/proc/{master}/task/{master}/children") if master else None
    return [int(p) for p in children.read_text().split()] if children and children.exists() else []


def database_backends() -> list[int]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid()"
        )
        return [row[0] for row in cursor.fetchall()]


def run_wrk(wrk, base, result: Result, connections: int, duration: int) -> None:
    command = [wrk, "-t", str(min(2, connections)), "-c", str(connections), "-d", f"{duration}s"]
    command += ["--timeout", "10s", "-s", str(LUA)]
    for name, value in result.headers.items():
        command += ["-H", f"{name}: {value}"]
    app_before, db_before = cpu_seconds(gunicorn_workers()), cpu_seconds(database_backends())
    output = subprocess.run(
        [*command, base + result.path], capture_output=True, text=True, check=True
    ).stdout
    app_after, db_after = cpu_seconds(gunicorn_workers()), cpu_seconds(database_backends())
    line = next(line for line in output.splitlines() if line.startswith("WRK_JSON "))
    data = json.loads(line.removeprefix("WRK_JSON "))
    result.statuses = {int(code): count for code, count in data["statuses"].items()}
    result.rps = data["requests"] / (data["duration_us"] / 1e6)
    result.p50_ms = data["p50_us"] / 1000
    result.p95_ms = data["p95_us"] / 1000
    # CPU per request, server side: steadier than requests/s on a machine shared with others.
    result.app_cpu_ms = 1000 * cpu_used(app_before, app_after) / max(data["requests"], 1)
    result.db_cpu_ms = 1000 * cpu_used(db_before, db_after) / max(data["requests"], 1)
    unexpected = sum(n for code, n in result.statuses.items() if code != result.expected)
    result.errors = unexpected + data["socket_errors"]


def prepare(base: str, only: set[str] | None = None) -> list[Result]:
    results = []
    for name, make_path, expected in TARGETS:
        if only and name not in only and name != "trivial view":
            continue
        result = Result(name=name, path="", expected=expected)
        results.append(result)
        try:
            result.path = make_path()
        except NoReverseMatch as reason:
            result.note = f"not measured: {reason}"
            continue
        except NotAvailable as reason:
            result.note = f"not measured: {reason}"
            continue
        status, headers = fetch(base, result.path)
        if status != 200:
            result.note = f"not measured: GET {result.path} answered {status}"
            continue
        if expected == 304:
            etag = headers.get("ETag")
            if not etag:
                result.note = "not measured: the feed sends no ETag"
                continue
            result.headers = {"If-None-Match": etag}
            status, _ = fetch(base, result.path, result.headers)
            if status != 304:
                result.note = f"not measured: If-None-Match answered {status}, not 304"
    return results


def print_table(results: list[Result], context: dict) -> None:
    trivial = results[0].rps
    print()
    print(
        f"Load run {context['when']}: {context['workers']} gunicorn {context['worker_class']} "
        f"workers, {context['connections']} connections, {context['duration']} s per page; "
        f"{context['events']:,} events, {context['posts']:,} posts; load average before: "
        f"{context['load_before']}"
    )
    header = f"| {'page':<38} | {'req/s':>7} | {'p50 ms':>7} | {'p95 ms':>7} | {'errors':>6} | "
    header += f"{'vs trivial':>10} | {'app CPU ms/req':>14} | {'db CPU ms/req':>13} |"
    print(header)
    print("|" + "|".join("-" * (len(cell)) for cell in header.split("|")[1:-1]) + "|")
    for r in results:
        if r.rps is None:
            print(f"| {r.name:<38} | {r.note} |")
            continue
        ratio = f"{r.rps / trivial:.2f}" if trivial else "-"
        print(
            f"| {r.name:<38} | {r.rps:>7.0f} | {r.p50_ms:>7.1f} | {r.p95_ms:>7.1f} | "
            f"{r.errors:>6} | {ratio:>10} | {r.app_cpu_ms:>14.2f} | {r.db_cpu_ms:>13.2f} |"
        )
    for r in results:
        if r.path:
            print(f"  {r.name}: {r.path} {r.headers or ''} statuses={r.statuses}")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", default="http://127.0.0.1:" + os.environ.get("PROD_PORT", "8005"))
    parser.add_argument("--duration", type=int, default=15, help="seconds per page")
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "4")))
    parser.add_argument("--only", help="comma-separated page names to run (default: all)")
    args = parser.parse_args(argv)
    wrk = ensure_wrk()
    connections = 2 * args.workers
    status, _ = fetch(args.base, "/healthz")
    if status != 200:
        sys.exit(f"{args.base}/healthz answered {status}: start the profile with `make load-run`")
    results = prepare(args.base, set(args.only.split(",")) if args.only else None)
    try:
        posts = discussions_model("Post").objects.count()
    except NotAvailable:
        posts = 0
    context = {
        "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "workers": args.workers,
        "worker_class": os.environ.get("GUNICORN_WORKER_CLASS", "sync"),
        "connections": connections,
        "duration": args.duration,
        "events": Event.objects.count(),
        "posts": posts,
        "load_before": " ".join(f"{x:.1f}" for x in os.getloadavg()),
    }
    for result in results:
        if result.path and not result.note:
            print(f"wrk {result.name} ...", flush=True)
            run_wrk(wrk, args.base, result, connections, args.duration)
    print_table(results, context)
    out = ROOT / "bench" / "out"
    out.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
    (out / f"load-run-{stamp}.json").write_text(
        json.dumps({"context": context, "results": [asdict(r) for r in results]}, indent=2)
    )


if __name__ == "__main__":
    main()
