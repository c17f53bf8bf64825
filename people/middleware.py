"""Signed-in members' account row from the shared cache, not a query on every request.

Django's AuthenticationMiddleware reads the user's row on every request that looks at
`request.user`; for a member that is most pages. Here the row is kept in the shared cache under
a per-member change marker (core/fragments.py), moved after every committed save or deletion of
the account (people/apps.py), with the member's group names (and the groups marker): a request
that read the row before a change stores it with the old markers, which nobody takes for
current, so a change (a new password, a suspension, a new name, a new group) is seen by the
next request. Three cache reads become one, and no query.

The session is checked exactly as Django checks it: the backend must still be configured and
the session's hash must match the account's password; anything else (no hash, the fallback
secret keys, a flush) goes through Django's own `get_user`, which also fills the cache.
"""

from django.conf import settings
from django.contrib import auth
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.core.cache import cache
from django.utils.crypto import constant_time_compare
from django.utils.functional import SimpleLazyObject, empty

from core import fragments
from people.models import GROUPS_MARKER
from people.sessions import SessionStore as CachedSessionStore

# An upper bound only: a change moves the member's marker at once.
USER_SECONDS = 600


def user_marker(user_id) -> str:
    return f"user:{user_id}"


# The member each session named when this process last read it: a page may read the session
# with that member's account and its own reads, in one round trip (`session_hint`). Only a
# hint: who the reader is comes from the session read in that round trip, as ever. Bounded.
_session_members: dict[str, str] = {}
SESSION_MEMBERS = 10_000


def account_keys(user_id) -> tuple[list[str], str]:
    """The marker kinds and the key of member `user_id`'s row in the shared cache."""
    return [user_marker(user_id), GROUPS_MARKER], f"people:user:{user_id}"


def user_keys(request) -> tuple[list[str], str] | None:
    """What `get_user` reads from the shared cache for this request's member (the marker kinds
    and the key of their row), or None (a visitor, or a session the cache does not serve)."""
    session = request.session
    user_id = session.get(auth.SESSION_KEY)
    backend = session.get(auth.BACKEND_SESSION_KEY)
    known_backend = backend in settings.AUTHENTICATION_BACKENDS
    if not fragments.enabled() or user_id is None or not known_backend:
        return None
    if session.session_key and _session_members.get(session.session_key) != user_id:
        if len(_session_members) >= SESSION_MEMBERS:
            _session_members.clear()
        _session_members[session.session_key] = user_id
    return account_keys(user_id)


def session_hint(request) -> tuple[int, list[str], list[str]] | None:
    """(member id, marker kinds, keys) a page may read before the session, in its own round
    trip: the session's entry in the shared cache (read from there by people/sessions.py) and
    the account of the member the session named when this process last read it. None when
    that is not known, the session is read already, or the sessions are not in the cache."""
    lazy = request.__dict__.get("user")
    if not isinstance(lazy, SimpleLazyObject) or lazy._wrapped is not empty:
        return None
    session = request.session
    session_key = session.session_key
    if session_key is None or hasattr(session, "_session_cache") or not fragments.enabled():
        return None
    member = _session_members.get(session_key)
    if member is None or not isinstance(session, CachedSessionStore):
        return None
    kinds, key = account_keys(member)
    return int(member), kinds, [key, session.cache_key]


def get_user(request, read=None):
    """The request's user; `read` is `(tokens, values)` from a caller that read `user_keys`
    with its own values in one round trip (`fragments.markers_and_values`)."""
    keys = user_keys(request)
    if keys is None:
        return auth.get_user(request)
    kinds, key = keys
    if read is not None and not all(kind in read[0] for kind in kinds):
        read = None  # read for another member than the session names (`session_hint`)
    tokens, found = read or fragments.markers_and_values(kinds, [key])
    tokens = fragments.joined(tokens, kinds)
    user = fragments.current(tokens, found.get(key))
    if user is not None:
        session_hash = request.session.get(auth.HASH_SESSION_KEY)
        if session_hash and constant_time_compare(session_hash, user.get_session_auth_hash()):
            return user
    user = auth.get_user(request)
    if user.is_authenticated and str(user.pk) == str(request.session.get(auth.SESSION_KEY)):
        # The group names travel with the row (User.in_group reads them there first).
        user.__dict__["_group_names"] = frozenset(user.groups.values_list("name", flat=True))
        cache.set(key, (tokens, user), USER_SECONDS)
    return user


def pending_user_keys(request) -> tuple[list[str], str] | None:
    """`user_keys` while `request.user` has not been read yet (else None): a view that reads
    the shared cache first may read the member's keys with its own and `resolve_user` from
    them, one round trip instead of two."""
    lazy = request.__dict__.get("user")
    if not isinstance(lazy, SimpleLazyObject) or lazy._wrapped is not empty:
        return None
    return user_keys(request)


def resolve_user(request, tokens: dict, values: dict) -> None:
    """Give the still unread `request.user` the user `get_user` finds in what the caller read
    for `pending_user_keys` (everything holding `request.user` sees it)."""
    lazy = request.__dict__.get("user")
    if isinstance(lazy, SimpleLazyObject):
        if lazy._wrapped is empty:
            lazy._wrapped = get_user(request, (tokens, values))
        request.user = lazy._wrapped  # what reads it next skips the lazy object's proxying


class CachedUserAuthenticationMiddleware(AuthenticationMiddleware):
    def process_request(self, request):
        super().process_request(request)  # its checks, and request.auser

        def user():
            # Once read, the user itself: a page asks it dozens of things, and each question
            # through the lazy object costs three Python calls.
            request.user = get_user(request)
            return request.user

        request.user = SimpleLazyObject(user)
