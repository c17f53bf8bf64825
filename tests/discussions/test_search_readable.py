"""Search never shows a post of a thread the public may not read, though the ids of those
threads are kept in the shared cache (discussions/search.py `unreadable_threads`): each change
that makes a thread unreadable or readable again is seen by the next search."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from discussions import services
from discussions.models import Board, Thread
from events import services as event_services
from events.models import Event
from tests.factories import EventFactory

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL full-text search"),
]


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """A block whose writes commit as a request's would: the markers move after it."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def found(client, q="allotments") -> set[str]:
    """The titles of the threads whose posts a search for `q` shows."""
    response = client.get(reverse("discussions:search"), {"q": q})
    return {post.thread.title for post in response.context["page"]}


@pytest.fixture
def two_threads(board, author, settings):
    settings.DISCUSSIONS_POSTS_PER_MINUTE = 0
    kept = services.start_thread(board=board, author=author, title="Kept", body="Allotments.")
    other = services.start_thread(board=board, author=author, title="Other", body="Allotments!")
    return kept, other


def test_a_hidden_thread_leaves_search_and_comes_back(client, two_threads, moderator, committed):
    kept, other = two_threads
    assert found(client) == {"Kept", "Other"}  # the kept list of unreadable threads is read

    with committed():
        services.hide_thread(thread=other, moderator=moderator)
    assert found(client) == {"Kept"}

    with committed():
        services.unhide_thread(thread=other, moderator=moderator)
    assert found(client) == {"Kept", "Other"}


def test_a_pin_or_a_reply_leaves_the_kept_list(client, two_threads, moderator, author, committed):
    kept, _other = two_threads
    found(client)
    with committed():
        services.pin_thread(thread=kept, moderator=moderator)
        services.post_reply(thread=kept, author=author, body="Still allotments.")

    # The kept list is read, not asked again.
    with CaptureQueriesContext(connection) as queries:
        assert found(client) == {"Kept", "Other"}
    assert not any("NOT (" in query["sql"] for query in queries.captured_queries)


def test_a_thread_started_hidden_is_never_found(client, two_threads, board, author, committed):
    found(client)
    with committed():
        hidden = Thread.objects.create(board=board, author=author, title="Hidden", hidden=True)
        services.Post.objects.create(
            thread=hidden, number=1, author=author, body_source="Allotments"
        )

    assert found(client) == {"Kept", "Other"}


def test_an_unpublished_event_takes_its_threads_out_of_search(
    client, two_threads, event, staff, committed
):
    found(client)
    with committed():
        event_services.unpublish_event(event=event, user=staff)

    assert found(client) == set()

    event.refresh_from_db()
    with committed():
        event_services.publish_event(event=event, user=staff)
    assert found(client) == {"Kept", "Other"}


def test_a_thread_or_board_moved_to_or_from_a_draft_event(client, two_threads, author, committed):
    kept, other = two_threads
    found(client)
    draft = EventFactory(status=Event.Status.DRAFT)
    # Boards are made only for public events; one whose event went back to draft stays.
    draft_board = Board.objects.create(event=draft)
    with committed():
        other.board = draft_board
        other.save(update_fields=["board"])
    assert found(client) == {"Kept"}

    with committed():
        draft_board.event = EventFactory()  # the board's new event is public
        draft_board.save()
    assert found(client) == {"Kept", "Other"}


def test_without_a_shared_cache_each_candidate_is_checked(client, two_threads, moderator, settings):
    settings.SHARED_FRAGMENTS = False
    _kept, other = two_threads
    services.hide_thread(thread=other, moderator=moderator)

    assert found(client) == {"Kept"}
