"""Thin views: parse, call one service or queryset, respond. Rules live on the models."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.syndication.views import Feed
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from core import fragments
from core.feeds import CleanAtom1Feed
from discussions import pages, services
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
    Subscription,
    Suspension,
    Thread,
)
from discussions.rendering import render_markdown
from discussions.search import search_posts, with_snippets
from discussions.search_page import prefetch_reads, render_search_page
from events.models import Event, EventRole
from people.models import User

SEARCH_PAGE_SIZE = 20
_ROLES = Prefetch("event__roles", queryset=EventRole.objects.select_related("person"))


# --- lookups: what a user may not see is a 404 ----------------------------------------------------


def get_board(event_slug: str, *, create: bool = False, reader=None) -> Board:
    """A public event's board; drafts have none.

    A board is saved on its first write (`create=True`: a thread, a follow, closing it); until
    then a reader gets an empty, unsaved board, so a GET writes nothing. With `reader`, what the
    board page asks of them comes in the board's query (`BoardQuerySet.with_reader`) instead of
    the event's roles.
    """
    boards = Board.objects.public().select_related("event")
    boards = boards.with_reader(reader) if reader is not None else boards.prefetch_related(_ROLES)
    try:
        board = boards.get(event__slug=event_slug)
    except Board.DoesNotExist:
        event = get_object_or_404(Event.objects.public(), slug=event_slug)
        if create:
            return boards.get(pk=Board.objects.for_event(event).pk)
        return Board(event=event)
    if reader is not None and reader.is_authenticated:
        board.remember_organiser(reader, board.reader_organises)
    return board


def get_thread(request, pk: int) -> Thread:
    """The thread at `pk` if the user may see it, else 404; with what its page asks of a member
    (`ThreadQuerySet.with_reader`: whether they may moderate it, follow it, may post). Its themes
    are fetched where shown (a shared part of the thread page)."""
    threads = Thread.objects.select_related("board__event").with_reader(request.user)
    thread = get_object_or_404(threads, pk=pk)
    if request.user.is_authenticated:
        thread.board.remember_organiser(request.user, thread.reader_organises)
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


def _refusal(exc: ValidationError) -> str:
    return " ".join(exc.messages)


# --- board ----------------------------------------------------------------------------------------


def board(request, event_slug):
    """An event's board (discussions/pages.py: kept as a skeleton for who may not moderate)."""
    board = pages.board_for_page(request, event_slug) or get_board(event_slug, reader=request.user)
    return pages.BoardPage(request, board).response()


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
    page = pages.ThreadPage(request, thread, page_number=page_number, form=form, preview=preview)
    return page.response(status=status)


def thread_detail(request, pk, slug):
    """A page of a thread (discussions/pages.py: kept as a skeleton for who may not moderate)."""
    thread = pages.thread_for_page(request, pk)
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
    with fragments.batch():  # what the page reads from the shared cache, in one round trip
        prefetch_reads(request)
        form = SearchForm(request.GET or None)
        q, results, recent = "", None, None
        if form.is_valid() and any(form.cleaned_data.values()):
            q = form.cleaned_data["q"]
            theme, event = form.cleaned_data["theme"], form.cleaned_data["event"]
            found = search_posts(q, theme=theme, event=event)
            results = Paginator(found, SEARCH_PAGE_SIZE).get_page(request.GET.get("page"))
            results.object_list = with_snippets(results.object_list, q)
        elif not form.errors:
            threads = Thread.objects.recent_across_boards().with_listing_data()
            recent = Paginator(threads, THREADS_PER_PAGE).get_page(request.GET.get("page"))
        values = {"form": form, "q": q, "page": results, "recent": recent}
        return render_search_page(request, values)


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
