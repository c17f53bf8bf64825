"""events/calendar.py: calendar files parsed back with icalendar, property by property."""

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from icalendar import Calendar

from events import calendar as ical
from events.models import LONDON, Event
from tests.factories import (
    EventFactory,
    EventRoleFactory,
    PersonFactory,
    ThemeFactory,
    UserFactory,
    VenueFactory,
)

pytestmark = pytest.mark.django_db

SITE = "https://commons.example.org"


def london(*args) -> datetime:
    return datetime(*args, tzinfo=LONDON)


def parse(calendar) -> Calendar:
    return Calendar.from_ical(calendar.to_ical())


def fetched(event) -> Event:
    return Event.objects.with_calendar_data().get(pk=event.pk)


def unescape_text(value) -> str:
    """A TEXT value as RFC 5545 §3.3.11 reads it (icalendar leaves NAME raw)."""
    return re.sub(r"\\(.)", lambda m: "\n" if m[1] in "nN" else m[1], str(value))


def only_event(calendar):
    (component,) = calendar.events
    return component


def test_event_file_is_a_snapshot_without_calendar_name_refresh_or_method(event):
    # Outlook desktop opens a file with NAME/X-WR-CALNAME as a new calendar (MS-OXCICAL).
    raw = ical.event_calendar(fetched(event), site_url=SITE).to_ical()
    cal = Calendar.from_ical(raw)
    assert str(cal["PRODID"]) == ical.PRODID
    assert str(cal["VERSION"]) == "2.0"
    assert raw.count(b"\r\nPRODID:") == raw.count(b"\r\nVERSION:") == 1
    for absent in ("NAME", "X-WR-CALNAME", "REFRESH-INTERVAL", "X-PUBLISHED-TTL", "METHOD"):
        assert absent not in cal
    assert b"CALNAME" not in raw
    assert len(cal.events) == 1


def test_calendar_names_are_text_escaped_and_read_back_whole():
    name = "Commons: events on Iechyd, gofal; a lles"
    raw = ical.feed_calendar([], name=name, site_url=SITE).to_ical()
    assert b"\r\nNAME:Commons: events on Iechyd\\, gofal\\; a lles\r\n" in raw
    assert b"\r\nX-WR-CALNAME:Commons: events on Iechyd\\, gofal\\; a lles\r\n" in raw
    cal = Calendar.from_ical(raw)
    # icalendar reads NAME as an unknown property (raw text): unescape it as TEXT.
    assert unescape_text(str(cal["NAME"])) == name
    assert unescape_text(str(cal["X-WR-CALNAME"])) == name


def test_feed_has_refresh_hints_in_duration_syntax(event):
    raw = ical.feed_calendar([fetched(event)], name="Commons: events", site_url=SITE).to_ical()
    assert b"\r\nREFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n" in raw
    assert b"\r\nX-PUBLISHED-TTL:PT1H\r\n" in raw
    cal = Calendar.from_ical(raw)
    assert cal["REFRESH-INTERVAL"].params["VALUE"] == "DURATION"
    assert "METHOD" not in cal


def test_vtimezone_is_europe_london_in_rrule_shape(event):
    cal = parse(ical.feed_calendar([fetched(event)], name="x", site_url=SITE))
    (zone,) = cal.timezones
    assert str(zone["TZID"]) == "Europe/London"
    assert [c.name for c in zone.subcomponents] == ["DAYLIGHT", "STANDARD"]
    for part in zone.subcomponents:
        assert "RRULE" in part
        assert "RDATE" not in part
    assert cal.get_missing_tzids() == set()
    assert cal.get_used_tzids() == {"Europe/London"}


@pytest.mark.parametrize(
    ("local", "utc"),
    [
        (london(2027, 7, 15, 18, 0), datetime(2027, 7, 15, 17, 0, tzinfo=UTC)),
        (london(2027, 1, 14, 18, 0), datetime(2027, 1, 14, 18, 0, tzinfo=UTC)),
    ],
)
def test_start_carries_london_tzid_and_the_right_utc_instant(local, utc):
    event = EventFactory(starts_at=local, ends_at=local + timedelta(hours=2))
    component = only_event(parse(ical.event_calendar(fetched(event), site_url=SITE)))
    assert component["DTSTART"].params["TZID"] == "Europe/London"
    assert component["DTEND"].params["TZID"] == "Europe/London"
    assert component.start.astimezone(UTC) == utc
    assert component.end.astimezone(UTC) == utc + timedelta(hours=2)
    assert component.start.replace(tzinfo=None) == local.replace(tzinfo=None)


def test_event_properties_uid_stamps_sequence_url_categories_status():
    themes = [ThemeFactory(name="Risk-averse cultures"), ThemeFactory(name="Arts, and health")]
    event = EventFactory(themes=themes)
    component = only_event(parse(ical.event_calendar(fetched(event), site_url=SITE)))
    event.refresh_from_db()
    assert str(component["UID"]) == f"event-{event.pk}@commons.example.org"
    assert component["DTSTAMP"].dt == event.updated_at.astimezone(UTC).replace(microsecond=0)
    assert component["LAST-MODIFIED"].dt == event.updated_at.astimezone(UTC).replace(microsecond=0)
    assert component["CREATED"].dt == event.created_at.astimezone(UTC).replace(microsecond=0)
    assert component["SEQUENCE"] == 0
    assert str(component["SUMMARY"]) == event.title
    assert str(component["URL"]) == SITE + event.get_absolute_url()
    assert component.categories == ["Arts, and health", "Risk-averse cultures"]
    assert str(component["STATUS"]) == "CONFIRMED"
    assert str(component["LOCATION"]) == event.venue.full_address
    assert "GEO" not in component
    assert "CONFERENCE" not in component


def test_description_is_plain_text_with_summary_whos_who_and_link():
    event = EventFactory(summary="Talking about time credits.")
    EventRoleFactory(event=event, person=PersonFactory(name="Ann Jones"), role="speaker")
    EventRoleFactory(
        event=event,
        person=PersonFactory(name="Bryn Evans"),
        role="chair",
        contribution_title="Welcome",
    )
    component = only_event(parse(ical.event_calendar(fetched(event), site_url=SITE)))
    assert str(component["DESCRIPTION"]) == (
        "Talking about time credits.\n\n"
        "Language: English\n\n"
        "Chair: Bryn Evans (Welcome)\nSpeaker: Ann Jones\n\n"
        f"Details: {SITE}{event.get_absolute_url()}"
    )


def test_geo_when_venue_has_coordinates():
    venue = VenueFactory(latitude=Decimal("51.481583"), longitude=Decimal("-3.179090"))
    component = only_event(
        parse(ical.event_calendar(fetched(EventFactory(venue=venue)), site_url=SITE))
    )
    assert component["GEO"].latitude == pytest.approx(51.481583)
    assert component["GEO"].longitude == pytest.approx(-3.179090)


def test_online_event_has_conference_uri_and_link_as_location_for_a_reader_who_may_see_it():
    event = EventFactory(mode=Event.Mode.ONLINE, venue=None, online_url="https://meet.example/abc")
    component = only_event(
        parse(ical.event_calendar(fetched(event), site_url=SITE, include_joining_link=True))
    )
    assert str(component["CONFERENCE"]) == "https://meet.example/abc"
    assert component["CONFERENCE"].params["VALUE"] == "URI"
    assert str(component["LOCATION"]) == "https://meet.example/abc"
    assert "Join online: https://meet.example/abc" in str(component["DESCRIPTION"])


def test_private_joining_link_is_left_out_by_default_and_location_says_online():
    event = EventFactory(mode=Event.Mode.ONLINE, venue=None, online_url="https://meet.example/abc")
    component = only_event(parse(ical.event_calendar(fetched(event), site_url=SITE)))
    assert "CONFERENCE" not in component
    assert str(component["LOCATION"]) == "Online"
    assert "meet.example" not in str(component["DESCRIPTION"])
    assert "sent to people with a confirmed place" in str(component["DESCRIPTION"])


def test_public_joining_link_is_in_every_calendar():
    event = EventFactory(
        mode=Event.Mode.ONLINE,
        venue=None,
        online_url="https://meet.example/abc",
        online_url_is_public=True,
    )
    entry = ical.event_calendar(fetched(event), site_url=SITE, include_joining_link=True)
    component = only_event(parse(entry))
    assert str(component["CONFERENCE"]) == "https://meet.example/abc"


def test_cancelled_event_has_status_prefix_and_higher_sequence(event):
    event = Event.objects.get(pk=event.pk)
    event.status = Event.Status.CANCELLED
    event.cancellation_reason = "The venue flooded."
    event.save()
    component = only_event(parse(ical.event_calendar(fetched(event), site_url=SITE)))
    assert str(component["STATUS"]) == "CANCELLED"
    assert str(component["SUMMARY"]) == f"Cancelled: {event.title}"
    assert component["SEQUENCE"] == 1
    assert str(component["DESCRIPTION"]).startswith(
        "This event has been cancelled. The venue flooded."
    )


def test_postponed_event_is_tentative_and_says_so_first_in_its_title(event):
    # Google shows a TENTATIVE event like any other: only the title stops people turning up.
    event = Event.objects.get(pk=event.pk)
    event.status = Event.Status.POSTPONED
    event.save()
    component = only_event(parse(ical.event_calendar(fetched(event), site_url=SITE)))
    assert str(component["STATUS"]) == "TENTATIVE"
    assert str(component["SUMMARY"]) == f"Postponed: {event.title}"
    assert component["SEQUENCE"] == 1


def test_cancelled_online_event_loses_its_joining_link_everywhere():
    event = EventFactory(
        mode=Event.Mode.ONLINE,
        venue=None,
        online_url="https://meet.example/abc",
        status=Event.Status.CANCELLED,
        cancellation_reason="Illness.",
    )
    raw = ical.event_calendar(fetched(event), site_url=SITE).to_ical()
    component = only_event(Calendar.from_ical(raw))
    assert "CONFERENCE" not in component
    assert str(component["LOCATION"]) == "Online"
    assert b"meet.example" not in raw
    assert str(component["SUMMARY"]) == f"Cancelled: {event.title}"


def test_postponed_online_event_keeps_its_joining_link():
    event = EventFactory(
        mode=Event.Mode.ONLINE,
        venue=None,
        online_url="https://meet.example/abc",
        status=Event.Status.POSTPONED,
    )
    entry = ical.event_calendar(fetched(event), site_url=SITE, include_joining_link=True)
    component = only_event(parse(entry))
    assert str(component["CONFERENCE"]) == "https://meet.example/abc"


def test_moved_event_has_higher_sequence_and_same_uid(event):
    before = only_event(parse(ical.event_calendar(fetched(event), site_url=SITE)))
    event = Event.objects.get(pk=event.pk)
    event.starts_at += timedelta(days=1)
    event.ends_at += timedelta(days=1)
    event.title = "A new title"
    event.save()
    after = only_event(parse(ical.event_calendar(fetched(event), site_url=SITE)))
    assert after["UID"] == before["UID"]
    assert after["SEQUENCE"] > before["SEQUENCE"]


def test_welsh_text_with_punctuation_round_trips_and_lines_fold_at_75_octets():
    title = "Caffi Polisi: ŵ ŷ â; dŵr, tŷ\nllinell newydd"
    summary = ("Sgwrs am gyd-gynhyrchu, gofal; ŵ ŷ â " * 8).strip()
    event = EventFactory(title=title, summary=summary)
    raw = ical.event_calendar(fetched(event), site_url=SITE).to_ical()
    for line in raw.split(b"\r\n"):
        assert len(line) <= 75
        line.decode("utf-8")  # no fold splits a character
    component = only_event(Calendar.from_ical(raw))
    assert str(component["SUMMARY"]) == title.replace("\n", " ")  # a title is one line
    assert str(component["DESCRIPTION"]).startswith(summary + "\n\n")


def test_control_characters_are_removed_and_crlf_becomes_newline():
    event = EventFactory()
    # Saved text is cleaned already (core.text); rows from before that are cleaned here too.
    Event.objects.filter(pk=event.pk).update(title="Bell\x07 here", summary="one\r\ntwo")
    event.refresh_from_db()
    component = only_event(parse(ical.event_calendar(fetched(event), site_url=SITE)))
    assert str(component["SUMMARY"]) == "Bell here"
    assert str(component["DESCRIPTION"]).startswith("one\ntwo\n\n")


def test_same_data_gives_byte_identical_output():
    events = [EventFactory(), EventFactory(mode="online", venue=None, online_url="https://x.org")]
    build = lambda: ical.feed_calendar(  # noqa: E731
        Event.objects.with_calendar_data().chronological(), name="n", site_url=SITE
    ).to_ical()
    assert build() == build()
    assert len(parse(ical.feed_calendar(events, name="n", site_url=SITE)).events) == 2


def test_no_attendee_and_no_email_address_anywhere():
    user = UserFactory(email="secret.person@example.org")
    event = EventFactory()
    EventRoleFactory(event=event, person=PersonFactory(user=user, name="Sec Ret"), role="organiser")
    raw = ical.feed_calendar([fetched(event)], name="n", site_url=SITE).to_ical()
    assert b"ATTENDEE" not in raw
    assert b"ORGANIZER" not in raw
    assert b"@example.org" not in raw
    assert b"mailto:" not in raw


def test_personal_calendar_marks_waitlisted_events_tentative():
    confirmed, waitlisted = EventFactory(), EventFactory()
    events = (
        Event.objects.with_calendar_data()
        .chronological()
        .filter(pk__in=[confirmed.pk, waitlisted.pk])
    )
    cal = parse(
        ical.personal_calendar(events, waitlisted_ids={waitlisted.pk}, name="n", site_url=SITE)
    )
    entries = {str(c["UID"]): (str(c["STATUS"]), str(c["SUMMARY"])) for c in cal.events}
    assert entries == {
        f"event-{confirmed.pk}@commons.example.org": ("CONFIRMED", confirmed.title),
        f"event-{waitlisted.pk}@commons.example.org": (
            "TENTATIVE",
            f"Waitlist: {waitlisted.title}",
        ),
    }


def test_a_place_promoted_from_the_waitlist_is_a_new_revision_of_that_entry():
    event = EventFactory()
    promoted_at = event.updated_at + timedelta(hours=1)
    events = Event.objects.with_calendar_data().filter(pk=event.pk)
    waiting = only_event(
        parse(ical.personal_calendar(events, waitlisted_ids={event.pk}, name="n", site_url=SITE))
    )
    placed = only_event(
        parse(
            ical.personal_calendar(
                events,
                waitlisted_ids=set(),
                promoted={event.pk: promoted_at},
                name="n",
                site_url=SITE,
            )
        )
    )
    assert (waiting["SEQUENCE"], placed["SEQUENCE"]) == (0, 1)
    assert placed["DTSTAMP"].dt == promoted_at.astimezone(UTC).replace(microsecond=0)
    assert placed["LAST-MODIFIED"].dt == placed["DTSTAMP"].dt
    assert (str(placed["STATUS"]), str(placed["SUMMARY"])) == ("CONFIRMED", event.title)


def test_filter_feed_name_names_each_filter():
    theme = ThemeFactory(name="Risk-averse cultures")
    assert ical.filter_feed_name({"theme": theme}) == "Commons: events on Risk-averse cultures"
    assert ical.filter_feed_name({}) == "Commons: events"
    person = PersonFactory(name="Ann Jones")
    assert (
        ical.filter_feed_name({"theme": theme, "person": person, "kind": "workshop"})
        == "Commons: events on Risk-averse cultures, with Ann Jones, of kind Workshop"
    )


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/calendar/abcDEF_-123.ics", "/calendar/<redacted>.ics"),
        ("/calendar/a/b.ics", "/calendar/<redacted>.ics"),
        ("/calendar/abc", "/calendar/<redacted>"),
        ("/events/calendar.ics", "/events/calendar.ics"),
        ("/themes/x/calendar.ics", "/themes/x/calendar.ics"),
    ],
)
def test_redact_path_hides_personal_tokens(path, expected):
    assert ical.redact_path(path) == expected


def test_subscribe_links():
    url = "https://commons.example.org/themes/arts/calendar.ics"
    assert ical.webcal_url(url) == "webcal://commons.example.org/themes/arts/calendar.ics"
    assert ical.google_subscribe_url(url) == (
        "https://calendar.google.com/calendar/r?cid="
        "webcal%3A%2F%2Fcommons.example.org%2Fthemes%2Farts%2Fcalendar.ics"
    )
    assert ical.outlook_subscribe_url(url, name="Arts") == (
        "https://outlook.live.com/calendar/0/addfromweb?url="
        "https%3A%2F%2Fcommons.example.org%2Fthemes%2Farts%2Fcalendar.ics&name=Arts"
    )


# --- item 2: what pretalx does well --------------------------------------------------------


def test_speakers_follow_the_title_in_the_events_order():
    event = EventFactory(title="Policy Cafe: Time credits")
    EventRoleFactory(event=event, person=PersonFactory(name="Mark Jones"), role="chair", order=0)
    EventRoleFactory(event=event, person=PersonFactory(name="Ruth Dineen"), role="speaker", order=1)
    EventRoleFactory(
        event=event, person=PersonFactory(name="Becky Booth"), role="panellist", order=2
    )
    component = only_event(parse(ical.event_calendar(fetched(event), site_url=SITE)))
    assert str(component["SUMMARY"]) == "Policy Cafe: Time credits — Ruth Dineen, Becky Booth"


def test_many_speakers_are_counted_after_the_first_three():
    event = EventFactory(title="Cafe")
    for order, name in enumerate(["A Un", "B Dau", "C Tri", "D Pedwar", "E Pump"]):
        EventRoleFactory(event=event, person=PersonFactory(name=name), role="speaker", order=order)
    component = only_event(parse(ical.event_calendar(fetched(event), site_url=SITE)))
    assert str(component["SUMMARY"]) == "Cafe — A Un, B Dau, C Tri and 2 more"


def test_description_carries_the_full_text_as_plain_text():
    event = EventFactory(
        summary="Short.",
        description=(
            "## Why\n\nA *long* [read](https://example.org/r) &amp; more.\n\n"
            "- one\n- two\n\n<script>steal()</script>"
        ),
    )
    component = only_event(parse(ical.event_calendar(fetched(event), site_url=SITE)))
    assert str(component["DESCRIPTION"]) == (
        "Short.\n\nWhy\n\nA long read (https://example.org/r) & more.\n\n- one\n- two\n\n"
        "Language: English\n\n"
        f"Details: {SITE}{event.get_absolute_url()}"
    )


def test_a_long_description_is_cut_at_a_word_and_the_link_stays():
    event = EventFactory(summary="", description="gair " * 2000)
    text = str(only_event(parse(ical.event_calendar(fetched(event), site_url=SITE)))["DESCRIPTION"])
    body, language, details = text.split("\n\n")
    assert language == "Language: English"
    assert body.endswith("gair…")
    assert len(body) <= ical.DESCRIPTION_MAX_CHARS + 1
    assert details == f"Details: {SITE}{event.get_absolute_url()}"


def test_prefixes_and_speaker_counts_are_in_the_readers_language():
    from django.utils import translation

    event = EventFactory(title="Caffi Polisi", status=Event.Status.POSTPONED)
    for order, name in enumerate(["A Un", "B Dau", "C Tri", "D Pedwar"]):
        EventRoleFactory(event=event, person=PersonFactory(name=name), role="speaker", order=order)
    with translation.override("cy"):
        component = only_event(parse(ical.event_calendar(fetched(event), site_url=SITE)))
        waiting = ical.event_summary(fetched(EventFactory(title="Sgwrs")), waitlisted=True)
    assert str(component["SUMMARY"]) == "Wedi'i ohirio: Caffi Polisi — A Un, B Dau, C Tri a 1 arall"
    assert waiting == "Rhestr aros: Sgwrs"
