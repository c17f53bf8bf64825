"""Context of the record's panels on the event page (registered in record/hooks.py).

Each returns None when its panel has nothing to show, so the page carries no empty headings.
The event page has a query budget: the panels share one "state" query per request (dot
allowance, publication, whether an agenda exists, the viewer's follows and place), and fetch
lists only when there is something to list: an upcoming event with no priorities, agenda or
open business from the series costs one query more.
"""

from django.db.models import Exists, F, OuterRef, Subquery
from django.utils import timezone

from core import fragments
from events import selectors as event_selectors
from events.signals import EVENTS_MARKER
from record import selectors
from record.forms import PriorityForm
from record.models import (
    DEFAULT_DOTS,
    RECORD_MARKER,
    AgendaItem,
    Follow,
    Outcome,
    Priority,
    can_organise,
    can_submit,
    follows_marker,
    priorities_open,
)

PANEL_PRIORITIES_LIMIT = 10


def record_state(request, event) -> dict:
    """What every record panel needs to know, remembered for this request: the event's public
    facts (shared, `_public_state`) and the reader's follows and place (`_personal_state`)."""
    memo = request.__dict__.setdefault("_record_state", {})
    if event.pk not in memo:
        memo[event.pk] = {**_public_state(event), **_personal_state(request, event)}
    return memo[event.pk]


def _public_state(event) -> dict:
    """One query, kept in the shared cache until the record (any event's: "previously" reads
    the series' event before this one) or the events change (record/hooks.py)."""
    started, past = _started(event), event.is_past

    def fetch():
        return _query_public_state(event, started=started, past=past)

    if not fragments.enabled():
        return fetch()
    return fragments.kept_value([RECORD_MARKER, EVENTS_MARKER], _public_state_key(event), fetch)


def _public_state_key(event) -> str:
    return f"record:state:{event.pk}:{int(_started(event))}:{int(event.is_past)}"


def _followed_key(user_id) -> str:
    return f"record:follows:{user_id}"


def page_reads(request, event, reader_id) -> tuple[list[str], list[str]]:
    """What the record panels read from the shared cache on `event`'s page (events/panels.py)."""
    kinds, keys = [RECORD_MARKER, EVENTS_MARKER], [_public_state_key(event)]
    if reader_id is not None:
        kinds.append(follows_marker(reader_id))
        keys.append(_followed_key(reader_id))
    return kinds, keys


def _query_public_state(event, *, started: bool, past: bool) -> dict:
    # The record is one row per event: a join, not three subqueries (cheaper to build).
    annotations = {
        "dots": F("record__dots_per_person"),
        "record_published_at": F("record__published_at"),
        "record_summary": F("record__summary"),
        "has_agenda": Exists(AgendaItem.objects.filter(event=OuterRef("pk"))),
    }
    if event.series_id and not past:
        # "Previously": does the series' event before this one leave anything open? Asked here
        # so that the common answer, no, costs no query of its own.
        previous = (
            type(event)
            .objects.public()
            .filter(
                series_id=OuterRef(OuterRef("series_id")),
                starts_at__lt=OuterRef(OuterRef("starts_at")),
            )
            .exclude(status=event.Status.CANCELLED)
            .order_by("-starts_at", "-pk")
            .values("pk")[:1]
        )
        annotations["previous_has_open"] = Exists(
            Outcome.objects.public().still_open().filter(event_id=Subquery(previous))
        )
        annotations["previous_has_unanswered"] = Exists(
            Priority.objects.unanswered().filter(event_id=Subquery(previous))
        )
    if not started:
        annotations["has_priorities"] = Exists(Priority.objects.filter(event=OuterRef("pk")))
    row = type(event).objects.filter(pk=event.pk).annotate(**annotations)
    state = row.values(*annotations).get()
    state["dots"] = state["dots"] or DEFAULT_DOTS
    return state


def _personal_state(request, event) -> dict:
    """The reader's follows (kept per member until they change one) and confirmed place."""
    user = request.user
    if not user.is_authenticated:
        return {}
    followed_events, followed_series = followed(user)
    registration = event_selectors.reader_registration(request, event)
    return {
        "follows_event": event.pk in followed_events,
        "follows_series": event.series_id in followed_series,
        "has_place": registration is not None and registration.is_confirmed,
    }


def followed(user) -> tuple[frozenset, frozenset]:
    """(ids of the events, ids of the series) `user` actively follows; kept in the shared
    cache until one of their follows changes (record/hooks.py)."""

    def fetch():
        rows = Follow.objects.active().filter(user=user).values_list("event_id", "series_id")
        events = frozenset(event for event, _series in rows if event)
        return events, frozenset(series for _event, series in rows if series)

    if not fragments.enabled():
        return fetch()
    return fragments.kept_value([follows_marker(user.pk)], _followed_key(user.pk), fetch)


def _started(event) -> bool:
    return event.starts_at <= timezone.now()


def previously(request, event):
    if not event.is_public or event.is_past or not event.series_id:
        return None
    state = record_state(request, event)
    if not (state["previous_has_open"] or state["previous_has_unanswered"]):
        return None
    data = selectors.previously(event)
    return {"previously": data} if data else None


def agenda(request, event):
    organiser = can_organise(request.user, event)
    if not event.is_public and not organiser:
        return None
    state = record_state(request, event)
    if not state["has_agenda"] and not organiser:
        return None
    items = selectors.agenda(event) if state["has_agenda"] else []
    return {"agenda_items": items, "can_organise": organiser}


def priorities(request, event):
    """Before the event: the questions and priorities, the viewer's dots, the form."""
    if not event.is_public or _started(event):
        return None
    state = record_state(request, event)
    allowance = state["dots"]
    if state["has_priorities"]:
        board = selectors.priority_board(event, request.user, limit=PANEL_PRIORITIES_LIMIT)
    else:
        board = {"items": [], "item_count": 0, "hidden_mine": [], "my_dots_used": 0}
    return {
        **board,
        "is_open": priorities_open(event),
        "can_submit": can_submit(request.user, event),
        "can_organise": can_organise(request.user, event),
        "allowance": allowance,
        "dots_left": allowance - board["my_dots_used"],
        # Its fields are a shared part of the panel: built (and the themes fetched) only when
        # that part is rendered (templates call a callable).
        "priority_form": lambda: PriorityForm(
            event=event, auto_id="id_priority_%s", themes=lambda: event.themes.all()
        ),
    }


def record(request, event):
    """After the start: the record when published; a prompt for organisers until then."""
    if not event.is_public or not _started(event):
        return None
    state = record_state(request, event)
    organiser = can_organise(request.user, event)
    published = state["record_published_at"] is not None
    pulse = bool(state.get("has_place")) and event.status == event.Status.PUBLISHED
    if not (published or organiser or pulse):
        return None
    outcomes = list(event.outcomes.order_by("pk")) if published else []
    return {
        "record": {"summary": state["record_summary"]} if published else None,
        "outcomes": outcomes,
        "can_organise": organiser,
        "can_answer_pulse": pulse,
    }


def follow(request, event):
    """Follow buttons for the event and its series (outcome updates by email)."""
    if not event.is_public or not request.user.is_authenticated:
        return None
    state = record_state(request, event)
    return {"follows_event": state["follows_event"], "follows_series": state["follows_series"]}


# The panels' states (events/panels.py `state`): what tells their outputs apart for readers of
# one version of the event page, so that their rendering is kept per state.


def priorities_state(request, event, context):
    """With no items to show, the panel differs only by these; with items, by the reader's
    dots on each: rendered afresh."""
    if context["items"] or context["hidden_mine"]:
        return None
    return (
        context["is_open"],
        context["can_submit"],
        context["can_organise"],
        context["allowance"],
        context["dots_left"],
        context["item_count"],
        request.user.is_authenticated,
    )


def follow_state(request, event, context):
    return (context["follows_event"], context["follows_series"])
