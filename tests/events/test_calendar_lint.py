"""Every kind of calendar file, served over HTTP, passes the strict checks of
/work/shared/research/ical-checks.md: raw-byte lint here, and ical.js (which trusts only the
file's own VTIMEZONE) for the UTC instants when node and ical.js are installed.
"""

import json
import re
import shutil
import subprocess
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from django.urls import reverse
from icalendar import Calendar

from events.models import LONDON, CalendarToken, Event, Registration
from tests.events.conftest import last_sunday, uid_of
from tests.factories import (
    EventFactory,
    EventRoleFactory,
    OrganisationFactory,
    PersonFactory,
    SeriesFactory,
    ThemeFactory,
)

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


def icaljs(path: Path, expected: dict[str, datetime]) -> dict:
    """What ical.js reads from the file (see icaljs_check.mjs); fails on any problem it finds."""
    if shutil.which("node") is None or not ICALJS.exists():
        pytest.skip("node and node_modules/ical.js are needed for the ical.js check")
    args = [
        f"{uid}={moment.astimezone(UTC):%Y-%m-%dT%H:%M:%SZ}" for uid, moment in expected.items()
    ]
    result = subprocess.run(
        ["node", str(CHECK), "--json", str(path), *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(result.stdout)


def utc(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


@pytest.fixture
def varied_events(user, settings):
    """Every kind of entry a client must get right, and the UTC start each parser must agree on.

    Welsh text with TEXT punctuation in titles and names, a BST and a GMT evening, cancelled,
    postponed and online events, the hour either side of both clock changes, a waitlisted place.
    The UTC times are worked out by hand, not by zoneinfo.
    """
    settings.SITE_URL = "http://testserver"
    theme = ThemeFactory(name="Gofal, a chyd-gynhyrchu; ŵ ŷ â")
    series = SeriesFactory(name="Caffi Polisi; Cymru, 2027")
    host = OrganisationFactory(name="Prifysgol Caerdydd, Cymru")
    speaker = PersonFactory(name="Siân Llŷr")
    year = datetime.now(LONDON).year + 1
    march, october = last_sunday(year, 3), last_sunday(year, 10)
    saturday = october - timedelta(days=1)
    plan = {
        # name: (London day, hour, minute, expected UTC start, other fields)
        "summer": (date(year, 7, 15), 18, 30, utc(date(year, 7, 15), 17, 30),
                   {"title": "Caffi Polisi: dŵr, tŷ; â"}),
        "winter": (date(year, 12, 10), 19, 0, utc(date(year, 12, 10), 19, 0),
                   {"description": "## Pam?\n\nSgwrs *hir*, gofal; [mwy](https://example.org/m)."}),
        "cancelled": (date(year, 6, 3), 18, 0, utc(date(year, 6, 3), 17, 0), {
            "title": "Gweithdy: ŵ ŷ â",
            "summary": ("Sgwrs hir iawn am gyd-gynhyrchu, gofal; ŵ ŷ â. " * 5).strip(),
            "status": Event.Status.CANCELLED,
            "cancellation_reason": "Llifogydd; the venue flooded,\r\nsorry.",
            "mode": Event.Mode.HYBRID,
            "online_url": "https://meet.example/cancelled",
        }),
        "postponed": (date(year, 5, 20), 10, 0, utc(date(year, 5, 20), 9, 0),
                      {"status": Event.Status.POSTPONED}),
        "online": (date(year, 9, 9), 12, 0, utc(date(year, 9, 9), 11, 0),
                   {"mode": Event.Mode.ONLINE, "venue": None, "online_url": "https://meet.example/x"}),
        "march_gmt": (march, 0, 30, utc(march, 0, 30), {}),  # still GMT
        "march_bst": (march, 3, 0, utc(march, 2, 0), {}),  # BST from 01:00 UTC
        "october_bst": (saturday, 23, 30, utc(saturday, 22, 30), {}),  # the night before, BST
        "october_gmt": (october, 2, 30, utc(october, 2, 30), {}),  # GMT again from 01:00 UTC
        "waitlisted": (date(year, 8, 1), 18, 0, utc(date(year, 8, 1), 17, 0), {}),
    }  # fmt: skip
    events, expected = {}, {}
    for name, (day, hour, minute, start_utc, fields) in plan.items():
        start = datetime(day.year, day.month, day.day, hour, minute, tzinfo=LONDON)
        event = EventFactory(
            starts_at=start,
            ends_at=start + timedelta(hours=1),
            themes=[theme],
            series=series,
            hosts=[host],
            **fields,
        )
        EventRoleFactory(event=event, person=speaker, role="speaker")
        state = "waitlisted" if name == "waitlisted" else "confirmed"
        Registration.objects.create(event=event, user=user, state=state)
        events[name], expected[uid_of(event)] = event, start_utc
    token = CalendarToken.objects.create(user=user, token=CalendarToken.new_token())
    objects = {"theme": theme, "series": series, "organisation": host, "person": speaker}
    return objects, events, expected, token


def test_every_kind_of_file_reads_the_same_in_icalendar_and_icaljs(client, varied_events, tmp_path):
    objects, events, expected, token = varied_events
    files = {
        "list": reverse("events:feed"),
        **{
            kind: reverse(f"events:{kind}_feed", kwargs={"slug": obj.slug})
            for kind, obj in objects.items()
        },
        "personal": reverse("events:personal_feed", kwargs={"token": token.token}),
        **{
            f"event-{name}": reverse("events:event_ics", kwargs={"slug": e.slug})
            for name, e in events.items()
        },
    }
    title = {name: f"{e.title} — Siân Llŷr" for name, e in events.items()}
    summaries = {
        uid_of(e): {
            "cancelled": f"Cancelled: {title[name]}",
            "postponed": f"Postponed: {title[name]}",
        }.get(name, title[name])
        for name, e in events.items()
    }
    for kind, url in files.items():
        response = client.get(url)
        assert response.status_code == 200, kind
        assert lint(response.content) == [], kind
        path = tmp_path / f"{kind}.ics"
        path.write_bytes(response.content)
        single = kind.startswith("event-")
        wanted = {uid_of(events[kind[6:]])} if single else set(expected)
        # icalendar
        calendar = Calendar.from_ical(response.content)
        starts = {str(e["UID"]): e.start.astimezone(UTC) for e in calendar.events}
        assert starts == {uid: expected[uid] for uid in wanted}, kind
        # ical.js, with the same expected UTC starts
        read = icaljs(path, {uid: expected[uid] for uid in wanted})
        assert {uid: e["start"] for uid, e in read["events"].items()} == {
            uid: f"{expected[uid]:%Y-%m-%dT%H:%M:%SZ}" for uid in wanted
        }, kind
        want_summaries = dict(summaries)
        if kind == "personal":
            want_summaries[uid_of(events["waitlisted"])] = f"Waitlist: {title['waitlisted']}"
        for component in calendar.events:
            uid = str(component["UID"])
            assert str(component["SUMMARY"]) == read["events"][uid]["summary"]
            assert str(component["SUMMARY"]) == want_summaries[uid], kind
        cancelled = read["events"].get(uid_of(events["cancelled"]))
        if cancelled is not None:
            assert cancelled["status"] == "CANCELLED"
            assert cancelled["conference"] is None
        online = read["events"].get(uid_of(events["online"]))
        if online is not None:  # the link is for confirmed places: only the personal feed has it
            link = "https://meet.example/x" if kind == "personal" else None
            assert online["conference"] == link, kind
        # Names: TEXT, read whole by ical.js; none in a single-event file (Outlook).
        if single:
            assert (read["name"], read["calname"]) == (None, None), kind
        else:
            assert read["name"] == read["calname"], kind
            assert read["name"].startswith("Commons: "), kind
    read_theme = icaljs(tmp_path / "theme.ics", {})
    assert read_theme["name"] == "Commons: events on Gofal, a chyd-gynhyrchu; ŵ ŷ â"


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
