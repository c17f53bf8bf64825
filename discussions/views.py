"""Thin views: parse, call one service or queryset, respond. Rules live on the models."""

import time
from functools import cached_property, partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.syndication.views import Feed
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from core import fragments
from core.feeds import CleanAtom1Feed
from core.params import parse_int
from discussions import services
from discussions.forms import (
    CloseBoardForm,
    EditPostForm,
    FlagForm,
    HidePostForm,
    ReplyForm,
    SearchForm,
    SuspendForm,
    ThreadForm,
)
from discussions.models import (
    POST_MAX_LENGTH,
    POSTS_PER_PAGE,
    THREADS_PER_PAGE,
    Board,
    Flag,
    Post,
    PostImage,
    Reaction,
    Subscription,
    Suspension,
    Thread,
)
from discussions.rendering import render_markdown
from discussions.search import search_posts, with_snippets
from discussions.signals import discussions_marker
from events.models import Event, EventRole
from events.signals import EVENTS_MARKER
from people.models import AUTHORS_MARKER, User

SEARCH_PAGE_SIZE = 20
_ROLES = Prefetch("event__roles", queryset=EventRole.objects.select_related("person"))


class KnownCountPaginator(Paginator):
    """A paginator told its row count (from a denormalised counter) instead of counting rows."""

    def __init__(self, object_list, per_page, *, count: int, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self._known_count = count

    @cached_property
    def count(self):
        return self._known_count


class ThreadPaginator(KnownCountPaginator):
    """Pages of a thread by post number (numbers are dense from 1), not by OFFSET: the last page
    of a 2,000-post thread costs what the first does."""

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        posts = self.object_list.filter(number__gt=bottom, number__lte=bottom + self.per_page)
        return self._get_page(posts, number, self)


# --- lookups: what a user may not see is a 404 ----------------------------------------------------


def get_board(event_slug: str, *, create: bool = False) -> Board:
    """A public event's board; drafts have none.

    A board is saved on its first write (`create=True`: a thread, a follow, closing it); until
    then a reader gets an empty, unsaved board, so a GET writes nothing.
    """
    boards = Board.objects.public().select_related("event").prefetch_related(_ROLES)
    try:
        return boards.get(event__slug=event_slug)
    except Board.DoesNotExist:
        event = get_object_or_404(Event.objects.public(), slug=event_slug)
        if create:
            return boards.get(pk=Board.objects.for_event(event).pk)
        return Board(event=event)


def get_thread(request, pk: int) -> Thread:
    """The thread at `pk` if the user may see it, else 404; with its event's roles for members
    (permission checks). Its themes are fetched where shown (a shared part of the thread page)."""
    threads = Thread.objects.select_related("board__event")
    if request.user.is_authenticated:  # who may moderate: a visitor never may
        roles = EventRole.objects.select_related("person")
        threads = threads.prefetch_related(Prefetch("board__event__roles", queryset=roles))
    thread = get_object_or_404(threads, pk=pk)
    if not thread.is_visible_to(request.user):
        raise Http404
    return thread


def get_post(request, pk: int) -> Post:
    post = get_object_or_404(
        Post.objects.select_related("author", "thread__board__event").prefetch_related(
            Prefetch(
                "thread__board__event__roles", queryset=EventRole.objects.select_related("person")
            )
        ),
        pk=pk,
    )
    if not post.thread.is_visible_to(request.user):
        raise Http404
    return post


def _require_moderator(request, board: Board) -> None:
    if not board.can_moderate(request.user):
        raise PermissionDenied


def _is_following(user, **target) -> bool:
    if not user.is_authenticated or any(obj.pk is None for obj in target.values()):
        return False
    return Subscription.objects.active().filter(user=user, **target).exists()


def _refusal(exc: ValidationError) -> str:
    return " ".join(exc.messages)


# --- board ----------------------------------------------------------------------------------------


def board(request, event_slug):
    """The threads of an event's board: pinned first, then by latest activity.

    The list is the same for everyone who may not moderate the board (they see no hidden
    thread): kept per page, language and minute ("5 minutes ago") under the board's marker
    (discussions/signals.py: per event), theme names (events marker) and authors' names.
    """
    board = get_board(event_slug)
    can_moderate = board.can_moderate(request.user)

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

    if can_moderate or (request.user.is_authenticated and request.user.is_moderator):
        threads = render_threads()  # hidden threads too: theirs alone
    else:
        markers = (discussions_marker(board.event_id), EVENTS_MARKER, AUTHORS_MARKER)
        version = fragments.markers(*markers)
        minute = int(time.time() // 60)
        threads = fragments.shared_fragment(
            request,
            "discussions:board",
            f"{version}:{minute}",
            [board.pk, request.GET.get("page", "")],
            render_threads,
        )
    return render(
        request,
        "discussions/board.html",
        {
            "board": board,
            "event": board.event,
            "threads": mark_safe(threads),  # rendered by our template above
            "can_moderate": can_moderate,
            "is_following": _is_following(request.user, board=board),
        },
    )


class BoardFeed(Feed):
    """Atom feed of the newest posts on a board."""

    feed_type = CleanAtom1Feed

    def get_object(self, request, event_slug):
        return get_board(event_slug)

    def title(self, board):
        return _("Discussion: %(event)s") % {"event": board.event.title}

    def link(self, board):
        return board.get_absolute_url()

    def subtitle(self, board):
        return _("New posts on the follow-up board of %(event)s") % {"event": board.event.title}

    def items(self, board):
        if board.pk is None:
            return []
        return (
            Post.objects.public()
            .filter(thread__board=board)
            .select_related("thread", "author")
            .order_by("-created_at", "-pk")[:50]
        )

    def item_title(self, post):
        return post.thread.title if post.number == 1 else _("Re: %s") % post.thread.title

    def item_description(self, post):
        return post.body_html

    def item_link(self, post):
        return post.get_absolute_url()

    def item_pubdate(self, post):
        return post.created_at

    def item_updateddate(self, post):
        return post.edited_at or post.created_at

    def item_author_name(self, post):
        return post.author.public_name if post.author else _("Former member")


@login_required
def thread_create(request, event_slug):
    board = get_board(event_slug, create=request.method == "POST")
    if not board.is_open:
        messages.error(request, _("This board is closed: it can be read but takes no new posts."))
        return redirect(board)
    suspension = Suspension.objects.current_for(request.user)
    if suspension is not None:
        messages.error(request, suspension.refusal)
        return redirect(board)
    if not request.user.has_verified_email:
        context = {"board": board, "event": board.event, "needs_verification": True}
        return render(request, "discussions/thread_form.html", context)
    form = ThreadForm(request.POST or None, request.FILES or None, board=board)
    preview = _preview(request)
    if preview is None and request.method == "POST" and form.is_valid():
        try:
            thread = services.start_thread(
                board=board,
                author=request.user,
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
                themes=form.cleaned_data["themes"],
                images=form.images(),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request, _("Your thread is started. You will get an email on replies.")
            )
            return redirect(thread)
    return render(
        request,
        "discussions/thread_form.html",
        {"form": form, "board": board, "event": board.event, "preview": preview},
    )


@login_required
@require_POST
def board_follow(request, event_slug, action):
    board = get_board(event_slug, create=True)
    if action == "follow":
        services.follow(user=request.user, board=board)
        messages.success(request, _("You now get an email for every new post on this board."))
    else:
        services.unfollow(user=request.user, board=board)
        messages.success(request, _("You no longer get emails for this board."))
    return redirect(board)


@login_required
def board_close(request, event_slug):
    board = get_board(event_slug, create=request.method == "POST")
    _require_moderator(request, board)
    form = CloseBoardForm(request.POST or None, initial={"message": board.closed_message})
    if request.method == "POST" and form.is_valid():
        services.close_board(board=board, user=request.user, message=form.cleaned_data["message"])
        messages.success(request, _("The board is closed. Everything stays readable."))
        return redirect(board)
    return render(
        request,
        "discussions/board_close.html",
        {"form": form, "board": board, "event": board.event},
    )


@login_required
@require_POST
def board_reopen(request, event_slug):
    board = get_board(event_slug, create=True)
    _require_moderator(request, board)
    services.reopen_board(board=board, user=request.user)
    messages.success(request, _("The board is open again."))
    return redirect(board)


# --- threads --------------------------------------------------------------------------------------


def _preview(request) -> str | None:
    """The Markdown of a form sent with its Preview button, rendered as it would be posted."""
    if request.method != "POST" or "preview" not in request.POST:
        return None
    body = request.POST.get("body", "")[:POST_MAX_LENGTH]
    return render_markdown(body) if body.strip() else ""


def _thread_page(request, thread: Thread, *, page_number=None, form=None, status=200, preview=None):
    user = request.user
    can_moderate = thread.board.can_moderate(user)
    posts = Post.objects.in_thread(thread).with_page_data()
    paginator = ThreadPaginator(posts, POSTS_PER_PAGE, count=thread.post_count)
    page = paginator.get_page(page_number)
    tally = Reaction.objects.tally([p.pk for p in page], user)
    for post in page:
        post.thread = thread  # the posts' predicates read it: no query per post
        post.resonates, post.user_resonates = tally.get(post.pk, (0, False))
        post.text_visible = post.can_read_text(user, can_moderate=can_moderate)
        post.user_can_edit = post.can_edit(user)
        post.user_can_withdraw = post.can_withdraw(user)
        if post.reply_to:
            post.quote_visible = post.reply_to.can_read_text(user, can_moderate=can_moderate)
        post.shown_images = post.images_for(user, can_moderate=can_moderate)
    shared_post_parts(request, page, can_moderate=can_moderate)
    refusal = thread.refusal_reason()
    if not refusal and user.is_authenticated:
        suspension = Suspension.objects.current_for(user)
        refusal = suspension.refusal if suspension else ""
    needs_verification = user.is_authenticated and not refusal and not user.has_verified_email
    if needs_verification:
        refusal = services.unverified_refusal()
    if form is None and user.is_authenticated and not refusal:
        form = ReplyForm(thread=thread, initial=_reply_initial(request, thread))
    return render(
        request,
        "discussions/thread.html",
        {
            "thread": thread,
            "board": thread.board,
            "event": thread.board.event,
            "page": page,
            "form": form,
            "refusal": refusal,
            "needs_verification": needs_verification,
            "can_moderate": can_moderate,
            # Its badges and themes: saved with the thread (the board's marker), theme names.
            "thread_version": fragments.markers(
                discussions_marker(thread.board.event_id), EVENTS_MARKER
            ),
            "is_following": _is_following(user, thread=thread),
            "replying_to": _replying_to(request, thread, form, can_moderate),
            "preview": preview,
        },
        status=status,
    )


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


def _reply_initial(request, thread) -> dict:
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


def thread_detail(request, pk, slug):
    thread = get_thread(request, pk)
    if slug != thread.slug:
        return HttpResponseRedirect(thread.get_absolute_url())
    return _thread_page(request, thread, page_number=request.GET.get("page"))


@login_required
@require_POST
def reply(request, pk):
    thread = get_thread(request, pk)
    form = ReplyForm(request.POST, request.FILES, thread=thread)
    preview = _preview(request)
    if preview is not None:
        return _thread_page(
            request, thread, page_number=thread.page_count, form=form, preview=preview
        )
    if form.is_valid():
        try:
            post = services.post_reply(
                thread=thread,
                author=request.user,
                body=form.cleaned_data["body"],
                reply_to=form.cleaned_data["reply_to"],
                images=form.images(),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Your reply is posted."))
            return redirect(post)
    status = 429 if form.has_error("__all__", "rate_limited") else 400
    return _thread_page(request, thread, page_number=thread.page_count, form=form, status=status)


@login_required
@require_POST
def thread_follow(request, pk, action):
    thread = get_thread(request, pk)
    if action == "follow":
        services.follow(user=request.user, thread=thread)
        messages.success(request, _("You now get an email for every reply to this thread."))
    else:
        services.unfollow(user=request.user, thread=thread)
        messages.success(request, _("You no longer get emails for this thread."))
    return redirect(thread)


THREAD_ACTIONS = {
    "lock": (services.lock_thread, gettext_lazy("The thread is locked: no new replies.")),
    "unlock": (services.unlock_thread, gettext_lazy("The thread is unlocked.")),
    "pin": (services.pin_thread, gettext_lazy("The thread is pinned to the top of the board.")),
    "unpin": (services.unpin_thread, gettext_lazy("The thread is unpinned.")),
    "hide": (
        services.hide_thread,
        gettext_lazy("The thread is hidden from everyone but moderators."),
    ),
    "unhide": (services.unhide_thread, gettext_lazy("The thread is visible again.")),
}


@login_required
@require_POST
def thread_moderate(request, pk, action):
    thread = get_thread(request, pk)
    service, message = THREAD_ACTIONS[action]
    service(thread=thread, moderator=request.user)
    messages.success(request, message)
    return redirect(thread)


# --- posts ----------------------------------------------------------------------------------------


def post_permalink(request, pk):
    """Redirect to the page of the thread that shows this post, at the post."""
    post = get_post(request, pk)
    url = post.thread.get_absolute_url()
    if post.page_number > 1:
        url += f"?page={post.page_number}"
    return HttpResponseRedirect(f"{url}#{post.anchor}")


@login_required
def post_edit(request, pk):
    post = get_post(request, pk)
    if not post.can_edit(request.user):
        raise PermissionDenied
    form = EditPostForm(request.POST or None, initial={"body": post.body_source})
    if request.method == "POST" and form.is_valid():
        try:
            services.edit_post(post=post, editor=request.user, body=form.cleaned_data["body"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request, _("Your post is updated; the earlier text is kept in its history.")
            )
            return redirect(post)
    status = 429 if form.has_error("__all__", "rate_limited") else 200
    return render(
        request, "discussions/post_edit.html", _post_context(post, form=form), status=status
    )


@login_required
def post_withdraw(request, pk):
    post = get_post(request, pk)
    if not post.can_withdraw(request.user):
        raise PermissionDenied
    if request.method == "POST":
        services.withdraw_post(post=post, user=request.user)
        messages.success(request, _("Your post is withdrawn. Others now see only that it was."))
        return redirect(post)
    return render(request, "discussions/post_withdraw.html", _post_context(post))


def post_history(request, pk):
    post = get_post(request, pk)
    if not post.can_see_history(
        request.user, can_moderate=post.thread.board.can_moderate(request.user)
    ):
        raise PermissionDenied
    revisions = post.revisions.select_related("editor")
    return render(
        request, "discussions/post_history.html", _post_context(post, revisions=revisions)
    )


@login_required
def post_flag(request, pk):
    """Report a post, or one of its images (?image=<id>), to the moderators."""
    post = get_post(request, pk)
    can_moderate = post.thread.board.can_moderate(request.user)
    if not post.can_read_text(request.user, can_moderate=can_moderate):
        raise Http404  # hidden or withdrawn: its text is not for this reader (nor a flag)
    images = post.images_for(request.user, can_moderate=can_moderate)
    form = FlagForm(
        request.POST or None,
        post=post,
        images=[i for i in images if not i.is_hidden],  # a hidden image needs no flag
        initial={"image": request.GET.get("image")},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.flag_post(post=post, reporter=request.user, **form.cleaned_data)
        except ValidationError as exc:
            messages.info(request, _refusal(exc))
        else:
            if form.cleaned_data["image"]:
                messages.success(request, _("Thank you: the moderators will look at this image."))
            else:
                messages.success(request, _("Thank you: the moderators will look at this post."))
        return redirect(post)
    image = form.chosen_image()
    context = _post_context(post, form=form, image=image)
    return render(request, "discussions/post_flag.html", context)


@login_required
@require_POST
def post_image_moderate(request, pk, action):
    """Hide one image of a post (the post stays), or show it again."""
    image = get_object_or_404(PostImage.objects.select_related("post"), pk=pk)
    post = get_post(request, image.post_id)
    _require_moderator(request, post.thread.board)
    if action == "hide":
        services.hide_image(image=image, moderator=request.user)
        messages.success(
            request, _("The image is hidden from everyone but moderators and its author.")
        )
    else:
        services.restore_image(image=image, moderator=request.user)
        messages.success(request, _("The image is visible again."))
    return redirect(post)


@login_required
@require_POST
def post_resonates(request, pk):
    post = get_post(request, pk)
    try:
        now_resonates = services.toggle_resonates(post=post, user=request.user)
    except ValidationError as exc:
        messages.error(request, _refusal(exc))
    else:
        messages.success(
            request,
            _("You said this resonates.") if now_resonates else _("You took back “resonates”."),
        )
    return redirect(post)


@login_required
def post_moderate(request, pk, action):
    """Hide (a page asking why: the author is told) or restore (a button) a post."""
    post = get_post(request, pk)
    _require_moderator(request, post.thread.board)
    if action == "restore":
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        services.restore_post(post=post, moderator=request.user)
        messages.success(request, _("The post is visible again."))
        return redirect(post)
    form = HidePostForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.hide_post(post=post, moderator=request.user, reason=form.cleaned_data["reason"])
        messages.success(
            request,
            _("The post is hidden from everyone but moderators and its author, who is told why."),
        )
        return redirect(post)
    return render(request, "discussions/post_hide.html", _post_context(post, form=form))


def _post_context(post, **extra) -> dict:
    thread = post.thread
    return {
        "post": post,
        "thread": thread,
        "board": thread.board,
        "event": thread.board.event,
        **extra,
    }


# --- moderation -----------------------------------------------------------------------------------


@login_required
def moderation_queue(request):
    """Open flags this user may handle: all for moderators, their own boards for organisers."""
    flags = Flag.objects.open().for_moderator(request.user).with_queue_data()
    page = Paginator(flags, 25).get_page(request.GET.get("page"))
    return render(request, "discussions/moderation.html", {"page": page})


@login_required
@require_POST
def flag_resolve(request, pk):
    flag = get_object_or_404(Flag.objects.for_moderator(request.user), pk=pk)
    hide = request.POST.get("action") == "hide"
    reason = request.POST.get("reason", "").strip()
    if hide and not flag.image_id and not reason and not flag.post.is_hidden:
        messages.error(request, _("Say why the post is hidden: its author will read it."))
        return redirect("discussions:moderation")
    services.resolve_flag(flag=flag, moderator=request.user, hide=hide, reason=reason[:1000])
    if flag.image_id:
        message = (
            _("Flag resolved and image hidden.") if hide else _("Flag resolved; the image stays.")
        )
    else:
        message = (
            _("Flag resolved and post hidden.") if hide else _("Flag resolved; the post stays.")
        )
    messages.success(request, message)
    return redirect("discussions:moderation")


@login_required
def member_posts(request, pk):
    """For moderators: a member's posts on every board, their suspensions, and a suspend form."""
    if not request.user.is_moderator:
        raise PermissionDenied
    member = get_object_or_404(User, pk=pk)
    form = SuspendForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if member.pk == request.user.pk:
            raise PermissionDenied
        services.suspend_member(
            member=member,
            moderator=request.user,
            reason=form.cleaned_data["reason"],
            ends_at=form.ends_at,
        )
        messages.success(
            request, _("%(name)s can read but not post until then.") % {"name": member.public_name}
        )
        return redirect("discussions:member_posts", pk=member.pk)
    posts = (
        Post.objects.filter(author=member)
        .select_related("thread__board__event")
        .order_by("-created_at", "-pk")
    )
    return render(
        request,
        "discussions/member_posts.html",
        {
            "member": member,
            "page": Paginator(posts, POSTS_PER_PAGE).get_page(request.GET.get("page")),
            "suspension": Suspension.objects.current_for(member),
            "form": form,
        },
    )


@login_required
@require_POST
def suspension_lift(request, pk):
    if not request.user.is_moderator:
        raise PermissionDenied
    suspension = get_object_or_404(Suspension.objects.active(), pk=pk)
    services.lift_suspension(suspension=suspension, moderator=request.user)
    messages.success(request, _("The suspension is lifted: the member may post again."))
    return redirect("discussions:member_posts", pk=suspension.user_id)


# --- search ---------------------------------------------------------------------------------------


def search(request):
    """Recent threads from every board; search posts and thread titles by theme and event."""
    form = SearchForm(request.GET or None)
    q, results, recent = "", None, None
    if form.is_valid() and any(form.cleaned_data.values()):
        q = form.cleaned_data["q"]
        found = search_posts(q, theme=form.cleaned_data["theme"], event=form.cleaned_data["event"])
        results = Paginator(found, SEARCH_PAGE_SIZE).get_page(request.GET.get("page"))
        results.object_list = with_snippets(results.object_list, q)
    elif not form.errors:
        threads = Thread.objects.recent_across_boards().with_listing_data()
        recent = Paginator(threads, THREADS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "discussions/search.html",
        {"form": form, "q": q, "page": results, "recent": recent},
    )


# --- one-click unsubscribe ------------------------------------------------------------------------


@never_cache  # its address carries the member's signed token
@csrf_exempt  # RFC 8058: mail clients POST without a CSRF token; the signed token protects it.
def unsubscribe(request, token):
    try:
        subscription = services.subscription_from_token(token)
    except Subscription.DoesNotExist:
        raise Http404 from None
    if request.method == "POST":
        services.unsubscribe(subscription=subscription)
        return render(request, "discussions/unsubscribed.html", {"subscription": subscription})
    return render(
        request, "discussions/unsubscribe.html", {"subscription": subscription, "token": token}
    )


def thread_redirect(request, pk):
    """/threads/<id>/ without its slug."""
    return redirect(get_thread(request, pk))
