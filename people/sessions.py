"""Sessions in the shared cache, written through to the database (Django's cached_db), whose
read inside a page's `fragments.batch()` comes with the page's own reads: the page asks for the
session's entry with them (people/middleware.py `session_hint`), one round trip instead of two.
"""

from django.contrib.sessions.backends import cached_db

from core import fragments


class SessionStore(cached_db.SessionStore):
    def load(self):
        if fragments.batching():
            data = fragments.get(self.cache_key)  # read with the page's values, or now
            if data is not None:
                return data
        # Not in the cache (or not in a batch): Django's way, from the database if need be.
        return super().load()
