"""Move the change markers of events' discussions (core/fragments.py) after what they show.

A board's thread list (discussions.views.board) and the event page's board panel are kept under
`discussions_marker(event_id)` (with the events marker for theme names and the authors marker
for names), and so are its thread pages (discussions/pages.py). It moves after every committed
save or delete of the board, of one of its threads or their themes, and of a post in one of its
threads or of a post's image (reply counts, last poster and activity are counters on the thread,
kept by the services with queryset updates that send no signal). The search form's menu of
recently discussed events is kept under ANY_BOARD_MARKER, which moves with every one of them.

What the thread and board pages keep of each reader (discussions/pages.py: whether they follow,
their suspension, whether their address is confirmed) is kept under `reader_marker(user id)`,
moved after every committed change of their subscriptions, suspensions and email addresses
(`services.unfollow`'s queryset update moves it itself); a thread page's "this resonates"
tally under `resonates_marker(thread id)`, moved after every reaction saved or deleted. A thread
moved to another board, or a board to another event, moves the markers of both events (pages
know a thread's or board's event from an earlier request: discussions/pages.py).
"""

import time

from core import fragments

# Moves with every board's marker: what lists boards across events (the search form's menu of
# the most recently discussed events, discussions/search.py `search_menus`).
ANY_BOARD_MARKER = "discussions"


# Moves when a thread may have become readable or unreadable by the public (hidden or shown,
# started hidden or on an event no longer public, moved to another board, a board moved to
# another event): search's kept ids of unreadable threads (discussions/search.py
# `unreadable_threads`, which an event's change reaches through the events marker).
READABLE_MARKER = "discussions-readable"
# A save naming none of these (a counter, a pin, a lock) leaves a thread as readable as it was.
READABILITY_FIELDS = frozenset({"hidden", "board", "board_id", "event", "event_id"})


def discussions_marker(event_id) -> str:
    return f"discussions:{event_id}"


def _move(event_ids) -> None:
    for event_id in set(event_ids):
        if event_id is not None:
            fragments.move_marker_on_commit(discussions_marker(event_id), ANY_BOARD_MARKER)


def reader_marker(user_id) -> str:
    return f"discussions-reader:{user_id}"


def resonates_marker(thread_id) -> str:
    return f"resonates:{thread_id}"


def board_changed(sender, instance, raw=False, **kwargs) -> None:
    if not raw:
        _move([instance.event_id, instance.__dict__.pop("_event_was", None)])


def thread_changed(sender, instance, raw=False, **kwargs) -> None:
    from discussions.models import Board

    if not raw:
        events = Board.objects.filter(pk=instance.board_id).values_list("event_id", flat=True)
        _move([*events, instance.__dict__.pop("_event_was", None)])


def remember_event(sender, instance, raw=False, update_fields=None, **kwargs) -> None:
    """Before a board or thread is saved: the event it belonged to, when it may move."""
    from discussions.models import Board

    field = "event" if sender is Board else "board"
    if raw or instance.pk is None or (update_fields is not None and field not in update_fields):
        return
    rows = sender._default_manager.filter(pk=instance.pk)
    lookup = "event_id" if sender is Board else "board__event_id"
    instance._event_was = rows.values_list(lookup, flat=True).first()


def readability_changed(sender, instance, created=False, update_fields=None, **kwargs) -> None:
    """After a thread or board is saved: move READABLE_MARKER if a thread may have become
    readable or unreadable (a new board holds no thread; a new thread is readable when shown
    on a board of a public event, as boards are made only for those)."""
    from discussions.models import Board

    if created:
        if sender is Board:
            return
        board_public = Board.objects.public().filter(pk=instance.board_id).exists()
        if board_public and not instance.hidden:
            return
    elif update_fields is not None and not READABILITY_FIELDS & set(update_fields):
        return
    fragments.move_marker_on_commit(READABLE_MARKER)


def reader_changed(sender, instance, raw=False, **kwargs) -> None:
    if not raw and instance.user_id is not None:
        fragments.move_marker_on_commit(reader_marker(instance.user_id))


def reaction_changed(sender, instance, raw=False, **kwargs) -> None:
    from discussions.models import Post

    if raw:
        return
    post = sender._meta.get_field("post").get_cached_value(instance, None)
    if post is not None:
        thread_id = post.thread_id
    else:
        thread_id = Post.objects.filter(pk=instance.post_id).values_list("thread_id", flat=True)
        thread_id = thread_id.first()
    if thread_id is not None:
        fragments.move_marker_on_commit(resonates_marker(thread_id))


def post_changed(sender, instance, raw=False, **kwargs) -> None:
    from discussions.models import Thread

    if not raw:
        threads = Thread.objects.filter(pk=instance.thread_id)
        _move(threads.values_list("board__event_id", flat=True))


def image_changed(sender, instance, raw=False, **kwargs) -> None:
    from discussions.models import Thread

    if not raw:
        threads = Thread.objects.filter(posts=instance.post_id)
        _move(threads.values_list("board__event_id", flat=True))


def thread_themes_changed(sender, instance, action, reverse, pk_set, **kwargs) -> None:
    from discussions.models import Thread

    if not action.startswith("post_"):
        return
    if reverse:  # theme.threads.add(...): the events of the threads named
        threads = Thread.objects.filter(pk__in=pk_set or ())
        _move(threads.values_list("board__event_id", flat=True))
    else:
        thread_changed(sender, instance)


def post_themes_on_save(sender, instance, created, **kwargs) -> None:
    """A new post is on its thread's themes (discussions.models.PostTheme)."""
    from discussions.models import sync_post_themes

    if created:
        sync_post_themes(post_ids=[instance.pk], new=True)


# What a post's search row (discussions.models.PostSearch) is made of: a save naming none of
# these (a counter, a reaction's marker) leaves it as it is.
SEARCHED_FIELDS = frozenset(
    {"body_source", "hidden_at", "withdrawn_at", "thread", "thread_id", "number", "language"}
)


def post_search_on_save(sender, instance, created, update_fields=None, **kwargs) -> None:
    """A post written, edited, hidden, withdrawn or shown again: its search row follows (the
    services, the admin and anything else that saves a post)."""
    from discussions.search import update_search_vectors

    if created or update_fields is None or SEARCHED_FIELDS & set(update_fields):
        update_search_vectors(post_ids=[instance.pk])


def post_themes_on_theme_change(sender, instance, action, reverse, pk_set, **kwargs) -> None:
    """A thread's themes changed: its posts' PostTheme rows and their search rows' theme words
    follow."""
    from discussions.models import PostTheme, sync_post_themes
    from discussions.search import update_theme_words

    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if not reverse:
        sync_post_themes(thread_ids=[instance.pk])
        update_theme_words(thread_ids=[instance.pk])
    elif action == "post_clear":  # theme.threads.clear()
        PostTheme.objects.filter(theme=instance).delete()
        update_theme_words(theme_id=instance.pk)
    else:
        sync_post_themes(thread_ids=sorted(pk_set or ()))
        update_theme_words(thread_ids=sorted(pk_set or ()))


def theme_words_on_theme_delete(sender, instance, **kwargs) -> None:
    """A theme deleted: its word leaves the search rows (its PostTheme rows went with it)."""
    from discussions.search import update_theme_words

    update_theme_words(theme_id=instance.pk)


def connect() -> None:
    from allauth.account.models import EmailAddress
    from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save

    from discussions.models import (
        Board,
        Post,
        PostImage,
        Reaction,
        Subscription,
        Suspension,
        Thread,
    )
    from events.models import Theme

    handlers = (
        (Board, board_changed),
        (Thread, thread_changed),
        (Post, post_changed),
        (PostImage, image_changed),
        (Subscription, reader_changed),
        (Suspension, reader_changed),
        (EmailAddress, reader_changed),
        (Reaction, reaction_changed),
    )
    for model in (Board, Thread):
        uid = f"discussions-moves-{model._meta.label_lower}"
        pre_save.connect(remember_event, sender=model, dispatch_uid=uid)
    for model, handler in handlers:
        uid = f"discussions-marker-{model._meta.label_lower}"
        post_save.connect(handler, sender=model, dispatch_uid=f"{uid}-save")
        post_delete.connect(handler, sender=model, dispatch_uid=f"{uid}-delete")
    m2m_changed.connect(
        thread_themes_changed,
        sender=Thread.themes.through,
        dispatch_uid="discussions-marker-themes",
    )
    post_save.connect(post_themes_on_save, sender=Post, dispatch_uid="discussions-post-themes")
    post_save.connect(post_search_on_save, sender=Post, dispatch_uid="discussions-post-search")
    for model in (Board, Thread):
        uid = f"discussions-readable-{model._meta.label_lower}"
        post_save.connect(readability_changed, sender=model, dispatch_uid=uid)
    m2m_changed.connect(
        post_themes_on_theme_change,
        sender=Thread.themes.through,
        dispatch_uid="discussions-post-themes",
    )
    post_delete.connect(
        theme_words_on_theme_delete, sender=Theme, dispatch_uid="discussions-theme-words"
    )


def board_panel_version(request, event) -> str:
    """The event page's board panel shows every reader the same: its version (with the minute,
    for "5 minutes ago")."""
    from events.signals import EVENTS_MARKER

    minute = int(time.time() // 60)
    return f"{fragments.markers(discussions_marker(event.pk), EVENTS_MARKER)}:{minute}"


def board_panel_reads(request, event, reader_id) -> tuple[list[str], list[str]]:
    """The markers `board_panel_version` reads (events/panels.py: one round trip)."""
    return [discussions_marker(event.pk)], []
