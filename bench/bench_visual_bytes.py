"""Bytes a phone downloads for an event page with 12 drawings: the first screenful, the whole page.

    .venv/bin/python bench/bench_visual_bytes.py [--drawings 12] [--dpr 2]

Makes a fresh SQLite database and media folder in a temporary directory, adds an event with N
demo drawings (drawn by Pillow, through the upload pipeline and the variant task), serves it
with `runserver` (DEBUG, media served by Django), and loads the event page in Debian's Chromium at
375 x 740 CSS px with an empty cache. Bytes are what went over the wire (Chromium's
encodedDataLength, headers included), split by resource type. First screenful: after load with
no scrolling (lazy images below the fold are not fetched). Whole page: after scrolling to the end.
Static files are served uncompressed here (DEBUG); production's WhiteNoise sends them compressed.
"""

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def prepare(env: dict, drawings: int) -> str:
    """Migrate, load the demo, add drawings to the re-launch; return its path."""
    python = sys.executable
    subprocess.run(
        [python, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True
    )
    script = f"""
import django; django.setup()
from django.core.management import call_command
call_command("load_demo")
from events.models import Event
from demo import visuals as demo
from visuals.models import Visual
event = Event.objects.get(slug=demo.EVENT_SLUG)
have = event.visuals.count()
from core.tasks import make_variants
from core.uploads import inspect_upload
from visuals import services
from people.models import Person
artist = Person.objects.get(slug=demo.ARTIST_SLUG)
from django.contrib.auth import get_user_model
user = get_user_model().objects.filter(is_staff=True).first()
for index in range(have, {drawings}):
    spec = demo.DRAWINGS[index % len(demo.DRAWINGS)]
    clean = inspect_upload(demo._named(f"d{{index}}.jpg", demo.draw_recording(spec, seed=index)))
    visual = services.add_visual(event=event, user=user, file=clean, publish=True,
        kind="drawing", title=spec["title"] + f" ({{index + 1}})", alt_text=spec["alt"],
        has_words=True, transcript=demo.transcript(spec), caption=spec["caption"],
        credit_person=artist, credit_text="", licence="cc-by-nc-4.0")
    make_variants.call(visual.upload_id)
print(event.get_absolute_url())
"""
    out = subprocess.run([python, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True)
    if out.returncode:
        sys.exit(out.stderr)
    return out.stdout.strip().splitlines()[-1]


def measure(url: str, *, dpr: float) -> dict:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        context = browser.new_context(
            viewport={"width": 375, "height": 740}, device_scale_factor=dpr, is_mobile=True
        )
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
        types: dict[str, str] = {}
        sizes: dict[str, int] = {}
        cdp.on("Network.responseReceived", lambda e: types.__setitem__(e["requestId"], e["type"]))
        cdp.on(
            "Network.loadingFinished",
            lambda e: sizes.__setitem__(e["requestId"], int(e["encodedDataLength"])),
        )

        def snapshot():
            by_type = defaultdict(lambda: [0, 0])
            for request_id, size in sizes.items():
                kind = types.get(request_id, "Other")
                by_type[kind][0] += 1
                by_type[kind][1] += size
            return dict(by_type)

        page.goto(url, wait_until="networkidle")
        page.wait_for_timeout(500)
        first = snapshot()
        height = page.evaluate("document.documentElement.scrollHeight")
        for y in range(0, height + 740, 370):
            page.evaluate(f"window.scrollTo(0, {y})")
            page.wait_for_timeout(150)
        page.wait_for_load_state("networkidle")
        page.wait_for_timeout(500)
        whole = snapshot()
        images = page.evaluate(
            "[...document.querySelectorAll('.visual-tile img, .event-cover img')]"
            ".map(i => i.currentSrc.split('/').pop())"
        )
        browser.close()
    return {"first": first, "whole": whole, "height": height, "images": images}


def show(label: str, by_type: dict) -> None:
    total = sum(size for _n, size in by_type.values())
    count = sum(n for n, _size in by_type.values())
    print(f"{label}: {count} requests, {total / 1024:,.0f} KiB")
    for kind, (n, size) in sorted(by_type.items(), key=lambda kv: -kv[1][1]):
        print(f"    {kind:<12} {n:>3} requests {size / 1024:>9,.1f} KiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--drawings", type=int, default=12)
    parser.add_argument("--dpr", type=float, default=2.0, help="device pixel ratio of the phone")
    args = parser.parse_args()
    tmp = tempfile.TemporaryDirectory(prefix="commons-bytes-")
    port = free_port()
    env = {
        **os.environ,
        "DEBUG": "1",
        "DATABASE_URL": f"sqlite:///{tmp.name}/bench.sqlite3",
        "MEDIA_ROOT": f"{tmp.name}/media",
        "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    path = prepare(env, args.drawings)
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        result = measure(base + path, dpr=args.dpr)
    finally:
        server.terminate()
        server.wait(timeout=10)
    print(
        f"Event page with {args.drawings} drawings at 375 px, DPR {args.dpr:g} "
        f"(page height {result['height']} px)"
    )
    show("First screenful", result["first"])
    show("Whole page (scrolled to the end)", result["whole"])
    print("Variants the browser chose:", ", ".join(sorted(set(result["images"]))))


if __name__ == "__main__":
    main()
