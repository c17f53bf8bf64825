"""Move the change markers of boards (core/fragments.py) after the writes a board page shows.

A board's thread list (discussions.views.board) is kept under `board_marker(board_id)`, the
events marker (theme names) and the authors marker (names). Its marker moves after every
committed save or delete of the board, of one of its threads or their themes, and of a post in
one of its threads (reply counts, last poster and activity are counters on the thread, kept by
the services with queryset updates that send no signal of their own).
"""

from core import fragments


def board_marker(board_id) -> str:
    return f"board:{board_id}"


def _move(board_id) -> None:
    if board_id is not None:
        fragments.move_marker_on_commit(board_marker(board_id))


def board_changed(sender, instance, raw=False, **kwargs) -> None:
    if not raw:
        _move(instance.pk)


def thread_changed(sender, instance, raw=False, **kwargs) -> None:
    if not raw:
        _move(instance.board_id)


def post_changed(sender, instance, raw=False, **kwargs) -> None:
    from discussions.models import Thread

    if raw:
        return
    board_id = Thread.objects.filter(pk=instance.thread_id).values_list("board_id", flat=True)
    _move(board_id.first())


def thread_themes_changed(sender, instance, action, reverse, pk_set, **kwargs) -> None:
    from discussions.models import Thread

    if not action.startswith("post_"):
        return
    if reverse:  # theme.threads...: the boards of the threads named
        boards = Thread.objects.filter(pk__in=pk_set or ()).values_list("board_id", flat=True)
        for board_id in set(boards):
            _move(board_id)
    else:
        _move(instance.board_id)


def connect() -> None:
    from django.db.models.signals import m2m_changed, post_delete, post_save

    from discussions.models import Board, Post, Thread

    for model, handler in ((Board, board_changed), (Thread, thread_changed), (Post, post_changed)):
        uid = f"board-marker-{model._meta.label_lower}"
        post_save.connect(handler, sender=model, dispatch_uid=f"{uid}-save")
        post_delete.connect(handler, sender=model, dispatch_uid=f"{uid}-delete")
    m2m_changed.connect(
        thread_themes_changed, sender=Thread.themes.through, dispatch_uid="board-marker-themes"
    )
