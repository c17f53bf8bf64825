"""Context of the record's panels on the event page (registered in record/hooks.py).

Each returns None when its panel has nothing to show, so the page carries no empty headings.
"""

from django.db.models import Q
from django.utils import timezone

from record import selectors, services
from record.forms import PriorityForm
from record.models import EventRecord, Follow, can_organise, can_submit, priorities_open

PANEL_PRIORITIES_LIMIT = 10


def previously(request, event):
    if not event.is_public or event.is_past:
        return None
    data = selectors.previously(event)
    return {"previously": data} if data else None


def agenda(request, event):
    items = selectors.agenda(event)
    organiser = can_organise(request.user, event)
    if not items and not organiser:
        return None
    return {"agenda_items": items, "can_organise": organiser}


def priorities(request, event):
    """Before the event: the questions and priorities, the viewer's dots, the form."""
    if not event.is_public or event.starts_at <= timezone.now():
        return None
    record = EventRecord.objects.filter(event=event).first()
    allowance = record.dots_per_person if record else EventRecord._meta.get_field(
        "dots_per_person"
    ).default
    board = selectors.priority_board(event, request.user, limit=PANEL_PRIORITIES_LIMIT)
    return {
        **board,
        "is_open": priorities_open(event),
        "can_submit": can_submit(request.user, event),
        "can_organise": can_organise(request.user, event),
        "allowance": allowance,
        "dots_left": allowance - board["my_dots_used"],
        "priority_form": PriorityForm(event=event, auto_id="id_priority_%s"),
    }


def record(request, event):
    """After the start: the record when published; a prompt for organisers until then."""
    if not event.is_public or event.starts_at > timezone.now():
        return None
    record = EventRecord.objects.filter(event=event).first()
    organiser = can_organise(request.user, event)
    published = record is not None and record.is_published
    pulse = services.can_answer_pulse(request.user, event)
    if not (published or organiser or pulse):
        return None
    outcomes = []
    if published:
        outcomes = list(event.outcomes.order_by("pk"))
    return {
        "record": record if published else None,
        "outcomes": outcomes,
        "can_organise": organiser,
        "can_answer_pulse": pulse,
    }


def follow(request, event):
    """Follow buttons for the event and its series (outcome updates by email)."""
    if not event.is_public or not request.user.is_authenticated:
        return None
    targets = Q(event=event)
    if event.series_id:
        targets |= Q(series_id=event.series_id)
    active = {
        "event" if event_id else "series": is_active
        for event_id, is_active in Follow.objects.filter(targets, user=request.user).values_list(
            "event_id", "active"
        )
    }
    return {"follows_event": active.get("event", False), "follows_series": active.get("series", False)}
