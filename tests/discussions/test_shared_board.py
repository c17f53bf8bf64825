"""A board's thread list is shared (core/fragments.py) and changes after every write it shows."""

import pytest
from django.urls import reverse
from django.utils import translation

from discussions import services
from tests.factories import BoardFactory, ThemeFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["visitor", "member"])
def reader(request, client):
    if request.param == "member":
        client.force_login(UserFactory())
    return client


@pytest.fixture
def board(db):
    return BoardFactory()


def text(client, board):
    response = client.get(reverse("discussions:board", kwargs={"event_slug": board.event.slug}))
    assert response.status_code == 200
    return response.content.decode()


def test_a_new_thread_and_a_reply_show_at_once(reader, board, django_capture_on_commit_callbacks):
    author = UserFactory(display_name="Ceri")
    with django_capture_on_commit_callbacks(execute=True):
        thread = services.start_thread(board=board, author=author, title="Time banks", body="Hi")
    html = text(reader, board)
    assert "Time banks" in html
    assert "0 replies" in html
    with django_capture_on_commit_callbacks(execute=True):
        services.post_reply(thread=thread, author=UserFactory(display_name="Dafydd"), body="Yes")
    html = text(reader, board)
    assert "1 reply" in html
    assert "Dafydd" in html


def test_a_hidden_thread_leaves_the_list_but_not_for_moderators(
    client, board, moderator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        thread = services.start_thread(
            board=board, author=UserFactory(), title="Spam here", body="Buy"
        )
    client.force_login(UserFactory())
    assert "Spam here" in text(client, board)
    with django_capture_on_commit_callbacks(execute=True):
        services.hide_thread(thread=thread, moderator=moderator)
    assert "Spam here" not in text(client, board)
    client.force_login(moderator)
    assert "Spam here" in text(client, board)
    client.logout()
    assert "Spam here" not in text(client, board)


def test_a_renamed_theme_and_author_show_at_once(reader, board, django_capture_on_commit_callbacks):
    theme = ThemeFactory(name="Time credits")
    author = UserFactory(display_name="Ceri")
    with django_capture_on_commit_callbacks(execute=True):
        services.start_thread(board=board, author=author, title="Banks", body="Hi", themes=[theme])
    html = text(reader, board)
    assert "Time credits" in html
    assert "Ceri" in html
    with django_capture_on_commit_callbacks(execute=True):
        theme.name = "Time banking"
        theme.save()
        author.display_name = "Ceri Evans"
        author.save()
    html = text(reader, board)
    assert "Time banking" in html
    assert "Ceri Evans" in html
    with translation.override("cy"):
        welsh = text(reader, board)
        assert translation.gettext("last post by") in welsh
    assert "last post by" not in welsh


def test_the_event_pages_board_panel_follows_new_and_hidden_threads(
    reader, board, moderator, django_capture_on_commit_callbacks
):
    page = board.event.get_absolute_url()
    assert "Time banks" not in reader.get(page).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        thread = services.start_thread(
            board=board, author=UserFactory(), title="Time banks", body="Hi"
        )
    assert "Time banks" in reader.get(page).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        services.hide_thread(thread=thread, moderator=moderator)
    assert "Time banks" not in reader.get(page).content.decode()
