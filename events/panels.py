"""Slots on the event page: how an app above `events` shows a panel there.

Nothing in `events` imports the apps that fill its slots.

`events` owns the event page; the apps above it (discussions, the event's record, its visuals) own
what they add to it. Each registers its panels once, from its `AppConfig.ready()`:

    from events.panels import register_event_panel

    register_event_panel(
        slot="main",                          # "main" (under the description) or "aside" (sidebar)
        template="discussions/_event_board_panel.html",
        order=100,                            # lower comes first within the slot
        context=board_panel_context,          # optional: (request, event) -> dict, or None to hide
    )

`templates/events/event_detail.html` renders each slot with `{% event_panels "main" %}`. A panel's
template gets the page's context plus `event` and whatever its `context` callable returned; when
the callable returns None the panel is not shown. Panels run on every event page view, so a panel
must keep to a small, fixed number of queries (the page's query budget tests count them).
"""

from collections.abc import Callable
from dataclasses import dataclass

SLOTS = ("main", "aside")


@dataclass(frozen=True)
class EventPanel:
    slot: str
    template: str
    order: int = 100
    context: Callable | None = None


_panels: dict[str, list[EventPanel]] = {slot: [] for slot in SLOTS}


def register_event_panel(*, slot: str, template: str, order: int = 100, context=None) -> None:
    """Add a panel to a slot of the event page (a template already there is replaced)."""
    if slot not in _panels:
        raise ValueError(f"Unknown event page slot {slot!r}; slots are {', '.join(SLOTS)}.")
    panels = [panel for panel in _panels[slot] if panel.template != template]
    panels.append(EventPanel(slot=slot, template=template, order=order, context=context))
    _panels[slot] = sorted(panels, key=lambda panel: (panel.order, panel.template))


def event_panels(slot: str) -> list[EventPanel]:
    """The panels registered for `slot`, in display order."""
    if slot not in _panels:
        raise ValueError(f"Unknown event page slot {slot!r}; slots are {', '.join(SLOTS)}.")
    return list(_panels[slot])
