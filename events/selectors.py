"""Read-side queries shared by the public pages and the calendar feeds."""

import copy
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, Min, OuterRef, Q
from django.http import Http404
from django.utils import timezone

from core import fragments
from core.i18n import ShownText, interface_language
from events.filters import WHEN_PAST, WHEN_UPCOMING
from events.filters import filter_events as filter_events  # lives beside its FilterSet
from events.models import (
    CalendarChange,
    Event,
    EventRole,
    Registration,
    Series,
    Theme,
    public_person_q,
    public_q,
    roles_prefetch,
)
from events.panels import event_page_reads as registered_event_page_reads
from events.signals import EVENTS_MARKER, registrations_marker
from people.models import Organisation, Person

HOME_EVENT_COUNT = 6
# An upper bound only: home's theme counts are replaced at once when the data changes (marker).
HOME_THEMES_CACHE_SECONDS = 3600
SERIES_SIBLING_LIMIT = 12


def paginate(queryset, page_number, *, per_page=None) -> Page:
    """A page of `queryset`; a missing, malformed or too-large page number gives a real page."""
    paginator = Paginator(queryset, per_page or settings.EVENTS_PAGE_SIZE)
    return paginator.get_page(page_number)


def event_for_page(
    slug: str, user, *, cached: bool = True, page_reads=None, also_read=None
) -> Event:
    """The event at `slug` if `user` may see it (drafts only to their editors), else 404.

    Visibility is asked of the row (`Event.is_visible_to`), not as a subquery. Themes, hosts and
    people are left to `Event.listing_data()`: the page shows them in shared parts, so a page
    served from those fetches none. The row (with its venue, series, cover and roles, for the
    permission checks) is kept in the shared cache until an event changes; its registration
    counts apart, until a registration at it changes (`registration_counts`). `cached=False`
    reads the database (the organisers' preview, right after their changes). With
    `page_reads(event) -> (kinds, keys)`, what the page will read from the cache is fetched at
    once with the counts (inside `fragments.batch()`: `event_page_reads`); `also_read`, (kinds,
    keys) read with the row (the member's account: people/middleware.py `pending_user_keys`).
    """
    if also_read and cached and fragments.enabled():
        kinds, keys = also_read
        fragments.prefetch(kinds=[*PAGE_EVENT_MARKERS, *kinds], keys=[page_event_key(slug), *keys])
    event = _page_event(slug, user, cached=cached)
    if event is None:
        raise Http404
    if page_reads is not None:
        kinds, keys = page_reads(event)
        fragments.prefetch(kinds=kinds, keys=keys)
    if not hasattr(event, "confirmed_count"):
        event.confirmed_count, event.confirmed_online_count = registration_counts(event.pk)
    if not event.is_visible_to(user):
        raise Http404
    return event


def _page_event(slug: str, user, *, cached: bool) -> Event | None:
    """The row from the shared cache, or the database with its counts (for this request)."""

    def fetch(*, roles: bool) -> Event | None:
        events = Event.objects.select_related("venue", "series", "cover")
        events = events.with_registration_counts().filter(slug=slug)
        return (events.prefetch_related(roles_prefetch()) if roles else events).first()

    if not (cached and fragments.enabled()) or len(slug) > 200:
        return fetch(roles=user.is_authenticated)
    key = page_event_key(slug)
    tokens, stored = fragments.markers_and_value(PAGE_EVENT_MARKERS, key)
    event = fragments.current(tokens, stored)
    if event is not None:
        return event
    if not user.is_authenticated:
        # A visitor needs no roles: a member's request fetches them and fills the cache.
        return fetch(roles=False)
    event = fetch(roles=True)
    if event is not None:
        kept = copy.copy(event)  # without this request's counts: they are kept apart
        del kept.confirmed_count, kept.confirmed_online_count
        kept.keep_role_accounts()
        cache.set(key, (tokens, kept), fragments.FRAGMENT_SECONDS)
    return event


# The event page's row is kept until an event or an upload's variants (its cover) change.
PAGE_EVENT_MARKERS = [EVENTS_MARKER, fragments.UPLOADS_MARKER]


def page_event_key(slug: str) -> str:
    return f"events:page-event:{slug}"


def registration_counts(event_id: int) -> tuple[int, int]:
    """(confirmed places, of them online) at the event; kept until a registration changes."""

    def count():
        confirmed = Q(state=Registration.State.CONFIRMED)
        online = confirmed & Q(attendance=Registration.Attendance.ONLINE)
        counts = Registration.objects.filter(event_id=event_id).aggregate(
            total=Count("pk", filter=confirmed), online=Count("pk", filter=online)
        )
        return counts["total"], counts["online"]

    if not fragments.enabled():
        return count()
    kinds = [registrations_marker(event_id)]
    return fragments.kept_value(kinds, registration_counts_key(event_id), count)


def registration_counts_key(event_id: int) -> str:
    return f"events:registration-counts:{event_id}"


def reader_registration_key(event_id: int, user_id: int) -> str:
    return f"events:registration:{event_id}:{user_id}"


def event_page_reads(request, event: Event, reader_id=...) -> tuple[list[str], list[str]]:
    """What the event page reads from the shared cache once its row is known (the reader's
    place, places left, and whatever the panels name: events/panels.py), for one round trip.
    `reader_id`: the member's id (None for a visitor) when their account is not read yet."""
    if reader_id is ...:
        reader_id = request.user.pk if request.user.is_authenticated else None
    kinds, keys = registered_event_page_reads(request, event, reader_id)
    kinds.append(registrations_marker(event.pk))
    keys.append(registration_counts_key(event.pk))
    if reader_id is not None:
        keys.append(reader_registration_key(event.pk, reader_id))
    return kinds, keys


# The last row each process read for a slug (its id, series and dates name what the page will
# read): the page's reads are asked for before the row is read, in one round trip. Only a hint:
# every read checks what it got, and a row that changed is read again with its own keys.
_learnt_page_events: dict[str, Event] = {}
LEARNT_PAGE_EVENTS = 2000


def learnt_page_event(slug: str) -> Event | None:
    return _learnt_page_events.get(slug)


def learn_page_event(slug: str, event: Event) -> None:
    if len(_learnt_page_events) >= LEARNT_PAGE_EVENTS:
        _learnt_page_events.clear()
    _learnt_page_events[slug] = event


def event_page_version(event: Event) -> str:
    """What the shared text of `event`'s page depends on (core/skeletons.py): every change of
    an event or of what it shows (the events marker; registrations and the shared panels are
    holes of their own) and the minute (whether it and its series' other events are past)."""
    minute = int(timezone.now().timestamp() // 60)
    tokens = fragments.markers(EVENTS_MARKER, fragments.UPLOADS_MARKER)  # the cover's variants
    return f"{tokens}:{minute}"


def reader_registration(request, event: Event) -> Registration | None:
    """The reader's active registration at `event` (None when anonymous or none), remembered
    for the request and kept in the shared cache until a registration at the event changes."""
    memo = request.__dict__.setdefault("_reader_registrations", {})
    if event.pk in memo:
        return memo[event.pk]
    user = request.user
    if not (user.is_authenticated and fragments.enabled()):
        registration = active_registration(event, user)
    else:
        (registration,) = fragments.kept_value(  # a tuple: None is a value here
            [registrations_marker(event.pk)],
            reader_registration_key(event.pk, user.pk),
            lambda: (active_registration(event, user),),
        )
    memo[event.pk] = registration
    return registration


def active_registration(event: Event, user) -> Registration | None:
    """`user`'s confirmed or waitlisted registration at `event` (None when anonymous or none)."""
    if not user.is_authenticated:
        return None
    return Registration.objects.filter(
        event=event, user=user, state__in=Registration.ACTIVE_STATES
    ).first()


def other_events_in_series(event: Event) -> list[Event]:
    """The series' other public events, nearest first in time order."""
    if event.series_id is None:
        return []
    qs = (
        Event.objects.public()
        .filter(series_id=event.series_id)
        .exclude(pk=event.pk)
        .select_related("venue")
        .chronological()
    )
    return list(qs[:SERIES_SIBLING_LIMIT])


def home_events() -> list[Event]:
    qs = Event.objects.public().upcoming().with_listing_data().chronological()
    return list(qs[:HOME_EVENT_COUNT])


def themes_with_counts():
    """Every theme with its number of upcoming public events."""
    upcoming = public_q("events__") & Q(events__ends_at__gte=timezone.now())
    themes = Theme.objects.annotate(upcoming_count=Count("events", filter=upcoming))
    return themes.order_by(ShownText("name"), "pk")


def home_themes() -> list[Theme]:
    """`themes_with_counts()` for home, from the shared cache while nothing it counts changed.

    The key holds the CalendarChange marker, which moves after every committed change of an
    event, a theme or their links (events/signals.py); registrations do not move it, nor change
    the counts. The marker is read before the counts, so a change committed in between is at
    worst counted early. Time alone changes a count when an upcoming event ends: the entry is
    used only until the earliest end among the counted events.
    """
    marker = CalendarChange.objects.filter(pk=1).values_list("version", "changed_at").first()
    version, changed_at = marker or (0, None)
    stamp = changed_at.timestamp() if changed_at else 0
    # Per language: the themes are in the order of the names each language shows.
    key = f"events:home-themes:{interface_language()}:{version}:{stamp}"
    now = timezone.now()
    cached = cache.get(key)
    if cached is not None and (cached["until"] is None or now <= cached["until"]):
        return cached["themes"]
    themes = list(themes_with_counts())
    until = (
        Event.objects.public()
        .filter(ends_at__gte=now, themes__isnull=False)
        .aggregate(until=Min("ends_at"))["until"]
    )
    cache.set(key, {"themes": themes, "until": until}, HOME_THEMES_CACHE_SECONDS)
    return themes


# (events marker, the next end of an upcoming public event as a timestamp, 0 for none)
NEXT_END_KEY = "events:next-end"


def events_version(now=None) -> str:
    """What the shared fragments of event lists depend on: the events marker and the clock.

    The marker moves after every committed change of an event or of what its card shows
    (events/signals.py; registrations do not move it). Time alone changes a list when an
    upcoming public event ends (it leaves "upcoming", joins "past"): the next such moment is
    part of the version, found once per marker (one index read of event_ends_idx) and again
    each time it passes.
    """
    now = now or timezone.now()
    marker, stored = fragments.markers_and_value([EVENTS_MARKER], NEXT_END_KEY)
    next_end = fragments.current(marker, stored)
    if next_end is None or (next_end and now.timestamp() >= next_end):
        ends_at = (
            Event.objects.public().filter(ends_at__gte=now).aggregate(next=Min("ends_at"))["next"]
        )
        next_end = ends_at.timestamp() if ends_at else 0
        cache.set(NEXT_END_KEY, (marker, next_end), fragments.FRAGMENT_SECONDS)
    return f"{marker}:{next_end}"


@dataclass
class EventTimeline:
    """The upcoming or past events of one theme, series, person or organisation."""

    when: str
    upcoming_count: int
    past_count: int
    page: Page


def event_timeline(queryset, *, when: str | None, page_number) -> EventTimeline:
    """Paginated upcoming (soonest first) or past (latest first) events of `queryset`.

    Without an explicit `when`, shows upcoming events, or past ones when none are coming up.
    """
    now = timezone.now()
    counts = queryset.aggregate(
        upcoming=Count("pk", filter=Q(ends_at__gte=now)),
        past=Count("pk", filter=Q(ends_at__lt=now)),
    )
    if when not in (WHEN_UPCOMING, WHEN_PAST):
        when = WHEN_PAST if counts["upcoming"] == 0 and counts["past"] else WHEN_UPCOMING
    if when == WHEN_PAST:
        listed = queryset.past(now).reverse_chronological()
    else:
        listed = queryset.upcoming(now).chronological()
    paginator = Paginator(listed.with_listing_data(), settings.EVENTS_PAGE_SIZE)
    paginator.count = counts[when]  # already counted above: spare the paginator's COUNT query
    return EventTimeline(
        when=when,
        upcoming_count=counts["upcoming"],
        past_count=counts["past"],
        page=paginator.get_page(page_number),
    )


def public_events():
    return Event.objects.public()


def events_with_theme(theme: Theme):
    return public_events().filter(themes=theme)


def events_in_series(series: Series):
    return public_events().filter(series=series)


def public_people():
    """People whose page the public may see: listed at a public event, or named at no event at
    all (added by staff, say with an affiliation). Someone an organiser named only on drafts, or
    only in an invitation not yet accepted, has no public page (a 404, as for nobody)."""
    return Person.objects.filter(public_person_q())


def events_with_person(person: Person):
    roles = EventRole.objects.filter(event=OuterRef("pk"), person=person)
    return public_events().filter(Exists(roles))


def events_hosted_by(organisation: Organisation):
    return public_events().filter(hosts=organisation)
