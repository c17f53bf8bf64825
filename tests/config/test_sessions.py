"""Cache-backed sessions (with REDIS_URL): the database stays behind them, so none are lost."""

import uuid

import pytest
import redis
from django.contrib.sessions.backends.cached_db import SessionStore
from django.urls import reverse

from tests.factories import UserFactory

REDIS_URL = "redis://127.0.0.1:6379/3"
CACHED_DB = "django.contrib.sessions.backends.cached_db"


def redis_cache(location):
    return {
        "default": {
            "BACKEND": "config.cache.ResilientRedisCache",
            "LOCATION": location,
            "KEY_PREFIX": f"test-{uuid.uuid4().hex}",
            "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.25},
        }
    }


@pytest.mark.django_db
def test_members_stay_signed_in_while_redis_is_away(client, settings, unused_tcp_port):
    settings.SESSION_ENGINE = CACHED_DB
    settings.CACHES = redis_cache(f"redis://127.0.0.1:{unused_tcp_port}/3")
    client.force_login(UserFactory())
    response = client.get(reverse("events:my_events"))
    assert response.status_code == 200
    assert response.wsgi_request.user.is_authenticated


@pytest.mark.django_db
def test_a_signed_in_request_reads_its_session_from_the_cache(
    client, settings, django_assert_max_num_queries
):
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5).ping()
    except redis.RedisError:
        pytest.skip("no Redis at 127.0.0.1:6379")
    settings.SESSION_ENGINE = CACHED_DB
    settings.CACHES = redis_cache(REDIS_URL)
    client.force_login(UserFactory())
    session_key = client.cookies[settings.SESSION_COOKIE_NAME].value
    client.get(reverse("events:my_events"))
    with django_assert_max_num_queries(50) as captured:
        client.get(reverse("events:my_events"))
    assert not [q for q in captured.captured_queries if "django_session" in q["sql"]]
    client.logout()
    assert SessionStore(session_key).load() == {}
