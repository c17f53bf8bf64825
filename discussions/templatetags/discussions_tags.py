"""Template tags that let event pages show discussions without events importing discussions."""

from django import template
from django.db.models import Count, Window

from discussions.models import Board, Thread
from events.models import Event

register = template.Library()

THEME_THREADS_LIMIT = 10
PANEL_THREADS_LIMIT = 3


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

    One query: the latest threads carry the total as a window count; only a board without
    threads is looked up on its own.
    """
    if not event.is_public:
        return None
    threads = list(
        Thread.objects.filter(board__event=event, hidden=False)
        .select_related("board", "last_poster")
        .annotate(total=Window(Count("pk")))
        .for_listing()[:limit]
    )
    if threads:
        return {"board": threads[0].board, "thread_count": threads[0].total, "threads": threads}
    board = Board.objects.filter(event=event).first()
    return {"board": board, "thread_count": 0, "threads": []}
