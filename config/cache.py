"""A Redis cache that degrades to "no cache" when Redis goes away.

Django's built-in RedisCache raises on every connection error, which would turn a cache outage into
a site outage. Here an error is logged and read as a miss: `get` returns the default, writes are
dropped, `incr` answers as if the counter had just started (so rate limits fail open: while Redis
is down nobody is locked out of posting; the limits come back with Redis). After a failure the
backend stops trying for a few seconds, so a dead Redis costs one timeout per worker, not one per
request.
"""

import functools
import logging
import time

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger("commons.cache")

# Seconds to treat Redis as down after an error, before trying it again.
RETRY_AFTER_SECONDS = 5.0


def _degrade(fallback):
    """Run a cache method; on a Redis error log it and return `fallback(*args, **kwargs)`."""

    def decorator(method):
        @functools.wraps(method)
        def wrapper(self, *args, **kwargs):
            if time.monotonic() < self._down_until:
                return fallback(*args, **kwargs)
            try:
                return method(self, *args, **kwargs)
            except RedisError as error:
                self._down_until = time.monotonic() + RETRY_AFTER_SECONDS
                logger.warning(
                    "cache unavailable (%s: %s); serving without cache for %.0f s",
                    type(error).__name__,
                    error,
                    RETRY_AFTER_SECONDS,
                )
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


class ResilientRedisCache(RedisCache):
    """RedisCache whose errors are logged and read as misses (see the module docstring)."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._down_until = 0.0

    get = _degrade(_default)(RedisCache.get)
    get_many = _degrade(_empty_dict)(RedisCache.get_many)
    has_key = _degrade(_false)(RedisCache.has_key)
    add = _degrade(_false)(RedisCache.add)
    set = _degrade(_none)(RedisCache.set)
    set_many = _degrade(_keys_not_set)(RedisCache.set_many)
    touch = _degrade(_false)(RedisCache.touch)
    delete = _degrade(_false)(RedisCache.delete)
    delete_many = _degrade(_none)(RedisCache.delete_many)
    incr = _degrade(_fresh_counter)(RedisCache.incr)
    clear = _degrade(_false)(RedisCache.clear)
