"""The board and thread pages: what they show, split into what every reader of an audience shares
and each reader's own parts, for the skeletons that keep them (core/skeletons.py).

A thread page's shared text is its posts but for their actions; each post's actions (resonates,
reply, edit, withdraw, history, flag) are a hole rendered per reader from the post's state kept in
the skeleton (`post_actions_args`) and one query for the page's "this resonates" tally. A post
that shows readers different things (hidden or withdrawn text its author still reads, a quote of
such a post, images with their per-reader links) has its main part in a hole too, rendered from
the page's posts (fetched only then). Who may moderate gets the page rendered (views).
"""

import functools
import time
from datetime import UTC, datetime
from functools import cached_property, partial

from django.contrib.auth import SESSION_KEY
from django.core.cache import cache
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.http import Http404
from django.shortcuts import render
from django.template import engines
from django.template.loader import render_to_string
from django.urls import get_script_prefix, reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from core import fragments, skeletons
from core.params import parse_int
from core.prepared import Prepared
from discussions import services
from discussions.forms import ReplyForm
from discussions.models import (
    POSTS_PER_PAGE,
    THREADS_PER_PAGE,
    Board,
    Post,
    Reaction,
    Suspension,
    Thread,
    page_bounds,
)
from discussions.signals import discussions_marker, reader_marker, resonates_marker
from events.models import Event
from events.signals import EVENTS_MARKER
from people.middleware import pending_user_keys, resolve_user, session_hint
from people.models import AUTHORS_MARKER

# Query parameters the pages' shared text may depend on (pagination links keep the others; a
# request with any other is rendered, not kept).
BOARD_PAGE_PARAMS = frozenset({"page"})
THREAD_PAGE_PARAMS = frozenset({"page", "reply_to"})


def kept_as_skeleton(request, params: frozenset) -> bool:
    """Whether this request's page may come from (and fill) a skeleton."""
    return request.method == "GET" and set(request.GET) <= params


def skeleton_parts(request, *parts) -> list:
    """What tells a page's skeletons apart besides the version: the audience (visitors, plain
    members and members with their own account links see different shared text), `parts`, and
    the address with its query string (the canonical and language links, pagination)."""
    return [skeletons.audience(request), *parts, request.get_full_path()]


# Each thread's and board's event (by thread id, by event slug), learnt from the database once
# per process: the markers their pages' kept facts are read under. A thread moved to another
# board, or a board to another event, moves the old event's marker too (discussions/signals.py),
# so what was kept under it is read again, and the new event learnt.
_thread_events: dict[int, int] = {}
_board_events: dict[str, int] = {}
KNOWN_EVENTS = 100_000  # entries per map and process: emptied when full (learnt again)


def _learn(known: dict, key, event_id: int) -> None:
    if len(known) >= KNOWN_EVENTS:
        known.clear()
    known[key] = event_id


class KeptFacts:
    """What a board or thread page served from its skeleton reads from the shared cache, in one
    round trip: the markers, the page's facts with the reader's (`facts_key`, kept as
    `(version, facts)` under `facts_kinds`: the page's and the reader's markers), and the
    skeleton (of page `skeleton` per audience and `skeleton_parts`, kept under `skeleton_kinds`
    and `suffix`: core/skeletons.py `render_kept_page`; none for a request not served from
    one). Facts read from the database after these markers are `keep`-ed under them: a write
    meanwhile moved a marker, and nobody takes them for current. With `user_keys`
    (people/middleware.py `pending_user_keys`), the member's account comes in the same round
    trip and `request.user` is resolved from it."""

    def __init__(
        self,
        request,
        *,
        event_id,
        facts_key,
        facts_kinds,
        skeleton,
        skeleton_parts,
        skeleton_kinds,
        suffix="",
        user_keys=None,
    ):
        self.event_id, self.facts_key = event_id, facts_key

        def skeleton_key(audience):
            return skeletons.kept_page_key(request, skeleton, [audience, *skeleton_parts])

        # A member's audience needs their account: while it is being read with the rest, the
        # skeleton of plain members is, and another is read after for a member who is not one.
        audience = "member" if user_keys else skeletons.audience(request)
        self.skeleton_key = skeleton_key(audience) if skeleton else None
        user_kinds, user_read = user_keys or ([], [])
        kinds = list(dict.fromkeys([*facts_kinds, *skeleton_kinds, *user_kinds]))
        keys = [key for key in (facts_key, self.skeleton_key) if key] + user_read
        # In a batch: the session, when read with the rest (`_reader`), is taken from it.
        with fragments.batch():
            tokens, values = fragments.markers_and_values(kinds, keys)
            if user_keys:
                resolve_user(request, tokens, values)
        self.facts_version = fragments.joined(tokens, facts_kinds)
        self.facts = fragments.current(self.facts_version, values.get(facts_key))
        self.skeleton_version = fragments.joined(tokens, skeleton_kinds) + suffix
        self.skeleton = values.get(self.skeleton_key) if self.skeleton_key else None
        if self.skeleton_key and skeletons.audience(request) != audience:
            self.skeleton_key = skeleton_key(skeletons.audience(request))
            self.skeleton = cache.get(self.skeleton_key)

    def keep(self, facts) -> None:
        cache.set(self.facts_key, (self.facts_version, facts), fragments.FRAGMENT_SECONDS)

    def response(self, request, template_name, *, name, context, personal):
        return skeletons.render_kept_page(
            request,
            template_name,
            name=name,
            key=self.skeleton_key,
            version=self.skeleton_version,
            stored=self.skeleton,
            context=context,
            personal=personal,
        )


def _reader_kinds(reader_pk) -> list[str]:
    return [] if reader_pk == NOBODY else [reader_marker(reader_pk)]


def _reader(request) -> tuple[int, tuple | None]:
    """(the reader's id, None); while `request.user` is unread, (the id the session names, the
    member's marker kinds and keys to read with the page's: `KeptFacts`). When this process
    knows whom the session names, the session is not read here but with the page's reads
    (people/middleware.py `session_hint`; `_read_as` reads again if it names someone else)."""
    hint = session_hint(request)
    if hint is not None:
        member, kinds, keys = hint
        return member, (kinds, keys)
    user_keys = pending_user_keys(request)
    if user_keys is None:
        user = request.user
        return (user.pk if user.is_authenticated else NOBODY), None
    kinds, key = user_keys
    return int(request.session[SESSION_KEY]), (kinds, [key])


def _read_as(request, read, reader_pk: int) -> tuple[int, KeptFacts | None]:
    """`read(reader id)` (a KeptFacts or None); read again for the reader `request.user` turned
    out to be when the session named another (a changed password, a closed account)."""
    kept = read(reader_pk)
    user = request.user
    actual = user.pk if user.is_authenticated else NOBODY
    if actual != reader_pk:
        return actual, read(actual)
    return reader_pk, kept


def _keepable_page(value) -> bool:
    """Whether facts may be kept per this `page` parameter (absent, or a plain number)."""
    return value is None or (value.isdigit() and len(value) <= 9)


# --- the board ------------------------------------------------------------------------------------


def board_page_version(board) -> str:
    """What a board page's shared text depends on: its threads and board (the board's marker),
    theme and event names, authors' names, and the minute ("5 minutes ago")."""
    markers = fragments.markers(discussions_marker(board.event_id), EVENTS_MARKER, AUTHORS_MARKER)
    return f"{markers}:{int(time.time() // 60)}"


# What a board page served from its skeleton reads of its board and event, with the reader's
# facts, in one prepared query (see the thread's below).
BOARD_PAGE_FIELDS = ("id", "is_open", "event_id")
BOARD_EVENT_FIELDS = ("id", "status", "created_by_id", "slug")


def _board_facts(event_slug, reader_pk):
    from people.models import User

    return (
        Board.objects.filter(event__slug=event_slug)
        .with_reader(User(pk=reader_pk))
        .values_list(
            *BOARD_PAGE_FIELDS,
            *(f"event__{name}" for name in BOARD_EVENT_FIELDS[1:]),
            "reader_organises",
            "reader_follows",
        )
    )


BOARD_FACTS = Prepared(_board_facts, "\ue020board-page-stand-in", 2_000_000_021)


def _read_board_page(request, event_slug: str, reader_pk: int, user_keys=None) -> KeptFacts | None:
    """The board page's kept facts and skeleton, when its event is known to this process."""
    event_id = _board_events.get(event_slug)
    if not fragments.enabled() or event_id is None or len(event_slug) > 100:
        return None
    board_kinds = [discussions_marker(event_id), EVENTS_MARKER]
    kept_page = kept_as_skeleton(request, BOARD_PAGE_PARAMS)
    return KeptFacts(
        request,
        event_id=event_id,
        facts_key=f"discussions:board-page:{event_slug}:{reader_pk}",
        facts_kinds=[*board_kinds, *_reader_kinds(reader_pk)],
        skeleton="board" if kept_page else None,
        skeleton_parts=[event_id],
        skeleton_kinds=[*board_kinds, AUTHORS_MARKER],
        suffix=f":{int(time.time() // 60)}",  # "5 minutes ago"
        user_keys=user_keys,
    )


def board_for_page(request, event_slug: str) -> Board | None:
    """The saved board of the public event at `event_slug` as its page needs it when served from
    a skeleton (the fields its reader's parts and permission checks read, the reader's facts);
    None when there is no such board (the caller looks further). Kept in the shared cache
    (`KeptFacts`) until the board, its event or the reader's follows change; else from one
    prepared query."""
    guess, user_keys = _reader(request)
    reader_pk, kept = _read_as(
        request, lambda reader: _read_board_page(request, event_slug, reader, user_keys), guess
    )
    user = request.user
    row = kept.facts if kept is not None else None
    if row is None:
        rows = BOARD_FACTS.rows(event_slug, reader_pk, model=Board)
        if not rows:
            return None
        row = rows[0]
        if kept is not None and kept.event_id == row[2]:
            kept.keep(row)
        elif kept is not None:
            kept = None  # the slug's event is not the one this process knew: read afresh
        _learn(_board_events, event_slug, row[2])
    board = _partial(Board, BOARD_PAGE_FIELDS, row[:3])
    board.event = _partial(Event, BOARD_EVENT_FIELDS, [row[2], *row[3:6]])
    if not board.event.is_public:
        return None
    board.reader_follows, board.partial = bool(row[7]), True
    board.kept_page = kept
    if user.is_authenticated:
        board.remember_organiser(user, bool(row[6]))
    return board


class BoardPage:
    """An event's board page for one request: its threads, pinned first, then by latest activity.

    Kept as a skeleton (core/skeletons.py) per audience, page and minute ("5 minutes ago"): a
    reader gets the shared text and has only their follow button and account links rendered.
    Who may moderate the board sees hidden threads and its tools: rendered for them.
    """

    def __init__(self, request, board: Board):
        self.request, self.board = request, board
        self.can_moderate = board.can_moderate(request.user)

    def response(self):
        if self.can_moderate or not kept_as_skeleton(self.request, BOARD_PAGE_PARAMS):
            context = {**self.context(), **self.personal()}
            return render(self.request, "discussions/board.html", context)
        kept = getattr(self.board, "kept_page", None)
        if kept is not None and kept.skeleton_key:
            return kept.response(
                self.request,
                "discussions/board.html",
                name="board",
                context=self.context,
                personal=self.personal,
            )
        return skeletons.render_page(
            self.request,
            "discussions/board.html",
            name="board",
            version=board_page_version(self.board),
            parts=skeleton_parts(self.request, self.board.event_id),
            context=self.context,
            personal=self.personal,
        )

    def context(self) -> dict:
        """What the page shows but the reader's own parts (`personal`)."""
        request, board = self.request, self._whole_board()

        def render_threads():
            threads = (
                Thread.objects.for_board(board)
                .visible_to(request.user, board=board)
                .with_listing_data()
                .for_listing()
            )
            page = Paginator(threads, THREADS_PER_PAGE).get_page(request.GET.get("page"))
            context = {"board": board, "event": board.event, "page": page}
            return render_to_string("discussions/_board_threads.html", context, request)

        if self.can_moderate:
            threads = render_threads()  # hidden threads too: theirs alone
        else:
            # The same for members and visitors: shared by both audiences' skeletons.
            threads = fragments.shared_fragment(
                request,
                "discussions:board",
                board_page_version(board),
                [board.event_id, request.get_full_path()],
                render_threads,
            )
        return {
            "board": board,
            "event": board.event,
            "threads": mark_safe(threads),  # rendered by our template above
            "can_moderate": self.can_moderate,
        }

    def personal(self) -> dict:
        """What the reader's own parts need (their follow button)."""
        board = self.board
        following = board.pk is not None and bool(getattr(board, "reader_follows", False))
        return {"board": board, "event": board.event, "is_following": following}

    def _whole_board(self) -> Board:
        """The board with every field (a miss renders all of the page), and the reader's facts."""
        board = self.board
        if not getattr(board, "partial", False):
            return board
        whole = Board.objects.select_related("event").get(pk=board.pk)
        whole.reader_follows = board.reader_follows
        known = board.__dict__.get("_organised_by")
        if known is not None:
            whole.__dict__["_organised_by"] = known
        self.board = whole
        return whole


# --- the thread -----------------------------------------------------------------------------------


class KnownCountPaginator(Paginator):
    """A paginator told its row count (from a denormalised counter) instead of counting rows."""

    def __init__(self, object_list, per_page, *, count: int, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self._known_count = count

    @cached_property
    def count(self):
        return self._known_count


def page_in_range(thread, number) -> int:
    """The page a thread page shows for the `page` parameter `number`, as Paginator.get_page
    reads it: 1 when it is not a number, the last page when it is past the end."""
    paginator = KnownCountPaginator((), POSTS_PER_PAGE, count=thread.post_count)
    try:
        return paginator.validate_number(number)
    except PageNotAnInteger:
        return 1
    except EmptyPage:
        return paginator.num_pages


class ThreadPaginator(KnownCountPaginator):
    """Pages of a thread by post number (numbers are dense from 1), not by OFFSET: the last page
    of a 2,000-post thread costs what the first does."""

    def page(self, number):
        number = self.validate_number(number)
        after, last = page_bounds(number)
        posts = self.object_list.filter(number__gt=after, number__lte=last)
        return self._get_page(posts, number, self)


def thread_page_version(thread) -> str:
    """What a thread page's shared text depends on: the thread, its posts and board (the board's
    marker: every save of one moves it), theme and event names, authors' names."""
    return fragments.markers(
        discussions_marker(thread.board.event_id), EVENTS_MARKER, AUTHORS_MARKER
    )


# What a thread page served from its skeleton reads of its thread, board and event (the reader's
# own parts and the permission checks), in one prepared query with the reader's facts.
THREAD_FIELDS = ("id", "slug", "hidden", "locked", "reply_count", "board_id")
BOARD_FIELDS = ("id", "is_open", "closed_message", "event_id")
EVENT_FIELDS = ("id", "status", "created_by_id", "slug")
READER_FACTS = (
    "reader_organises",
    "reader_follows",
    "reader_verified",
    "reader_suspension",
    "reader_suspension_ends",
)
NOBODY = 0  # no account has this id: a visitor's facts are all false


def _thread_facts(thread_pk, reader_pk, now):
    from people.models import User

    return (
        Thread.objects.filter(pk=thread_pk)
        .with_reader(User(pk=reader_pk), at=now)
        .values_list(
            *THREAD_FIELDS,
            *(f"board__{name}" for name in BOARD_FIELDS[1:]),
            *(f"board__event__{name}" for name in EVENT_FIELDS[1:]),
            *READER_FACTS,
        )
    )


THREAD_FACTS = Prepared(
    _thread_facts, 2_000_000_001, 2_000_000_002, datetime(1901, 1, 1, tzinfo=UTC)
)


def _page_tally(thread_pk, after, last, reader_pk):
    from people.models import User

    return Reaction.objects.filter(
        post__thread_id=thread_pk, post__number__gt=after, post__number__lte=last
    ).tallied(User(pk=reader_pk))


PAGE_TALLY = Prepared(_page_tally, 2_000_000_011, 2_000_000_012, 2_000_000_013, 2_000_000_014)


def page_tally(thread_pk: int, number: int, reader_pk: int) -> dict[int, tuple[int, bool]]:
    """{post id: (how many said it resonates, whether the reader did)} for page `number`."""
    after, last = page_bounds(number)
    rows = PAGE_TALLY.rows(thread_pk, after, last, reader_pk, model=Reaction)
    return {row[0]: (row[1], bool(row[2]) if len(row) > 2 else False) for row in rows}


def _read_thread_page(request, pk: int, reader_pk: int, user_keys=None) -> KeptFacts | None:
    """The thread page's kept facts and skeleton, when its event is known to this process."""
    event_id = _thread_events.get(pk)
    page = request.GET.get("page")
    if not fragments.enabled() or event_id is None or not _keepable_page(page):
        return None
    board_kinds = [discussions_marker(event_id), EVENTS_MARKER]
    kept_page = kept_as_skeleton(request, THREAD_PAGE_PARAMS)
    return KeptFacts(
        request,
        event_id=event_id,
        facts_key=f"discussions:thread-page:{pk}:{reader_pk}:{page or ''}",
        facts_kinds=[*board_kinds, resonates_marker(pk), *_reader_kinds(reader_pk)],
        skeleton="thread" if kept_page else None,
        skeleton_parts=[pk],
        skeleton_kinds=[*board_kinds, AUTHORS_MARKER],
        user_keys=user_keys,
    )


def thread_for_page(request, pk: int) -> Thread:
    """The thread at `pk` as its page needs it when served from a skeleton, if the reader may see
    it, else 404: its own, its board's and its event's fields the reader's parts and permission
    checks read (others are deferred), the reader's facts (`ThreadQuerySet.with_reader`) and the
    page's "this resonates" tally. Kept in the shared cache (`KeptFacts`) until the thread, its
    board, its event, a reaction in it or the reader's follows, suspensions or addresses change;
    else from one prepared query for the thread and one for the tally."""
    guess, user_keys = _reader(request)
    reader_pk, kept = _read_as(
        request, lambda reader: _read_thread_page(request, pk, reader, user_keys), guess
    )
    user = request.user
    facts = kept.facts if kept is not None else None
    if facts is None:
        rows = THREAD_FACTS.rows(pk, reader_pk, timezone.now(), model=Thread)
        if not rows:
            raise Http404
        row = rows[0]
        number = page_in_range(_thread_from(row), request.GET.get("page"))
        facts = (row, number, page_tally(pk, number, reader_pk))
        event_id = row[8]
        if kept is not None and kept.event_id == event_id:
            kept.keep(facts)
        elif kept is not None:
            kept = None  # the thread's event is not the one this process knew: read afresh
        _learn(_thread_events, pk, event_id)
    row, number, tally = facts
    thread = _thread_from(row)
    thread.kept_page, thread.kept_tally = kept, (number, tally)
    if user.is_authenticated:
        thread.board.remember_organiser(user, bool(row[12]))
    if not thread.is_visible_to(user):
        raise Http404
    return thread


def _thread_from(row) -> Thread:
    thread = _partial(Thread, THREAD_FIELDS, row[:6])
    board = _partial(Board, BOARD_FIELDS, [row[5], *row[6:9]])
    event = _partial(Event, EVENT_FIELDS, [row[8], *row[9:12]])
    board.event, thread.board = event, board
    facts = row[12:]
    thread.reader_follows, thread.reader_verified = bool(facts[1]), bool(facts[2])
    thread.reader_suspension = _in_force(facts[3], facts[4])
    thread.partial = True
    return thread


def _in_force(suspension_pk, ends_at) -> int | None:
    """The reader's suspension kept with the page's facts, unless it has ended since."""
    if suspension_pk is None:
        return None
    if isinstance(ends_at, str):  # SQLite gives the driver's text
        ends_at = parse_datetime(ends_at)
    if ends_at is not None and timezone.is_naive(ends_at):
        ends_at = timezone.make_aware(ends_at, UTC)
    return suspension_pk if ends_at is None or ends_at > timezone.now() else None


def _partial(model, names, values):
    """An instance of `model` with only these fields loaded (from_db takes them in field order)."""
    given = dict(zip(names, values, strict=True))
    ordered = _in_field_order(model, tuple(names))
    return model.from_db("default", ordered, [given[name] for name in ordered])


@functools.cache
def _in_field_order(model, names: tuple) -> list[str]:
    return [field.attname for field in model._meta.concrete_fields if field.attname in names]


class ThreadPage:
    """A page of a thread's posts with the reply form, for one request.

    Kept as a skeleton (core/skeletons.py) per audience and page: a reader gets the shared text
    (the posts but for their actions) and has only their own parts rendered (account links,
    follow button, each post's actions, the reply form), from the thread's prepared query and
    one for the page's "this resonates" tally. Moderators, and a form sent back with errors or a
    preview, get the page rendered.
    """

    def __init__(self, request, thread: Thread, *, page_number=None, form=None, preview=None):
        self.request, self.thread, self.form, self.preview = request, thread, form, preview
        self.can_moderate = thread.board.can_moderate(request.user)
        self.number = page_in_range(thread, page_number)

    @cached_property
    def page(self):
        """The page of posts (built only where rendered: a page from a skeleton needs its number
        alone)."""
        posts = Post.objects.in_thread(self.thread).with_page_data()
        paginator = ThreadPaginator(posts, POSTS_PER_PAGE, count=self.thread.post_count)
        return paginator.page(self.number)

    def response(self, *, status: int = 200):
        sent = self.form is not None or self.preview is not None
        if self.can_moderate or sent or not kept_as_skeleton(self.request, THREAD_PAGE_PARAMS):
            context = {**self.context(), **self.personal()}
            return render(self.request, "discussions/thread.html", context, status=status)
        kept = getattr(self.thread, "kept_page", None)
        if kept is not None and kept.skeleton_key:
            return kept.response(
                self.request,
                "discussions/thread.html",
                name="thread",
                context=self.context,
                personal=self.personal,
            )
        return skeletons.render_page(
            self.request,
            "discussions/thread.html",
            name="thread",
            version=thread_page_version(self.thread),
            parts=skeleton_parts(self.request, self.thread.pk, self.number),
            context=self.context,
            personal=self.personal,
        )

    def context(self) -> dict:
        """What the page shows but the reader's own parts (`personal`)."""
        thread = self.thread = self._whole_thread()
        page_posts = self.page_posts
        self.page.object_list = page_posts.posts
        shared_post_parts(self.request, page_posts.posts, can_moderate=self.can_moderate)
        return {
            "thread": thread,
            "board": thread.board,
            "event": thread.board.event,
            "page": self.page,
            "can_moderate": self.can_moderate,
            # Its badges and themes: saved with the thread (the board's marker), theme names.
            "thread_version": fragments.markers(
                discussions_marker(thread.board.event_id), EVENTS_MARKER
            ),
        }

    def personal(self) -> dict:
        """What the reader's own parts need: their follow button, each post's actions, the reply
        form (or why they may not reply)."""
        request, thread, user = self.request, self.thread, self.request.user
        refusal = thread.refusal_reason()
        if not refusal and user.is_authenticated:
            suspension = _suspension(thread, user)
            refusal = suspension.refusal if suspension else ""
        needs_verification = user.is_authenticated and not refusal and not _verified(thread, user)
        if needs_verification:
            refusal = services.unverified_refusal()
        form = self.form
        if form is None and user.is_authenticated and not refusal:
            form = UnboundReply(thread, parse_int(request.GET.get("reply_to")))
        return {
            "thread": thread,
            "board": thread.board,
            "event": thread.board.event,
            "page_number": self.number,
            "page_posts": self.page_posts,
            "post_actions": PostActions(
                request,
                thread,
                self.number,
                refusal=bool(refusal),
                can_moderate=self.can_moderate,
            ),
            "form": form,
            "refusal": refusal,
            "needs_verification": needs_verification,
            "can_moderate": self.can_moderate,
            "is_following": user.is_authenticated
            and bool(getattr(thread, "reader_follows", False)),
            "replying_to": _replying_to(request, thread, form, self.can_moderate),
            "preview": self.preview,
        }

    @cached_property
    def page_posts(self) -> "PagePosts":
        return PagePosts(self)

    def _whole_thread(self) -> Thread:
        """The thread with every field (a miss renders all of the page), and the reader's facts."""
        thread = self.thread
        if not getattr(thread, "partial", False):
            return thread
        whole = Thread.objects.select_related("board__event").get(pk=thread.pk)
        for name in ("reader_follows", "reader_verified", "reader_suspension", "kept_tally"):
            setattr(whole, name, getattr(thread, name))
        known = thread.board.__dict__.get("_organised_by")
        if known is not None:
            whole.board.__dict__["_organised_by"] = known
        return whole


class PagePosts:
    """The posts of a thread page, with what their reader may see of them; fetched when first
    asked (a page from a skeleton asks only when a post's main part is a hole)."""

    def __init__(self, page: ThreadPage):
        self._page = page

    @cached_property
    def posts(self) -> list:
        page = self._page
        thread, user, can_moderate = page.thread, page.request.user, page.can_moderate
        posts = list(self._page.page.object_list)
        for post in posts:
            post.thread = thread  # the posts' predicates read it: no query per post
            post.text_visible = post.can_read_text(user, can_moderate=can_moderate)
            if post.reply_to:
                post.quote_visible = post.reply_to.can_read_text(user, can_moderate=can_moderate)
            post.shown_images = post.images_for(user, can_moderate=can_moderate)
        return posts

    @cached_property
    def by_pk(self) -> dict:
        return {post.pk: post for post in self.posts}


def _suspension(thread, user) -> Suspension | None:
    if not hasattr(thread, "reader_suspension"):  # a thread not fetched `with_reader`
        return Suspension.objects.current_for(user)
    if thread.reader_suspension is None:
        return None
    return Suspension.objects.active().filter(pk=thread.reader_suspension).first()


def _verified(thread, user) -> bool:
    if hasattr(thread, "reader_verified"):
        return bool(thread.reader_verified)
    return user.has_verified_email


class UnboundReply:
    """The reply form before anything is sent: the post it answers (`?reply_to=`), and an empty
    ReplyForm only where its fields are rendered (shared, so on a miss): building one costs more
    than the rest of the reply section."""

    is_bound = False

    def __init__(self, thread, reply_to: int | None):
        self.thread, self.reply_to = thread, reply_to

    @cached_property
    def empty(self) -> ReplyForm:
        return ReplyForm(thread=self.thread)


def _replying_to(request, thread, form, can_moderate) -> Post | None:
    """The post a reply form answers (for its quote), when it belongs to this thread."""
    if form is None:
        return None
    unbound = isinstance(form, UnboundReply)
    value = form.reply_to if unbound else parse_int(form["reply_to"].value())
    if value is None:
        return None
    post = Post.objects.select_related("author").filter(thread=thread, pk=value).first()
    if post is not None:
        post.quote_visible = post.can_read_text(request.user, can_moderate=can_moderate)
    return post


def shared_post_parts(request, posts, *, can_moderate: bool) -> None:
    """Give each post that shows this reader what it shows a visitor its `shared_main`: the
    post but for its actions (`_post_main.html`), rendered once for everyone.

    A post shows a reader something else when the reader may read hidden or withdrawn text
    (author, moderators) or sees images (their actions are personal, and their variants appear
    later without a write a key could follow). The key holds everything the part shows that a
    write can change: edits, hiding, withdrawal, the renderer, the post it answers, and the
    authors marker (names).
    """
    shared = [
        post
        for post in posts
        if not can_moderate
        and post.text_visible == post.is_shown
        and (post.reply_to is None or post.quote_visible == post.reply_to.is_shown)
        and not post.shown_images
    ]
    if not shared:
        return
    version = fragments.markers(AUTHORS_MARKER)

    def state(post):
        return [post.pk, post.edited_at, post.hidden_at, post.withdrawn_at, post.renderer_version]

    items = [
        (
            [*state(post), *(state(post.reply_to) if post.reply_to else [])],
            partial(render_to_string, "discussions/_post_main.html", {"post": post}, request),
        )
        for post in shared
    ]
    for post, html in zip(
        shared, fragments.shared_fragments(request, "discussions:post", version, items), strict=True
    ):
        post.shared_main = mark_safe(html)  # rendered by our template above


# --- each post's holes ----------------------------------------------------------------------------


def shows_every_reader_the_same(post) -> bool:
    """Whether a post's main part is the same for every reader who is not a moderator: shown,
    not quoting a post some may not read, without images (hidden ones, per-reader links)."""
    quote_shown = post.reply_to is None or post.reply_to.is_shown
    return post.is_shown and quote_shown and not post.images.all()


def post_main(context, post) -> str:
    """The post but for its actions: shared text, or a hole when it differs between readers."""
    if shows_every_reader_the_same(post):
        return _render_main(context, post)
    return skeletons.hole("post-main", (str(post.pk),), partial(_render_main, context, post))


def _render_main(context, post) -> str:
    shared = getattr(post, "shared_main", None)
    if shared:
        return shared
    with context.push(post=post):
        return _template(context, "discussions/_post_main.html").render(context)


def _fill_post_main(context, pk: str) -> str:
    return _render_main(context, context["page_posts"].by_pk[int(pk)])


def _template(context, name):
    engine = context.template.engine if context.template else engines["django"].engine
    return engine.get_template(name)


def post_actions(context, post) -> str:
    """A post's actions for this reader: a hole, rendered the same way in and out of skeletons
    (from the post's state as kept in the skeleton)."""
    args = post_actions_args(post)
    return skeletons.hole("post-actions", args, partial(_fill_post_actions, context, *args))


def post_actions_args(post) -> tuple[str, ...]:
    """What a post's actions depend on besides the reader: id, author, hidden, withdrawn, edited."""
    moments = (post.hidden_at, post.withdrawn_at, post.edited_at)
    return (
        str(post.pk),
        str(post.author_id or ""),
        *(moment.isoformat() if moment else "" for moment in moments),
    )


def _fill_post_actions(context, pk, author_id, hidden_at, withdrawn_at, edited_at) -> str:
    def render():
        state = PostState(
            int(pk),
            int(author_id) if author_id else None,
            _moment(hidden_at),
            _moment(withdrawn_at),
            _moment(edited_at),
            context["thread"],
        )
        return actions.html(context, state)

    actions = context["post_actions"]
    reader_state = actions.state(int(pk), int(author_id) if author_id else None)
    return skeletons.kept(reader_state, render)


def _moment(value: str) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


class PostState:
    """A post as its actions know it (kept in the skeleton): Post's own predicates read it."""

    is_withdrawn, is_hidden, is_shown = Post.is_withdrawn, Post.is_hidden, Post.is_shown
    can_withdraw, can_edit = Post.can_withdraw, Post.can_edit

    def __init__(self, pk, author_id, hidden_at, withdrawn_at, edited_at, thread):
        self.pk, self.author_id, self.thread = pk, author_id, thread
        self.hidden_at, self.withdrawn_at, self.edited_at = hidden_at, withdrawn_at, edited_at


class PostActions:
    """Each post's actions for one reader (`<footer class="post-actions">`), built in Python: the
    twenty of a page cost a template render each, more than the rest of a page from its skeleton.
    What is the same for every post of the page (labels, the reader, address patterns, the CSRF
    field) is worked out once; everything put in is escaped (labels) or an id."""

    def __init__(self, request, thread, page_number: int, *, refusal: bool, can_moderate: bool):
        user = request.user
        self.member = user.is_authenticated
        self.user = getattr(user, "_wrapped", user)  # the account itself: read once a post
        self.reader_pk = self.user.pk if self.member else None
        self.thread, self.page_number = thread, page_number
        self.refusal, self.can_moderate = refusal, can_moderate
        self._csrf = None

    @cached_property
    def tally(self) -> dict:
        kept = getattr(self.thread, "kept_tally", None)
        if kept is not None and kept[0] == self.page_number:
            return kept[1]
        return page_tally(self.thread.pk, self.page_number, self.reader_pk or NOBODY)

    @cached_property
    def labels(self) -> dict:
        return _labels()

    def state(self, pk: int, author_id: int | None):
        """What tells a post's actions apart for this reader on one skeleton (whose key holds the
        post's state, the thread, the page and the language: `skeletons.kept`): member or not,
        its author or not, refused or not, the post's tally with theirs. None (render) for who
        may moderate."""
        if self.can_moderate:
            return None
        mine = self.member and author_id == self.reader_pk
        return (
            self.member,
            self.member and self.user.is_active,
            mine,
            self.refusal,
            self.tally.get(pk),
        )

    @cached_property
    def urls(self) -> dict:
        return _url_patterns()

    def html(self, context, post: PostState) -> str:
        member, pk = self.member, post.pk
        mine = member and post.author_id == self.reader_pk
        labels, urls = self.labels, self.urls
        resonates, user_resonates = self.tally.get(pk, (0, False))
        parts = []
        if post.is_shown:
            if member and not mine and not self.refusal:
                style = "btn-success" if user_resonates else "btn-outline-success"
                count = f" · {resonates}" if resonates else ""
                pressed = "true" if user_resonates else "false"
                parts.append(
                    f'<form method="post" action="{urls["resonates"].format(pk)}" class="d-inline">'
                    f"{self._csrf_field(context)}"
                    f'<button type="submit" class="btn btn-sm {style} py-0"'
                    f' aria-pressed="{pressed}">'
                    f"{labels['resonates']}{count}</button></form>"
                )
            elif resonates:
                label = ngettext(
                    "Resonates with %(n)s member", "Resonates with %(n)s members", resonates
                ) % {"n": resonates}
                parts.append(f'<span class="resonates-count">{escape(label)}</span>')
        if post.is_shown and not self.refusal and member:
            parts.append(
                f'<a href="?page={self.page_number}&amp;reply_to={pk}#reply-heading">'
                f"{labels['reply']}</a>"
            )
        if post.can_edit(self.user):
            parts.append(f'<a href="{urls["edit"].format(pk)}">{labels["edit"]}</a>')
        if post.can_withdraw(self.user):
            parts.append(f'<a href="{urls["withdraw"].format(pk)}">{labels["withdraw"]}</a>')
        if post.edited_at and (self.can_moderate or mine):
            parts.append(f'<a href="{urls["history"].format(pk)}">{labels["history"]}</a>')
        if member and post.is_shown and not mine:
            parts.append(f'<a href="{urls["flag"].format(pk)}">{labels["flag"]}</a>')
        if self.can_moderate:
            parts.append(self._moderation(context, post, labels, urls))
        actions = "\n".join(parts)
        return f'<footer class="post-actions small">{actions}</footer>'

    def _csrf_field(self, context) -> str:
        if self._csrf is None:
            self._csrf = _csrf_field(context)
        return self._csrf

    def _moderation(self, context, post, labels, urls) -> str:
        if post.is_hidden:
            html = (
                f'<form method="post" action="{urls["restore"].format(post.pk)}" class="d-inline">'
                f'{self._csrf_field(context)}<button type="submit" class="btn btn-link btn-sm p-0'
                f' align-baseline">{labels["restore"]}</button></form>'
            )
        else:
            html = f'<a href="{urls["hide"].format(post.pk)}">{labels["hide"]}</a>'
        if self.user.is_moderator and post.author_id:
            url = urls["member_posts"].format(post.author_id)
            html += f'\n<a href="{url}">{labels["member_posts"]}</a>'
        return html


# Address patterns of a post's actions, per language and script prefix: reversed once with a
# stand-in id, then filled with str.format (an id needs no escaping).
_URL_STAND_IN = 987654321
_url_cache: dict[tuple, dict] = {}


_label_cache: dict[str, dict] = {}


def _labels() -> dict:
    """The actions' labels in the active language, escaped (once per language and process)."""
    language = get_language()
    labels = _label_cache.get(language)
    if labels is None:
        labels = _label_cache[language] = {
            key: escape(label)
            for key, label in {
                "resonates": _("This resonates"),
                "reply": _("Reply to this post"),
                "edit": _("Edit"),
                "withdraw": _("Withdraw"),
                "history": _("History"),
                "flag": _("Flag"),
                "restore": _("Restore"),
                "hide": _("Hide"),
                "member_posts": _("Member’s posts"),
            }.items()
        }
    return labels


def _url_patterns() -> dict:
    key = (get_language(), get_script_prefix())
    patterns = _url_cache.get(key)
    if patterns is None:
        names = {
            "resonates": ("discussions:post_resonates", {}),
            "edit": ("discussions:post_edit", {}),
            "withdraw": ("discussions:post_withdraw", {}),
            "history": ("discussions:post_history", {}),
            "flag": ("discussions:post_flag", {}),
            "restore": ("discussions:post_moderate", {"action": "restore"}),
            "hide": ("discussions:post_moderate", {"action": "hide"}),
            "member_posts": ("discussions:member_posts", {}),
        }
        patterns = _url_cache[key] = {
            key: escape(reverse(name, kwargs={"pk": _URL_STAND_IN, **extra}))
            .replace("{", "{{")
            .replace("}", "}}")
            .replace(str(_URL_STAND_IN), "{}")
            for key, (name, extra) in names.items()
        }
    return patterns


def _csrf_field(context) -> str:
    # The page's token (the context's, as {% csrf_token %} renders it).
    return format_html(
        '<input type="hidden" name="csrfmiddlewaretoken" value="{}">', context["csrf_token"]
    )


def _follow_state(context):
    """A follow button differs by whether the reader is a member and follows (`kept`)."""
    return (context["request"].user.is_authenticated, bool(context["is_following"]))


def _reply_state(context):
    """What tells a thread page's reply sections apart on one skeleton (whose key holds the
    thread, board, page, address and language: `skeletons.kept`): member or not, why they may
    not reply (their suspension's end and reason, an unconfirmed address, or the thread's), the
    post they answer (`?reply_to=`) and whether they may read its text. None (render) for a form
    sent back or a preview."""
    form, replying_to = context["form"], context["replying_to"]
    if context["preview"] is not None or (form is not None and form.is_bound):
        return None
    return (
        context["request"].user.is_authenticated,
        str(context["refusal"]),
        bool(context["needs_verification"]),
        form is not None,
        replying_to and (replying_to.pk, bool(replying_to.quote_visible)),
    )


skeletons.register_filler("post-main", _fill_post_main)
skeletons.register_filler("post-actions", _fill_post_actions)
skeletons.register_node_state("discussions/thread.html", "thread:follow", _follow_state)
skeletons.register_node_state("discussions/thread.html", "thread:reply", _reply_state)
skeletons.register_node_state("discussions/board.html", "board:follow", _follow_state)
