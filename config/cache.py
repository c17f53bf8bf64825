"""A Redis cache that degrades to "no cache" when Redis goes away.

Django's built-in RedisCache raises on every connection error, which would turn a cache outage into
a site outage. Here an error is logged and read as a miss: `get` returns the default, writes are
dropped, `incr` answers as if the counter had just started (so rate limits fail open: while Redis
is down nobody is locked out of posting; the limits come back with Redis). After a failure the
backend stops trying for a few seconds, so a dead Redis costs one timeout per worker, not one per
request.

A write that Redis never received would leave the old value there for when Redis is back (a
logged-out session, an old change marker). So the keys of dropped writes and deletes are
remembered, and deleted before the backend's first successful call after the outage.

Django builds a new redis client object for every cache call and keeps one connection pool per
thread's cache object; here every thread of a process shares one pool and one client per server.
"""

import functools
import logging
import threading
import time

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import RedisError

logger = logging.getLogger("commons.cache")

# Seconds to treat Redis as down after an error, before trying it again.
RETRY_AFTER_SECONDS = 5.0

# Keys of dropped writes remembered per process; past this the oldest risk staying stale (logged).
STALE_KEYS_MAX = 10_000

_shared = {}
_shared_lock = threading.Lock()


class SharedPoolRedisClient(RedisCacheClient):
    """Django's Redis client with one connection pool and one client per server per process."""

    def _shared_client(self, index):
        key = (self._servers[index], repr(sorted(self._pool_options.items())))
        client = _shared.get(key)
        if client is None:
            with _shared_lock:
                client = _shared.get(key)
                if client is None:
                    pool = self._pool_class.from_url(self._servers[index], **self._pool_options)
                    client = _shared[key] = self._client(connection_pool=pool)
        return client

    def _get_connection_pool(self, write):
        return self.get_client(write=write).connection_pool

    def get_client(self, key=None, *, write=False):
        return self._shared_client(self._get_connection_pool_index(write))


def _mark_down(self, error):
    self._down_until = time.monotonic() + RETRY_AFTER_SECONDS
    logger.warning(
        "cache unavailable (%s: %s); serving without cache for %.0f s",
        type(error).__name__,
        error,
        RETRY_AFTER_SECONDS,
    )


def _degrade(fallback, written=None):
    """Run a cache method; on a Redis error log it and return `fallback(*args, **kwargs)`.

    `written(self, *args, **kwargs)` names the (full) keys a write method changes, so that a
    dropped write can be repaired by deleting them once Redis answers again.
    """

    def decorator(method):
        @functools.wraps(method)
        def wrapper(self, *args, **kwargs):
            if time.monotonic() < self._down_until:
                if written:
                    self._remember_stale(written(self, *args, **kwargs))
                return fallback(*args, **kwargs)
            try:
                if self._stale_keys:
                    self._repair()
                return method(self, *args, **kwargs)
            except RedisError as error:
                _mark_down(self, error)
                if written:
                    self._remember_stale(written(self, *args, **kwargs))
                return fallback(*args, **kwargs)

        return wrapper

    return decorator


def _default(key, default=None, *args, **kwargs):
    return default


def _false(*args, **kwargs):
    return False


def _none(*args, **kwargs):
    return None


def _empty_dict(*args, **kwargs):
    return {}


def _keys_not_set(data, *args, **kwargs):
    return list(data)


def _fresh_counter(key, delta=1, *args, **kwargs):
    return delta


def _written_set(self, key, value, timeout=None, version=None):
    return [self.make_key(key, version=version)]


def _written_delete(self, key, version=None):
    return [self.make_key(key, version=version)]


def _written_set_many(self, data, timeout=None, version=None):
    return [self.make_key(key, version=version) for key in data]


def _written_delete_many(self, keys, version=None):
    return [self.make_key(key, version=version) for key in keys]


class ResilientRedisCache(RedisCache):
    """RedisCache whose errors are logged and read as misses (see the module docstring)."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = SharedPoolRedisClient
        self._down_until = 0.0
        self._stale_keys = set()

    def _remember_stale(self, keys):
        if len(self._stale_keys) + len(keys) > STALE_KEYS_MAX:
            logger.error("cache: too many dropped writes to repair; some may read stale")
            return
        self._stale_keys.update(keys)

    def _repair(self):
        """Delete the keys whose writes were dropped while Redis was away (raises RedisError)."""
        keys = list(self._stale_keys)
        self._cache.delete_many(keys)
        self._stale_keys.difference_update(keys)
        logger.info("cache back; deleted %d keys written while it was away", len(keys))

    def validate_key(self, key):
        """Nothing to check: Redis takes any key. Django's checks are memcached's (a generator
        and a regular expression behind a lazy object for every key: a page reading twenty keys
        paid for them twenty times)."""

    get = _degrade(_default)(RedisCache.get)
    get_many = _degrade(_empty_dict)(RedisCache.get_many)
    has_key = _degrade(_false)(RedisCache.has_key)
    add = _degrade(_false)(RedisCache.add)
    set = _degrade(_none, _written_set)(RedisCache.set)
    set_many = _degrade(_keys_not_set, _written_set_many)(RedisCache.set_many)
    touch = _degrade(_false)(RedisCache.touch)
    delete = _degrade(_false, _written_delete)(RedisCache.delete)
    delete_many = _degrade(_none, _written_delete_many)(RedisCache.delete_many)
    incr = _degrade(_fresh_counter)(RedisCache.incr)
    clear = _degrade(_false)(RedisCache.clear)
