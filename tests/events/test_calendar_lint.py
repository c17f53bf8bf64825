"""Every kind of calendar file, served over HTTP, passes the strict checks of
/work/shared/research/ical-checks.md: raw-byte lint here, and ical.js (which trusts only the
file's own VTIMEZONE) for the UTC instants when node and ical.js are installed.
"""

import re
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.urls import reverse
from icalendar import Calendar

from events.models import LONDON, CalendarToken, Event, Registration
from tests.events.conftest import uid_of
from tests.factories import EventFactory, ThemeFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
ICALJS = ROOT / "node_modules" / "ical.js"
CHECK = Path(__file__).with_name("icaljs_check.mjs")


def lint(raw: bytes) -> list[str]:
    """The checks no parser makes: octets, CRLF, folding, singletons, VTIMEZONE shape, privacy."""
    problems = []
    raw.decode("utf-8")
    if re.search(rb"(?<!\r)\n", raw):
        problems.append("bare LF line ending")
    for n, line in enumerate(raw.split(b"\r\n"), 1):
        if len(line) > 75:
            problems.append(f"line {n}: {len(line)} octets")
        line.decode("utf-8")  # a fold never splits a character
    text = re.sub(r"\r\n[ \t]", "", raw.decode("utf-8"))
    for line in text.split("\r\n"):
        if line and not re.match(r"[A-Za-z0-9-]+[;:]", line):
            problems.append(f"bad content line {line[:30]!r}")
    calendar = Calendar.from_ical(raw)
    for component in calendar.walk():
        problems += [f"{component.name}: parse error {e}" for e in component.errors]
        problems += [
            f"{component.name}: missing {p}" for p in component.required if p not in component
        ]
        for name in (*component.singletons, "X-WR-CALNAME"):
            if isinstance(component.get(name), list):
                problems.append(f"{component.name}: {name} repeated")
    problems += [f"TZID {t} has no VTIMEZONE" for t in calendar.get_missing_tzids()]
    for zone in calendar.timezones:
        names = [c.name for c in zone.subcomponents]
        if sorted(names) != ["DAYLIGHT", "STANDARD"] or any(
            "RDATE" in c for c in zone.subcomponents
        ):
            problems.append(f"VTIMEZONE {zone.tz_name} not in Outlook shape: {names}")
    uids = [str(e["UID"]) for e in calendar.events]
    problems += [f"duplicate UID {u}" for u in set(uids) if uids.count(u) > 1]
    for event in calendar.events:
        if event.start.tzinfo is None:
            problems.append(f"{event['UID']}: floating DTSTART")
        if event.end <= event.start:
            problems.append(f"{event['UID']}: DTEND not after DTSTART")
        if str(event.get("STATUS")) not in ("TENTATIVE", "CONFIRMED", "CANCELLED"):
            problems.append(f"{event['UID']}: bad STATUS")
        if "ATTENDEE" in event or "ORGANIZER" in event:
            problems.append(f"{event['UID']}: ATTENDEE/ORGANIZER in a published file")
    if "METHOD" in calendar:
        problems.append("METHOD in a snapshot")
    if b"mailto:" in raw or re.search(
        rb"[\w.+-]+@[\w-]+\.[\w.]+", raw.replace(b"@testserver", b"")
    ):
        problems.append("an email address")
    return problems


def icaljs(path: Path, expected: dict[str, datetime]) -> None:
    if shutil.which("node") is None or not ICALJS.exists():
        pytest.skip("node and node_modules/ical.js are needed for the ical.js check")
    args = [
        f"{uid}={moment.astimezone(UTC):%Y-%m-%dT%H:%M:%SZ}" for uid, moment in expected.items()
    ]
    result = subprocess.run(
        ["node", str(CHECK), str(path), *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.fixture
def varied_events(user, settings):
    settings.SITE_URL = "http://testserver"
    theme = ThemeFactory(name="Gofal, a chyd-gynhyrchu; ŵ ŷ â")
    year = datetime.now(LONDON).year + 1
    summer = datetime(year, 7, 15, 18, 30, tzinfo=LONDON)
    winter = datetime(year, 12, 10, 19, 0, tzinfo=LONDON)
    events = [
        EventFactory(starts_at=summer, ends_at=summer + timedelta(hours=2), themes=[theme]),
        EventFactory(starts_at=winter, ends_at=winter + timedelta(hours=2), themes=[theme]),
        EventFactory(
            title="Caffi Polisi: dŵr, tŷ; â",
            summary=("Sgwrs hir iawn am gyd-gynhyrchu, gofal; ŵ ŷ â. " * 5).strip(),
            status=Event.Status.CANCELLED,
            cancellation_reason="Llifogydd; the venue flooded,\r\nsorry.",
            themes=[theme],
        ),
        EventFactory(
            mode=Event.Mode.ONLINE, venue=None, online_url="https://meet.example/x", themes=[theme]
        ),
    ]
    for event in events:
        Registration.objects.create(event=event, user=user, state="confirmed")
    token = CalendarToken.objects.create(user=user, token=CalendarToken.new_token())
    return theme, events, token


def test_every_kind_of_calendar_file_passes_lint_and_icaljs(client, varied_events, tmp_path):
    theme, events, token = varied_events
    urls = {
        "feed": reverse("events:feed"),
        "theme": reverse("events:theme_feed", kwargs={"slug": theme.slug}),
        "personal": reverse("events:personal_feed", kwargs={"token": token.token}),
        **{f"event-{e.pk}": reverse("events:event_ics", kwargs={"slug": e.slug}) for e in events},
    }
    starts = {uid_of(e): e.starts_at for e in events}
    for name, url in urls.items():
        response = client.get(url)
        assert response.status_code == 200, name
        assert lint(response.content) == [], name
        path = tmp_path / f"{name}.ics"
        path.write_bytes(response.content)
        calendar = Calendar.from_ical(response.content)
        expected = {uid: starts[uid] for uid in (str(e["UID"]) for e in calendar.events)}
        assert expected, name
        icaljs(path, expected)


def test_lint_catches_an_rdate_vtimezone_and_a_long_line():
    from icalendar import Calendar as Cal
    from icalendar import Event as VEvent

    cal = Cal()
    cal.add("prodid", "x")
    cal.add("version", "2.0")
    event = VEvent()
    event.add("uid", "u")
    event.add("dtstamp", datetime(2026, 1, 1, tzinfo=UTC))
    event.add("dtstart", datetime(2026, 7, 1, 18, tzinfo=LONDON))
    event.add("dtend", datetime(2026, 7, 1, 20, tzinfo=LONDON))
    cal.add_component(event)
    cal.add_missing_timezones()
    raw = cal.to_ical().replace(b"END:VCALENDAR", b"X-LONG:" + b"a" * 80 + b"\r\nEND:VCALENDAR")
    problems = lint(raw)
    assert any("not in Outlook shape" in p for p in problems)
    assert any("octets" in p for p in problems)
