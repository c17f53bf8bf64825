"""Edit attack (issue 10): 8 simultaneous edits of a 20,000-character pathological post by one
account, while an unrelated page is timed.

    make prod
    eval "$(make -s prod-env)"; .venv/bin/python bench/edit_attack.py

Against the running production profile. Before this issue, Python-Markdown took ~87 s on 20,000
"[" and each edit held a gunicorn worker that long: 8 edits took every worker and an unrelated
GET /events/ waited 28.8 s. The target now: that GET stays under 100 ms. The GET is sent by
another signed-in member, so the anonymous page cache cannot answer it for the workers.
"""

import argparse
import http.client
import os
import secrets
import statistics
import sys
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from allauth.account.models import EmailAddress  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

from discussions import services  # noqa: E402
from discussions.models import Board  # noqa: E402
from events.models import Event  # noqa: E402
from people.models import User  # noqa: E402

LENGTH = 20_000
PATHOLOGICAL = ["[", "![", "[a](", "**_", ">", "` a", "-\n", "*\n"]


def body_for(index: int) -> str:
    unit = PATHOLOGICAL[index % len(PATHOLOGICAL)]
    return ((unit * (LENGTH // len(unit) + 1))[: LENGTH - 4] + f"{index:04d}")[:LENGTH]


def request(host, port, method, path, *, cookies="", body=None, headers=None):
    """(status, seconds) of one request on its own connection."""
    connection = http.client.HTTPConnection(host, port, timeout=120)
    started = time.perf_counter()
    try:
        all_headers = {"Cookie": cookies, **(headers or {})}
        if body is not None:
            all_headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=body, headers=all_headers)
        response = connection.getresponse()
        response.read()
        return response.status, time.perf_counter() - started
    except OSError as error:
        return type(error).__name__, time.perf_counter() - started
    finally:
        connection.close()


def signed_in(user):
    client = Client()
    client.force_login(user)
    csrf = secrets.token_hex(16)  # a 32-character CSRF secret, sent as cookie and header
    return f"sessionid={client.cookies['sessionid'].value}; csrftoken={csrf}", csrf


def member(name: str) -> User:
    user = User.objects.create(username=name, email=f"{name}@example.org", password="!")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def prepare(stamp: str):
    """An attacker with one post on a public event's board, and a bystander who reads."""
    event = Event.objects.public().order_by("-starts_at").first()
    if event is None:
        sys.exit("No public event: load the demo data first (make demo) or use a seeded database.")
    attacker, bystander = member(f"attack-{stamp}"), member(f"bystander-{stamp}")
    thread = services.start_thread(
        board=Board.objects.for_event(event),
        author=attacker,
        title=f"Edit attack {stamp}",
        body="x",
    )
    return thread.posts.get(), signed_in(attacker), signed_in(bystander)


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def attack_round(args, stamp):
    """One attacker's simultaneous edits; (edits, GET timings before, GET timings during)."""
    post, (attack_cookies, csrf), (reader_cookies, _csrf) = prepare(stamp)
    edit_path = reverse("discussions:post_edit", args=[post.pk])

    def timed_get():
        return request(args.host, args.port, "GET", args.page, cookies=reader_cookies)

    baseline = [timed_get()[1] for _ in range(10)]
    edits, stop, during = [], threading.Event(), []

    def edit(index):
        form = {"csrfmiddlewaretoken": csrf, "body": body_for(index)}
        status, seconds = request(
            args.host,
            args.port,
            "POST",
            edit_path,
            cookies=attack_cookies,
            body=urllib.parse.urlencode(form),
            headers={"X-CSRFToken": csrf, "Referer": f"http://{args.host}:{args.port}/"},
        )
        edits.append((index, status, seconds))

    def read():
        while not stop.is_set():
            during.append(timed_get())
            time.sleep(0.02)

    reader = threading.Thread(target=read)
    attackers = [threading.Thread(target=edit, args=(i,)) for i in range(args.edits)]
    reader.start()
    time.sleep(0.05)
    started = time.perf_counter()
    for thread in attackers:
        thread.start()
    for thread in attackers:
        thread.join()
    attack_seconds = time.perf_counter() - started
    time.sleep(0.2)
    stop.set()
    reader.join()
    return edit_path, edits, attack_seconds, baseline, during


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument(
        "--port", type=int, default=int(os.environ.get("GUNICORN_BIND", ":8005").rsplit(":", 1)[1])
    )
    parser.add_argument("--edits", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3, help="each with a new attacker")
    parser.add_argument("--page", default="/en/events/")
    args = parser.parse_args()
    ms = 1000
    all_baseline, all_during = [], []
    for round_number in range(1, args.rounds + 1):
        stamp = secrets.token_hex(3)
        edit_path, edits, attack_seconds, baseline, during = attack_round(args, stamp)
        all_baseline += baseline
        all_during += [s for _status, s in during]
        print(
            f"round {round_number}: {args.edits} simultaneous {LENGTH}-character edits "
            f"of {edit_path}"
        )
        print(f"  all answered in {attack_seconds * ms:.0f} ms:")
        for index, status, took in sorted(edits):
            unit = PATHOLOGICAL[index % len(PATHOLOGICAL)]
            print(f"    #{index} {unit!r:8} {status} {took * ms:7.1f} ms")
        print(
            f"  GET {args.page} during: {[round(s * ms) for _st, s in during]} ms, statuses "
            f"{sorted({str(st) for st, _s in during})}"
        )
    print(
        f"GET {args.page} before the attacks ({len(all_baseline)}): median "
        f"{statistics.median(all_baseline) * ms:.1f} ms, max {max(all_baseline) * ms:.1f} ms"
    )
    print(
        f"GET {args.page} during the attacks ({len(all_during)}): median "
        f"{statistics.median(all_during) * ms:.1f} ms, p95 {percentile(all_during, 0.95) * ms:.1f} "
        f"ms, max {max(all_during) * ms:.1f} ms"
    )
    verdict = "PASS" if max(all_during) < 0.1 else "OVER 100 ms"
    print(f"target: unrelated GET under 100 ms during the attack: {verdict}")


if __name__ == "__main__":
    main()
