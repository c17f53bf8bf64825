"""The Redis cache degrades to misses when Redis is away, and works when it is there."""

import logging
import uuid

import pytest
import redis

from config import cache as resilient

REDIS_URL = "redis://127.0.0.1:6379/3"


def make_cache(location, prefix):
    return resilient.ResilientRedisCache(
        location,
        {"KEY_PREFIX": prefix, "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.25}},
    )


@pytest.fixture
def dead_cache(unused_tcp_port):
    return make_cache(f"redis://127.0.0.1:{unused_tcp_port}/3", "test")


def test_dead_redis_reads_as_misses_and_logs_once(dead_cache, caplog):
    with caplog.at_level(logging.WARNING, logger="commons.cache"):
        assert dead_cache.get("key", "fallback") == "fallback"
        assert dead_cache.set("key", 1) is None
        assert dead_cache.add("key", 1) is False
        assert dead_cache.get_many(["a", "b"]) == {}
        assert dead_cache.get_or_set("key", 7) == 7
        assert dead_cache.delete("key") is False
    warnings = [r.getMessage() for r in caplog.records if r.name == "commons.cache"]
    assert len(warnings) == 1  # then it stops trying for a few seconds
    assert warnings[0].startswith("cache unavailable (ConnectionError: ")


def test_dead_redis_counters_fail_open(dead_cache):
    """A rate limiter counting with incr sees every request as the first while Redis is away."""
    assert dead_cache.incr("posts:user:1") == 1
    assert dead_cache.incr("posts:user:1", 5) == 5


def test_dead_redis_is_tried_again_after_the_pause(dead_cache, monkeypatch):
    monkeypatch.setattr(resilient, "RETRY_AFTER_SECONDS", 0.0)
    calls = []
    original = resilient.RedisCache.get

    def counting_get(self, *args, **kwargs):
        calls.append(args[0])
        return original(self, *args, **kwargs)

    monkeypatch.setattr(
        resilient.ResilientRedisCache, "get", resilient._degrade(resilient._default)(counting_get)
    )
    dead_cache.get("a")
    dead_cache.get("b")
    assert calls == ["a", "b"]


@pytest.fixture
def live_cache():
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5).ping()
    except redis.RedisError:
        pytest.skip("no Redis at 127.0.0.1:6379")
    cache = make_cache(REDIS_URL, f"test-{uuid.uuid4().hex}")
    yield cache
    cache.delete_many(["key", "counter"])


def test_live_redis_stores_and_counts(live_cache):
    live_cache.set("key", {"a": 1}, 30)
    assert live_cache.get("key") == {"a": 1}
    assert live_cache.add("counter", 0, 30) is True
    assert live_cache.incr("counter") == 1
    assert live_cache.incr("counter") == 2


def test_cache_calls_share_one_client_and_pool_per_process(live_cache):
    """Django builds a client per call and a pool per thread's cache object; we keep one."""
    live_cache.set("key", 1, 30)
    client = live_cache._cache.get_client()
    assert live_cache.get("key") == 1
    assert live_cache._cache.get_client(write=True) is client
    other = make_cache(REDIS_URL, "another-prefix")  # as another thread's cache object would be
    assert other._cache.get_client() is client
    pool = client.connection_pool
    assert pool.connection_kwargs["port"] == 6379
    assert len(pool._available_connections) + len(pool._in_use_connections) == 1


def test_writes_dropped_while_redis_was_away_are_deleted_when_it_is_back(live_cache):
    """A logout (session delete) or a changed marker during an outage must not come back stale."""
    live_cache.set("key", "before the outage", 30)
    live_cache.set("counter", "old marker", 30)
    live_cache._down_until = float("inf")  # Redis unreachable: writes are dropped
    live_cache.delete("key")
    live_cache.set_many({"counter": "new marker"}, 30)
    live_cache._down_until = 0.0  # Redis answers again
    assert live_cache.get("key") is None
    assert live_cache.get("counter") is None
    assert live_cache._stale_keys == set()
