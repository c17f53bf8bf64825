"""Calendar files (RFC 5545) for events: pure functions from fetched events to icalendar objects.

Nothing here reads the clock or makes up identifiers: the same data gives byte-identical output
(stable ETags, no duplicate entries in subscribers' calendars). Callers fetch events with
`Event.objects.with_calendar_data()` so that a feed costs a fixed number of queries.

A file is its calendar head (properties and the VTIMEZONE), one VEVENT per event, and a tail:
`event_entry()` gives one VEVENT's bytes and `assemble()` joins them, byte for byte what
`feed_calendar(...).to_ical()` gives. events/calendar_http.py keeps each VEVENT's bytes by the
event's version, so a feed is assembled rather than serialised again.

What a client shows must never mislead: cancelled, postponed and waitlisted entries say so at the
start of their title (Outlook shows no STATUS), a cancelled entry carries no joining link, and a
single-event file has no calendar name (Outlook would open it as a new calendar).
"""

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from html import unescape
from html.parser import HTMLParser
from urllib.parse import quote, urlencode, urlsplit

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from icalendar import Calendar, Timezone, vDuration, vText
from icalendar import Event as VEvent

from core.logging import PERSONAL_PREFIX, redact_path  # noqa: F401 (part of this API)
from core.markdown import markdown_to_html
from events.models import Event, EventRole

PRODID = "-//Commons//Commons events//EN"
REFRESH = timedelta(hours=1)
# The event's own description in DESCRIPTION, cut at a word near this many characters: clients
# show a few lines, and a feed of thousands of events should not carry whole essays.
DESCRIPTION_MAX_CHARS = 1500
# Speakers named after the title, "Policy Cafe — Ruth Dineen, Becky Booth and 2 more".
SUMMARY_MAX_SPEAKERS = 3
SPEAKING_ROLES = (EventRole.Role.SPEAKER, EventRole.Role.PANELLIST)
_TAIL = b"END:VCALENDAR\r\n"

# Europe/London in the shape Outlook reads correctly: one DAYLIGHT and one STANDARD, each with an
# RRULE and no RDATE lists. icalendar's add_missing_timezones() writes RDATE lists (1970-2038).
VTIMEZONE_LONDON = (
    "BEGIN:VTIMEZONE\r\nTZID:Europe/London\r\n"
    "BEGIN:DAYLIGHT\r\nTZOFFSETFROM:+0000\r\nTZOFFSETTO:+0100\r\nTZNAME:BST\r\n"
    "DTSTART:19700329T010000\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\nEND:DAYLIGHT\r\n"
    "BEGIN:STANDARD\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0000\r\nTZNAME:GMT\r\n"
    "DTSTART:19701025T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nEND:STANDARD\r\n"
    "END:VTIMEZONE\r\n"
)

# Control characters other than tab and newline are not allowed in TEXT values.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def london_timezone() -> Timezone:
    wrapped = "BEGIN:VCALENDAR\r\n" + VTIMEZONE_LONDON + "END:VCALENDAR\r\n"
    return Calendar.from_ical(wrapped).timezones[0]


def clean_text(text: str) -> str:
    """Plain text for a TEXT value: CRLF/CR as LF, no control characters."""
    return _CONTROL.sub("", str(text).replace("\r\n", "\n").replace("\r", "\n")).strip()


def utc_seconds(moment):
    return moment.astimezone(UTC).replace(microsecond=0)


def site_host(site_url: str) -> str:
    return urlsplit(site_url).hostname or "localhost"


def event_uid(event: Event, *, site_url: str) -> str:
    """From the primary key: never changes when the title, slug or time does."""
    return f"event-{event.pk}@{site_host(site_url)}"


def event_url(event: Event, *, site_url: str, path_template: str | None = None) -> str:
    """Absolute URL of the event page (`path_template`: see detail_path_template)."""
    if path_template is not None:
        return site_url.rstrip("/") + path_template.replace(_SLUG_PLACEHOLDER, event.slug)
    return site_url.rstrip("/") + event.get_absolute_url()


_SLUG_PLACEHOLDER = "slug-placeholder-0"


def detail_path_template() -> str:
    """The event page path with a placeholder slug: one reverse() per feed, not per event."""
    return reverse("events:detail", kwargs={"slug": _SLUG_PLACEHOLDER})


def joining_link(event: Event, *, include_joining_link: bool) -> str:
    """The online link if this output may carry it: the caller's reader may see it, or it is public.

    Public outputs (feeds, the public .ics, add-to-calendar links) pass False; the personal feed
    and the attachments of mail to confirmed attendees pass True (see Event.can_see_joining_link).
    A cancelled event's link leads nowhere: its page hides it, so no calendar entry carries it.
    """
    if not event.is_online or not event.online_url or event.is_cancelled:
        return ""
    if include_joining_link or event.online_url_is_public:
        return event.online_url
    return ""


def event_location(event: Event, *, include_joining_link: bool = False) -> str:
    if event.is_in_person and event.venue is not None:
        return event.venue.full_address
    if event.is_online:
        return joining_link(event, include_joining_link=include_joining_link) or _("Online")
    return ""


class _TextFromHTML(HTMLParser):
    """Rendered Markdown as plain text: blocks on their own lines, links spelled out."""

    BLOCKS = {"p", "div", "ul", "ol", "pre", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6", "hr"}
    DROPPED = {"script", "style"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.links: list[tuple[str | None, int]] = []  # (href, where its text starts)
        self.dropping = 0
        self.lists = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("ul", "ol"):
            self.lists += 1
        if tag in self.DROPPED:
            self.dropping += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n\n")
        elif tag == "li":
            self.parts.append("\n- ")
        elif tag == "br":
            self.parts.append("\n")
        elif tag == "a":
            self.links.append((dict(attrs).get("href"), len(self.parts)))

    def handle_endtag(self, tag):
        if tag in ("ul", "ol"):
            self.lists = max(self.lists - 1, 0)
        if tag in self.DROPPED:
            self.dropping = max(self.dropping - 1, 0)
        elif tag in self.BLOCKS:
            self.parts.append("\n\n")
        elif tag == "a" and self.links:
            href, start = self.links.pop()
            text = "".join(self.parts[start:]).strip()
            if href and href != text and href.startswith(("http://", "https://")):
                self.parts.append(f" ({href})")

    def handle_data(self, data):
        if self.dropping or (self.lists and not data.strip()):
            return  # the line breaks between list items: each item starts its own line
        self.parts.append(data)

    def text(self) -> str:
        text = "".join(self.parts)
        text = re.sub(r"[ \t]+\n", "\n", text)
        return re.sub(r"\n{3,}", "\n\n", text).strip()


def plain_text(markdown_source: str) -> str:
    """An event description (Markdown) as plain text: no markup, no raw HTML, no entities."""
    html = markdown_to_html(markdown_source or "", hard_breaks=False, raw_html_as_text=False)
    parser = _TextFromHTML()
    parser.feed(html)
    parser.close()
    return unescape(parser.text())


def shortened(text: str, limit: int = DESCRIPTION_MAX_CHARS) -> str:
    """`text`, or its first `limit` characters cut at a word and ended with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(None, 1)[0] if " " in text[:limit] else text[:limit]
    return cut.rstrip(" ,;:.") + "…"


# Higher apps add lines to an entry's description without events importing them: a provider takes
# the events of one calendar and returns {event pk: [lines]} (one query for them all, not one per
# event). The record app registers one that links to a published record (record/hooks.py); it
# touches the event's updated_at when that link appears, so kept entries (calendar_http) renew.
DescriptionProvider = Callable[[Sequence[Event]], Mapping[int, list[str]]]
_description_providers: list[DescriptionProvider] = []


def register_description_provider(provider: DescriptionProvider) -> None:
    if provider not in _description_providers:
        _description_providers.append(provider)


def description_extras(events: Sequence[Event]) -> dict[int, list[str]]:
    """Every registered provider's lines for these events, by event pk."""
    extras: dict[int, list[str]] = {}
    if not events:
        return extras
    for provider in _description_providers:
        for pk, lines in provider(events).items():
            extras.setdefault(pk, []).extend(lines)
    return extras


def event_description(
    event: Event,
    *,
    site_url: str,
    url: str | None = None,
    include_joining_link: bool = False,
    extra: Sequence[str] = (),
) -> str:
    """Plain text: status, summary, description, who's who, the online link and the event's URL."""
    parts = []
    if event.is_cancelled:
        line = _("This event has been cancelled.")
        if event.cancellation_reason:
            line += " " + event.cancellation_reason
        parts.append(line)
    elif event.is_postponed:
        parts.append(_("This event has been postponed; a new date will follow."))
    if event.summary:
        parts.append(event.summary)
    if event.description:
        parts.append(shortened(plain_text(clean_text(event.description))))
    parts.append(_("Language: %(language)s") % {"language": event.language_line})
    who = [
        f"{label}: " + ", ".join(_person_line(role) for role in roles)
        for label, roles in event.roles_by_kind()
    ]
    if who:
        parts.append("\n".join(who))
    link = joining_link(event, include_joining_link=include_joining_link)
    if link:
        parts.append(_("Join online: %(url)s") % {"url": link})
    elif event.is_online and not event.is_cancelled:
        parts.append(_("The joining link is sent to people with a confirmed place."))
    parts.extend(extra)
    url = url or event_url(event, site_url=site_url)
    parts.append(_("Details: %(url)s") % {"url": url})
    return clean_text("\n\n".join(parts))


def _person_line(role) -> str:
    if role.contribution_title:
        return f"{role.person.name} ({role.contribution_title})"
    return role.person.name


def speaker_names(event: Event) -> str:
    """ "Ruth Dineen, Becky Booth and 2 more": who speaks, in the event's order ('' for nobody)."""
    names = []
    for role in event.roles.all():  # uses the prefetch of with_calendar_data()
        if role.role in SPEAKING_ROLES and role.person.name not in names:
            names.append(role.person.name)
    if len(names) <= SUMMARY_MAX_SPEAKERS:
        return ", ".join(names)
    more = len(names) - SUMMARY_MAX_SPEAKERS
    shown = ", ".join(names[:SUMMARY_MAX_SPEAKERS])
    return ngettext("%(names)s and %(count)s more", "%(names)s and %(count)s more", more) % {
        "names": shown,
        "count": more,
    }


def event_summary(event: Event, *, waitlisted: bool = False) -> str:
    """SUMMARY: the title, its speakers, and a prefix when the entry is not a confirmed place.

    Google shows a TENTATIVE event like any other and Outlook ignores STATUS: only the title
    tells people not to turn up.
    """
    title = " ".join(clean_text(event.title).split())
    speakers = speaker_names(event)
    if speakers:
        title = f"{title} — {clean_text(speakers)}"
    if event.is_cancelled:
        return _("Cancelled: %(title)s") % {"title": title}
    if event.is_postponed:
        return _("Postponed: %(title)s") % {"title": title}
    if waitlisted:
        return _("Waitlist: %(title)s") % {"title": title}
    return title


def event_status(event: Event) -> str:
    if event.is_cancelled:
        return "CANCELLED"
    if event.is_postponed:
        return "TENTATIVE"
    return "CONFIRMED"


def event_component(
    event: Event,
    *,
    site_url: str,
    tentative: bool = False,
    promoted_at: datetime | None = None,
    path_template: str | None = None,
    include_joining_link: bool = False,
    extra: Sequence[str] = (),
) -> VEvent:
    """One VEVENT. `tentative`: a waitlisted place (TENTATIVE, "Waitlist: ").

    `promoted_at`: when this person's waitlisted place became a confirmed one. Their entry then
    changed without the event changing, so its SEQUENCE is one higher and its DTSTAMP that late.
    `include_joining_link`: the reader may see a private online link (see `joining_link`).
    `extra`: lines for the description (see description_extras).
    """
    stamp = utc_seconds(event.updated_at)
    sequence = event.sequence
    if promoted_at is not None and not tentative:
        stamp = max(stamp, utc_seconds(promoted_at))
        sequence += 1
    status = event_status(event)
    if tentative and status == "CONFIRMED":
        status = "TENTATIVE"
    component = VEvent()
    component.add("uid", event_uid(event, site_url=site_url))
    component.add("dtstamp", stamp)
    component.add("created", utc_seconds(event.created_at))
    component.add("last-modified", stamp)
    component.add("sequence", sequence)
    component.add("dtstart", event.local_starts_at)
    component.add("dtend", event.local_ends_at)
    component.add("summary", event_summary(event, waitlisted=tentative))
    url = event_url(event, site_url=site_url, path_template=path_template)
    link = joining_link(event, include_joining_link=include_joining_link)
    component.add(
        "description",
        event_description(
            event, site_url=site_url, url=url, include_joining_link=bool(link), extra=extra
        ),
    )
    component.add("url", url)
    location = event_location(event, include_joining_link=bool(link))
    if location:
        component.add("location", clean_text(location))
    venue = event.venue if event.is_in_person else None
    if venue is not None and venue.has_coordinates:
        component.add("geo", (float(venue.latitude), float(venue.longitude)))
    if link:
        component.add(
            "conference",
            link,
            parameters={"VALUE": "URI", "FEATURE": "VIDEO", "LABEL": _("Join")},
        )
    themes = [clean_text(theme.name) for theme in event.themes.all()]
    if themes:
        component.add("categories", themes)
    component.add("status", status)
    return component


def event_entry(event: Event, **options) -> bytes:
    """One VEVENT's bytes (options as for event_component): what feeds.py keeps per version."""
    return event_component(event, **options).to_ical()


def _calendar(*, name: str | None, refresh: bool) -> Calendar:
    """The calendar's properties and its VTIMEZONE; `name` None for a single-event file.

    NAME and X-WR-CALNAME are TEXT (RFC 7986 §5.1): written as vText, so a comma or semicolon
    in a theme's name is escaped instead of cutting the name short (vobject, Apple).
    """
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    if name is not None:
        name = " ".join(clean_text(name).split())
        calendar.add("name", vText(name))
        calendar.add("x-wr-calname", vText(name))
    if refresh:
        calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", vDuration(REFRESH))
    calendar.add_component(london_timezone())
    return calendar


def calendar_head(*, name: str | None, refresh: bool) -> bytes:
    """Everything before the first VEVENT (see assemble)."""
    raw = _calendar(name=name, refresh=refresh).to_ical()
    return raw[: -len(_TAIL)]


def assemble(entries: Iterable[bytes], *, name: str | None, refresh: bool) -> bytes:
    """A whole file from VEVENT bytes: what Calendar.to_ical() writes, without serialising."""
    return b"".join((calendar_head(name=name, refresh=refresh), *entries, _TAIL))


def event_calendar(event: Event, *, site_url: str, include_joining_link: bool = False) -> Calendar:
    """A single event as a download or email attachment: a snapshot, not a calendar to subscribe.

    No NAME, X-WR-CALNAME or REFRESH-INTERVAL: Outlook desktop opens a file that has them as a
    new calendar instead of adding the event (MS-OXCICAL 2.1.3.1.1.20.10: MUST be omitted).
    """
    calendar = _calendar(name=None, refresh=False)
    extra = description_extras([event]).get(event.pk, ())
    calendar.add_component(
        event_component(
            event, site_url=site_url, include_joining_link=include_joining_link, extra=extra
        )
    )
    return calendar


def feed_calendar(
    events: Iterable[Event], *, name: str, site_url: str, refresh: bool = True
) -> Calendar:
    """A subscribable feed of events."""
    calendar = _calendar(name=name, refresh=refresh)
    template = detail_path_template()
    events = list(events)
    extras = description_extras(events)
    for event in events:
        calendar.add_component(
            event_component(
                event, site_url=site_url, path_template=template, extra=extras.get(event.pk, ())
            )
        )
    return calendar


def personal_calendar(
    events: Iterable[Event],
    *,
    waitlisted_ids: set[int],
    name: str,
    site_url: str,
    promoted: dict[int, datetime] | None = None,
    joining_link_ids: set[int] = frozenset(),
) -> Calendar:
    """A user's own feed: waitlisted places are TENTATIVE and say "Waitlist: "; the events in
    `joining_link_ids` carry the online link."""
    calendar = _calendar(name=name, refresh=True)
    template = detail_path_template()
    promoted = promoted or {}
    events = list(events)
    extras = description_extras(events)
    for event in events:
        calendar.add_component(
            event_component(
                event,
                site_url=site_url,
                tentative=event.pk in waitlisted_ids,
                promoted_at=promoted.get(event.pk),
                path_template=template,
                include_joining_link=event.pk in joining_link_ids,
                extra=extras.get(event.pk, ()),
            )
        )
    return calendar


def filter_feed_name(cleaned: dict) -> str:
    """'Commons: events on Risk-averse cultures, with Ann Jones' for the filters in use."""
    parts = []
    if cleaned.get("theme"):
        parts.append(_("on %(theme)s") % {"theme": cleaned["theme"]})
    if cleaned.get("series"):
        parts.append(_("in %(series)s") % {"series": cleaned["series"]})
    if cleaned.get("person"):
        parts.append(_("with %(person)s") % {"person": cleaned["person"]})
    if cleaned.get("organisation"):
        parts.append(_("hosted by %(organisation)s") % {"organisation": cleaned["organisation"]})
    if cleaned.get("kind"):
        parts.append(_("of kind %(kind)s") % {"kind": Event.Kind(cleaned["kind"]).label})
    if cleaned.get("mode"):
        parts.append(_("attended %(mode)s") % {"mode": Event.Mode(cleaned["mode"]).label.lower()})
    if cleaned.get("language"):
        language = Event.Language(cleaned["language"]).label
        parts.append(_("in %(language)s") % {"language": language})
    if cleaned.get("q"):
        parts.append(_("matching “%(q)s”") % {"q": cleaned["q"]})
    if not parts:
        return _("Commons: events")
    return _("Commons: events %(filters)s") % {"filters": ", ".join(str(p) for p in parts)}


def to_bytes(calendar: Calendar) -> bytes:
    return calendar.to_ical()


# --- subscribe links ---------------------------------------------------------------------------


def webcal_url(https_url: str) -> str:
    return "webcal://" + https_url.split("://", 1)[1]


def google_subscribe_url(https_url: str) -> str:
    return "https://calendar.google.com/calendar/r?cid=" + quote(webcal_url(https_url), safe="")


def outlook_subscribe_url(https_url: str, *, name: str) -> str:
    return "https://outlook.live.com/calendar/0/addfromweb?" + urlencode(
        {"url": https_url, "name": name}
    )


def google_event_url(event: Event, *, site_url: str) -> str:
    fmt = "%Y%m%dT%H%M%SZ"
    start, end = event.starts_at.astimezone(UTC), event.ends_at.astimezone(UTC)
    return "https://calendar.google.com/calendar/render?" + urlencode(
        {
            "action": "TEMPLATE",
            "text": event.title,
            "dates": f"{start:{fmt}}/{end:{fmt}}",
            "details": event_description(event, site_url=site_url),
            "location": event_location(event),
            "ctz": "Europe/London",
        }
    )


def outlook_event_url(event: Event, *, site_url: str) -> str:
    fmt = "%Y-%m-%dT%H:%M:%SZ"
    return "https://outlook.live.com/calendar/0/deeplink/compose?" + urlencode(
        {
            "path": "/calendar/action/compose",
            "rru": "addevent",
            "subject": event.title,
            "startdt": f"{event.starts_at.astimezone(UTC):{fmt}}",
            "enddt": f"{event.ends_at.astimezone(UTC):{fmt}}",
            "body": event_description(event, site_url=site_url),
            "location": event_location(event),
        }
    )
