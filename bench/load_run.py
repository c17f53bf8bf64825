"""Load run against the production profile: one wrk run per page, one table, in one go.

    make load-run                      # starts `make prod` with BENCH_VIEWS=1, then runs this
    eval "$(make -s prod-env)"; BENCH_VIEWS=1 .venv/bin/python bench/load_run.py --duration 15
    ... bench/load_run.py --as anonymous,member --page-cache off,on   # what `make load-run` does

Each page gets `--duration` seconds at 2x the worker count in connections (wrk, installed from
Debian's packages if missing). Errors are responses other than the expected status (200, or 304
for the conditional feed request) plus socket errors. The ratio compares each page's requests per
second with the trivial view's (a tiny template through the whole middleware stack) measured in
the same pass as the same visitor. Pages another branch has not built yet are listed as not
measured, with the reason.

Visitors: "anonymous" sends no cookie; "member" sends a real session cookie of a demo account
(BENCH_MEMBER=username, else the first bench-/demo member), made by the configured session
engine as a login would. `--page-cache off,on` restarts `make prod` with the anonymous page cache
off (0 s) and on (PAGE_CACHE_SECONDS, default 30) and measures every page in each state;
`--page-cache current` measures the server as it is.

CPU per request: worker and database process ids are re-read every half second while a page runs
and after it, so workers recycled mid-run (max_requests) and new database backends are counted;
a worker's CPU after its last sample is found in the gunicorn master's reaped-children total.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
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
    visitor: str = "anonymous"
    page_cache: str = "current"
    # A rotating page: wrk asks each of these in turn (`path` is the first).
    paths: list = field(default_factory=list)


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


# Discussion search is measured over these 50 queries in turn (bench/profile_pages.py too):
# common and rare words, phrases, Welsh and English, words that are rare alone but common
# together ("core economy"), and words found nowhere.
SEARCH_WORDS = [
    "co-production", "time credits", "budget", "housing", "wellbeing", "community",
    "participatory", "cydgynhyrchu", "cymuned", "tai", "lles", "gwirfoddoli", "credydau amser",
    "reinventing", "wheel", "economy", "money", "core economy", "volunteer", "council",
    "health", "youth", "carers", "transport", "energy", "food", "climate", "libraries",
    "museum", "festival", "cafe", "round-table", "workshop", "policy", "research",
    "practitioners", "citizens", "government", "Cardiff", "Swansea", "Wrexham", "Bangor",
    "zebra", "quantum", "xylophone", "pwyllgor", "cyngor", "iechyd", "ieuenctid", "bwyd",
]  # fmt: skip


def search_paths() -> list[str]:
    """50 distinct search URLs, one per SEARCH_WORDS: half with no filter, a quarter on one of
    the most discussed events, a quarter on a theme (each a different one where there are
    enough), so that no cached result of one query answers another."""
    from django.db.models import Count

    search = url("discussions:search")
    discussions_model("Thread")
    events = list(
        Event.objects.public()
        .annotate(threads=Count("board__threads"))
        .filter(threads__gt=0)
        .order_by("-threads", "pk")
        .values_list("slug", flat=True)[:13]
    )
    themes = list(Theme.objects.order_by("pk").values_list("slug", flat=True)[:13])
    paths = []
    for n, word in enumerate(SEARCH_WORDS):
        query = {"q": word}
        if n % 4 == 1 and events:
            query["event"] = events[(n // 4) % len(events)]
        elif n % 4 == 3 and themes:
            query["theme"] = themes[(n // 4) % len(themes)]
        paths.append(search + "?" + urlencode(query))
    return paths


TARGETS = [
    ("trivial view", lambda: url("bench_trivial"), 200),
    ("home", lambda: url("home"), 200),
    ("/events/", lambda: url("events:list"), 200),
    ("/events/ filtered + text search", filtered_events_url, 200),
    ("event page", lambda: sample_event().get_absolute_url(), 200),
    ("thread page (last page of longest)", deep_thread_url, 200),
    ("board page", board_url, 200),
    ("discussion search", search_url, 200),
    ("discussion search, 50 rotating queries", search_paths, 200),
    ("calendar feed (all events)", lambda: url("events:feed"), 200),
    ("calendar feed: If-None-Match -> 304", lambda: url("events:feed"), 304),
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


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a redirect (e.g. to the login page) is the answer, not something to follow


_opener = urllib.request.build_opener(_NoRedirect)


def fetch(base: str, path: str, headers: dict | None = None):
    request = urllib.request.Request(base + path, headers=headers or {})
    try:
        with _opener.open(request, timeout=30) as response:
            return response.status, dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers)


def bench_member():
    """The demo account measured as "member": BENCH_MEMBER, else a bench-/demo member."""
    from people.models import User

    members = User.objects.filter(is_active=True, is_staff=False)
    name = os.environ.get("BENCH_MEMBER")
    if name:
        return members.get(username=name)
    member = members.filter(username__startswith="bench-").order_by("pk").first()
    member = member or members.order_by("pk").first()
    if member is None:
        sys.exit("no active member to sign in as: load the demo or bench data first")
    # A member who takes part has confirmed their address (posting needs it): measure the pages
    # as they see them (reply links, "this resonates"), not the "confirm your address" branch.
    from allauth.account.models import EmailAddress

    EmailAddress.objects.update_or_create(
        user=member, email=member.email, defaults={"verified": True, "primary": True}
    )
    return member


def session_cookie(user) -> str:
    """A real session for `user`, stored by the configured engine as a login would store it."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = user._meta.pk.value_to_string(user)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _stat(pid) -> list[str] | None:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def cpu_seconds(pids) -> dict[int, float]:
    """{pid: user + system CPU seconds} of the `pids` still alive."""
    times = {}
    for pid in pids:
        fields = _stat(pid)
        if fields:
            times[pid] = (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
    return times


def reaped_cpu_seconds(pid) -> float:
    """CPU seconds of `pid`'s children that have exited and been waited for (cutime + cstime)."""
    fields = _stat(pid)
    return (int(fields[13]) + int(fields[14])) / CLOCK_TICKS if fields else 0.0


def cpu_used(first: dict, last: dict, final: dict, reaped: float | None = None) -> float:
    """CPU seconds a changing set of processes spent between the first and the final sample.

    `first[pid]`: the CPU when the pid was first seen (0 for a process born during the run),
    `last[pid]`: when last seen, `final`: the sample after the run. A process gone before the end
    counts up to its last sample, or, when `reaped` (the parent's reaped-children CPU gained in
    the run) is known, with its whole CPU from there.
    """
    total = reaped or 0.0
    for pid, start in first.items():
        if pid in final:
            total += final[pid] - start
        elif reaped is not None:
            total -= start
        else:
            total += last[pid] - start
    return total


class CpuMeter:
    """Samples the CPU of the processes `list_pids()` names, every `every` seconds, in a thread."""

    def __init__(self, list_pids, parent=None, every=0.5):
        self.list_pids, self.parent, self.every = list_pids, parent, every
        self.first, self.last = {}, {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self, born_during_run: bool) -> dict:
        sample = cpu_seconds(self.list_pids())
        for pid, seconds in sample.items():
            self.first.setdefault(pid, 0.0 if born_during_run else seconds)
            self.last[pid] = seconds
        return sample

    def _run(self):
        while not self._stop.wait(self.every):
            self._sample(born_during_run=True)
        close_database_connection()

    def __enter__(self):
        self.reaped_before = reaped_cpu_seconds(self.parent) if self.parent else None
        self._sample(born_during_run=False)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        final = self._sample(born_during_run=True)
        reaped = None
        if self.parent:
            reaped = reaped_cpu_seconds(self.parent) - self.reaped_before
        self.seconds = cpu_used(self.first, self.last, final, reaped)


def close_database_connection():
    from django.db import connection

    connection.close()


def gunicorn_master() -> int | None:
    pidfile = ROOT / "run" / "prod" / "gunicorn.pid"
    master = pidfile.read_text().strip() if pidfile.exists() else ""
    return int(master) if master else None


def gunicorn_workers() -> list[int]:
    master = gunicorn_master()
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
    with tempfile.NamedTemporaryFile("w", suffix=".paths") as paths:
        # wrk_report.lua asks these paths in turn when WRK_PATHS names them.
        paths.write("".join(f"{path}\n" for path in result.paths))
        paths.flush()
        env = {**os.environ, "WRK_PATHS": paths.name if result.paths else ""}
        with (
            CpuMeter(gunicorn_workers, parent=gunicorn_master()) as app,
            CpuMeter(database_backends) as db,
        ):
            output = subprocess.run(
                [*command, base + result.path], capture_output=True, text=True, check=True, env=env
            ).stdout
    line = next(line for line in output.splitlines() if line.startswith("WRK_JSON "))
    data = json.loads(line.removeprefix("WRK_JSON "))
    result.statuses = {int(code): count for code, count in data["statuses"].items()}
    result.rps = data["requests"] / (data["duration_us"] / 1e6)
    result.p50_ms = data["p50_us"] / 1000
    result.p95_ms = data["p95_us"] / 1000
    # CPU per request, server side: steadier than requests/s on a machine shared with others.
    result.app_cpu_ms = 1000 * app.seconds / max(data["requests"], 1)
    result.db_cpu_ms = 1000 * db.seconds / max(data["requests"], 1)
    unexpected = sum(n for code, n in result.statuses.items() if code != result.expected)
    result.errors = unexpected + data["socket_errors"]


def prepare(
    base: str,
    only: set[str] | None = None,
    visitor: str = "anonymous",
    cookie: str = "",
    page_cache: str = "current",
) -> list[Result]:
    results = []
    for name, make_path, expected in TARGETS:
        if only and name != "trivial view" and not any(word in name for word in only):
            continue
        result = Result(name=name, path="", expected=expected, visitor=visitor)
        result.page_cache = page_cache
        results.append(result)
        try:
            made = make_path()
        except (NoReverseMatch, NotAvailable) as reason:
            result.note = f"not measured: {reason}"
            continue
        result.paths = made if isinstance(made, list) else []
        result.path = made[0] if result.paths else made
        if cookie:
            result.headers = {"Cookie": cookie}
        for path in result.paths or [result.path]:
            status, headers = fetch(base, path, result.headers)
            if status != 200:
                result.note = f"not measured: GET {path} answered {status}"
                break
        if result.note:
            continue
        if expected == 304:
            etag = headers.get("ETag")
            if not etag:
                result.note = "not measured: the feed sends no ETag"
                continue
            result.headers = {**result.headers, "If-None-Match": etag}
            status, _ = fetch(base, result.path, result.headers)
            if status != 304:
                result.note = f"not measured: If-None-Match answered {status}, not 304"
    return results


def ratios(results: list[Result]) -> dict[int, float | None]:
    """{index: requests/s over the trivial view's, same visitor and page-cache state}."""
    trivial = {
        (r.visitor, r.page_cache): r.rps for r in results if r.name == "trivial view" and r.rps
    }
    out = {}
    for index, r in enumerate(results):
        base = trivial.get((r.visitor, r.page_cache))
        out[index] = r.rps / base if r.rps is not None and base else None
    return out


def print_table(results: list[Result], context: dict) -> None:
    print()
    print(
        f"Load run {context['when']}: {context['workers']} gunicorn {context['worker_class']} "
        f"workers, {context['connections']} connections, {context['duration']} s per page; "
        f"{context['events']:,} events, {context['posts']:,} posts; load average before: "
        f"{context['load_before']}; member: {context['member'] or '-'}"
    )
    header = f"| {'page':<38} | {'visitor':<9} | {'page cache':<10} | {'req/s':>7} | "
    header += f"{'p50 ms':>7} | {'p95 ms':>7} | {'errors':>6} | "
    header += f"{'vs trivial':>10} | {'app CPU ms/req':>14} | {'db CPU ms/req':>13} |"
    print(header)
    print("|" + "|".join("-" * (len(cell)) for cell in header.split("|")[1:-1]) + "|")
    ratio_of = ratios(results)
    for index, r in enumerate(results):
        lead = f"| {r.name:<38} | {r.visitor:<9} | {r.page_cache:<10} |"
        if r.rps is None:
            print(f"{lead} {r.note} |")
            continue
        ratio = f"{ratio_of[index]:.3f}" if ratio_of[index] is not None else "-"
        print(
            f"{lead} {r.rps:>7.0f} | {r.p50_ms:>7.1f} | {r.p95_ms:>7.1f} | "
            f"{r.errors:>6} | {ratio:>10} | {r.app_cpu_ms:>14.2f} | {r.db_cpu_ms:>13.2f} |"
        )
    for r in results:
        if r.path:
            headers = {k: v for k, v in r.headers.items() if k != "Cookie"}
            path = f"{len(r.paths)} paths in turn, from {r.path}" if r.paths else r.path
            print(f"  {r.name} ({r.visitor}): {path} {headers or ''} statuses={r.statuses}")


def restart_server(page_cache_seconds: int, workers: int) -> None:
    """`make prod` again with the anonymous page cache at `page_cache_seconds` (0: off)."""
    subprocess.run(
        [
            "make",
            "--no-print-directory",
            "prod",
            "PROD_EXTRA_ENV=BENCH_VIEWS=1",
            f"PAGE_CACHE_SECONDS={page_cache_seconds}",
            f"WEB_CONCURRENCY={workers}",
        ],
        cwd=ROOT,
        check=True,
    )


def signed_in(base: str, cookie: str) -> bool:
    """The member page answers 200 (not a redirect to the login page) with this cookie."""
    status, _ = fetch(base, url("events:my_events"), {"Cookie": cookie})
    return status == 200


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", default="http://127.0.0.1:" + os.environ.get("PROD_PORT", "8005"))
    parser.add_argument("--duration", type=int, default=15, help="seconds per page")
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "4")))
    parser.add_argument(
        "--only",
        help="the pages whose names hold one of these comma-separated words (default: all)",
    )
    parser.add_argument(
        "--as", dest="visitors", default="anonymous", help="anonymous,member (comma-separated)"
    )
    parser.add_argument(
        "--page-cache",
        default="current",
        help="off,on restarts `make prod` for each; current: the server as it is",
    )
    parser.add_argument(
        "--page-cache-seconds", type=int, default=int(os.environ.get("PAGE_CACHE_SECONDS", "30"))
    )
    args = parser.parse_args(argv)
    visitors = [v.strip() for v in args.visitors.split(",") if v.strip()]
    if set(visitors) - {"anonymous", "member"}:
        sys.exit("--as takes anonymous and/or member")
    states = [v.strip() for v in args.page_cache.split(",") if v.strip()]
    if set(states) - {"off", "on", "current"}:
        sys.exit("--page-cache takes off, on or current")
    wrk = ensure_wrk()
    connections = 2 * args.workers
    only = {word.strip() for word in args.only.split(",") if word.strip()} if args.only else None
    member = bench_member() if "member" in visitors else None
    load_before = " ".join(f"{x:.1f}" for x in os.getloadavg())
    results = []
    for state in states:
        if state != "current":
            restart_server(args.page_cache_seconds if state == "on" else 0, args.workers)
        status, _ = fetch(args.base, "/healthz")
        if status != 200:
            sys.exit(
                f"{args.base}/healthz answered {status}: start the profile with `make load-run`"
            )
        for visitor in visitors:
            cookie = session_cookie(member) if visitor == "member" else ""
            if cookie and not signed_in(args.base, cookie):
                sys.exit(f"the session cookie for {member.username} does not sign in")
            passed = prepare(args.base, only, visitor, cookie, state)
            for result in passed:
                if result.path and not result.note:
                    print(f"wrk {result.name} ({visitor}, page cache {state}) ...", flush=True)
                    run_wrk(wrk, args.base, result, connections, args.duration)
                    time.sleep(2)  # let requests still queued from this page finish first
            results += passed
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
        "load_before": load_before,
        "member": member.username if member else "",
    }
    print_table(results, context)
    out = ROOT / "bench" / "out"
    out.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
    for result in results:
        result.headers = {k: v for k, v in result.headers.items() if k != "Cookie"}
    (out / f"load-run-{stamp}.json").write_text(
        json.dumps({"context": context, "results": [asdict(r) for r in results]}, indent=2)
    )


if __name__ == "__main__":
    main()
