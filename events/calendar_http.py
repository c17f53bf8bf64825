"""HTTP for calendar files: validators first (cheap), 304 without building, then the body.

A feed's fingerprint is a few aggregates over its events (count, newest updated_at, sum of
primary keys) plus the CalendarChange marker, which every committed change to events, their
people, places and themes, or to registrations moves forward. The ETag is a hash of the body;
the fingerprint -> ETag mapping is remembered in the cache, so a matching If-None-Match is
answered without building. Bodies up to CALENDAR_BODY_CACHE_MAX_BYTES are remembered too, so
clients that poll without validators (Google) do not rebuild an unchanged feed. A cache miss only
costs a build, never a wrong answer. The fingerprint includes a hash of the code that writes the
files, so a deploy that changes the output never serves the old bytes or 304s.
"""

import hashlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Max, Sum
from django.http import HttpResponse, HttpResponseNotModified
from django.utils import timezone
from django.utils.http import http_date, parse_http_date_safe
from django.utils.translation import get_language

from events import calendar as ical
from events.models import CalendarChange

CONTENT_TYPE = "text/calendar; charset=utf-8"
PUBLIC_CACHE_CONTROL = "public, max-age=3600"
PRIVATE_CACHE_CONTROL = "private, max-age=3600"
ETAG_CACHE_SECONDS = 24 * 3600
BODY_CACHE_SECONDS = 3600
FORMAT_VERSION = hashlib.sha256(
    b"".join(Path(module.__file__).read_bytes() for module in (ical,))
).hexdigest()[:16]


def now() -> datetime:
    return timezone.now()


def fingerprint(queryset, *, key: str) -> tuple[str, datetime | None]:
    """(fingerprint, last change) of the events in `queryset`, in two small queries.

    With CALENDAR_FINGERPRINT_SECONDS > 0 (production) the result is kept that long in the
    shared cache under the change marker's version: any committed change moves the version, so
    only the passing of time (events leaving a date window) can go unseen, for that long. The
    aggregate grows with the feed's window (thousands of events); the marker read does not.
    """
    marker = CalendarChange.objects.filter(pk=1).values_list("version", "changed_at").first()
    version, changed_at = marker or (0, None)
    seconds = getattr(settings, "CALENDAR_FINGERPRINT_SECONDS", 0)
    memo_key = (
        f"calendar-fp:{version}:" + hashlib.sha256(f"{key}|{get_language()}".encode()).hexdigest()
    )
    if seconds > 0 and (memo := cache.get(memo_key)) is not None:
        return memo
    stats = queryset.order_by().aggregate(
        count=Count("pk"), newest=Max("updated_at"), ids=Sum("pk")
    )
    newest = max((t for t in (stats["newest"], changed_at) if t is not None), default=None)
    raw = (
        f"{FORMAT_VERSION}|{key}|{get_language()}|"
        f"{stats['count']}|{stats['ids']}|{stats['newest']}|{version}"
    )
    result = hashlib.sha256(raw.encode()).hexdigest(), newest
    if seconds > 0:
        cache.set(memo_key, result, seconds)
    return result


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


def _etag_matches(header: str, etag: str) -> bool:
    candidates = [tag.strip() for tag in header.split(",")]
    return "*" in candidates or etag in candidates


def calendar_response(
    request,
    *,
    queryset,
    key: str,
    build: Callable[[], bytes],
    private: bool = False,
    filename: str | None = None,
) -> HttpResponse:
    """Serve a calendar built by `build()` for the events in `queryset` (validators first)."""
    fp, last_change = fingerprint(queryset, key=key)
    last_modified = settled_last_modified(last_change)
    cache_key = f"calendar-etag:{fp}"
    if_none_match = request.headers.get("If-None-Match")
    if_modified_since = request.headers.get("If-Modified-Since")

    known_etag = cache.get(cache_key)
    if if_none_match is not None:
        if known_etag and _etag_matches(if_none_match, known_etag):
            return _not_modified(known_etag, last_modified, private)
    elif if_modified_since and last_modified is not None:
        since = parse_http_date_safe(if_modified_since)
        if since is not None and last_modified.timestamp() <= since:
            return _not_modified(known_etag, last_modified, private)

    body_key = f"calendar-body:{fp}"
    body = cache.get(body_key)
    if body is not None and known_etag:
        etag = known_etag  # the body was remembered with this fingerprint: no need to hash it again
    else:
        if body is None:
            body = build()
            if len(body) <= getattr(settings, "CALENDAR_BODY_CACHE_MAX_BYTES", 2_000_000):
                cache.set(body_key, body, BODY_CACHE_SECONDS)
        etag = '"' + hashlib.sha256(body).hexdigest()[:40] + '"'
        cache.set(cache_key, etag, ETAG_CACHE_SECONDS)
    if if_none_match is not None and _etag_matches(if_none_match, etag):
        return _not_modified(etag, last_modified, private)

    response = HttpResponse(body, content_type=CONTENT_TYPE)
    _validators(response, etag, last_modified, private)
    if filename:
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _not_modified(etag, last_modified, private) -> HttpResponse:
    response = HttpResponseNotModified()
    _validators(response, etag, last_modified, private)
    return response


def _validators(response, etag, last_modified, private) -> None:
    if etag:
        response["ETag"] = etag
    if last_modified is not None:
        response["Last-Modified"] = http_date(last_modified.timestamp())
    response["Cache-Control"] = PRIVATE_CACHE_CONTROL if private else PUBLIC_CACHE_CONTROL
    if private:
        response["X-Robots-Tag"] = "noindex, nofollow"
