"""A thread page's posts are shared where they show every reader the same (core/fragments.py),
and change after every write that changes them; hidden text never reaches other readers."""

import pytest
from django.utils import translation

from discussions import services
from tests.factories import PostFactory, ThemeFactory, ThreadFactory, UserFactory

pytestmark = pytest.mark.django_db


def text(client, thread):
    response = client.get(thread.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def thread(db):
    thread = ThreadFactory()
    PostFactory(thread=thread, author=thread.author, body_source="Opening words")
    return thread


def test_an_edit_and_a_renamed_author_show_at_once(
    client, thread, django_capture_on_commit_callbacks
):
    author = UserFactory(display_name="Ceri")
    with django_capture_on_commit_callbacks(execute=True):
        post = services.post_reply(thread=thread, author=author, body="First thoughts")
    client.force_login(UserFactory())
    assert "First thoughts" in text(client, thread)
    with django_capture_on_commit_callbacks(execute=True):
        services.edit_post(post=post, editor=author, body="Second thoughts")
        author.display_name = "Ceri Evans"
        author.save()
    html = text(client, thread)
    assert "Second thoughts" in html
    assert "First thoughts" not in html
    assert "Ceri Evans" in html


def test_a_hidden_post_keeps_its_text_for_its_author_and_moderators_only(
    client, thread, moderator, django_capture_on_commit_callbacks
):
    author, other = UserFactory(), UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        post = services.post_reply(thread=thread, author=author, body="Rude remark")
    client.force_login(other)
    assert "Rude remark" in text(client, thread)  # shared now
    with django_capture_on_commit_callbacks(execute=True):
        services.hide_post(post=post, moderator=moderator, reason="Unkind")
    for reader, sees_text in [(other, False), (None, False), (author, True), (moderator, True)]:
        if reader is None:
            client.logout()
        else:
            client.force_login(reader)
        html = text(client, thread)
        assert ("Rude remark" in html) is sees_text, reader
        assert "This post is hidden by a moderator." in html
    client.force_login(other)  # after the author and a moderator: still nothing of the text
    assert "Rude remark" not in text(client, thread)


def test_a_quote_of_a_withdrawn_post_is_not_shared_with_readers_who_may_not_read_it(
    client, thread, django_capture_on_commit_callbacks
):
    author = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        first = services.post_reply(thread=thread, author=author, body="Withdrawn words")
        services.post_reply(thread=thread, author=UserFactory(), body="Agreed", reply_to=first)
        services.withdraw_post(post=first, user=author)
    client.force_login(author)
    assert text(client, thread).count("Withdrawn words") == 2  # the post and the quote
    client.force_login(UserFactory())
    assert "Withdrawn words" not in text(client, thread)


def test_posts_are_kept_per_language(client, thread):
    with translation.override("cy"):
        welsh = text(client, thread)
        link_title = translation.gettext("Link to this post")
    assert link_title in welsh
    assert "Link to this post" in text(client, thread)


@pytest.mark.parametrize("signed_in", [False, True], ids=["visitor", "member"])
def test_the_thread_header_follows_its_themes_a_rename_and_a_pin(
    client, thread, moderator, signed_in, django_capture_on_commit_callbacks
):
    """Badges and themes are shared (the board's and the events' markers); each of these writes
    shows on the next reading."""
    time_credits, housing = ThemeFactory(name="Time credits"), ThemeFactory(name="Housing")
    with django_capture_on_commit_callbacks(execute=True):
        thread.themes.add(time_credits)
    if signed_in:
        client.force_login(UserFactory())
    html = text(client, thread)
    assert "Time credits" in html
    assert "Pinned</span>" not in html
    with django_capture_on_commit_callbacks(execute=True):
        time_credits.name = "Time banking"
        time_credits.save()
    assert "Time banking" in text(client, thread)
    with django_capture_on_commit_callbacks(execute=True):
        thread.themes.add(housing)
    assert ">Housing</a>" in text(client, thread)
    with django_capture_on_commit_callbacks(execute=True):
        services.pin_thread(thread=thread, moderator=moderator)
    html = text(client, thread)
    assert "Pinned</span>" in html
    assert "Time credits" not in html


def test_the_shared_header_keeps_nobodys_buttons(client, thread, moderator):
    """A moderator's forms and a follower's button sit beside the shared badges, never in them."""
    follower = UserFactory()
    services.follow(user=follower, thread=thread)
    client.force_login(moderator)
    assert "Hide thread" in text(client, thread)  # read first: the shared part is kept now
    client.force_login(follower)
    assert "Stop following" in text(client, thread)  # the follower's own
    for reader in (UserFactory(), None):
        if reader is None:
            client.logout()
        else:
            client.force_login(reader)
        html = text(client, thread)
        assert "Hide thread" not in html
        assert "Pin</button>" not in html
        assert "Stop following" not in html
