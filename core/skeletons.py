"""Whole pages shared by every reader of an audience, with holes for each reader's own parts.

A page such as an event's is the same for every member but for a few parts: the account links
in the header, the flash messages, "You're going" and the registration panel, a panel listing
the reader's dots. `render_page` renders the page once per version (change markers, see
core/fragments.py), language, site, path and audience, keeps it as a *skeleton* (the shared
text with a hole where each personal part goes) and, for every later reader, renders only the
holes from a small context the view computes cheaply (`personal()`), and joins.

Marking the holes: in a template, `{% personal "name" %}...{% endpersonal %}` (core/templatetags/
fragments.py); in Python, `hole(kind, args, content)` with a filler registered for `kind`
(`register_filler`), e.g. the event page's panels. Outside `render_page` both render their content
as usual, so a template with holes behaves the same on every other page.

What must hold, and is tested page by page (the assembled page is byte for byte the page a
plain render gives, for visitors, members with and without a place, ...):
- everything outside a hole is the same for every reader of the audience (the view renders
  the page itself, without a skeleton, for readers who see more: organisers, moderators, staff);
- a hole's content needs only `personal()`'s values and the context processors;
- no CSRF token outside a hole (a skeleton holding one is not kept), but the stand-in that
  `{% shared_with_token %}` leaves there: each page gets its reader's token in its place.
"""

import contextvars
import logging
from collections.abc import Callable

from django.core.cache import cache
from django.http import HttpResponse
from django.shortcuts import render
from django.template import engines
from django.template.context import make_context
from django.template.loader import render_to_string

from core import fragments

logger = logging.getLogger("commons.fragments")

# Private-use characters: they cannot come from our templates' text, and user text is never
# rendered with them (control and private-use characters are cleaned before save).
OPEN, CLOSE, END = "\ue010", "\ue011", "\ue012"
SEPARATOR = "\ue013"

_marking = contextvars.ContextVar("skeleton_marking", default=False)
_fillers: dict[str, Callable] = {}
# While a skeleton's holes are filled: (the skeleton's key, the hole), for `kept`.
_filling: contextvars.ContextVar[tuple | None] = contextvars.ContextVar("filling", default=None)
# A hole's output kept in this process per skeleton and reader state (`kept`). Bounded: emptied
# when full (cheaper than an LRU, and a refill costs one render per hole and state).
_kept: dict[tuple, str] = {}
KEPT_HOLES = 4096


def register_filler(kind: str, filler: Callable) -> None:
    """`filler(context, *args) -> str` renders a hole of `kind` from the personal context."""
    _fillers[kind] = filler


def audience(request) -> str:
    """Who a skeleton is for: visitors, plain members (base.html shows them all the same
    account links), or members whose account links are their own (organisers, moderators,
    staff)."""
    user = request.user
    if not user.is_authenticated:
        return "visitor"
    return getattr(user, "account_links_kind", "") or "member-own-links"


def marking() -> bool:
    """Whether a skeleton is being rendered (outside its holes)."""
    return _marking.get()


def hole(kind: str, args: tuple[str, ...], render: Callable[[], str]) -> str:
    """`render()`, marked as a hole when a skeleton is being rendered."""
    if not _marking.get():
        return render()
    token = _marking.set(False)  # a hole inside a hole is part of the outer one's content
    try:
        content = str(render())
    finally:
        _marking.reset(token)
    return f"{OPEN}{SEPARATOR.join((kind, *args))}{CLOSE}{content}{END}"


def render_page(
    request,
    template_name: str,
    *,
    name: str,
    version: str,
    parts: list,
    context: Callable[[], dict],
    personal: Callable[[], dict],
) -> HttpResponse:
    """The page `template_name` renders from `context()` and `personal()`, from its skeleton.

    `version` holds the change markers (and any moment) the shared text depends on; `parts` what
    else tells skeletons of `name` apart (object, audience); the full address is always part of
    the key. On a miss the page is rendered
    once, in full, and its skeleton kept; on a hit only `personal()` is computed.
    """
    if not fragments.enabled() or not version:
        return render(request, template_name, {**context(), **personal()})
    key = page_key(request, name, version, parts)
    skeleton = fragments.get(key)
    if skeleton is not None:
        page = fill(request, skeleton, personal(), key=key)
        return HttpResponse(fragments.with_csrf_token(request, page))
    return _render_and_keep(request, template_name, name, context, personal, key, lambda s: s)


def kept_page_key(request, name: str, parts: list) -> str:
    """The one key of a page `render_kept_page` keeps with its version (per address and
    `parts`, as render_page's), for a caller that reads it with other values in one round trip
    (`fragments.markers_and_values`)."""
    return fragments.fragment_key(request, "page:" + name, "", [request.get_full_path(), *parts])


def render_kept_page(
    request,
    template_name: str,
    *,
    name: str,
    key: str,
    version: str,
    stored,
    context: Callable[[], dict],
    personal: Callable[[], dict],
) -> HttpResponse:
    """As `render_page`, the skeleton being kept at `key` (`kept_page_key`) as `(version,
    skeleton)` and already read by the caller (`stored`): it is used while `version` is current
    (`fragments.current`), and one rendered by a request that read the markers before a write
    is stored under the old version, which nobody takes for current."""
    if not fragments.enabled() or not version:
        return render(request, template_name, {**context(), **personal()})
    skeleton = fragments.current(version, stored)
    if skeleton is not None:
        page = fill(request, skeleton, personal(), key=f"{key}:{version}")
        return HttpResponse(fragments.with_csrf_token(request, page))
    return _render_and_keep(
        request, template_name, name, context, personal, key, lambda s: (version, s)
    )


def _render_and_keep(request, template_name, name, context, personal, key, value):
    marked = _render_with_marks(request, template_name, {**context(), **personal()})
    skeleton, html = split(marked)
    if fragments.storable(name, "".join(skeleton[::2])):
        cache.set(key, value(encoded(skeleton)), fragments.FRAGMENT_SECONDS)
    return HttpResponse(fragments.with_csrf_token(request, html))


def render_marked(request, template_name: str, values: dict) -> list:
    """The skeleton of `template_name` rendered from `values` (its shared text and holes, as
    `split` gives them), for a caller that keeps it itself and fills it with `fill`."""
    return split(_render_with_marks(request, template_name, values))[0]


def _render_with_marks(request, template_name: str, values: dict) -> str:
    """The rendering with its holes marked (`split` parts them from the shared text)."""
    token = _marking.set(True)
    try:
        return render_to_string(template_name, values, request)
    finally:
        _marking.reset(token)


def page_key(request, name: str, version: str, parts: list) -> str:
    """The cache key of the skeleton `render_page` keeps for these arguments (to prefetch it)."""
    # The address with its query string: base.html's language links carry it.
    return fragments.fragment_key(
        request, "page:" + name, version, [request.get_full_path(), *parts]
    )


def split(marked: str) -> tuple[list, str]:
    """(skeleton, page) from a marked rendering: the skeleton alternates shared text and holes
    (tuples of kind and arguments); the page is the rendering without the marks."""
    skeleton, page = [], []
    position = 0
    while (start := marked.find(OPEN, position)) != -1:
        close = marked.index(CLOSE, start)
        end = marked.index(END, close)
        text = marked[position:start]
        skeleton += [text, tuple(marked[start + 1 : close].split(SEPARATOR))]
        page += [text, marked[close + 1 : end]]
        position = end + 1
    skeleton.append(marked[position:])
    page.append(marked[position:])
    return skeleton, "".join(page)


def encoded(skeleton: list) -> list:
    """The skeleton with its shared text as UTF-8: a page holding one character beyond ASCII is
    a string of two or four bytes a character, and encoding 50 kB of it for the response cost
    a thread page a tenth of its time; joined as bytes, only the holes are encoded."""
    return [piece.encode() if index % 2 == 0 else piece for index, piece in enumerate(skeleton)]


def fill(request, skeleton: list, values: dict, *, key: str | None = None) -> bytes:
    """The page, as UTF-8: the skeleton's shared text with each hole rendered from `values` (or
    kept, `kept`, when `key` names the skeleton).

    Holes render the CSRF stand-in for the token: the caller puts the reader's in its places
    (`fragments.with_csrf_token`), one token for the page as a plain render has (Django masks
    the token afresh for each `get_token`)."""
    engine = engines["django"].engine
    blank = _blank_template(engine)
    context = make_context(values, request, autoescape=engine.autoescape)
    out = []
    with (
        context.render_context.push_state(blank),
        context.bind_template(blank),
        context.push(csrf_token=fragments.CSRF_STAND_IN),
    ):
        for index, piece in enumerate(skeleton):
            if index % 2 == 0:
                out.append(piece if isinstance(piece, bytes) else piece.encode())
            else:
                kind, *args = piece
                token = _filling.set((key, piece) if key else None)
                try:
                    out.append(str(_fillers[kind](context, *args)).encode())
                finally:
                    _filling.reset(token)
    return b"".join(out)


def kept(state, render: Callable[[], str]) -> str:
    """`render()` for the hole being filled, kept in this process for its skeleton and `state`.

    `state` must tell apart every output the hole can have on this skeleton (whose key holds
    the version, address, language and audience): the reader's own facts the hole shows (their
    place, their follows, whether they may edit), and the version of any data the hole shows
    that the skeleton's version does not cover (places left). None renders afresh: a state too
    rare to keep (a waitlist position). A CSRF token in the output is kept as the stand-in
    (each page gets its reader's token, `render_page`).
    """
    filling = _filling.get()
    if filling is None or state is None:
        return render()
    key = (*filling, state)
    html = _kept.get(key)
    if html is None:
        html = fragments.with_csrf_stand_in(str(render()))
        if len(_kept) >= KEPT_HOLES:
            _kept.clear()
        _kept[key] = html
    return html


_blank = {}


def _blank_template(engine):
    # Holes render inside a template's render state (includes look their engine up there).
    if engine not in _blank:
        _blank[engine] = engine.from_string("")
    return _blank[engine]


# Template holes: `{% personal "name" %}` nodes, found again by template and name.
_nodes: dict[tuple[str, str], object] = {}


def remember_node(template_name: str, name: str, node) -> None:
    _nodes[(template_name, name)] = node


# (template, hole name) -> state(context): what tells the hole's outputs apart (`kept`).
_node_states: dict[tuple[str, str], Callable] = {}


def register_node_state(template_name: str, name: str, state: Callable) -> None:
    """Keep the output of `{% personal name %}` in `template_name` per `state(context)` (`kept`)."""
    _node_states[(template_name, name)] = state


def _fill_node(context, template_name: str, name: str) -> str:
    node = _nodes.get((template_name, name))
    if node is None:
        # A skeleton another process rendered: compiling the template remembers its nodes.
        engines["django"].engine.get_template(template_name)
        node = _nodes[(template_name, name)]
    state = _node_states.get((template_name, name))
    if state is None:
        return node.nodelist.render(context)
    return kept(state(context), lambda: node.nodelist.render(context))


register_filler("node", _fill_node)
