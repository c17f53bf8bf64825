"""Writes on boards, threads and posts. Views, admin, commands and tests all call these.

Every function takes keyword arguments, runs in one transaction, and sends mail only after
commit (core.mail.send_email_on_commit). Contested rows (a thread receiving replies) are locked
with select_for_update so that post numbers and counters stay exact.
"""

import re
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core import fragments
from core.i18n import in_language_of, interface_language
from core.mail import send_email_on_commit
from core.ratelimit import count_recent
from core.services import store_uploads
from discussions.models import (
    MAX_POST_IMAGES,
    Board,
    DigestDelivery,
    Flag,
    ModerationAlert,
    Post,
    PostImage,
    PostRevision,
    Reaction,
    Subscription,
    Suspension,
    Thread,
)
from discussions.rendering import RENDERER_VERSION, render_markdown
from discussions.signals import reader_marker
from people.models import User

UNSUBSCRIBE_SALT = "discussions.unsubscribe"


class PostingRefused(ValidationError):
    """A reply the board, thread or rate limit does not accept right now (nothing was saved)."""


class RateLimited(PostingRefused):
    pass


# --- rate limit ---------------------------------------------------------------------------------


def posts_per_minute() -> int:
    return getattr(settings, "DISCUSSIONS_POSTS_PER_MINUTE", 5)


def edits_per_minute() -> int:
    return getattr(settings, "DISCUSSIONS_EDITS_PER_MINUTE", 10)


def flags_per_minute() -> int:
    return getattr(settings, "DISCUSSIONS_FLAGS_PER_MINUTE", 5)


def check_rate_limit(user) -> None:
    """Count one post (thread or reply) for `user` in this minute; refuse beyond the limit."""
    limit = posts_per_minute()
    if limit > 0 and count_recent(f"discussions:posts:{user.pk}") > limit:
        raise RateLimited(
            _(
                "You are posting very fast: at most %(limit)s posts a minute. "
                "Your text is kept below; please wait a moment and send it again."
            )
            % {"limit": limit},
            code="rate_limited",
        )


# How long an edit in flight may hold its account's lock if the process dies before releasing it.
EDIT_IN_FLIGHT_SECONDS = 30


def check_edit_rate_limit(user) -> None:
    """Count one edit for `user` in this minute; refuse beyond the limit (edits are rendered
    and indexed like posts, so they cost like posts)."""
    limit = edits_per_minute()
    if limit > 0 and count_recent(f"discussions:edits:{user.pk}") > limit:
        raise RateLimited(
            _(
                "You are editing very fast: at most %(limit)s edits a minute. "
                "Your text is kept below; please wait a moment and save it again."
            )
            % {"limit": limit},
            code="rate_limited",
        )


def check_flag_rate_limit(user) -> None:
    """Count one flag for `user` in the last minute; refuse beyond the limit. Each flag mails
    the board's moderators; flags have their own counter, so flagging never stops anyone posting."""
    limit = flags_per_minute()
    if limit > 0 and count_recent(f"discussions:flags:{user.pk}") > limit:
        raise RateLimited(
            _("You are flagging very fast: please wait a minute, then flag it again."),
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


def check_may_post(user) -> None:
    """Refuse a post, thread, flag or "this resonates" from a member who may not take part
    yet or now: a suspended one (saying until when and why), or one who has not confirmed
    their email address (see `unverified_refusal`)."""
    suspension = Suspension.objects.current_for(user)
    if suspension is not None:
        raise PostingRefused(suspension.refusal, code="suspended")
    if not user.has_verified_email:
        raise PostingRefused(unverified_refusal(), code="unverified")


def unverified_refusal() -> str:
    return _(
        "Confirm your email address before you post: open the link we emailed you when you "
        "signed up, or ask for a new one."
    )


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


def start_thread(*, board: Board, author, title: str, body: str, themes=(), images=()) -> Thread:
    """Open a thread with its first post (and its `images`); the author follows it."""
    _require(author.is_authenticated and author.is_active)
    if not board.is_open:
        raise PostingRefused(
            _("This board is closed: it can be read but takes no new posts."), code="closed"
        )
    check_may_post(author)
    check_rate_limit(author)
    # Rendered before the transaction: no transaction stays open while Markdown is parsed.
    rendered = _rendered(body)
    with transaction.atomic():
        return _start_thread(
            board=board, author=author, title=title, rendered=rendered, themes=themes, images=images
        )


def _start_thread(*, board, author, title, rendered, themes, images) -> Thread:
    now = timezone.now()
    language = interface_language()  # the writer's: they wrote in the interface they read
    thread = Thread.objects.create(
        board=board,
        title=title.strip(),
        language=language,
        author=author,
        created_at=now,
        last_activity_at=now,
        last_poster=author,
    )
    thread.themes.set(themes)
    post = Post.objects.create(
        thread=thread,
        number=1,
        author=author,
        created_at=now,
        language=language,
        **rendered,
    )
    thread.last_post = post
    thread.save(update_fields=["last_post"])
    _attach_images(post, images, author=author, board=board)
    _follow(author, thread=thread, explicit=False)
    mentioned = _notify_mentions(post)
    _notify_new_post(post, include_thread_followers=False, skip=mentioned)
    return thread


def post_reply(
    *, thread: Thread, author, body: str, reply_to: Post | None = None, images=()
) -> Post:
    """Add a reply (with its `images`); the author follows the thread; followers are emailed
    after commit."""
    _require(author.is_authenticated and author.is_active)
    check_may_post(author)
    check_rate_limit(author)
    # Rendered before the thread's row is locked: other replies to it never wait for a parse.
    rendered = _rendered(body)
    with transaction.atomic():
        return _post_reply(
            thread=thread, author=author, rendered=rendered, reply_to=reply_to, images=images
        )


def _post_reply(*, thread: Thread, author, rendered: dict, reply_to, images) -> Post:
    thread = Thread.objects.select_for_update().select_related("board__event").get(pk=thread.pk)
    reason = thread.refusal_reason()
    if reason:
        raise PostingRefused(reason, code="refused")
    if reply_to is not None and reply_to.thread_id != thread.pk:
        raise ValidationError(_("You can only answer a post in the same thread."), code="reply_to")
    now = timezone.now()
    post = Post.objects.create(
        thread=thread,
        number=thread.reply_count + 2,
        author=author,
        reply_to=reply_to,
        created_at=now,
        language=interface_language(),
        **rendered,
    )
    thread.reply_count += 1
    thread.last_post = post
    thread.last_poster = author
    thread.last_activity_at = now
    thread.save(update_fields=["reply_count", "last_post", "last_poster", "last_activity_at"])
    _attach_images(post, images, author=author, board=thread.board)
    _follow(author, thread=thread, explicit=False)
    mentioned = _notify_mentions(post)
    _notify_new_post(post, skip=mentioned)
    return post


def edit_post(*, post: Post, editor, body: str) -> Post:
    """Replace a post's text, keeping the old text as a revision. Edits notify nobody.

    Edits are rate-limited like posts, and rendered before the post's row is locked."""
    _require(post.can_edit(editor))
    if body == post.body_source:
        return post
    check_edit_rate_limit(editor)
    # One edit in flight per account: eight simultaneous 20,000-character edits by one account
    # would take both cores for a moment and make everyone else's pages wait for CPU.
    in_flight = f"discussions:editing:{editor.pk}"
    if not cache.add(in_flight, 1, timeout=EDIT_IN_FLIGHT_SECONDS):
        raise RateLimited(
            _(
                "Your previous edit is still being saved. Your text is kept below; "
                "please save it again in a moment."
            ),
            code="rate_limited",
        )
    try:
        rendered = _rendered(body)
        with transaction.atomic():
            return _save_edit(post=post, editor=editor, rendered=rendered)
    finally:
        cache.delete(in_flight)


def _save_edit(*, post: Post, editor, rendered: dict) -> Post:
    post = Post.objects.select_for_update().get(pk=post.pk)
    _require(post.can_edit(editor))  # again, under the lock: it may have been hidden meanwhile
    if rendered["body_source"] == post.body_source:
        return post
    PostRevision.objects.create(post=post, body_source=post.body_source, editor=editor)
    for name, value in rendered.items():
        setattr(post, name, value)
    post.edited_at = timezone.now()
    post.save(update_fields=["body_source", "body_html", "renderer_version", "edited_at"])
    return post


@transaction.atomic
def withdraw_post(*, post: Post, user) -> Post:
    """The author takes a post back: it stays in place (numbering and replies keep their sense)."""
    _require(post.can_withdraw(user))
    post.withdrawn_at = timezone.now()
    post.save(update_fields=["withdrawn_at"])
    return post


@transaction.atomic
def hide_post(*, post: Post, moderator, reason: str) -> Post:
    """Hide a post from everyone but its author and moderators; the author is told why."""
    _require(post.thread.board.can_moderate(moderator))
    if post.hidden_at is None:
        post.hidden_at = timezone.now()
        post.hidden_by = moderator
        post.hidden_reason = reason.strip()
        post.save(update_fields=["hidden_at", "hidden_by", "hidden_reason"])
        _email_author_post_hidden(post)
    return post


@transaction.atomic
def restore_post(*, post: Post, moderator) -> Post:
    _require(post.thread.board.can_moderate(moderator))
    post.hidden_at = None
    post.hidden_by = None
    post.hidden_reason = ""
    post.save(update_fields=["hidden_at", "hidden_by", "hidden_reason"])
    return post


def _email_author_post_hidden(post: Post) -> None:
    author = post.author
    if author is None or not author.is_active or author.pk == post.hidden_by_id:
        return
    context = {
        "post": post,
        "thread": post.thread,
        "recipient": author,
        "permalink": settings.SITE_URL + post.get_absolute_url(),
    }
    send_email_on_commit(
        to=[author.email],
        subject=_("A moderator hid your post in “%(title)s”") % {"title": post.thread.title},
        text=render_to_string("discussions/email/post_hidden.txt", context),
    )


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
    """Report a post, or one of its images, to moderators (one open flag per person and item);
    the board's moderators are emailed."""
    _require(reporter.is_authenticated and reporter.is_active)
    _require(image is None or image.post_id == post.pk)
    check_may_post(reporter)
    check_flag_rate_limit(reporter)
    try:
        with transaction.atomic():
            flag = Flag.objects.create(
                post=post, image=image, reporter=reporter, reason=reason, text=text
            )
            alert_moderators(board=post.thread.board)
            return flag
    except IntegrityError:
        message = (
            _("You have already flagged this image.")
            if image
            else _("You have already flagged this post.")
        )
        raise ValidationError(message, code="duplicate") from None


@transaction.atomic
def resolve_flag(*, flag: Flag, moderator, hide: bool = False, reason: str = "") -> Flag:
    """Close a flag; optionally hide what it reports (the image, or else the post, with the
    reason its author is told). Resolves every open flag on that same item; whoever flagged it
    hears the outcome."""
    _require(flag.post.thread.board.can_moderate(moderator))
    if flag.image_id:
        if hide:
            hide_image(image=flag.image, moderator=moderator)
        same = Flag.objects.open().filter(image=flag.image_id)
    else:
        if hide:
            hide_post(post=flag.post, moderator=moderator, reason=reason)
        same = Flag.objects.open().filter(post=flag.post, image__isnull=True)
    resolved = list(same.select_related("reporter"))
    Flag.objects.filter(pk__in=[f.pk for f in resolved]).update(
        resolved_at=timezone.now(), resolved_by=moderator
    )
    for closed in resolved:
        if closed.reporter.is_active and closed.reporter_id != moderator.pk:
            context = {"flag": closed, "post": flag.post, "hidden": hide}
            send_email_on_commit(
                to=[closed.reporter.email],
                subject=_("The post you flagged in “%(title)s”")
                % {"title": flag.post.thread.title},
                text=render_to_string("discussions/email/flag_outcome.txt", context),
            )
    flag.refresh_from_db()
    return flag


# --- @mentions ------------------------------------------------------------------------------------

MENTION_CANDIDATES_LIMIT = 500


def mentioned_members(post: Post) -> list:
    """Members named as "@Their Name" in the post: people who have posted on this board or
    organise its event (a name must be someone already in the conversation)."""
    text = post.body_source.casefold()
    if "@" not in text:
        return []
    board = post.thread.board
    posters = Post.objects.filter(thread__board=board).values("author_id")
    candidates = User.objects.filter(
        Q(pk__in=posters) | Q(pk__in=board.event.organiser_user_ids()), is_active=True
    ).exclude(pk=post.author_id)[:MENTION_CANDIDATES_LIMIT]
    found = []
    for member in candidates:
        name = member.public_name.casefold()
        for match in re.finditer(re.escape("@" + name), text):
            after = text[match.end() : match.end() + 1]
            if not after or not (after.isalnum() or after == "_"):
                found.append(member)
                break
    return found


def _notify_mentions(post: Post) -> set[int]:
    """Email each member named in the post (if they want mention emails); returns who was told."""
    thread = post.thread
    told = set()
    for member in mentioned_members(post):
        if not member.email_mentions or not thread.is_visible_to(member):
            continue
        context = {
            "post": post,
            "thread": thread,
            "event": thread.board.event,
            "recipient": member,
            "permalink": settings.SITE_URL + post.get_absolute_url(),
            "account_url": settings.SITE_URL + reverse("people:account"),
        }
        send_email_on_commit(
            to=[member.email],
            subject=_("%(name)s mentioned you in “%(title)s”")
            % {"name": post.author.public_name, "title": thread.title},
            text=render_to_string("discussions/email/mention.txt", context),
        )
        told.add(member.pk)
    return told


# --- "this resonates" ----------------------------------------------------------------------------


def toggle_resonates(*, post: Post, user) -> bool:
    """Say a post resonates, or take it back; returns whether it now does. Not on hidden posts,
    not your own, not while suspended."""
    _require(user.is_authenticated and user.is_active and post.is_shown)
    _require(post.author_id != user.pk)
    check_may_post(user)
    deleted, _rows = Reaction.objects.filter(post=post, user=user).delete()
    if deleted:
        return False
    try:
        with transaction.atomic():
            Reaction.objects.create(post=post, user=user)
    except IntegrityError:  # a double click: the other request made it
        pass
    return True


# --- moderator alerts: at most one email per moderator per interval, later flags batched --------

FLAG_ALERT_INTERVAL = timedelta(minutes=15)


def alert_moderators(*, board: Board) -> None:
    """Tell the board's moderators of a new flag: now, or in the next batch if one was just sent."""
    now = timezone.now()
    for moderator in board.moderator_users():
        alert, _created = ModerationAlert.objects.select_for_update().get_or_create(
            moderator=moderator
        )
        if alert.last_sent_at is None or now - alert.last_sent_at >= FLAG_ALERT_INTERVAL:
            _send_flag_alert(alert, now=now)
        elif alert.due_at is None:
            alert.due_at = alert.last_sent_at + FLAG_ALERT_INTERVAL
            alert.save(update_fields=["due_at"])
            _schedule_flag_alerts(run_after=alert.due_at)


def send_due_moderation_alerts(*, now=None) -> int:
    """Send every batch whose time has come; returns how many emails. Safe to run twice."""
    now = now or timezone.now()
    sent = 0
    due = ModerationAlert.objects.filter(due_at__lte=now).values_list("pk", flat=True)
    for pk in list(due):
        with transaction.atomic():
            alert = (
                ModerationAlert.objects.select_for_update()
                .select_related("moderator")
                .filter(pk=pk, due_at__lte=now)
                .first()
            )
            if alert is not None:
                sent += _send_flag_alert(alert, now=now)
    return sent


def _send_flag_alert(alert: ModerationAlert, *, now) -> int:
    """Email the flags opened since the last alert on boards this moderator handles."""
    flags = Flag.objects.open().for_moderator(alert.moderator).select_related("post__thread")
    if alert.last_sent_at is not None:
        flags = flags.filter(created_at__gt=alert.last_sent_at)
    flags = list(flags.order_by("created_at", "pk")[:50])
    alert.last_sent_at, alert.due_at = now, None
    alert.save(update_fields=["last_sent_at", "due_at"])
    if not flags:
        return 0
    context = {
        "recipient": alert.moderator,
        "flags": flags,
        "queue_url": settings.SITE_URL + reverse("discussions:moderation"),
    }
    send_email_on_commit(
        to=[alert.moderator.email],
        subject=_("Flagged on Commons: %(count)s post(s) to review") % {"count": len(flags)},
        text=render_to_string("discussions/email/flag_alert.txt", context),
    )
    return 1


def _schedule_flag_alerts(*, run_after) -> None:
    """Ask the task worker to send due batches at `run_after` (the command does it otherwise)."""
    from discussions.tasks import send_moderation_alerts

    if send_moderation_alerts.get_backend().supports_defer:
        transaction.on_commit(lambda: send_moderation_alerts.using(run_after=run_after).enqueue())


# --- daily digests -------------------------------------------------------------------------------

DIGEST_POSTS_LIMIT = 100


def digest_is_due(now) -> bool:
    return timezone.localtime(now).hour >= settings.DISCUSSIONS_DIGEST_HOUR


def send_daily_digests(*, now=None) -> int:
    """Send today's digest to each member who chose one (after the digest hour); returns how many
    were sent. Safe to run any number of times: each member's day is claimed once."""
    now = now or timezone.now()
    if not digest_is_due(now):
        return 0
    day = timezone.localtime(now).date()
    members = User.objects.filter(
        is_active=True, email_digest=User.Digest.DAILY, email_follow_notices=True
    ).exclude(discussion_digests__day=day)
    sent = 0
    for member in members:
        since = DigestDelivery.objects.filter(user=member).order_by("-sent_at").values_list(
            "sent_at", flat=True
        ).first() or now - timedelta(days=1)
        try:
            with transaction.atomic():
                delivery = DigestDelivery.objects.create(user=member, day=day, sent_at=now)
                posts = list(_digest_posts(member, since=since, until=now))
                delivery.post_count = len(posts)
                delivery.save(update_fields=["post_count"])
                if posts:
                    _send_digest(member, posts)
                    sent += 1
        except IntegrityError:  # another run claimed this member's day first
            continue
    return sent


def _digest_posts(member, *, since, until):
    """Posts since the last digest in the threads and boards the member follows, not their own."""
    follows = Subscription.objects.active().filter(user=member)
    return (
        Post.objects.public()
        .filter(
            Q(thread__in=follows.values("thread")) | Q(thread__board__in=follows.values("board")),
            created_at__gt=since,
            created_at__lte=until,
        )
        .exclude(author=member)
        .select_related("author", "thread__board__event")
        .order_by("thread__board__event__starts_at", "thread_id", "number")[:DIGEST_POSTS_LIMIT]
    )


def _send_digest(member, posts) -> None:
    threads: dict[int, dict] = {}
    for post in posts:
        entry = threads.setdefault(
            post.thread_id,
            {"thread": post.thread, "event": post.thread.board.event, "posts": []},
        )
        entry["posts"].append(post)
    context = {
        "recipient": member,
        "threads": list(threads.values()),
        "post_count": len(posts),
        "site_url": settings.SITE_URL,
        "account_url": settings.SITE_URL + reverse("people:account"),
    }
    send_email_on_commit(
        to=[member.email],
        subject=_("Your daily digest: %(count)s new post(s) on Commons") % {"count": len(posts)},
        text=render_to_string("discussions/email/digest.txt", context),
    )


def schedule_next_digest(*, now=None) -> None:
    """Ask the task worker to send the digests at the next digest hour (where tasks can wait)."""
    from discussions.tasks import send_digests

    if not send_digests.get_backend().supports_defer:
        return
    local = timezone.localtime(now or timezone.now())
    at = local.replace(hour=settings.DISCUSSIONS_DIGEST_HOUR, minute=0, second=0, microsecond=0)
    if at <= local:
        at = timezone.make_aware(
            datetime.combine(local.date() + timedelta(days=1), at.time().replace(tzinfo=None))
        )
    send_digests.using(run_after=at).enqueue()


# --- suspensions --------------------------------------------------------------------------------


def suspend_member(*, member, moderator, reason: str, ends_at) -> Suspension:
    """Stop a member posting, flagging or starting threads until `ends_at` (they still read)."""
    _require(moderator.is_authenticated and moderator.is_moderator and member.pk != moderator.pk)
    return Suspension.objects.create(
        user=member, reason=reason.strip(), ends_at=ends_at, created_by=moderator
    )


def lift_suspension(*, suspension: Suspension, moderator) -> Suspension:
    _require(moderator.is_authenticated and moderator.is_moderator)
    suspension.lifted_at = timezone.now()
    suspension.save(update_fields=["lifted_at"])
    return suspension


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
    fragments.move_marker_on_commit(reader_marker(user.pk))  # an update sends no signal


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
    """user -> the subscription that makes them hear of this post at once (thread before board).

    Members who turned follow emails off, or chose the daily digest, are not among them.
    """
    subs = (
        Subscription.objects.active()
        .select_related("user")
        .filter(
            user__is_active=True,
            user__email_follow_notices=True,
            user__email_digest=User.Digest.EACH_POST,
        )
    )
    chosen: dict[int, Subscription] = {}
    if include_thread_followers:
        for sub in subs.filter(thread=post.thread):
            chosen[sub.user_id] = sub
    for sub in subs.filter(board=post.thread.board_id):
        chosen.setdefault(sub.user_id, sub)
    chosen.pop(post.author_id, None)
    return chosen


def _notify_new_post(post: Post, *, include_thread_followers: bool = True, skip=()) -> None:
    thread = post.thread
    event = thread.board.event
    recipients = _recipients(post, include_thread_followers=include_thread_followers)
    for sub in recipients.values():
        if sub.user_id in skip:  # already told by their mention
            continue
        with in_language_of(sub.user):
            _send_post_notice(post, sub, thread=thread, event=event)


def _send_post_notice(post: Post, sub, *, thread, event) -> None:
    """One follower's mail about `post`, in the active (their) language and addresses."""
    permalink = settings.SITE_URL + post.get_absolute_url()
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


# --- a member's data (people.services calls this through its registry) -------------------------


def export_member_discussions(user) -> dict:
    """The member's posts (their own text, hidden ones too), follows and flags, for their export."""
    posts = Post.objects.filter(author=user).select_related("thread").order_by("created_at", "pk")
    follows = Subscription.objects.filter(user=user).select_related("thread", "board__event")
    return {
        "posts": [
            {
                "thread": post.thread.title,
                "number": post.number,
                "url": settings.SITE_URL + post.get_absolute_url(),
                "posted_at": post.created_at.isoformat(),
                "text": post.body_source,
                "withdrawn": post.is_withdrawn,
                "hidden": post.is_hidden,
            }
            for post in posts
        ],
        "following": [
            {"following": str(follow.target), "active": follow.active} for follow in follows
        ],
        "flags": [
            {"post": flag.post_id, "reason": flag.reason, "flagged_at": flag.created_at.isoformat()}
            for flag in Flag.objects.filter(reporter=user).order_by("created_at", "pk")
        ],
    }
