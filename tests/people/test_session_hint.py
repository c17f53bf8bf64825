"""A member's session is read with the page's own reads, in one round trip to the shared cache,
once a process has seen whom the session names (people/middleware.py `session_hint`, people/
sessions.py); who the reader is still comes from the session itself."""

import pytest
from django.core.cache import caches
from django.db import connection
from django.urls import reverse

from discussions.models import Board
from events.services import register_attendee
from people import middleware
from tests.factories import EventFactory, ThemeFactory, ThreadFactory, UserFactory

pytestmark = pytest.mark.django_db

SESSIONS_IN_THE_CACHE = "people.sessions"


@pytest.fixture
def reads(monkeypatch):
    """The number of reads from the shared cache (round trips in production; the local-memory
    cache of the tests reads many keys as one `get` each)."""
    cache = caches["default"]
    counted = {"reads": 0, "depth": 0}
    for name in ("get", "get_many"):
        method = getattr(cache, name)

        def counting(*args, _method=method, **kwargs):
            counted["reads"] += counted["depth"] == 0
            counted["depth"] += 1
            try:
                return _method(*args, **kwargs)
            finally:
                counted["depth"] -= 1

        monkeypatch.setattr(cache, name, counting)
    return counted


@pytest.fixture
def pages():
    event = EventFactory(title="Policy Cafe")
    board = Board.objects.get_or_create(event=event)[0]
    thread = ThreadFactory(board=board, title="After the cafe")
    theme = ThemeFactory(name="Time credits")
    thread.themes.add(theme)
    return {
        "home": reverse("home"),
        "events": reverse("events:list") + "?q=cafe",
        "event": event.get_absolute_url(),
        "board": reverse("discussions:board", kwargs={"event_slug": event.slug}),
        "thread": thread.get_absolute_url(),
        "search": reverse("discussions:search") + "?q=cafe",
        # A chosen theme's facts come with the page's reads (a chosen event's threads after).
        "search on a theme": reverse("discussions:search") + f"?q=cafe&theme={theme.slug}",
        "search on an event": reverse("discussions:search") + f"?event={event.slug}",
    }


@pytest.mark.parametrize(
    ("page", "expected"),
    [
        ("home", 1),
        ("events", 1),
        ("event", 1),
        ("board", 1),
        ("thread", 1),
        ("search", 1),
        ("search on a theme", 1),
        # PostgreSQL's search reads the event's threads after (their key names its id).
        ("search on an event", 2 if connection.vendor == "postgresql" else 1),
    ],
)
def test_a_members_page_reads_the_cache_once(client, settings, pages, reads, page, expected):
    settings.SESSION_ENGINE = SESSIONS_IN_THE_CACHE
    user = UserFactory(display_name="Alys")
    client.force_login(user)
    for _ in range(3):  # the process learns the session's member, the page its reads
        client.get(pages[page])
    reads["reads"] = 0
    response = client.get(pages[page])
    assert response.status_code == 200
    assert response.wsgi_request.user == user
    assert "Sign out" in response.content.decode()
    assert reads["reads"] == expected


def test_a_wrong_hint_costs_a_read_and_never_shows_another_member(client, settings, pages):
    settings.SESSION_ENGINE = SESSIONS_IN_THE_CACHE
    alys, bryn = UserFactory(display_name="Alys"), UserFactory(display_name="Bryn")
    register_attendee(event=EventFactory(slug="other"), user=bryn)
    client.force_login(alys)
    for page in pages.values():
        client.get(page)
    session_key = client.cookies[settings.SESSION_COOKIE_NAME].value
    for page in pages.values():
        middleware._session_members[session_key] = str(bryn.pk)  # as if it had named Bryn
        response = client.get(page)
        assert response.status_code == 200
        assert response.wsgi_request.user == alys, page


def test_a_session_gone_from_the_cache_is_read_from_the_database(client, settings, pages):
    settings.SESSION_ENGINE = SESSIONS_IN_THE_CACHE
    user = UserFactory()
    client.force_login(user)
    for page in pages.values():
        client.get(page)
    store = client.session
    caches["default"].delete(store.cache_key)
    for page in pages.values():
        response = client.get(page)
        assert response.wsgi_request.user == user, page


def test_signing_out_leaves_a_visitor(client, settings, pages):
    settings.SESSION_ENGINE = SESSIONS_IN_THE_CACHE
    client.force_login(UserFactory())
    for page in pages.values():
        client.get(page)
    client.post(reverse("account_logout"))
    for page in pages.values():
        response = client.get(page)
        assert not response.wsgi_request.user.is_authenticated, page
        assert "Sign in" in response.content.decode()
