"""Follow-up boards: one Board per event, Threads on it, Posts in them, and who follows what.

Listing data is denormalised on Thread (reply_count, last_post, last_poster, last_activity_at)
and kept up to date by discussions.services, so a board page is one query for its threads.
"""

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import connection, models, transaction
from django.db.models import Count, Exists, F, OuterRef, Q, Subquery
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import lazy
from django.utils.html import strip_tags
from django.utils.text import Truncator, slugify
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from events.models import Event, Theme, public_q

POST_MAX_LENGTH = 20_000
THREAD_TITLE_MAX_LENGTH = 200
POSTS_PER_PAGE = 20
THREADS_PER_PAGE = 25


def page_bounds(number: int) -> tuple[int, int]:
    """The post numbers on page `number` of a thread: (after, up to and including)."""
    bottom = (number - 1) * POSTS_PER_PAGE
    return bottom, bottom + POSTS_PER_PAGE


def is_moderator(user) -> bool:
    return bool(user.is_authenticated and user.is_moderator)


class BoardQuerySet(models.QuerySet):
    def public(self):
        """Boards of events the public may see."""
        return self.filter(public_q("event__"))

    def for_event(self, event: Event) -> "Board":
        """The event's board, saved on its first write. Only public events have one."""
        if not event.is_public:
            raise Board.DoesNotExist
        board, _created = self.get_or_create(event=event)
        board.event = event
        return board

    def with_reader(self, user):
        """Each board with what its page asks of `user`, in this one query: whether they organise
        its event (`Board.can_moderate` without the roles prefetch) and follow the board."""
        if not user.is_authenticated:
            return self
        return self.annotate(
            reader_organises=organises_event(user, "event_id"),
            reader_follows=Exists(
                Subscription.objects.active().filter(user=user, board=OuterRef("pk"))
            ),
        )


def organises_event(user, event_ref: str) -> Exists:
    """Whether `user` organises the event at `event_ref` (Event.is_organised_by, as a query)."""
    return Exists(Event.objects.organised_by(user).filter(pk=OuterRef(event_ref)))


class Board(models.Model):
    """The follow-up board of one event."""

    event = models.OneToOneField(
        Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="board"
    )
    is_open = models.BooleanField(_("open"), default=True)
    closed_message = models.TextField(
        _("message shown while closed"),
        blank=True,
        max_length=1000,
        help_text=_("Tell readers why the board is closed, and where the conversation goes next."),
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = BoardQuerySet.as_manager()

    class Meta:
        verbose_name = _("board")
        verbose_name_plural = _("boards")

    def __str__(self):
        return str(self.event)

    def get_absolute_url(self):
        return reverse("discussions:board", kwargs={"event_slug": self.event.slug})

    def can_moderate(self, user) -> bool:
        """Moderators (the group), staff, and the organisers of this board's event."""
        if not user.is_authenticated or not user.is_active:
            return False
        if is_moderator(user):
            return True
        known = self.__dict__.get("_organised_by")
        if known is not None and known[0] == user.pk:
            return known[1]  # is_moderator covers staff: what is left of Event.can_edit
        return self.event.can_edit(user)

    def remember_organiser(self, user, organises: bool) -> None:
        """Whether `user` organises this board's event, as asked in the board's or a thread's
        query (`with_reader`): `can_moderate(user)` then needs no roles."""
        self.__dict__["_organised_by"] = (user.pk, bool(organises))

    def moderator_users(self):
        """Who hears of flags on this board: the Moderators group and the event's organisers."""
        from people.models import User

        organiser_ids = self.event.organiser_user_ids() | {self.event.created_by_id}
        return User.objects.filter(
            Q(groups__name=User.MODERATORS_GROUP) | Q(pk__in=organiser_ids - {None}),
            is_active=True,
        ).distinct()


class ThreadQuerySet(models.QuerySet):
    def for_board(self, board: Board):
        if board.pk is None:  # a board nobody has written to yet (not saved)
            return self.none()
        return self.filter(board=board)

    def visible_to(self, user, *, board: Board | None = None):
        """Threads of public events; hidden ones only for who may moderate them."""
        qs = self.filter(public_q("board__event__"))
        if board is not None and board.can_moderate(user):
            return qs
        if is_moderator(user):
            return qs
        return qs.filter(hidden=False)

    def public(self):
        """Threads everybody may read: not hidden, of public events (what `Post.public` asks of
        a post's thread)."""
        return self.filter(public_q("board__event__"), hidden=False)

    def on_theme(self, theme: Theme):
        return self.filter(themes=theme)

    def most_active(self):
        return self.order_by("-last_activity_at", "-pk")

    def recent_across_boards(self):
        """Visible threads of public events, latest activity first, with their board's event."""
        return self.public().select_related("board__event").most_active()

    def for_listing(self):
        """Pinned first, then by latest activity (the board's order)."""
        return self.order_by("-pinned", "-last_activity_at", "-pk")

    def with_listing_data(self):
        """The fetch shape of a thread row: authors, last poster, themes."""
        return self.select_related("author", "last_poster").prefetch_related("themes")

    def with_reader(self, user, *, at=None):
        """Each thread with what its page asks of `user`, in this one query: whether they
        organise its event (`Board.can_moderate` without the roles prefetch), follow the thread,
        have a confirmed address, and the id of their suspension in force at `at` and when it
        ends (`reader_*`)."""
        if not user.is_authenticated:
            return self
        from allauth.account.models import EmailAddress  # allauth's models import ours

        suspensions = Suspension.objects.active(at=at).filter(user=user).order_by("-ends_at")
        return self.annotate(
            reader_organises=organises_event(user, "board__event_id"),
            reader_follows=Exists(
                Subscription.objects.active().filter(user=user, thread=OuterRef("pk"))
            ),
            reader_verified=Exists(EmailAddress.objects.filter(user_id=user.pk, verified=True)),
            reader_suspension=Subquery(suspensions.values("pk")[:1]),
            reader_suspension_ends=Subquery(suspensions.values("ends_at")[:1]),
        )


class Thread(models.Model):
    board = models.ForeignKey(
        Board, verbose_name=_("board"), on_delete=models.CASCADE, related_name="threads"
    )
    title = models.CharField(_("title"), max_length=THREAD_TITLE_MAX_LENGTH)
    # The language the writer wrote in (their interface language): pages mark it with `lang`,
    # search indexes it with a matching configuration (discussions/search.py).
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    slug = models.SlugField(_("slug"), max_length=THREAD_TITLE_MAX_LENGTH, allow_unicode=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="discussion_threads",
    )
    themes = models.ManyToManyField(
        Theme, verbose_name=_("themes"), related_name="threads", blank=True
    )
    pinned = models.BooleanField(_("pinned"), default=False)
    locked = models.BooleanField(_("locked"), default=False)
    hidden = models.BooleanField(_("hidden"), default=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    last_activity_at = models.DateTimeField(_("last activity"), default=timezone.now)
    # Denormalised for the board listing; maintained by discussions.services.
    reply_count = models.PositiveIntegerField(_("replies"), default=0)
    last_post = models.ForeignKey(
        "Post", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    last_poster = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = ThreadQuerySet.as_manager()

    class Meta:
        verbose_name = _("thread")
        verbose_name_plural = _("threads")
        indexes = [
            models.Index(
                fields=["board", "-pinned", "-last_activity_at"], name="thread_board_listing_idx"
            ),
            models.Index(fields=["-last_activity_at"], name="thread_activity_idx"),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slugify(self.title)[:THREAD_TITLE_MAX_LENGTH] or "thread"
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("discussions:thread", kwargs={"pk": self.pk, "slug": self.slug})

    @property
    def post_count(self) -> int:
        return self.reply_count + 1

    @property
    def page_count(self) -> int:
        return max(1, -(-self.post_count // POSTS_PER_PAGE))

    def is_visible_to(self, user) -> bool:
        return self.board.event.is_public and (not self.hidden or self.board.can_moderate(user))

    def refusal_reason(self) -> str:
        """Why replies are refused, or "" when they are accepted."""
        if not self.board.is_open:
            return _("This board is closed: it can be read but takes no new posts.")
        if self.locked:
            return _("This thread is locked: it can be read but takes no new replies.")
        if self.hidden:
            return _("This thread is hidden by a moderator.")
        return ""


class PostQuerySet(models.QuerySet):
    def in_thread(self, thread: Thread):
        return self.filter(thread=thread).order_by("number")

    def with_page_data(self):
        """The fetch shape of a post on a thread page: author, the post it answers, its author,
        its images (one more query for the page). How many said it resonates: Reaction.tally."""
        return self.select_related("author", "reply_to", "reply_to__author").prefetch_related(
            models.Prefetch("images", queryset=PostImage.objects.select_related("upload"))
        )

    def on_page(self, thread: Thread, number: int):
        """The posts of page `number` of `thread` (numbers are dense from 1: no OFFSET)."""
        after, last = page_bounds(number)
        return self.filter(thread=thread, number__gt=after, number__lte=last)

    def shown(self):
        """Posts whose text anybody may read (not withdrawn, not hidden, thread not hidden)."""
        return self.filter(withdrawn_at__isnull=True, hidden_at__isnull=True, thread__hidden=False)

    def public(self):
        return self.shown().filter(public_q("thread__board__event__"))


def _post_too_long() -> str:
    # Called when the message is shown, so it is in the reader's language.
    return gettext("A post can be at most %(max)s characters long.") % {"max": POST_MAX_LENGTH}


class Post(models.Model):
    thread = models.ForeignKey(
        Thread, verbose_name=_("thread"), on_delete=models.CASCADE, related_name="posts"
    )
    # Position in the thread (1 is the opening post), for permalinks and paging.
    number = models.PositiveIntegerField(_("number"))
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="discussion_posts",
    )
    body_source = models.TextField(_("text"), max_length=POST_MAX_LENGTH)
    body_html = models.TextField(editable=False)
    renderer_version = models.PositiveSmallIntegerField(default=1, editable=False)
    reply_to = models.ForeignKey(
        "self",
        verbose_name=_("in reply to"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="replies",
    )
    created_at = models.DateTimeField(_("posted at"), default=timezone.now)
    edited_at = models.DateTimeField(_("edited at"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    hidden_at = models.DateTimeField(_("hidden at"), null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    hidden_reason = models.TextField(
        _("why it was hidden"),
        blank=True,
        max_length=1000,
        help_text=_("Shown to the author on the post and sent to them by email."),
    )
    objects = PostQuerySet.as_manager()

    class Meta:
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        ordering = ["thread", "number"]
        constraints = [
            models.UniqueConstraint(fields=["thread", "number"], name="post_unique_thread_number"),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("body_source"), POST_MAX_LENGTH),
                name="post_body_max_length",
                violation_error_message=lazy(_post_too_long, str)(),
            ),
        ]
        indexes = [
            models.Index(fields=["author", "-created_at"], name="post_author_created_idx"),
            models.Index(fields=["-created_at"], name="post_created_idx"),
        ]

    def __str__(self):
        return f"{self.thread} #{self.number}"

    def get_absolute_url(self):
        return reverse("discussions:post", kwargs={"pk": self.pk})

    @property
    def anchor(self) -> str:
        return f"post-{self.pk}"

    @property
    def page_number(self) -> int:
        return (self.number - 1) // POSTS_PER_PAGE + 1

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None

    @property
    def is_shown(self) -> bool:
        return not self.is_withdrawn and not self.is_hidden

    @property
    def quote_text(self) -> str:
        """A short plain-text excerpt, for "in reply to" quotes."""
        return Truncator(strip_tags(self.body_html)).words(25)

    def can_withdraw(self, user) -> bool:
        """Only the author, and not once a moderator has hidden or the author has withdrawn it."""
        return (
            user.is_authenticated and user.is_active and self.author_id == user.pk and self.is_shown
        )

    def can_edit(self, user) -> bool:
        """As withdrawing, but never in a locked thread: what was said there stays as it was."""
        return self.can_withdraw(user) and not self.thread.locked

    def can_read_text(self, user, *, can_moderate: bool) -> bool:
        """Hidden and withdrawn text is for the author and moderators only."""
        if self.is_shown:
            return True
        return can_moderate or (user.is_authenticated and self.author_id == user.pk)

    def images_for(self, user, *, can_moderate: bool) -> list:
        """The post's images `user` may see: hidden ones only for moderators and the author,
        none when the post's text is not readable."""
        if not self.can_read_text(user, can_moderate=can_moderate):
            return []
        mine = user.is_authenticated and self.author_id == user.pk
        return [i for i in self.images.all() if not i.is_hidden or can_moderate or mine]

    def can_see_history(self, user, *, can_moderate: bool) -> bool:
        return can_moderate or (user.is_authenticated and self.author_id == user.pk)


class PostTheme(models.Model):
    """A post on one of its thread's themes: a row for each. Search on a theme walks the theme's
    posts newest first through the (theme, post) index (discussions/search.py): through the
    thread's themes, every post of a window had to be read to keep the theme's tenth of them.
    Kept in step with the threads' themes by discussions/signals.py (a post saved, a thread's
    themes changed) and `sync_post_themes` for rows written in bulk."""

    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="+", db_index=False)
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("post on a theme")
        verbose_name_plural = _("posts on a theme")
        constraints = [
            models.UniqueConstraint(fields=["theme", "post"], name="post_theme_unique"),
        ]

    def __str__(self):
        return f"{self.post_id} on {self.theme_id}"


def sync_post_themes(
    *, thread_ids: list[int] | None = None, post_ids: list[int] | None = None, new: bool = False
) -> None:
    """Make the PostTheme rows of some threads' posts, or of some posts, those of their
    threads' themes (every post's when both are None): two statements for each 500 threads or
    posts however many posts they hold, one for `new` posts (which have no rows yet)."""
    column, ids = ("p.thread_id", thread_ids) if thread_ids is not None else ("p.id", post_ids)
    if ids is not None:
        ids = list(ids)
        for at in range(0, len(ids), SYNC_CHUNK):
            chunk = ids[at : at + SYNC_CHUNK]
            _sync_post_themes(f" WHERE {column} IN ({', '.join(['%s'] * len(chunk))})", chunk, new)
        return
    _sync_post_themes("", [], new)


# Ids a statement of `sync_post_themes` names (SQLite allows 32,766 parameters a statement).
SYNC_CHUNK = 500


def _sync_post_themes(where: str, params: list, new: bool) -> None:
    table, post = PostTheme._meta.db_table, Post._meta.db_table
    themes = Thread.themes.through._meta.db_table
    insert = (
        f"INSERT INTO {table} (theme_id, post_id) SELECT tt.theme_id, p.id FROM {post} p"
        f" JOIN {themes} tt ON tt.thread_id = p.thread_id{where}"
    )
    if new:  # one statement, no savepoint: this runs for every post written
        with connection.cursor() as cursor:
            cursor.execute(insert, params)
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {table} WHERE post_id IN (SELECT p.id FROM {post} p{where})", params
        )
        cursor.execute(insert, params)


class PostSearch(models.Model):
    """A shown post's words, for search (PostgreSQL; SQLite searches with icontains): a row
    for each post neither hidden nor withdrawn, its thread and its vector (thread title weighted
    A on the opening post, body B), GIN-indexed by a migration on PostgreSQL only.

    Apart from the post's row because search reads many posts to find a few (the newest ones
    whole, then windows of ids: discussions/search.py): the post's row with its text and HTML
    held four posts a page, these hold twelve, and a scan of 100,000 took a third of the time
    (54 ms against 160). Kept in step by discussions.search.update_search_vectors, which
    discussions/signals.py calls after a post is saved (written, edited, hidden, withdrawn or
    shown again) and bulk writers call themselves."""

    post = models.OneToOneField(Post, on_delete=models.CASCADE, primary_key=True, related_name="+")
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="+")
    search_vector = SearchVectorField(null=True, editable=False)

    class Meta:
        verbose_name = _("post's words for search")
        verbose_name_plural = _("posts' words for search")

    def __str__(self):
        return f"words of {self.post_id}"


class PostRevision(models.Model):
    """The text a post had before an edit."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="revisions")
    body_source = models.TextField(_("text"))
    edited_at = models.DateTimeField(_("replaced at"), default=timezone.now)
    editor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("post revision")
        verbose_name_plural = _("post revisions")
        ordering = ["-edited_at", "-pk"]

    def __str__(self):
        return f"{self.post} before {self.edited_at:%Y-%m-%d %H:%M}"


MAX_POST_IMAGES = 4


class PostImage(models.Model):
    """An image attached to a post (at most MAX_POST_IMAGES), cleaned by core.uploads.

    Moderators may hide one image and keep the post; a hidden image is shown only to them and
    to the post's author, like a hidden post.
    """

    post = models.ForeignKey(
        Post, verbose_name=_("post"), on_delete=models.CASCADE, related_name="images"
    )
    upload = models.OneToOneField(
        "core.Upload", verbose_name=_("file"), on_delete=models.PROTECT, related_name="+"
    )
    alt_text = models.CharField(_("alt text"), max_length=400)
    order = models.PositiveSmallIntegerField(default=0)
    hidden_at = models.DateTimeField(_("hidden at"), null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("image in a post")
        verbose_name_plural = _("images in posts")
        ordering = ["order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(alt_text=""),
                name="postimage_has_alt_text",
                violation_error_message=_("Every image needs alt text."),
            )
        ]

    def __str__(self):
        return self.alt_text

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None


class SubscriptionQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True)


class Subscription(models.Model):
    """A user follows a thread or a whole board (exactly one). Unfollowing keeps the row, inactive,
    so that replying again to a thread one has unsubscribed from does not re-subscribe."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="discussion_subscriptions"
    )
    thread = models.ForeignKey(
        Thread, on_delete=models.CASCADE, null=True, blank=True, related_name="subscriptions"
    )
    board = models.ForeignKey(
        Board, on_delete=models.CASCADE, null=True, blank=True, related_name="subscriptions"
    )
    active = models.BooleanField(_("sends email"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SubscriptionQuerySet.as_manager()

    class Meta:
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        constraints = [
            models.CheckConstraint(
                condition=Q(thread__isnull=False, board__isnull=True)
                | Q(thread__isnull=True, board__isnull=False),
                name="subscription_exactly_one_target",
            ),
            models.UniqueConstraint(
                fields=["user", "thread"],
                condition=Q(thread__isnull=False),
                name="subscription_unique_user_thread",
            ),
            models.UniqueConstraint(
                fields=["user", "board"],
                condition=Q(board__isnull=False),
                name="subscription_unique_user_board",
            ),
        ]

    def __str__(self):
        return f"{self.user} → {self.target}"

    @property
    def target(self):
        return self.thread if self.thread_id else self.board


class FlagQuerySet(models.QuerySet):
    def open(self):
        return self.filter(resolved_at__isnull=True)

    def for_moderator(self, user):
        """Flags this user may handle: all for moderators, their events' boards for organisers."""
        if is_moderator(user):
            return self
        own_events = Event.objects.editable_by(user).values("pk")
        return self.filter(post__thread__board__event__in=own_events)

    def with_queue_data(self):
        return self.select_related(
            "reporter", "post__author", "post__thread__board__event", "resolved_by", "image__upload"
        )


class Flag(models.Model):
    class Reason(models.TextChoices):
        SPAM = "spam", _("Spam or advertising")
        ABUSE = "abuse", _("Abusive, harassing or hateful")
        PRIVACY = "privacy", _("Shares someone's private information")
        OFF_TOPIC = "off_topic", _("Off topic")
        OTHER = "other", _("Something else")

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="flags")
    # Set when the report is about one image of the post rather than its text.
    image = models.ForeignKey(
        PostImage, on_delete=models.CASCADE, null=True, blank=True, related_name="flags"
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="discussion_flags"
    )
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    text = models.TextField(
        _("details"),
        blank=True,
        max_length=2000,
        help_text=_("Optional: anything the moderators should know."),
    )
    created_at = models.DateTimeField(_("flagged at"), default=timezone.now)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = FlagQuerySet.as_manager()

    class Meta:
        verbose_name = _("flag")
        verbose_name_plural = _("flags")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["post", "reporter"],
                condition=Q(resolved_at__isnull=True, image__isnull=True),
                name="flag_one_open_per_reporter_post",
                violation_error_message=_("You have already flagged this post."),
            ),
            models.UniqueConstraint(
                fields=["image", "reporter"],
                condition=Q(resolved_at__isnull=True, image__isnull=False),
                name="flag_one_open_per_reporter_image",
                violation_error_message=_("You have already flagged this image."),
            ),
        ]
        indexes = [models.Index(fields=["resolved_at", "created_at"], name="flag_queue_idx")]

    def __str__(self):
        return f"{self.get_reason_display()}: {self.post}"

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None


class SuspensionQuerySet(models.QuerySet):
    def active(self, *, at=None):
        return self.filter(lifted_at__isnull=True, ends_at__gt=at or timezone.now())

    def current_for(self, user) -> "Suspension | None":
        """The member's suspension in force now (the one ending last), or None."""
        if not user.is_authenticated:
            return None
        return self.active().filter(user=user).order_by("-ends_at").first()


class Suspension(models.Model):
    """A member who may read but not post, flag or start threads until `ends_at`."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("member"),
        on_delete=models.CASCADE,
        related_name="discussion_suspensions",
    )
    reason = models.TextField(
        _("reason"), max_length=1000, help_text=_("Shown to the member when they try to post.")
    )
    ends_at = models.DateTimeField(_("ends at"))
    created_at = models.DateTimeField(_("suspended at"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    lifted_at = models.DateTimeField(_("lifted at"), null=True, blank=True)

    objects = SuspensionQuerySet.as_manager()

    class Meta:
        verbose_name = _("suspension")
        verbose_name_plural = _("suspensions")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("created_at")), name="suspension_ends_after_start"
            )
        ]

    def __str__(self):
        return f"{self.user} until {self.ends_at:%Y-%m-%d}"

    @property
    def refusal(self) -> str:
        """What the member is told when they try to post."""
        return _(
            "A moderator has suspended your posting until %(date)s: %(reason)s You can still "
            "read every board."
        ) % {
            "date": date_format(timezone.localtime(self.ends_at), "j F Y, H:i"),
            "reason": self.reason,
        }


class ModerationAlert(models.Model):
    """When a moderator was last emailed about new flags, and whether a batch is waiting.

    At most one flag email per moderator per `FLAG_ALERT_INTERVAL`: the first flag is mailed at
    once; flags within the interval wait for one batched email when it is over.
    """

    moderator = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="moderation_alert"
    )
    last_sent_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("moderation alert")
        verbose_name_plural = _("moderation alerts")

    def __str__(self):
        return f"{self.moderator}: last sent {self.last_sent_at}, due {self.due_at}"


class ReactionQuerySet(models.QuerySet):
    def tally(self, post_ids, user) -> dict[int, tuple[int, bool]]:
        """{post id: (how many said it resonates, whether `user` did)} for the posts that have
        any: one small aggregate, instead of a count grouped over a page's joined rows."""
        rows = self.filter(post__in=post_ids).tallied(user)
        return {row["post_id"]: (row["n"], bool(row.get("mine"))) for row in rows}

    def tallied(self, user):
        """These reactions counted per post (`n`), with `mine` for a member: rows of `tally`."""
        rows = self.values("post_id").order_by()
        if user.is_authenticated:
            return rows.annotate(n=Count("pk"), mine=Count("pk", filter=Q(user=user)))
        return rows.annotate(n=Count("pk"))


class Reaction(models.Model):
    """A member saying a post resonates with them: one per member and post."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="reactions")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="discussion_reactions"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = ReactionQuerySet.as_manager()

    class Meta:
        verbose_name = _("“this resonates”")
        verbose_name_plural = _("“this resonates”")
        constraints = [
            models.UniqueConstraint(fields=["post", "user"], name="reaction_one_per_member_post")
        ]

    def __str__(self):
        return f"{self.user} → {self.post}"


class DigestDelivery(models.Model):
    """One member's daily digest for one day: the row is claimed before sending, so a digest
    goes once a day however often the sender runs."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="discussion_digests"
    )
    day = models.DateField()
    sent_at = models.DateTimeField(default=timezone.now)
    post_count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("daily digest")
        verbose_name_plural = _("daily digests")
        constraints = [
            models.UniqueConstraint(fields=["user", "day"], name="digest_once_per_member_day")
        ]

    def __str__(self):
        return f"{self.user} {self.day}"
