"""The visuals panel of the event page (registered in visuals.apps; slots: events/panels.py)."""

from core import fragments
from events.signals import EVENTS_MARKER
from visuals.models import can_contribute

PANEL_IMAGES = 12
# One query fetches the panel's rows; more than this and the panel links to the gallery.
PANEL_ROWS = 40


def visuals_marker(event_id) -> str:
    """Moved by every committed change of one of the event's visuals (visuals/apps.py)."""
    return f"visuals:{event_id}"


def page_reads(request, event, reader_id) -> tuple[list[str], list[str]]:
    """What the panel reads from the shared cache on `event`'s page (events/panels.py)."""
    kinds = [visuals_marker(event.pk), fragments.UPLOADS_MARKER, EVENTS_MARKER]
    return kinds, [f"visuals:panel-rows:{event.pk}"]


def _panel_rows(request, event) -> list:
    """The panel's rows, kept on the request (the record page's pins reuse them) and in the
    shared cache until a visual of the event, an upload's variants or a credited person (the
    events marker) changes."""
    memo = request.__dict__.setdefault("_visual_panel_rows", {})
    if event.pk not in memo:

        def fetch():
            visuals = event.visuals.published().with_display_data().in_order()
            return list(visuals[:PANEL_ROWS])

        if fragments.enabled():
            kinds, (key,) = page_reads(request, event, None)
            rows = fragments.kept_value(kinds, key, fetch)
        else:
            rows = fetch()
        memo[event.pk] = rows
    return memo[event.pk]


def gallery_panel_context(request, event) -> dict | None:
    """Published images and documents (one query); None hides the panel for readers when empty."""
    rows = _panel_rows(request, event)
    contributor = can_contribute(event, request.user)
    if not rows and not contributor:
        return None
    images = [v for v in rows if v.is_image]
    return {
        "visual_images": images[:PANEL_IMAGES],
        "visual_documents": [v for v in rows if not v.is_image],
        "visuals_more": len(images) > PANEL_IMAGES or len(rows) == PANEL_ROWS,
        "can_add_visuals": contributor,
    }


# The record page (record/slots.py): the same gallery, and pinned visuals beside their agenda item
# or outcome. The gallery's rows hold every pin unless the event has more visuals than one panel
# fetches: then one more query, shared by both kinds of item. A cap, since an event's storage
# quota already bounds how many visuals it has.
PINNED_ROWS = 200


def _pinned(request, event) -> list:
    memo = request.__dict__.setdefault("_pinned_visuals", {})
    if event.pk not in memo:
        rows = _panel_rows(request, event)
        if len(rows) < PANEL_ROWS:
            memo[event.pk] = [v for v in rows if v.agenda_item_id or v.outcome_id]
        else:
            pinned = event.visuals.published().pinned().with_display_data().in_order()
            memo[event.pk] = list(pinned[:PINNED_ROWS])
    return memo[event.pk]


def _pins_by(request, event, field: str) -> dict[int, dict]:
    pins: dict[int, dict] = {}
    for visual in _pinned(request, event):
        item_id = getattr(visual, field)
        if item_id is not None:
            pins.setdefault(item_id, {"pinned_visuals": []})["pinned_visuals"].append(visual)
    return pins


def pinned_to_agenda_items(request, event) -> dict[int, dict]:
    """{agenda item pk: {"pinned_visuals": [...]}} for the record page."""
    return _pins_by(request, event, "agenda_item_id")


def pinned_to_outcomes(request, event) -> dict[int, dict]:
    """{outcome pk: {"pinned_visuals": [...]}} for the record page."""
    return _pins_by(request, event, "outcome_id")
