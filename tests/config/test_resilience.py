"""The 503 page while the database is away, and /healthz."""

import json

import pytest
from django.db import OperationalError
from django.test import Client

pytestmark = pytest.mark.urls("tests.config.urls")


class DatabaseGoneMiddleware:
    """Fails before any view runs, as session or auth middleware would without a database."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        raise OperationalError("the database system is shutting down")


def assert_friendly_503(response):
    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert "<h1>Back in a moment</h1>" in response.content.decode()
    assert "Nothing you have already saved is lost." in response.content.decode()


@pytest.mark.parametrize("path", ["/test/database-gone/", "/test/connection-closed/"])
def test_database_errors_in_a_view_get_the_friendly_503_page(client, path, caplog):
    response = client.get(path)
    assert_friendly_503(response)
    assert [r.getMessage() for r in caplog.records if r.name == "commons.database"] == [
        "database unavailable: OperationalError: connection to server at 127.0.0.1 failed: "
        "Connection refused"
        if "gone" in path
        else "database unavailable: InterfaceError: connection already closed"
    ]


def test_database_errors_in_middleware_get_the_friendly_503_page(settings):
    settings.MIDDLEWARE = [
        *settings.MIDDLEWARE,
        "tests.config.test_resilience.DatabaseGoneMiddleware",
    ]
    response = Client(raise_request_exception=False).get("/")
    assert_friendly_503(response)


def test_other_errors_stay_server_errors():
    response = Client(raise_request_exception=False).get("/test/other-failure/")
    assert response.status_code == 500
    assert "Back in a moment" not in response.content.decode()


@pytest.mark.django_db
def test_healthz_reports_database_and_cache_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert json.loads(response.content) == {"database": "ok", "cache": "ok"}
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_healthz_answers_503_naming_a_dead_cache(client, settings, unused_tcp_port):
    settings.CACHES = {
        "default": {
            "BACKEND": "config.cache.ResilientRedisCache",
            "LOCATION": f"redis://127.0.0.1:{unused_tcp_port}/3",
        }
    }
    response = client.get("/healthz")
    assert response.status_code == 503
    assert json.loads(response.content) == {"database": "ok", "cache": "unavailable"}


@pytest.mark.django_db
def test_healthz_answers_503_naming_a_dead_database(client, monkeypatch):
    class DeadConnection:
        def cursor(self):
            raise OperationalError("connection refused")

    monkeypatch.setattr("config.views.connection", DeadConnection())
    response = client.get("/healthz")
    assert response.status_code == 503
    assert json.loads(response.content) == {"database": "unavailable", "cache": "ok"}
