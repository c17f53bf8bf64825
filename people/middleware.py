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
from django.utils.functional import SimpleLazyObject

from core import fragments
from people.models import GROUPS_MARKER

# An upper bound only: a change moves the member's marker at once.
USER_SECONDS = 600


def user_marker(user_id) -> str:
    return f"user:{user_id}"


def get_user(request):
    session = request.session
    user_id = session.get(auth.SESSION_KEY)
    backend = session.get(auth.BACKEND_SESSION_KEY)
    known_backend = backend in settings.AUTHENTICATION_BACKENDS
    if not fragments.enabled() or user_id is None or not known_backend:
        return auth.get_user(request)
    key = f"people:user:{user_id}"
    tokens, stored = fragments.markers_and_value([user_marker(user_id), GROUPS_MARKER], key)
    user = fragments.current(tokens, stored)
    if user is not None:
        session_hash = session.get(auth.HASH_SESSION_KEY)
        if session_hash and constant_time_compare(session_hash, user.get_session_auth_hash()):
            return user
    user = auth.get_user(request)
    if user.is_authenticated and str(user.pk) == str(user_id):
        # The group names travel with the row (User.in_group reads them there first).
        user.__dict__["_group_names"] = frozenset(user.groups.values_list("name", flat=True))
        cache.set(key, (tokens, user), USER_SECONDS)
    return user


class CachedUserAuthenticationMiddleware(AuthenticationMiddleware):
    def process_request(self, request):
        super().process_request(request)  # its checks, and request.auser
        request.user = SimpleLazyObject(lambda: get_user(request))
