"""Failure run: stop PostgreSQL, then Redis, under a bounded load of writes; count what survived.

    make failure-run
    # or: eval "$(make -s prod-env)"; .venv/bin/python bench/failure_run.py

Against the running production profile (`make prod`). Writer threads register fresh members for
upcoming events (and post replies to threads, when the discussions app has them); reader threads
load /events/. PostgreSQL is stopped for `--pg-outage` seconds (at most 10) and Redis for
`--redis-outage` seconds; both are ALWAYS started again in a finally block. Afterwards: every
acknowledged write (a 2xx/3xx answer) must be in the database, and no request may have got a 500.
"""

import argparse
import http.client
import os
import random
import secrets
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.apps import apps  # noqa: E402
from django.db import close_old_connections  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from events.models import Event, Registration  # noqa: E402
from people.models import User  # noqa: E402

PG_VERSION = sorted(os.listdir("/etc/postgresql"))[-1] if os.path.isdir("/etc/postgresql") else ""
PG_STOP = ["pg_ctlcluster", "--skip-systemctl-redirect", PG_VERSION, "main", "stop", "-m", "fast"]
PG_START = ["pg_ctlcluster", "--skip-systemctl-redirect", PG_VERSION, "main", "start"]
REDIS_STOP = ["redis-cli", "-p", "6379", "shutdown", "nosave"]
REDIS_START = [
    *("redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "-::1", "--port", "6379"),
    *("--save", "", "--appendonly", "no", "--dir", "/var/lib/redis"),
    *("--logfile", "/var/log/redis/ci.log"),
]
FRIENDLY = b"Back in a moment"


class Log:
    """Thread-safe record of every answer: (seconds since start, phase, kind, status, friendly)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.phase = "before"
        self.started = time.monotonic()
        self.rows = []

    def set_phase(self, phase):
        with self.lock:
            self.phase = phase
        print(f"{time.monotonic() - self.started:6.1f} s  {phase}", flush=True)

    def add(self, kind, status, friendly):
        with self.lock:
            self.rows.append((time.monotonic() - self.started, self.phase, kind, status, friendly))


def request(host, port, method, path, *, cookies="", body=None, headers=None):
    """(status, body) or (None, error name) when the connection itself failed."""
    connection = http.client.HTTPConnection(host, port, timeout=15)
    try:
        all_headers = {"Cookie": cookies, **(headers or {})}
        if body is not None:
            all_headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=body, headers=all_headers)
        response = connection.getresponse()
        location = response.getheader("Location") or ""
        if "/accounts/login" in location:
            return "302 to sign-in", response.read()
        return response.status, response.read()
    except OSError as error:
        return None, type(error).__name__.encode()
    finally:
        connection.close()


def signed_in_cookies(user) -> str:
    client = Client()
    client.force_login(user)
    csrf = secrets.token_hex(16)  # a 32-character CSRF secret, sent as cookie and header
    return f"sessionid={client.cookies['sessionid'].value}; csrftoken={csrf}", csrf


def prepare_registrations(count: int, stamp: str):
    """`count` (member, event) pairs: new members, upcoming events open for registration."""
    events = list(
        Event.objects.filter(
            status=Event.Status.PUBLISHED,
            starts_at__gte=timezone.now() + timezone.timedelta(days=2),
            registration_closes_at__isnull=True,
            capacity__isnull=True,
        ).order_by("starts_at")[:50]
    )
    if not events:
        sys.exit("no upcoming published events without a capacity: run bench/generate_large.py")
    users = User.objects.bulk_create(
        User(username=f"fail-{stamp}-{i}", email=f"fail-{stamp}-{i}@example.org", password="!")
        for i in range(count)
    )
    jobs = []
    for i, user in enumerate(users):
        cookies, csrf = signed_in_cookies(user)
        event = events[i % len(events)]
        jobs.append(("registration", reverse("events:register", args=[event.slug]), cookies, csrf))
    return jobs, [u.pk for u in users]


def prepare_posts(count: int, stamp: str):
    """Replies to existing threads, each with a unique marker; [] without the discussions app."""
    try:
        Thread = apps.get_model("discussions", "Thread")
    except LookupError:
        return []
    try:
        reply_url_name = os.environ.get("FAILURE_RUN_REPLY_URL", "discussions:reply")
        threads = list(Thread.objects.order_by("-pk")[:20])
        if not threads:
            return []
        reverse(reply_url_name, args=[threads[0].pk])
    except Exception as error:  # the discussions branch names its reply URL differently
        print(f"posts not exercised: {error}", flush=True)
        return []
    # One member per post: the posting rate limit (5 a minute) must not refuse the load itself.
    users = User.objects.bulk_create(
        User(username=f"failp-{stamp}-{i}", email=f"failp-{stamp}-{i}@example.org", password="!")
        for i in range(count)
    )
    # Posting needs a confirmed address (issue 10).
    from allauth.account.models import EmailAddress

    EmailAddress.objects.bulk_create(
        EmailAddress(user=user, email=user.email, verified=True, primary=True) for user in users
    )
    jobs = []
    for i, user in enumerate(users):
        cookies, csrf = signed_in_cookies(user)
        thread = threads[i % len(threads)]
        jobs.append(("post", reverse(reply_url_name, args=[thread.pk]), cookies, csrf, i))
    return jobs


def writer(host, port, jobs, log, stop, acknowledged, stamp):
    for job in jobs:
        if stop.is_set():
            return
        kind, path, cookies, csrf = job[:4]
        form = {"csrfmiddlewaretoken": csrf}
        if kind == "post":
            form["body"] = f"Failure run {stamp} reply {job[4]}: time credits hold up."
        status, body = request(
            host,
            port,
            "POST",
            path,
            cookies=cookies,
            body=urllib.parse.urlencode(form),
            headers={"X-CSRFToken": csrf, "Referer": f"http://{host}:{port}/"},
        )
        log.add(kind, status, status == 503 and FRIENDLY in body)
        if isinstance(status, int) and 200 <= status < 400:
            acknowledged[kind].append(job)
        time.sleep(0.05)


def reader(host, port, log, stop):
    while not stop.is_set():
        status, body = request(host, port, "GET", "/events/")
        log.add("read /events/", status, status == 503 and FRIENDLY in body)
        time.sleep(0.05)


def run(command):
    result = subprocess.run(command, capture_output=True, text=True)
    return result.returncode, (result.stdout + result.stderr).strip()


def wait_healthy(host, port, log, limit=60.0):
    started = time.monotonic()
    while time.monotonic() - started < limit:
        status, _ = request(host, port, "GET", "/healthz")
        if status == 200:
            return time.monotonic() - started
        time.sleep(0.2)
    return None


def outage(log, name, stop_cmd, start_cmd, seconds, host, port):
    log.set_phase(f"{name} down")
    try:
        code, output = run(stop_cmd)
        print(f"         stop {name}: exit {code} {output[:120]}", flush=True)
        time.sleep(seconds)
    finally:
        code, output = run(start_cmd)
        print(f"         start {name}: exit {code} {output[:120]}", flush=True)
    log.set_phase(f"after {name}")
    recovered = wait_healthy(host, port, log)
    print(f"         /healthz 200 again after {recovered:.1f} s" if recovered else "NOT HEALTHY")
    return recovered


def count_rows(stamp, user_ids):
    close_old_connections()
    registrations = Registration.objects.filter(user_id__in=user_ids).count()
    posts = 0
    try:
        Post = apps.get_model("discussions", "Post")
        body_field = "body_source"
        posts = Post.objects.filter(
            **{f"{body_field}__startswith": f"Failure run {stamp} "}
        ).count()
    except LookupError:
        pass
    return {"registration": registrations, "post": posts}


def report(log, acknowledged, rows, recoveries):
    print("\nWhat users saw (answers by phase):")
    table = Counter(
        (phase, kind, status, friendly) for _, phase, kind, status, friendly in log.rows
    )
    phases = list(dict.fromkeys(row[1] for row in log.rows))
    for phase in phases:
        parts = []
        for (p, kind, status, friendly), n in sorted(table.items(), key=str):
            if p == phase:
                label = "no answer" if status is None else str(status)
                if status == 503:
                    label += " friendly page" if friendly else " WITHOUT friendly page"
                parts.append(f"{kind} {label}: {n}")
        print(f"  {phase:<14} " + "; ".join(parts))
    server_errors = sum(
        1 for row in log.rows if isinstance(row[3], int) and row[3] >= 500 and row[3] != 503
    )
    print(f"\n500-class answers other than the friendly 503: {server_errors}")
    print("\nAcknowledged writes vs rows in the database:")
    for kind in ("registration", "post"):
        acked = len(acknowledged[kind])
        if acked or rows[kind]:
            verdict = "equal" if acked == rows[kind] else "DIFFERENT"
            print(f"  {kind:<13} acknowledged {acked:>5}   in database {rows[kind]:>5}   {verdict}")
    for name, seconds in recoveries.items():
        print(
            f"  recovered after {name}: {seconds:.1f} s" if seconds else f"  {name}: NOT RECOVERED"
        )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=int(os.environ.get("PROD_PORT", "8005")))
    parser.add_argument("--writers", type=int, default=4)
    parser.add_argument("--readers", type=int, default=2)
    parser.add_argument("--before", type=float, default=6.0, help="seconds of load before")
    parser.add_argument("--pg-outage", type=float, default=8.0, help="seconds; 0 to skip")
    parser.add_argument("--between", type=float, default=6.0)
    parser.add_argument("--redis-outage", type=float, default=6.0, help="seconds; 0 to skip")
    parser.add_argument("--after", type=float, default=6.0)
    parser.add_argument("--registrations", type=int, default=1000, help="at most this many")
    parser.add_argument("--posts", type=int, default=1000, help="at most this many")
    args = parser.parse_args(argv)
    if args.pg_outage > 10:
        parser.error("keep the PostgreSQL outage at 10 s or less: others share this server")

    stamp = time.strftime("%H%M%S")
    reg_jobs, user_ids = prepare_registrations(args.registrations, stamp)
    post_jobs = prepare_posts(args.posts, stamp)
    jobs = reg_jobs + post_jobs
    print(f"{len(reg_jobs)} registrations and {len(post_jobs)} posts prepared", flush=True)
    django.db.connections.close_all()

    log = Log()
    stop = threading.Event()
    acknowledged = {"registration": [], "post": []}
    random.Random(0).shuffle(jobs)  # registrations and posts mixed across writers
    shares = [jobs[i :: args.writers] for i in range(args.writers)]
    threads = [
        threading.Thread(
            target=writer, args=(args.host, args.port, share, log, stop, acknowledged, stamp)
        )
        for share in shares
    ]
    threads += [
        threading.Thread(target=reader, args=(args.host, args.port, log, stop))
        for _ in range(args.readers)
    ]
    recoveries = {}
    log.set_phase("before")
    for thread in threads:
        thread.start()
    try:
        time.sleep(args.before)
        if args.pg_outage:
            recoveries["PostgreSQL"] = outage(
                log, "PostgreSQL", PG_STOP, PG_START, args.pg_outage, args.host, args.port
            )
            time.sleep(args.between)
        if args.redis_outage:
            recoveries["Redis"] = outage(
                log, "Redis", REDIS_STOP, REDIS_START, args.redis_outage, args.host, args.port
            )
        time.sleep(args.after)
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    rows = count_rows(stamp, user_ids)
    report(log, acknowledged, rows, recoveries)


if __name__ == "__main__":
    main()
