"""Template tags that let event pages show discussions without events importing discussions,
and the search page's result rows."""

from html import escape as escape_text

from django import template
from django.db.models import Count, F, FilteredRelation, Q, Window
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.dates import MONTHS_3
from django.utils.html import conditional_escape, escape
from django.utils.safestring import mark_safe
from django.utils.timezone import get_current_timezone
from django.utils.translation import gettext

from core import fragments
from core.i18n import marking
from discussions.models import Board, Flag, Thread
from events.models import Event, public_q

register = template.Library()

THEME_THREADS_LIMIT = 10
PANEL_THREADS_LIMIT = 3


@register.simple_tag
def threads_on_theme(theme, limit=THEME_THREADS_LIMIT):
    """The most active visible threads on a theme, from every event's board (bounded)."""
    return list(
        Thread.objects.on_theme(theme)
        .filter(public_q("board__event__"), hidden=False)
        .select_related("board__event", "last_poster")
        .most_active()[:limit]
    )


@register.simple_tag
def board_summary(event, limit=PANEL_THREADS_LIMIT):
    """What the event page shows of its board: the board (or None), thread count, latest threads.

    One query whether or not the board has threads: the board LEFT JOINs its visible threads in
    the board's order, and a window count over the join carries the total.
    """
    if not event.is_public:
        return None
    shown = FilteredRelation("threads", condition=Q(threads__hidden=False))
    rows = list(
        Board.objects.filter(event=event)
        .annotate(shown=shown)
        .annotate(thread_total=Window(Count("shown__id")))
        .order_by(
            F("shown__pinned").desc(nulls_last=True),
            F("shown__last_activity_at").desc(nulls_last=True),
            F("shown__id").desc(nulls_last=True),
        )
        .values(
            "pk",
            "is_open",
            "closed_message",
            "thread_total",
            "shown__id",
            "shown__title",
            "shown__slug",
            "shown__reply_count",
            "shown__last_activity_at",
        )[:limit]
    )
    if not rows:
        return {"board": None, "thread_count": 0, "threads": []}
    first = rows[0]
    board = Board(
        pk=first["pk"],
        event=event,
        is_open=first["is_open"],
        closed_message=first["closed_message"],
    )
    threads = [
        Thread(
            pk=row["shown__id"],
            board=board,
            title=row["shown__title"],
            slug=row["shown__slug"],
            reply_count=row["shown__reply_count"],
            last_activity_at=row["shown__last_activity_at"],
        )
        for row in rows
        if row["shown__id"] is not None
    ]
    return {"board": board, "thread_count": first["thread_total"], "threads": threads}


@register.simple_tag(takes_context=True)
def open_flag_count(context) -> int | None:
    """Open flags the signed-in moderator or organiser may handle (None for everyone else)."""
    user = context["request"].user
    if not (user.is_authenticated and (user.is_moderator or user.is_organiser)):
        return None
    return Flag.objects.open().for_moderator(user).count()


SEARCH_FORM = "discussions/_search_form.html"
# Stands for the words in the kept rendering of the search form (private use: never in our
# templates' text).
_WORDS = "\ue020"


@register.simple_tag(takes_context=True)
def search_form(context, form) -> str:
    """The search page's form (templates/discussions/_search_form.html), byte for byte.

    Its rendering without words or choices is kept for every reader of a language until the
    menus change (`SearchForm.menus_and_version`; one per older event a reader chose, which
    the menu then lists): each page puts its words and choices in (0.4 ms of a page's CPU,
    rendered). A form with errors is rendered as usual.
    """
    request = context.get("request")
    if form.errors or request is None or not form.menus_version:
        return render_to_string(SEARCH_FORM, {"form": form})

    def blank() -> str:
        kept = type(form)({"q": _WORDS})
        for name in ("theme", "event"):  # the menus this reader sees (an older event too)
            widget, shown = kept.fields[name].widget, form.fields[name].widget
            widget.choices, widget.languages = shown.choices, shown.languages
        # Nothing chosen: Django selected each menu's empty option.
        return render_to_string(SEARCH_FORM, {"form": kept}).replace(
            '<option value="" selected>', '<option value="">'
        )

    # At a key known before the menus are read (`search_form_key`), with their version.
    key = search_form_key(request, form.older_event)
    html = fragments.current(form.menus_version, fragments.get(key))
    if html is None:
        html = blank()
        if fragments.storable("search-form", html):
            fragments.keep(key, form.menus_version, html)
    at = html.index('<select name="event"')
    html = _chosen(html[:at], form["theme"].value()) + _chosen(html[at:], form["event"].value())
    words = form.fields["q"].widget.format_value(form["q"].value())
    if words is None:  # TextInput leaves out an empty value
        return mark_safe(html.replace(f' value="{_WORDS}"', "", 1))  # noqa: S308 (rendered)
    return mark_safe(html.replace(_WORDS, escape(words), 1))  # noqa: S308 (escaped)


def search_form_key(request, older_event: str = "") -> str:
    """Where the search form's blank rendering is kept for this language and site (and the
    older event a reader chose, which its menu then lists), with the menus' version."""
    return fragments.fragment_key(request, "search-form", "", [older_event])


def _chosen(html: str, value) -> str:
    """`html` with the option of `value` selected, as Django's Select marks it (its only
    <select>, or the first one that has such an option)."""
    option = f'<option value="{escape("" if value is None else value)}"'
    return html.replace(option, f"{option} selected", 1)


@register.simple_tag
def search_results(posts) -> str:
    """The items of the search page's result list (templates/discussions/search.html), written
    here as that template wrote them: 20 rows through its tags and filters were 6 ms, a quarter
    of a search page's CPU (now under 1 ms). `posts` come from discussions.search.with_snippets.

    Text is escaped as Django's `escape` does (it calls html.escape) without its lazy-text
    wrapper, dates written as `date_format(when, "j M Y")` writes them (a formatter per row
    was a third of this tag), each event's title marked once."""
    former_member = gettext("A former member")
    # One reverse for the page: the address of every post but its id.
    url = escape_text(reverse("discussions:post", kwargs={"pk": _ANY_ID}))
    months, events, mark_title = {}, {}, marking(Event, "title")
    # The page's time zone read once (template_localtime per row read it anew, 1.7% of a
    # search's CPU); every post's time is aware.
    zone = get_current_timezone()
    rows = []
    for post in posts:
        thread, when = post.thread, post.created_at.astimezone(zone)
        if (month := months.get(when.month)) is None:
            month = months[when.month] = escape_text(MONTHS_3[when.month].title())
        event = thread.board.event
        if (shown_event := events.get(event.pk)) is None:
            shown_event = events[event.pk] = mark_title(event)
        number = ""
        if post.number > 1:
            number = f' <span class="small text-body-secondary">#{post.number}</span>'
        author = (post.author.public_name if post.author else "") or former_member
        snippet = conditional_escape(post.snippet)
        rows.append(
            f'<li class="search-result">\n'
            f'<h2 class="h5 mb-1"><a href="{url.replace(_ANY_ID_TEXT, str(post.pk))}"'
            f' lang="{escape_text(thread.language)}">{escape_text(thread.title)}</a>{number}</h2>\n'
            f'<p class="small mb-1">{escape_text(author)} · {shown_event} · '
            f'<time datetime="{when.isoformat()}">{when.day} {month} {when.year:04d}</time></p>\n'
            f'<p class="snippet mb-0" lang="{escape_text(post.language)}">{snippet}</p>\n</li>\n'
        )
    return mark_safe("".join(rows))  # noqa: S308 (every value above is escaped or marked safe)


_ANY_ID = 987654321987
_ANY_ID_TEXT = str(_ANY_ID)
