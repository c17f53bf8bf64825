"""The board and thread pages: what they show, split into what every reader of an audience shares
and each reader's own parts, for the skeletons that keep them (core/skeletons.py).

A thread page's shared text is its posts but for their actions; each post's actions (resonates,
reply, edit, withdraw, history, flag) are a hole rendered per reader from the post's state kept in
the skeleton (`post_actions_args`) and one query for the page's "this resonates" tally. A post
that shows readers different things (hidden or withdrawn text its author still reads, a quote of
such a post, images with their per-reader links) has its main part in a hole too, rendered from
the page's posts (fetched only then). Who may moderate gets the page rendered (views).
"""

import time
from datetime import datetime
from functools import cached_property, partial

from django.core.paginator import Paginator
from django.template import engines
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from core import fragments, skeletons
from core.params import parse_int
from discussions import services
from discussions.forms import ReplyForm
from discussions.models import THREADS_PER_PAGE, Post, Reaction, Suspension, Thread
from discussions.signals import discussions_marker
from events.signals import EVENTS_MARKER
from people.models import AUTHORS_MARKER

# Query parameters the pages' shared text may depend on (pagination links keep the others; a
# request with any other is rendered, not kept).
BOARD_PAGE_PARAMS = frozenset({"page"})
THREAD_PAGE_PARAMS = frozenset({"page", "reply_to"})


def kept_as_skeleton(request, params: frozenset) -> bool:
    """Whether this request's page may come from (and fill) a skeleton."""
    return request.method == "GET" and set(request.GET) <= params


def skeleton_parts(request, *parts) -> list:
    """What tells a page's skeletons apart besides the version: the audience (members and
    visitors see different shared text: sign-in links, forms), `parts`, and the address with its
    query string (the canonical and language links, pagination)."""
    audience = "member" if request.user.is_authenticated else "visitor"
    return [audience, *parts, request.get_full_path()]


# --- the board ------------------------------------------------------------------------------------


def board_page_version(board) -> str:
    """What a board page's shared text depends on: its threads and board (the board's marker),
    theme and event names, authors' names, and the minute ("5 minutes ago")."""
    markers = fragments.markers(discussions_marker(board.event_id), EVENTS_MARKER, AUTHORS_MARKER)
    return f"{markers}:{int(time.time() // 60)}"


def board_page_context(request, board, *, can_moderate: bool) -> dict:
    """What the board page shows but the reader's own parts (`board_personal_context`)."""

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

    if can_moderate:
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
        "can_moderate": can_moderate,
    }


def board_personal_context(request, board) -> dict:
    """What the reader's own parts of the board page need (its follow button)."""
    return {
        "board": board,
        "event": board.event,
        "is_following": board.pk is not None and bool(getattr(board, "reader_follows", False)),
    }


# --- the thread -----------------------------------------------------------------------------------


def thread_page_version(thread) -> str:
    """What a thread page's shared text depends on: the thread, its posts and board (the board's
    marker: every save of one moves it), theme and event names, authors' names."""
    return fragments.markers(
        discussions_marker(thread.board.event_id), EVENTS_MARKER, AUTHORS_MARKER
    )


class PagePosts:
    """The posts of a thread page, with what their reader may see of them; fetched when first
    asked (a page from a skeleton asks only when a post's main part is a hole)."""

    def __init__(self, page, thread, user, *, can_moderate: bool):
        self.page, self.thread, self.user, self.can_moderate = page, thread, user, can_moderate

    @cached_property
    def posts(self) -> list:
        posts = list(self.page.object_list)
        for post in posts:
            post.thread = self.thread  # the posts' predicates read it: no query per post
            post.text_visible = post.can_read_text(self.user, can_moderate=self.can_moderate)
            if post.reply_to:
                post.quote_visible = post.reply_to.can_read_text(
                    self.user, can_moderate=self.can_moderate
                )
            post.shown_images = post.images_for(self.user, can_moderate=self.can_moderate)
        return posts

    @cached_property
    def by_pk(self) -> dict:
        return {post.pk: post for post in self.posts}


class PageReactions:
    """{post id: (how many said it resonates, whether the reader did)} for a thread page's posts:
    one query, when the first post's actions are rendered."""

    def __init__(self, thread, number: int, user):
        self.thread, self.number, self.user = thread, number, user

    @cached_property
    def tally(self) -> dict:
        posts = Post.objects.on_page(self.thread, self.number).values("pk")
        return Reaction.objects.tally(posts, self.user)

    def get(self, pk: int) -> tuple[int, bool]:
        return self.tally.get(pk, (0, False))


def thread_page_context(request, thread, page, page_posts) -> dict:
    """What the thread page shows but the reader's own parts (`thread_personal_context`)."""
    page.object_list = page_posts.posts
    shared_post_parts(request, page_posts.posts, can_moderate=page_posts.can_moderate)
    return {
        "thread": thread,
        "board": thread.board,
        "event": thread.board.event,
        "page": page,
        "can_moderate": page_posts.can_moderate,
        # Its badges and themes: saved with the thread (the board's marker), theme names.
        "thread_version": fragments.markers(
            discussions_marker(thread.board.event_id), EVENTS_MARKER
        ),
    }


def thread_personal_context(request, thread, page, page_posts, *, form=None, preview=None):
    """What the reader's own parts of a thread page need: their follow button, each post's
    actions, the reply form (or why they may not reply). Asked of the thread's own query
    (`ThreadQuerySet.with_reader`), but the resonates tally (one query, `PageReactions`)."""
    user = request.user
    can_moderate = page_posts.can_moderate
    refusal = thread.refusal_reason()
    if not refusal and user.is_authenticated:
        suspension = _suspension(thread, user)
        refusal = suspension.refusal if suspension else ""
    needs_verification = user.is_authenticated and not refusal and not _verified(thread, user)
    if needs_verification:
        refusal = services.unverified_refusal()
    if form is None and user.is_authenticated and not refusal:
        form = ReplyForm(thread=thread, initial=_reply_initial(request))
    return {
        "thread": thread,
        "board": thread.board,
        "event": thread.board.event,
        "page_number": page.number,
        "page_posts": page_posts,
        "reactions": PageReactions(thread, page.number, user),
        "form": form,
        "refusal": refusal,
        "needs_verification": needs_verification,
        "can_moderate": can_moderate,
        "is_following": user.is_authenticated and bool(getattr(thread, "reader_follows", False)),
        "replying_to": _replying_to(request, thread, form, can_moderate),
        "preview": preview,
    }


def _suspension(thread, user) -> Suspension | None:
    if not hasattr(thread, "reader_suspension"):  # a thread not fetched `with_reader`
        return Suspension.objects.current_for(user)
    if thread.reader_suspension is None:
        return None
    return Suspension.objects.filter(pk=thread.reader_suspension).first()


def _verified(thread, user) -> bool:
    if hasattr(thread, "reader_verified"):
        return thread.reader_verified
    return user.has_verified_email


def _reply_initial(request) -> dict:
    reply_to = parse_int(request.GET.get("reply_to"))
    return {"reply_to": str(reply_to)} if reply_to is not None else {}


def _replying_to(request, thread, form, can_moderate) -> Post | None:
    """The post a reply form answers (for its quote), when it belongs to this thread."""
    if form is None:
        return None
    value = parse_int(form["reply_to"].value())
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
    return (
        post.is_shown
        and (post.reply_to is None or post.reply_to.is_shown)
        and not post.images.all()
    )


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
    user = context["user"]
    post = Post(
        pk=int(pk),
        thread=context["thread"],
        author_id=int(author_id) if author_id else None,
        hidden_at=_moment(hidden_at),
        withdrawn_at=_moment(withdrawn_at),
        edited_at=_moment(edited_at),
    )
    post.resonates, post.user_resonates = context["reactions"].get(post.pk)
    post.user_can_edit = post.can_edit(user)
    post.user_can_withdraw = post.can_withdraw(user)
    with context.push(post=post):
        return _template(context, "discussions/_post_actions.html").render(context)


def _moment(value: str) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _template(context, name):
    engine = context.template.engine if context.template else engines["django"].engine
    return engine.get_template(name)


skeletons.register_filler("post-main", _fill_post_main)
skeletons.register_filler("post-actions", _fill_post_actions)
