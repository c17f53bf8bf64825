"""Slots on events' pages: how an app above `events` shows a panel there.

Nothing in `events` imports the apps that fill its slots.

`events` owns the event page and the pages of series, themes and organisations; the apps above it
(discussions, the event's record, its visuals) own what they add to them. Each registers its
panels once, from its `AppConfig.ready()`:

    from events.panels import register_event_panel, register_page_panel

    register_event_panel(
        slot="main",                          # "main" (under the description) or "aside" (sidebar)
        template="discussions/_event_board_panel.html",
        order=100,                            # lower comes first within the slot
        context=board_panel_context,          # optional: (request, event) -> dict, or None to hide
    )
    register_page_panel(
        page="series",                        # "series", "theme" or "organisation"
        slot="actions",                       # "head" (in <head>) or "actions" (header buttons)
        template="record/_scope_links.html",
        context=None,                         # optional: (request, obj) -> dict, or None to hide
    )

`templates/events/event_detail.html` renders each slot with `{% event_panels "main" %}`; the other
pages with `{% page_panels "series" "actions" series %}`. A panel's template gets the page's
context plus `event` (or `page_object` and `page_kind`) and whatever its `context` callable
returned; when the callable returns None the panel is not shown. Panels run on every view of their
page, so a panel must keep to a small, fixed number of queries (the query budget tests count them).
"""

from collections.abc import Callable
from dataclasses import dataclass

# page -> its slots. "event" is the event page; the others are the pages of the objects events
# are grouped by.
PAGES = {
    "event": ("main", "aside"),
    "series": ("head", "actions"),
    "theme": ("head", "actions"),
    "organisation": ("head", "actions"),
}
SLOTS = PAGES["event"]


@dataclass(frozen=True)
class EventPanel:
    slot: str
    template: str
    order: int = 100
    context: Callable | None = None
    # (request, event) -> version or None: a panel that shows every reader the same (no user,
    # no CSRF token) is rendered once per version (core/fragments.py); None renders it afresh.
    shared: Callable | None = None
    # (request, event, context) -> state or None: for a panel that shows the reader's own
    # things, what tells its outputs apart on one version of the page, beyond the page's own
    # version (core/skeletons.py `kept`): its rendering is kept per state. None renders afresh.
    state: Callable | None = None


_panels: dict[tuple[str, str], list[EventPanel]] = {
    (page, slot): [] for page, slots in PAGES.items() for slot in slots
}


def _key(page: str, slot: str) -> tuple[str, str]:
    if (page, slot) not in _panels:
        if page not in PAGES:
            raise ValueError(f"Unknown page {page!r}; pages are {', '.join(PAGES)}.")
        raise ValueError(f"Unknown {page} page slot {slot!r}; slots are {', '.join(PAGES[page])}.")
    return (page, slot)


def register_page_panel(
    *,
    page: str,
    slot: str,
    template: str,
    order: int = 100,
    context=None,
    shared=None,
    state=None,
) -> None:
    """Add a panel to a slot of one kind of page (a template already there is replaced)."""
    key = _key(page, slot)
    panels = [panel for panel in _panels[key] if panel.template != template]
    panels.append(
        EventPanel(
            slot=slot, template=template, order=order, context=context, shared=shared, state=state
        )
    )
    _panels[key] = sorted(panels, key=lambda panel: (panel.order, panel.template))


def register_event_panel(
    *, slot: str, template: str, order: int = 100, context=None, shared=None, state=None
) -> None:
    """Add a panel to a slot of the event page (a template already there is replaced)."""
    register_page_panel(
        page="event",
        slot=slot,
        template=template,
        order=order,
        context=context,
        shared=shared,
        state=state,
    )


def page_panels(page: str, slot: str) -> list[EventPanel]:
    """The panels registered for `slot` of `page`, in display order."""
    return list(_panels[_key(page, slot)])


def event_panels(slot: str) -> list[EventPanel]:
    """The panels registered for `slot` of the event page, in display order."""
    return page_panels("event", slot)


# (request, event, reader id or None) -> (marker kinds, cache keys): what a panel will read from
# the shared cache on the event page, fetched in one round trip with the page's own
# (core/fragments.py `prefetch`). The reader's id is given, not read from `request.user`: the page
# asks before the member's account is read, to read it in the same round trip.
_prefetchers: list[Callable] = []


def register_event_prefetch(prefetcher: Callable) -> None:
    """Name what an app's panels will read from the shared cache on the event page."""
    if prefetcher not in _prefetchers:
        _prefetchers.append(prefetcher)


def event_page_reads(request, event, reader_id) -> tuple[list[str], list[str]]:
    """The marker kinds and cache keys the event page's panels will read, for `event`."""
    kinds, keys = [], []
    for prefetcher in _prefetchers:
        more_kinds, more_keys = prefetcher(request, event, reader_id)
        kinds += more_kinds
        keys += more_keys
    return kinds, keys
