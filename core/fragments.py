"""Shared fragments: the parts of a page that are the same for every reader, rendered once.

A *change marker* is a random token kept in the shared cache under one key per kind of data
("events", "board:12", ...). Every committed write that could change what a fragment of that
kind shows moves the marker (`move_marker_on_commit`, after commit: a reader never sees the new
marker before the new data). Fragments are cached under the markers they depend on, so a write
makes the old entries unreachable at once; they expire on their own.

A marker missing from the cache (never set, evicted, Redis restarted, or deleted by
config/cache.py after a write dropped during an outage) is replaced by a new token: a lost
marker costs misses, never a stale page.

Fragments are keyed by the language, the scheme and host (pages hold absolute URLs) and what
the caller adds (path, query string, page number). They must hold nothing personal and no CSRF
token: a rendering that contains one is not stored. The marker lives in the same cache as the
fragments, so this is on only where that cache is shared by every process (settings
SHARED_FRAGMENTS: on with REDIS_URL; a per-process cache would miss other processes' writes).
"""

import hashlib
import logging
import uuid
from functools import partial

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils.translation import get_language

logger = logging.getLogger("commons.fragments")

MARKER_PREFIX = "marker:"
FRAGMENT_PREFIX = "fragment:"
# An upper bound only: a write replaces a fragment at once (its marker moves).
FRAGMENT_SECONDS = 3600
CSRF_FIELD = 'name="csrfmiddlewaretoken"'


def markers(*kinds: str) -> str:
    """The current tokens of `kinds`, joined (one cache round trip; missing ones are created)."""
    keys = [MARKER_PREFIX + kind for kind in kinds]
    found = cache.get_many(keys)
    tokens = []
    for key in keys:
        token = found.get(key)
        if token is None:
            token = uuid.uuid4().hex
            # Another process may have created it meanwhile: theirs wins (add does not replace).
            if not cache.add(key, token, None):
                token = cache.get(key) or token
        tokens.append(token)
    return ".".join(tokens)


def move_marker(kind: str) -> None:
    """Give `kind` a new token: every fragment cached under the old one is out of reach."""
    cache.set(MARKER_PREFIX + kind, uuid.uuid4().hex, None)


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
    raw = "|".join(
        [name, version, get_language() or "", request.scheme, request.get_host(), *map(str, parts)]
    )
    key = FRAGMENT_PREFIX + name + ":" + hashlib.sha256(raw.encode()).hexdigest()
    value = cache.get(key)
    if value is not None:
        return value
    value = render()
    texts = value.values() if isinstance(value, dict) else [value]
    if any(isinstance(text, str) and CSRF_FIELD in text for text in texts):
        logger.error("fragment %s holds a CSRF token: not cached", name)
        return value
    cache.set(key, value, FRAGMENT_SECONDS)
    return value
