"""Calendar files over HTTP: one path from request to bytes, and the one place that answers 304.

    fingerprint  ->  ETag and Last-Modified  ->  304, or the body assembled from kept VEVENTs

1. Fingerprint (`fingerprint`): one aggregate query over the file's events (count, sum of ids,
   sum of SEQUENCEs, newest updated_at), hashed with everything else that decides the bytes:
   the file's key and name, the language, SITE_URL, FORMAT_VERSION (the code and translations
   that write it) and, for a personal feed, the owner's places. Every change a calendar shows
   gives an event in the file a new updated_at (Event.save, and events/signals.py for venues,
   people, roles and themes); an event that leaves changes the count and the sums. So the same
   fingerprint means the same bytes, and it is known before anything is built.
2. Validators: the ETag is the fingerprint. Last-Modified is the later of the newest updated_at
   and the CalendarChange marker (one small query), which moves when an event is deleted or
   unpublished, so it never goes backwards. `calendar_response` answers 304 here and nowhere
   else: If-None-Match compared weakly, otherwise If-Modified-Since. Nothing else remembers
   validators or bodies (the anonymous page cache leaves calendars alone).
3. Body (`assemble_body`): the file's events as (id, updated_at, sequence) in order, one query.
   Each VEVENT's bytes are kept under that version (with its variant, language and site) by
   `ENTRIES`: this process's memo, then the shared cache, so a fresh worker does not rebuild.
   Only events not found are fetched in full and serialised by events/calendar.py: one changed
   event re-serialises one VEVENT. `ical.assemble` adds the calendar's head and tail.

Writes must go through Event.save / the services (a bare queryset.update() of a shown field
would leave the old bytes kept under the old version until the next save of that event).
"""

import hashlib
import itertools
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.db.models import Count, Max, Sum
from django.http import HttpResponse, HttpResponseNotModified
from django.utils import timezone
from django.utils.http import http_date, parse_http_date_safe
from django.utils.translation import get_language

from events import calendar as ical
from events.models import CalendarChange, Event, Registration

CONTENT_TYPE = "text/calendar; charset=utf-8"
PUBLIC_CACHE_CONTROL = "public, max-age=3600"
PRIVATE_CACHE_CONTROL = "private, max-age=3600"
# Kept VEVENTs live this long in the shared cache; a changed event's old bytes simply expire.
ENTRY_CACHE_SECONDS = 7 * 24 * 3600
# With more events than this missing, fetch the whole file's events rather than a long id list.
FETCH_ALL_ABOVE = 500


def _format_version() -> str:
    """A hash of what writes the bytes: the calendar code and the compiled translations."""
    digest = hashlib.sha256(Path(ical.__file__).read_bytes())
    for directory in settings.LOCALE_PATHS:
        for catalogue in sorted(Path(directory).glob("*/LC_MESSAGES/django.mo")):
            digest.update(catalogue.read_bytes())
    return digest.hexdigest()[:16]


FORMAT_VERSION = _format_version()


def now() -> datetime:
    return timezone.now()


# --- what a file is -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Places:
    """A user's registrations, as their personal feed shows them."""

    waitlisted: frozenset[int] = frozenset()
    promoted: dict[int, datetime] = field(default_factory=dict)
    # Waitlisted places at events the user may edit: they still see the joining link.
    editing: frozenset[int] = frozenset()
    stamp: str = ""  # every registration's state and time, for the fingerprint
    newest: datetime | None = None

    @classmethod
    def of(cls, user) -> "Places":
        """All the user's registrations (cancelled ones move Last-Modified): one or two queries."""
        rows = list(
            Registration.objects.filter(user=user)
            .order_by("pk")
            .values_list("pk", "event_id", "state", "promoted_at", "updated_at")
        )
        active = [row for row in rows if row[2] in Registration.ACTIVE_STATES]
        waitlisted = frozenset(row[1] for row in active if row[2] == Registration.State.WAITLISTED)
        editing = frozenset()
        if waitlisted:
            editable = Event.objects.editable_by(user).filter(pk__in=waitlisted)
            editing = frozenset(editable.values_list("pk", flat=True))
        return cls(
            waitlisted=waitlisted,
            promoted={row[1]: row[3] for row in active if row[3] and row[1] not in waitlisted},
            editing=editing,
            stamp=hashlib.sha256(repr((rows, sorted(editing))).encode()).hexdigest(),
            newest=max((row[4] for row in rows), default=None),
        )

    def joining_link(self, pk: int) -> bool:
        """Event.can_see_joining_link for the owner, in bulk: every event in their feed is a
        confirmed place or one they organise or created, except a waitlisted place."""
        return pk not in self.waitlisted or pk in self.editing

    def variant(self, pk: int) -> str:
        link = "L" if self.joining_link(pk) else "-"
        if pk in self.waitlisted:
            return link + "w"
        promoted_at = self.promoted.get(pk)
        return link + (f"p{promoted_at.timestamp():.6f}" if promoted_at else "")


@dataclass(frozen=True)
class CalendarFile:
    """One calendar file: its events, its name (None for a single-event file) and its kind."""

    queryset: object  # an EventQuerySet
    key: str
    name: str | None
    places: Places | None = None  # a personal feed
    filename: str | None = None  # a download

    @property
    def private(self) -> bool:
        return self.places is not None

    @property
    def refresh(self) -> bool:
        return self.name is not None


# --- 1 and 2: fingerprint and validators ---------------------------------------------------------


def fingerprint(file: CalendarFile) -> tuple[str, datetime | None]:
    """(ETag, last change) of `file`, in two small queries, without fetching any event."""
    stats = file.queryset.order_by().aggregate(
        count=Count("pk"), ids=Sum("pk"), sequences=Sum("sequence"), newest=Max("updated_at")
    )
    marker = CalendarChange.objects.filter(pk=1).values_list("changed_at", flat=True).first()
    places = file.places or Places()
    raw = "|".join(
        str(part)
        for part in (
            FORMAT_VERSION,
            file.key,
            file.name,
            get_language(),
            settings.SITE_URL,
            stats["count"],
            stats["ids"],
            stats["sequences"],
            stats["newest"] and stats["newest"].isoformat(),
            places.stamp,
        )
    )
    etag = '"' + hashlib.sha256(raw.encode()).hexdigest()[:40] + '"'
    times = (stats["newest"], marker, places.newest)
    return etag, max((t for t in times if t is not None), default=None)


def settled_last_modified(last_change: datetime | None) -> datetime | None:
    """Last-Modified in whole seconds, or None while its second is not over.

    HTTP dates have one-second resolution: a second change within the same second would
    otherwise carry the same Last-Modified and If-Modified-Since would hide it.
    """
    if last_change is None:
        return None
    second = last_change.astimezone(UTC).replace(microsecond=0)
    if second + timedelta(seconds=1) > now():
        return None
    return second


def etag_matches(header: str, etag: str) -> bool:
    """If-None-Match uses the weak comparison (RFC 9110 §13.1.2): W/"x" matches "x".

    A compressing proxy turns our strong ETag into a weak one; a strong comparison would then
    never give it a 304.
    """
    if not etag:
        return False
    candidates = [tag.strip().removeprefix("W/") for tag in header.split(",")]
    return "*" in candidates or etag.removeprefix("W/") in candidates


def is_not_modified(request, etag: str, last_modified: datetime | None) -> bool:
    """RFC 9110 §13.2.2: If-None-Match decides when present; else If-Modified-Since, parsed."""
    if_none_match = request.headers.get("If-None-Match")
    if if_none_match is not None:
        return etag_matches(if_none_match, etag)
    since = parse_http_date_safe(request.headers.get("If-Modified-Since") or "")
    return since is not None and last_modified is not None and last_modified.timestamp() <= since


def calendar_response(request, file: CalendarFile) -> HttpResponse:
    """Serve `file`: validators first, 304 without building, else the assembled body."""
    etag, last_change = fingerprint(file)
    last_modified = settled_last_modified(last_change)
    if is_not_modified(request, etag, last_modified):
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(assemble_body(file), content_type=CONTENT_TYPE)
        if file.filename:
            response["Content-Disposition"] = f'attachment; filename="{file.filename}"'
    response["ETag"] = etag
    if last_modified is not None:
        response["Last-Modified"] = http_date(last_modified.timestamp())
    if file.private:
        response["Cache-Control"] = PRIVATE_CACHE_CONTROL
        response["X-Robots-Tag"] = "noindex, nofollow"
    else:
        response["Cache-Control"] = PUBLIC_CACHE_CONTROL
        # Public data: web calendars (and pretalx-style widgets) may read it from other sites.
        response["Access-Control-Allow-Origin"] = "*"
    return response


# --- 3: the body, from kept VEVENTs -------------------------------------------------------------


class EntryStore:
    """VEVENT bytes by key: this process's memo first, then the shared cache.

    The memo holds at most `max_entries` (oldest dropped first). The shared cache is skipped
    when it is itself per-process (local memory): the memo already is that.
    """

    def __init__(self, max_entries: int):
        self.max_entries = max_entries
        self.memo: dict[str, bytes] = {}

    def _shared(self):
        backend = caches["default"]
        return None if isinstance(backend, LocMemCache) else backend

    def get_many(self, keys: list[str]) -> dict[str, bytes]:
        memo = self.memo
        found = {key: memo[key] for key in keys if key in memo}
        shared = self._shared()
        if shared is not None and len(found) < len(keys):
            fetched = shared.get_many([key for key in keys if key not in found])
            self._remember(fetched)
            found.update(fetched)
        return found

    def set_many(self, entries: dict[str, bytes]) -> None:
        self._remember(entries)
        shared = self._shared()
        if shared is not None and entries:
            shared.set_many(entries, ENTRY_CACHE_SECONDS)

    def _remember(self, entries: dict[str, bytes]) -> None:
        self.memo.update(entries)
        overflow = len(self.memo) - self.max_entries
        if overflow > 0:
            for key in list(itertools.islice(self.memo, overflow + self.max_entries // 4)):
                del self.memo[key]

    def clear(self) -> None:
        self.memo.clear()


ENTRIES = EntryStore(max_entries=getattr(settings, "CALENDAR_ENTRIES_PER_PROCESS", 40_000))


def assemble_body(file: CalendarFile) -> bytes:
    """The file's bytes: kept VEVENTs in order; only the events not kept are serialised."""
    template = ical.detail_path_template()
    site_url = settings.SITE_URL
    places = file.places

    def variant(pk) -> str:  # public files: "" (no private link, no waitlist)
        return places.variant(pk) if places is not None else ""

    scope = hashlib.sha256(
        f"{FORMAT_VERSION}|{get_language()}|{site_url}|{template}".encode()
    ).hexdigest()[:16]

    def key(pk, updated_at, sequence) -> str:
        return f"ical:{scope}:{pk}:{updated_at.timestamp():.6f}:{sequence}:{variant(pk)}"

    rows = list(
        file.queryset.order_by("starts_at", "pk").values_list("pk", "updated_at", "sequence")
    )
    keys = [key(*row) for row in rows]
    entries = ENTRIES.get_many(keys)
    missing = {row[0] for row, k in zip(rows, keys, strict=True) if k not in entries}
    built = {}
    if missing:
        events = file.queryset.with_calendar_data()
        if len(missing) <= FETCH_ALL_ABOVE:
            events = events.filter(pk__in=missing)
        events = [event for event in events if event.pk in missing]
        extras = ical.description_extras(events)
        for event in events:
            # Kept under the version actually fetched (it may be newer than the row read above).
            built[event.pk] = (
                key(event.pk, event.updated_at, event.sequence),
                ical.event_entry(
                    event,
                    site_url=site_url,
                    path_template=template,
                    tentative=places is not None and event.pk in places.waitlisted,
                    promoted_at=places.promoted.get(event.pk) if places else None,
                    include_joining_link=places is not None and places.joining_link(event.pk),
                    extra=extras.get(event.pk, ()),
                ),
            )
        ENTRIES.set_many(dict(built.values()))
    ordered = (
        entries[k] if k in entries else built[pk][1]
        for (pk, _at, _seq), k in zip(rows, keys, strict=True)
        if k in entries or pk in built  # an event deleted meanwhile is left out
    )
    return ical.assemble(ordered, name=file.name, refresh=file.refresh)
