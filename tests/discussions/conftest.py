import pytest
from django.core.cache import cache

from discussions import search, services
from discussions.models import Board
from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def _fresh_cache(monkeypatch):
    # The rate limit counts posts in the cache; each test starts with none. Search reads the
    # newest posts from the newest id it last saw: each test's search asks for it afresh.
    monkeypatch.setattr(search, "_top", {"id": 0, "at": -1e9})
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def board(event):
    return Board.objects.for_event(event)


@pytest.fixture
def organised_board(organised_event):
    return Board.objects.for_event(organised_event)


@pytest.fixture
def author(db):
    return UserFactory(display_name="Ada Author")


@pytest.fixture
def thread(board, author):
    return services.start_thread(
        board=board, author=author, title="Who holds the power?", body="Opening *thoughts*."
    )


@pytest.fixture
def organised_thread(organised_board, author):
    return services.start_thread(
        board=organised_board, author=author, title="Risk-averse cultures", body="Let us talk."
    )
