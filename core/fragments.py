"""Shared fragments: the parts of a page that are the same for every reader, rendered once.

A *change marker* is a random token kept in the shared cache under one key per kind of data
("events", "board:12", ...). Every committed write that could change what a fragment of that
kind shows moves the marker (`move_marker_on_commit`, after commit: a reader never sees the new
marker before the new data). Fragments are cached under the markers they depend on, so a write
makes the old entries unreachable at once; they expire on their own.

A marker missing from the cache (never set, evicted, Redis restarted, or deleted by
config/cache.py after a write dropped during an outage) is replaced by a new token: a lost
marker costs misses, never a stale page.

Fragments are keyed by the release (a digest of code, templates and catalogues: a deploy
starts afresh), the language, the scheme and host (pages hold absolute URLs) and what
the caller adds (path, query string, page number). They must hold nothing personal and no CSRF
token: a rendering that contains one is not stored. The marker lives in the same cache as the
fragments, so this is on only where that cache is shared by every process (settings
SHARED_FRAGMENTS: on with REDIS_URL; a per-process cache would miss other processes' writes).
"""

import contextlib
import contextvars
import functools
import hashlib
import logging
import os
import re
import secrets
import string
import uuid
from functools import partial

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils.translation import get_language

logger = logging.getLogger("commons.fragments")

MARKER_PREFIX = "marker:"
# Moved when an upload's stored variants change (core/tasks.py): pages keeping its row.
UPLOADS_MARKER = "uploads"
FRAGMENT_PREFIX = "fragment:"
# An upper bound only: a write replaces a fragment at once (its marker moves).
FRAGMENT_SECONDS = 3600
CSRF_FIELD = 'name="csrfmiddlewaretoken"'
# Stands in for the CSRF token in a kept rendering (private use: never in our output); each
# reader's own replaces it (`with_csrf_token`).
CSRF_STAND_IN = "\ue014csrf\ue014"
_CSRF_STAND_IN_BYTES = CSRF_STAND_IN.encode()
_CSRF_VALUES = re.compile(r'name="csrfmiddlewaretoken" value="([^"]*)"')
# What a rendering depends on besides the data: code, templates, compiled catalogues.
RELEASE_SUFFIXES = {".py", ".html", ".mo", ".txt"}
RELEASE_SKIP = {
    ".venv", "node_modules", "staticfiles", "media", ".git", "tests", "bench", "run", "__pycache__"
}  # fmt: skip


# Within `batch()`: what this request read from the cache (None for a missing entry), so that a
# marker asked for by several parts of a page costs one round trip, and `prefetch` can fetch
# what the page's parts will ask for all at once.
_batch: contextvars.ContextVar[dict | None] = contextvars.ContextVar("batch", default=None)


@contextlib.contextmanager
def batch():
    """Read markers and kept values once for the block (a read-only page view): each entry
    costs one round trip at most, and `prefetch` joins many into one. A marker moved inside
    the block (`move_marker`) is read again."""
    token = _batch.set({})
    try:
        yield
    finally:
        _batch.reset(token)


def batching() -> bool:
    """Whether reads are kept for the rest of a `batch()` block."""
    return _batch.get() is not None


def prefetch(*, kinds=(), keys=()) -> None:
    """Inside `batch()`, fetch the markers of `kinds` and the entries at `keys` in one round
    trip, for the reads that follow; outside it, nothing."""
    if _batch.get() is not None and enabled():
        _get_many([MARKER_PREFIX + kind for kind in kinds] + list(keys))


def _get_many(keys: list) -> dict:
    memo = _batch.get()
    if memo is None:
        return cache.get_many(keys)
    missing = [key for key in keys if key not in memo]
    if missing:
        found = cache.get_many(missing)
        for key in missing:
            memo[key] = found.get(key)
    return {key: memo[key] for key in keys if memo[key] is not None}


def get(key: str):
    """`cache.get(key)`, read once per `batch()`."""
    return _get_many([key]).get(key)


def remember(key: str, value) -> None:
    """What was just written at `key`, for the rest of the `batch()` (if any)."""
    memo = _batch.get()
    if memo is not None:
        memo[key] = value


def keep(key: str, tokens: str, value) -> None:
    """Keep `value`, read under `tokens` (`markers_and_value`), in the shared cache."""
    cache.set(key, (tokens, value), FRAGMENT_SECONDS)
    remember(key, (tokens, value))


def kept_value(kinds, key: str, fetch):
    """The value kept at `key` while the markers of `kinds` stand where they stood when it was
    read; else `fetch()`, kept with today's tokens (`markers_and_value`: no race). A `fetch`
    whose answer may be None wraps it (None is "not kept")."""
    tokens, stored = markers_and_value(kinds, key)
    value = current(tokens, stored)
    if value is None:
        value = fetch()
        keep(key, tokens, value)
    return value


def markers(*kinds: str) -> str:
    """The current tokens of `kinds`, joined (one cache round trip; missing ones are created)."""
    return markers_and_value(kinds, None)[0]


def markers_and_value(kinds, key: str | None) -> tuple[str, object]:
    """(`markers(*kinds)`, the cached value at `key`) in one round trip.

    For a value kept under a fixed key together with the tokens it was read under, as
    `(tokens, value)`: it is current when its tokens are today's. A writer that read the data
    before a marker moved stores the old tokens with it, so nobody uses it: no race.
    """
    tokens, values = markers_and_values(kinds, [key] if key else [])
    return ".".join(tokens[kind] for kind in kinds), values.get(key) if key else None


def markers_and_values(kinds, keys) -> tuple[dict[str, str], dict[str, object]]:
    """({kind: its current token}, {key: the cached value, for those found}) in one round trip:
    for a page that checks several kept values, each against some of the markers
    (`joined(tokens, kinds)` is what `markers(*kinds)` gives)."""
    marker_keys = {MARKER_PREFIX + kind: kind for kind in kinds}
    found = dict(_get_many([*marker_keys, *keys]))
    tokens = {}
    for marker_key, kind in marker_keys.items():
        token = found.pop(marker_key, None)
        if token is None:
            token = uuid.uuid4().hex
            # Another process may have created it meanwhile: theirs wins (add does not replace).
            if not cache.add(marker_key, token, None):
                token = cache.get(marker_key) or token
            remember(marker_key, token)
        tokens[kind] = token
    return tokens, found


def joined(tokens: dict[str, str], kinds) -> str:
    """The version `markers(*kinds)` gives, from tokens read by `markers_and_values`."""
    return ".".join(tokens[kind] for kind in kinds)


def current(tokens: str, stored) -> object | None:
    """The value of a `(tokens, value)` pair read by `markers_and_value`, if still current."""
    if isinstance(stored, tuple) and len(stored) == 2 and stored[0] == tokens:
        return stored[1]
    return None


def move_marker(kind: str) -> None:
    """Give `kind` a new token: every fragment cached under the old one is out of reach."""
    cache.set(MARKER_PREFIX + kind, uuid.uuid4().hex, None)
    memo = _batch.get()
    if memo is not None:
        memo.pop(MARKER_PREFIX + kind, None)


def move_marker_on_commit(*kinds: str) -> None:
    """Move the markers of `kinds` once the current transaction commits (at once outside one)."""
    for kind in kinds:
        transaction.on_commit(partial(move_marker, kind), robust=True)


def enabled() -> bool:
    return settings.SHARED_FRAGMENTS


def shared_fragment(request, name: str, version: str, parts, render):
    """`render()` for every reader of this language and site, cached under `name` and `version`.

    `version` holds the markers (and any other moment) the fragment depends on; `parts` what
    else tells fragments of one name apart (path, query string, page). `render` returns anything
    the cache can hold (a str, or a dict of strs and plain values).
    """
    if not enabled():
        return render()
    key = fragment_key(request, name, version, parts)
    value = get(key)
    if value is not None:
        return value
    value = render()
    if storable(name, value):
        cache.set(key, value, FRAGMENT_SECONDS)
        remember(key, value)
    return value


def shared_fragments(request, name: str, version: str, items: list) -> list:
    """`shared_fragment` for several fragments of one name at once, `items` being
    (parts, render) pairs: one cache read for all, one write for the misses."""
    if not enabled():
        return [render() for _parts, render in items]
    keys = [fragment_key(request, name, version, parts) for parts, _render in items]
    found = cache.get_many(keys)
    values, missed = [], {}
    for key, (_parts, render) in zip(keys, items, strict=True):
        value = found.get(key)
        if value is None:
            value = render()
            if storable(name, value):
                missed[key] = value
        values.append(value)
    if missed:
        cache.set_many(missed, FRAGMENT_SECONDS)
    return values


@functools.cache
def release() -> str:
    """A digest of the code, templates and catalogues this process renders with.

    Part of every key: after a deploy, fragments rendered by the old templates are not used.
    """
    digest = hashlib.sha256()
    root = str(settings.BASE_DIR)
    for folder, subfolders, files in os.walk(root):
        subfolders[:] = sorted(d for d in subfolders if d not in RELEASE_SKIP)
        for name in sorted(files):
            if os.path.splitext(name)[1] in RELEASE_SUFFIXES:
                stat = os.stat(os.path.join(folder, name))
                digest.update(f"{folder}/{name}|{stat.st_size}|{stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:16]


def fragment_key(request, name, version, parts) -> str:
    raw = "|".join(
        [
            name,
            version,
            release(),
            get_language() or "",
            request.scheme,
            request.get_host(),
            *map(str, parts),
        ]
    )
    return FRAGMENT_PREFIX + name + ":" + hashlib.sha256(raw.encode()).hexdigest()


def storable(name, value) -> bool:
    """False (and an error logged) for a rendering holding a CSRF token (a stand-in is fine)."""
    texts = value.values() if isinstance(value, dict) else [value]
    for text in texts:
        tokens = _CSRF_VALUES.findall(text) if isinstance(text, str) and CSRF_FIELD in text else []
        if any(token != CSRF_STAND_IN for token in tokens):
            logger.error("fragment %s holds a CSRF token: not cached", name)
            return False
    return True


def with_csrf_stand_in(html: str) -> str:
    """`html` with every CSRF token replaced by the stand-in (to be kept for every reader)."""
    if CSRF_FIELD not in html:
        return html
    return _CSRF_VALUES.sub(f'{CSRF_FIELD} value="{CSRF_STAND_IN}"', html)


def with_csrf_token(request, html: str | bytes) -> str | bytes:
    """`html` (text, or UTF-8) with each CSRF stand-in replaced by this reader's token (as
    {% csrf_token %})."""
    if isinstance(html, bytes):
        if _CSRF_STAND_IN_BYTES not in html:
            return html
        return html.replace(_CSRF_STAND_IN_BYTES, csrf_token(request).encode())
    if CSRF_STAND_IN not in html:
        return html
    return html.replace(CSRF_STAND_IN, csrf_token(request))


_CSRF_CHARS = string.ascii_letters + string.digits
_CSRF_INDEX = {char: index for index, char in enumerate(_CSRF_CHARS)}
# Random bytes below this are taken modulo 62, the rest drawn again: every character equally likely.
_CSRF_BYTE_LIMIT = 256 - 256 % len(_CSRF_CHARS)


def csrf_token(request) -> str:
    """The token Django's `get_token` gives: the request's CSRF secret masked with a new random
    mask (BREACH), made the same way but with one call for the random bytes instead of one
    `secrets.choice` a character (a sixth of a kept page's cost). Django unmasks it as its own
    (`django.middleware.csrf._unmask_cipher_token`; tested)."""
    from django.middleware.csrf import CSRF_ALLOWED_CHARS, get_token

    secret = request.META.get("CSRF_COOKIE")
    if (
        secret is None
        or CSRF_ALLOWED_CHARS != _CSRF_CHARS
        or len(secret) != 32
        or not _CSRF_INDEX.keys() >= set(secret)
    ):
        return get_token(request)  # a new secret (and cookie): Django's own way
    request.META["CSRF_COOKIE_NEEDS_UPDATE"] = True  # as get_token: renew the cookie's expiry
    mask = []
    while len(mask) < 32:
        mask += [byte % 62 for byte in secrets.token_bytes(40) if byte < _CSRF_BYTE_LIMIT]
    mask = mask[:32]
    index, chars = _CSRF_INDEX, _CSRF_CHARS
    cipher = "".join(
        [chars[(index[char] + offset) % 62] for char, offset in zip(secret, mask, strict=True)]
    )
    return "".join([chars[offset] for offset in mask]) + cipher
