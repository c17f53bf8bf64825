"""Template tags that let event pages show discussions without events importing discussions."""

from django import template
from django.db.models import Count, FilteredRelation, Q, Window

from discussions.models import Board, Thread
from events.models import Event

register = template.Library()

THEME_THREADS_LIMIT = 10
PANEL_THREADS_LIMIT = 3
PANEL_THREAD_FIELDS = ["id", "title", "slug", "pinned", "reply_count", "last_activity_at"]


@register.simple_tag
def threads_on_theme(theme, limit=THEME_THREADS_LIMIT):
    """The most active visible threads on a theme, from every event's board (bounded)."""
    return list(
        Thread.objects.on_theme(theme)
        .filter(hidden=False, board__event__status__in=Event.PUBLIC_STATUSES)
        .select_related("board__event", "last_poster")
        .most_active()[:limit]
    )


@register.simple_tag
def board_summary(event, limit=PANEL_THREADS_LIMIT):
    """What the event page shows of its board: the board (or None), thread count, latest threads.

    One query however many threads (the event page has a query budget): the board LEFT JOINed to
    its visible threads, newest first, with the total as a window count.
    """
    if not event.is_public:
        return None
    rows = list(
        Board.objects.filter(event=event)
        .annotate(
            visible=FilteredRelation("threads", condition=Q(threads__hidden=False)),
            total=Window(Count("visible__pk")),
        )
        .order_by("-visible__pinned", "-visible__last_activity_at", "-visible__pk")
        .values(
            "pk",
            "is_open",
            "closed_message",
            "total",
            *(f"visible__{name}" for name in PANEL_THREAD_FIELDS),
        )[:limit]
    )
    if not rows:
        return {"board": None, "thread_count": 0, "threads": []}
    first = rows[0]
    board = Board(pk=first["pk"], event=event, is_open=first["is_open"])
    board.closed_message = first["closed_message"]
    threads = [
        Thread(board=board, **{name: row[f"visible__{name}"] for name in PANEL_THREAD_FIELDS})
        for row in rows
        if row["visible__id"] is not None
    ]
    return {"board": board, "thread_count": first["total"], "threads": threads}
