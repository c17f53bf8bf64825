"""The search page around its title and content, kept once per language and audience.

Every search is a different address, so the page skeletons that other pages keep per address
(core/skeletons.py `render_page`) would never be read twice. What surrounds the search page's
title and results (base.html: the header, menus, footer, alternate and canonical links) is the
same for every search but for the query string in its language links; rendering it was 3 ms of
a search page's CPU here (a third of its rendering). It is rendered once per process, language,
site and audience, with a stand-in for the query string (`QUERY_STAND_IN`), and kept in this
process; each page puts its own query string in the stand-in's places in the kept text (never
in the holes, which hold the reader's words), and fills the holes: the title, the content (form
and results), and base.html's personal parts (messages, account links).

What must hold (tests/discussions/test_search_page.py): each page is byte for byte the page a
plain render gives, for visitors and members, in both languages, whatever the query string.
"""

import re
from contextlib import contextmanager
from urllib.parse import quote

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.html import escape

from core import fragments, skeletons
from discussions.forms import SearchForm, chosen_event_key
from discussions.search import (
    THEME_POSTS_MARKERS,
    UNREADABLE_KEY,
    UNREADABLE_MARKERS,
    theme_posts_key,
)
from discussions.templatetags.discussions_tags import search_form_key
from people.middleware import session_hint

TEMPLATE = "discussions/search.html"
# What the kept page's language links carry instead of a query string (letters only: escaped
# and URL-encoded, it stays as it is).
QUERY_STAND_IN = "searchpagequerystandin"
# Kept pages per process: a handful (languages x sites x audiences); emptied when full.
_kept: dict[str, list] = {}
KEPT_PAGES = 64


def prefetch_reads(request) -> None:
    """Inside `fragments.batch()`: what a search page reads from the shared cache, in one round
    trip (five before): the markers and kept values of the form's menus, the search form's
    rendering, the ids of unreadable threads, a chosen event's row and a chosen theme's count of
    posts, and the session and account of the member the session named when this process last
    read it (people/middleware.py `session_hint`). A chosen event's threads are read after
    (their key needs the event's id)."""
    if not fragments.enabled():
        return
    hint = session_hint(request)
    kinds, keys = hint[1:] if hint is not None else ([], [])
    keys = list(keys)  # the hint's own list is kept for the next request
    # A chosen event's and theme's kept facts, by the slugs the address names.
    if event := request.GET.get("event"):
        keys.append(chosen_event_key(event))
    if theme := request.GET.get("theme"):
        keys.append(theme_posts_key(theme))
    markers = dict.fromkeys([*SearchForm.MENUS_MARKERS, *THEME_POSTS_MARKERS, *UNREADABLE_MARKERS])
    fragments.prefetch(
        kinds=[*markers, *kinds],
        keys=[SearchForm.menus_key(), search_form_key(request), UNREADABLE_KEY, *keys],
    )


def render_search_page(request, values: dict) -> HttpResponse:
    """The search page for `values` (form, q, page, recent), around them the kept page."""
    if not fragments.enabled():
        return render(request, TEMPLATE, values)
    path, _mark, query = request.get_full_path().partition("?")
    key = fragments.fragment_key(request, "search-page", "", [skeletons.audience(request), path])
    kept = _kept.get(key)
    if kept is None:
        with _full_path(request, f"{path}?{QUERY_STAND_IN}"):
            kept = skeletons.render_marked(request, TEMPLATE, values)
        if not fragments.storable("search-page", "".join(kept[::2])):
            return render(request, TEMPLATE, values)
        if len(_kept) >= KEPT_PAGES:
            _kept.clear()
        _kept[key] = kept
    page = skeletons.fill(request, with_query(kept, query), values)
    return HttpResponse(fragments.with_csrf_token(request, page))


def with_query(kept: list, query: str) -> list:
    """The kept page's text with `query` (as `request.get_full_path()` gives it) where the
    stand-in is: in the links' addresses (HTML-escaped) and in the language switch's `next`
    (URL-encoded, as the `urlencode` filter writes it). Holes are left as they are."""
    places = {
        f"?{QUERY_STAND_IN}": f"?{escape(query)}" if query else "",
        f"%3F{QUERY_STAND_IN}": quote(f"?{query}") if query else "",
    }

    def put(found):
        return places[found.group()]

    # One pass: a query holding a stand-in's other form is not replaced in its turn.
    return [
        _STAND_INS.sub(put, piece) if index % 2 == 0 else piece for index, piece in enumerate(kept)
    ]


_STAND_INS = re.compile(rf"(?:\?|%3F){QUERY_STAND_IN}")


@contextmanager
def _full_path(request, full_path: str):
    """`request.get_full_path()` answers `full_path` inside the block."""
    request.get_full_path = lambda force_append_slash=False: full_path
    try:
        yield
    finally:
        del request.get_full_path
