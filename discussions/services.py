"""Writes on boards, threads and posts. Views, admin, commands and tests all call these.

Every function takes keyword arguments, runs in one transaction, and sends mail only after
commit (core.mail.send_email_on_commit). Contested rows (a thread receiving replies) are locked
with select_for_update so that post numbers and counters stay exact.
"""

import time

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.mail import send_email_on_commit
from core.services import store_uploads
from discussions.models import (
    MAX_POST_IMAGES,
    Board,
    Flag,
    Post,
    PostImage,
    PostRevision,
    Subscription,
    Thread,
)
from discussions.rendering import RENDERER_VERSION, render_markdown
from discussions.search import update_search_vectors

UNSUBSCRIBE_SALT = "discussions.unsubscribe"


class PostingRefused(ValidationError):
    """A reply the board, thread or rate limit does not accept right now (nothing was saved)."""


class RateLimited(PostingRefused):
    pass


# --- rate limit ---------------------------------------------------------------------------------


def posts_per_minute() -> int:
    return getattr(settings, "DISCUSSIONS_POSTS_PER_MINUTE", 5)


def check_rate_limit(user) -> None:
    """Count one post for `user` in this minute; refuse beyond the limit.

    Uses the Django cache so that with a shared cache (Redis) the limit holds across workers:
    `add` creates the window's counter atomically, `incr` increments it atomically.
    """
    limit = posts_per_minute()
    if limit <= 0:
        return
    window = int(time.time() // 60)
    key = f"discussions:posts:{user.pk}:{window}"
    cache.add(key, 0, timeout=120)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=120)
        count = 1
    if count > limit:
        raise RateLimited(
            _(
                "You are posting very fast: at most %(limit)s posts a minute. "
                "Your text is kept below; please wait a moment and send it again."
            )
            % {"limit": limit},
            code="rate_limited",
        )


# --- helpers ------------------------------------------------------------------------------------


def _rendered(body: str) -> dict:
    return {
        "body_source": body,
        "body_html": render_markdown(body),
        "renderer_version": RENDERER_VERSION,
    }


def _require(condition: bool) -> None:
    if not condition:
        raise PermissionDenied


def _follow(user, *, thread=None, board=None, explicit: bool) -> Subscription:
    """Follow a thread or board. Automatic follows never revive an explicit unfollow."""
    subscription, created = Subscription.objects.get_or_create(
        user=user, thread=thread, board=board, defaults={"active": True}
    )
    if explicit and not subscription.active:
        subscription.active = True
        subscription.save(update_fields=["active"])
    return subscription


def _attach_images(post: Post, images, *, author, board: Board) -> None:
    """Keep `images` ([(core.uploads.CleanFile, alt text), ...]) with `post`, in order.

    They count towards the author's daily upload quota and the event's total (core.services).
    """
    images = list(images)
    if not images:
        return
    if len(images) > MAX_POST_IMAGES:
        raise ValidationError(
            _("A post can have at most %(max)s images.") % {"max": MAX_POST_IMAGES},
            code="too_many_images",
        )
    if any(not alt.strip() for _clean, alt in images):
        raise ValidationError(_("Every image needs alt text."), code="alt_text")
    uploads = store_uploads(
        files=[clean for clean, _alt in images], user=author, scope=f"event:{board.event_id}"
    )
    PostImage.objects.bulk_create(
        PostImage(post=post, upload=upload, alt_text=alt.strip(), order=index)
        for index, (upload, (_clean, alt)) in enumerate(zip(uploads, images, strict=True))
    )


# --- threads and posts --------------------------------------------------------------------------


@transaction.atomic
def start_thread(*, board: Board, author, title: str, body: str, themes=(), images=()) -> Thread:
    """Open a thread with its first post (and its `images`); the author follows it."""
    _require(author.is_authenticated and author.is_active)
    if not board.is_open:
        raise PostingRefused(
            _("This board is closed: it can be read but takes no new posts."), code="closed"
        )
    check_rate_limit(author)
    now = timezone.now()
    thread = Thread.objects.create(
        board=board,
        title=title.strip(),
        author=author,
        created_at=now,
        last_activity_at=now,
        last_poster=author,
    )
    thread.themes.set(themes)
    post = Post.objects.create(
        thread=thread, number=1, author=author, created_at=now, **_rendered(body)
    )
    thread.last_post = post
    thread.save(update_fields=["last_post"])
    _attach_images(post, images, author=author, board=board)
    update_search_vectors(post_ids=[post.pk])
    _follow(author, thread=thread, explicit=False)
    _notify_new_post(post, include_thread_followers=False)
    return thread


@transaction.atomic
def post_reply(
    *, thread: Thread, author, body: str, reply_to: Post | None = None, images=()
) -> Post:
    """Add a reply (with its `images`); the author follows the thread; followers are emailed
    after commit."""
    _require(author.is_authenticated and author.is_active)
    thread = Thread.objects.select_for_update().select_related("board__event").get(pk=thread.pk)
    reason = thread.refusal_reason()
    if reason:
        raise PostingRefused(reason, code="refused")
    if reply_to is not None and reply_to.thread_id != thread.pk:
        raise ValidationError(_("You can only answer a post in the same thread."), code="reply_to")
    check_rate_limit(author)
    now = timezone.now()
    post = Post.objects.create(
        thread=thread,
        number=thread.reply_count + 2,
        author=author,
        reply_to=reply_to,
        created_at=now,
        **_rendered(body),
    )
    thread.reply_count += 1
    thread.last_post = post
    thread.last_poster = author
    thread.last_activity_at = now
    thread.save(update_fields=["reply_count", "last_post", "last_poster", "last_activity_at"])
    _attach_images(post, images, author=author, board=thread.board)
    update_search_vectors(post_ids=[post.pk])
    _follow(author, thread=thread, explicit=False)
    _notify_new_post(post)
    return post


@transaction.atomic
def edit_post(*, post: Post, editor, body: str) -> Post:
    """Replace a post's text, keeping the old text as a revision. Edits notify nobody."""
    post = Post.objects.select_for_update().get(pk=post.pk)
    _require(post.can_edit(editor))
    if body == post.body_source:
        return post
    PostRevision.objects.create(post=post, body_source=post.body_source, editor=editor)
    for name, value in _rendered(body).items():
        setattr(post, name, value)
    post.edited_at = timezone.now()
    post.save(update_fields=["body_source", "body_html", "renderer_version", "edited_at"])
    update_search_vectors(post_ids=[post.pk])
    return post


@transaction.atomic
def withdraw_post(*, post: Post, user) -> Post:
    """The author takes a post back: it stays in place (numbering and replies keep their sense)."""
    _require(post.can_edit(user))
    post.withdrawn_at = timezone.now()
    post.save(update_fields=["withdrawn_at"])
    return post


@transaction.atomic
def hide_post(*, post: Post, moderator) -> Post:
    _require(post.thread.board.can_moderate(moderator))
    if post.hidden_at is None:
        post.hidden_at = timezone.now()
        post.hidden_by = moderator
        post.save(update_fields=["hidden_at", "hidden_by"])
    return post


@transaction.atomic
def restore_post(*, post: Post, moderator) -> Post:
    _require(post.thread.board.can_moderate(moderator))
    post.hidden_at = None
    post.hidden_by = None
    post.save(update_fields=["hidden_at", "hidden_by"])
    return post


def _set_thread_flag(thread: Thread, moderator, **values) -> Thread:
    _require(thread.board.can_moderate(moderator))
    for name, value in values.items():
        setattr(thread, name, value)
    thread.save(update_fields=list(values))
    return thread


def lock_thread(*, thread: Thread, moderator) -> Thread:
    return _set_thread_flag(thread, moderator, locked=True)


def unlock_thread(*, thread: Thread, moderator) -> Thread:
    return _set_thread_flag(thread, moderator, locked=False)


def pin_thread(*, thread: Thread, moderator) -> Thread:
    return _set_thread_flag(thread, moderator, pinned=True)


def unpin_thread(*, thread: Thread, moderator) -> Thread:
    return _set_thread_flag(thread, moderator, pinned=False)


def hide_thread(*, thread: Thread, moderator) -> Thread:
    return _set_thread_flag(thread, moderator, hidden=True)


def unhide_thread(*, thread: Thread, moderator) -> Thread:
    return _set_thread_flag(thread, moderator, hidden=False)


def close_board(*, board: Board, user, message: str = "") -> Board:
    """Make a board read-only, with a message for readers. For the event's organisers."""
    _require(board.can_moderate(user))
    board.is_open = False
    board.closed_message = message.strip()
    board.closed_at = timezone.now()
    board.closed_by = user
    board.save(update_fields=["is_open", "closed_message", "closed_at", "closed_by"])
    return board


def reopen_board(*, board: Board, user) -> Board:
    _require(board.can_moderate(user))
    board.is_open = True
    board.closed_at = None
    board.closed_by = None
    board.save(update_fields=["is_open", "closed_at", "closed_by"])
    return board


# --- flags --------------------------------------------------------------------------------------


def flag_post(
    *, post: Post, reporter, reason: str, text: str = "", image: PostImage | None = None
) -> Flag:
    """Report a post, or one of its images, to moderators (one open flag per person and item)."""
    _require(reporter.is_authenticated and reporter.is_active)
    _require(image is None or image.post_id == post.pk)
    try:
        with transaction.atomic():
            return Flag.objects.create(
                post=post, image=image, reporter=reporter, reason=reason, text=text
            )
    except IntegrityError:
        message = (
            _("You have already flagged this image.")
            if image
            else _("You have already flagged this post.")
        )
        raise ValidationError(message, code="duplicate") from None


@transaction.atomic
def resolve_flag(*, flag: Flag, moderator, hide: bool = False) -> Flag:
    """Close a flag; optionally hide what it reports (the image, or else the post). Resolves
    every open flag on that same item."""
    _require(flag.post.thread.board.can_moderate(moderator))
    if flag.image_id:
        if hide:
            hide_image(image=flag.image, moderator=moderator)
        same = Flag.objects.open().filter(image=flag.image_id)
    else:
        if hide:
            hide_post(post=flag.post, moderator=moderator)
        same = Flag.objects.open().filter(post=flag.post, image__isnull=True)
    same.update(resolved_at=timezone.now(), resolved_by=moderator)
    flag.refresh_from_db()
    return flag


@transaction.atomic
def hide_image(*, image: PostImage, moderator) -> PostImage:
    _require(image.post.thread.board.can_moderate(moderator))
    if image.hidden_at is None:
        image.hidden_at = timezone.now()
        image.hidden_by = moderator
        image.save(update_fields=["hidden_at", "hidden_by"])
    return image


@transaction.atomic
def restore_image(*, image: PostImage, moderator) -> PostImage:
    _require(image.post.thread.board.can_moderate(moderator))
    image.hidden_at = None
    image.hidden_by = None
    image.save(update_fields=["hidden_at", "hidden_by"])
    return image


# --- following and notifications ----------------------------------------------------------------


def follow(*, user, thread: Thread | None = None, board: Board | None = None) -> Subscription:
    _require(user.is_authenticated and user.is_active)
    return _follow(user, thread=thread, board=board, explicit=True)


def unfollow(*, user, thread: Thread | None = None, board: Board | None = None) -> None:
    _require(user.is_authenticated)
    Subscription.objects.filter(user=user, thread=thread, board=board).update(active=False)


def unsubscribe_token(subscription: Subscription) -> str:
    """A signed token that ends this one subscription (it is no sign-in and grants nothing else)."""
    return signing.dumps({"s": subscription.pk, "u": subscription.user_id}, salt=UNSUBSCRIBE_SALT)


def subscription_from_token(token: str) -> Subscription:
    """The subscription a token names; Subscription.DoesNotExist for bad or stale tokens."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
        return Subscription.objects.select_related("thread", "board__event", "user").get(
            pk=int(data["s"]), user_id=int(data["u"])
        )
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise Subscription.DoesNotExist from None


def unsubscribe(*, subscription: Subscription) -> None:
    subscription.active = False
    subscription.save(update_fields=["active"])


def _recipients(post: Post, *, include_thread_followers: bool) -> dict:
    """user -> the subscription that makes them hear of this post (thread before board)."""
    subs = Subscription.objects.active().select_related("user").filter(user__is_active=True)
    chosen: dict[int, Subscription] = {}
    if include_thread_followers:
        for sub in subs.filter(thread=post.thread):
            chosen[sub.user_id] = sub
    for sub in subs.filter(board=post.thread.board_id):
        chosen.setdefault(sub.user_id, sub)
    chosen.pop(post.author_id, None)
    return chosen


def _notify_new_post(post: Post, *, include_thread_followers: bool = True) -> None:
    thread = post.thread
    event = thread.board.event
    permalink = settings.SITE_URL + post.get_absolute_url()
    for sub in _recipients(post, include_thread_followers=include_thread_followers).values():
        unsubscribe_url = settings.SITE_URL + reverse(
            "discussions:unsubscribe", kwargs={"token": unsubscribe_token(sub)}
        )
        context = {
            "post": post,
            "thread": thread,
            "event": event,
            "recipient": sub.user,
            "subscription": sub,
            "permalink": permalink,
            "unsubscribe_url": unsubscribe_url,
        }
        send_email_on_commit(
            to=[sub.user.email],
            subject=_("[%(event)s] %(title)s") % {"event": event.title, "title": thread.title},
            text=render_to_string("discussions/email/new_post.txt", context),
            html=render_to_string("discussions/email/new_post.html", context),
            headers={
                "List-Unsubscribe": f"<{unsubscribe_url}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                "List-Id": f"<board-{thread.board_id}.commons>",
            },
        )
