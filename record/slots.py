"""Slots on the record page: how an app above `record` (visuals) shows itself there.

Nothing in `record` imports the apps that fill them. Like the event page's slots
(events/panels.py), an app registers once, from its `AppConfig.ready()`:

    from record.slots import register_item_panel, register_record_panel

    register_record_panel(
        slot="main",                          # "main" (the record's column) or "aside"
        template="visuals/_record_panel.html",
        order=50,                             # lower comes first within the slot
        context=record_gallery_context,       # optional: (request, event) -> dict, or None to hide
    )
    register_item_panel(
        kind="outcome",                       # "agenda_item" or "outcome"
        template="visuals/_pinned.html",
        context=pinned_outcome_context,       # (request, event) -> {item pk: dict}
    )

`templates/record/event_record.html` renders `{% record_panels "main" %}`; beside each agenda item
and outcome it renders `{% item_panels "outcome" outcome %}`. An item panel's callable is asked
once per page for every item of the event (so a long record costs no more queries than a short
one); the item's template gets the page's context plus `item` and the dict kept for that item.
"""

from collections.abc import Callable
from dataclasses import dataclass

SLOTS = ("main", "aside")
ITEM_KINDS = ("agenda_item", "outcome")


@dataclass(frozen=True)
class RecordPanel:
    key: str  # a slot, or an item kind
    template: str
    order: int = 100
    context: Callable | None = None


_panels: dict[str, list[RecordPanel]] = {key: [] for key in (*SLOTS, *ITEM_KINDS)}


def _register(key: str, template: str, order: int, context) -> None:
    panels = [panel for panel in _panels[key] if panel.template != template]
    panels.append(RecordPanel(key=key, template=template, order=order, context=context))
    _panels[key] = sorted(panels, key=lambda panel: (panel.order, panel.template))


def register_record_panel(*, slot: str, template: str, order: int = 100, context=None) -> None:
    """Add a panel to a slot of the record page (a template already there is replaced)."""
    if slot not in SLOTS:
        raise ValueError(f"Unknown record page slot {slot!r}; slots are {', '.join(SLOTS)}.")
    _register(slot, template, order, context)


def register_item_panel(*, kind: str, template: str, context, order: int = 100) -> None:
    """Show something beside each agenda item or outcome of the record page that `context`
    (called once per page: (request, event) -> {item pk: dict}) has something for."""
    if kind not in ITEM_KINDS:
        raise ValueError(f"Unknown record item kind {kind!r}; kinds are {', '.join(ITEM_KINDS)}.")
    _register(kind, template, order, context)


def record_panels(slot: str) -> list[RecordPanel]:
    if slot not in SLOTS:
        raise ValueError(f"Unknown record page slot {slot!r}; slots are {', '.join(SLOTS)}.")
    return list(_panels[slot])


def item_panels(kind: str) -> list[RecordPanel]:
    if kind not in ITEM_KINDS:
        raise ValueError(f"Unknown record item kind {kind!r}; kinds are {', '.join(ITEM_KINDS)}.")
    return list(_panels[kind])
