"""The board and thread pages from their skeletons (discussions/pages.py, core/skeletons.py) are
the pages a plain render gives, for every reader, whoever filled the skeleton first; a reader's
own parts never reach another; every committed write that changes a page shows at once."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from discussions import services
from discussions.models import Board, Post, Reaction, Suspension, Thread
from tests.core import samples
from tests.factories import (
    EventRoleFactory,
    PersonFactory,
    ThemeFactory,
    UserFactory,
    fill_board,
    fill_thread,
)
from tests.forms import submit_form
from tests.skeletons import page_text as get
from tests.skeletons import plain_text as plain
from tests.skeletons import reader

pytestmark = pytest.mark.django_db


def kept(name: str) -> int:
    """How many skeletons of pages `name` the (local-memory) cache holds."""
    return sum(f":fragment:page:{name}:" in key for key in cache._cache)


def board_url(board) -> str:
    return reverse("discussions:board", kwargs={"event_slug": board.event.slug})


def last_page(thread) -> str:
    thread.refresh_from_db()
    return f"{thread.get_absolute_url()}?page={thread.page_count}"


@pytest.fixture
def people(db):
    return {
        "author": UserFactory(display_name="Ada Author"),
        "replier": UserFactory(display_name="Rhys Replier"),
        "follower": UserFactory(display_name="Ffion Follower"),
        "resonated": UserFactory(display_name="Sian Resonated"),
        "member": UserFactory(display_name="Mari Member"),
        "unverified": UserFactory(display_name="Nia New", verified_email=False),
        "suspended": UserFactory(display_name="Siôn Suspended"),
        "organiser": UserFactory(display_name="Olwen Organiser"),
        "moderator": UserFactory(display_name="Mo Moderator", groups=["Moderators"]),
        "staff": UserFactory(display_name="Staff", is_staff=True, is_superuser=True),
    }


@pytest.fixture
def thread(event, people, settings):
    """Three pages of posts; on the last: an edited post, a hidden one and a withdrawn one (with
    a reply quoting it), a post with an image (one hidden), reactions, a follower."""
    settings.DISCUSSIONS_POSTS_PER_MINUTE = 0
    settings.DISCUSSIONS_EDITS_PER_MINUTE = 0
    EventRoleFactory(
        event=event, person=PersonFactory(user=people["organiser"], name="O"), role="organiser"
    )
    board = Board.objects.for_event(event)
    author, replier = people["author"], people["replier"]
    thread = Thread.objects.create(board=board, title="After the cafe", author=author)
    thread.themes.add(ThemeFactory())
    fill_thread(thread, 45, authors=[author, replier])
    services.follow(user=author, thread=thread)  # as starting it does
    edited = services.post_reply(thread=thread, author=author, body="First words")
    services.edit_post(post=edited, editor=author, body="Second words")
    hidden = services.post_reply(thread=thread, author=replier, body="Rude remark")
    services.hide_post(post=hidden, moderator=people["moderator"], reason="Unkind")
    withdrawn = services.post_reply(thread=thread, author=replier, body="Withdrawn words")
    services.post_reply(thread=thread, author=author, body="Quoting", reply_to=withdrawn)
    services.withdraw_post(post=withdrawn, user=replier)
    from core.uploads import inspect_upload

    clean = inspect_upload(samples.upload("a.jpg", samples.jpeg_bytes(80, 60), "image/jpeg"))
    pictured = services.post_reply(
        thread=thread, author=author, body="A picture", images=[(clean, "A chart")]
    )
    services.hide_image(image=pictured.images.get(), moderator=people["moderator"])
    services.toggle_resonates(post=edited, user=people["resonated"])
    services.follow(user=people["follower"], thread=thread)
    services.suspend_member(
        member=people["suspended"],
        moderator=people["moderator"],
        reason="Shouting.",
        ends_at=timezone.now() + timedelta(days=2),
    )
    # "2 hours ago" on the board: a time that reads the same to the plain render and the kept
    # one whatever the seconds between them ("now" and "a second ago" are not).
    Thread.objects.filter(pk=thread.pk).update(last_activity_at=timezone.now() - timedelta(hours=2))
    return thread


def test_every_reader_gets_the_thread_page_a_plain_render_gives(thread, people):
    withdrawn = Post.objects.get(body_source="Withdrawn words")  # its author alone reads it
    urls = [
        last_page(thread),
        thread.get_absolute_url(),
        f"{last_page(thread)}&reply_to=1",
        f"{last_page(thread)}&reply_to={withdrawn.pk}",
    ]
    readers = {"visitor": None, **people}
    expected = {
        (name, url): plain(reader(user), url) for name, user in readers.items() for url in urls
    }
    page = expected[("author", urls[0])]
    assert "Rude remark" not in page
    assert "Withdrawn words" not in page
    assert "Edit</a>" in page
    assert "Stop following" in page
    assert "Rude remark" in expected[("replier", urls[0])]
    assert "Hide</a>" in expected[("organiser", urls[0])]
    assert "Stop following" in expected[("follower", urls[0])]
    assert 'aria-pressed="true"' in expected[("resonated", urls[0])]
    assert "Shouting." in expected[("suspended", urls[0])]
    assert "Confirm your email address" in expected[("unverified", urls[0])]
    assert "Withdrawn words" in expected[("replier", urls[3])]
    assert "Withdrawn words" not in expected[("member", urls[3])]
    # Whoever fills each skeleton first; each reader's parts kept in this process for their
    # state (skeletons.kept) in the first round and taken from there in the second.
    for first in ("visitor", "author", "member"):
        cache.clear()
        order = [first, *(name for name in readers if name != first)]
        for _round in range(2):
            for name in order:
                client = reader(readers[name])
                for url in urls:
                    assert get(client, url) == expected[(name, url)], (first, name, url)
        assert kept("thread") == 2 * len(urls)  # visitors' and members' of each address


def test_every_reader_gets_the_board_page_a_plain_render_gives(thread, people):
    services.follow(user=people["follower"], board=thread.board)
    fill_board(thread.board, 30, authors=[people["author"], people["replier"]])
    hidden = Thread.objects.filter(board=thread.board).exclude(pk=thread.pk).first()
    Thread.objects.filter(pk=hidden.pk).update(hidden=True, title="Hidden spam")
    # "2 hours ago": a time that reads the same to the plain render and the shared one.
    Thread.objects.filter(board=thread.board).update(
        last_activity_at=timezone.now() - timedelta(hours=2)
    )
    urls = [board_url(thread.board), f"{board_url(thread.board)}?page=2"]
    readers = {"visitor": None, **people}
    expected = {
        (name, url): plain(reader(user), url) for name, user in readers.items() for url in urls
    }
    assert "Stop following this board" in expected[("follower", urls[0])]
    assert "Hidden spam" in expected[("moderator", urls[0])] + expected[("moderator", urls[1])]
    assert "Close the board" in expected[("organiser", urls[0])]
    for first in ("visitor", "follower", "moderator"):
        cache.clear()
        order = [first, *(name for name in readers if name != first)]
        for _round in range(2):
            for name in order:
                client = reader(readers[name])
                for url in urls:
                    assert get(client, url) == expected[(name, url)], (first, name, url)
        # Per minute ("5 minutes ago"): a slow run may cross one and keep a second set.
        assert kept("board") >= 2 * len(urls)
    for name in set(readers) - {"moderator", "staff", "organiser"}:
        assert "Hidden spam" not in get(reader(readers[name]), urls[0]) + get(
            reader(readers[name]), urls[1]
        )


def test_a_members_own_parts_never_reach_another_reader(thread, people):
    url = last_page(thread)
    cache.clear()
    for owner in ("author", "follower", "resonated", "replier", "suspended", "unverified"):
        for _round in range(2):  # fills the members' skeleton and their kept facts
            get(reader(people[owner]), url)
    for html in (get(reader(people["member"]), url), get(reader(None), url)):
        assert "Shouting." not in html
        assert "Confirm your email address" not in html
        assert "Edit</a>" not in html
        assert "Withdraw</a>" not in html
        assert "Stop following" not in html
        assert 'aria-pressed="true"' not in html
        assert "Rude remark" not in html
        assert "Withdrawn words" not in html
        assert "Why it was hidden" not in html
        for name in ("Ada Author", "Ffion Follower", "Sian Resonated", "Rhys Replier"):
            assert f"{name}</span>" not in html  # the account links stay theirs
    assert "Sign in to reply" in get(reader(None), url)


def test_the_thread_page_changes_after_each_committed_write(
    thread, people, django_capture_on_commit_callbacks
):
    member, url = reader(people["member"]), last_page(thread)
    get(member, url)
    with django_capture_on_commit_callbacks(execute=True):
        post = services.post_reply(thread=thread, author=people["replier"], body="A new reply")
    assert "A new reply" in get(member, last_page(thread))
    url = last_page(thread)
    with django_capture_on_commit_callbacks(execute=True):
        services.edit_post(post=post, editor=people["replier"], body="An edited reply")
    assert "An edited reply" in get(member, url)
    with django_capture_on_commit_callbacks(execute=True):
        services.hide_post(post=post, moderator=people["moderator"], reason="Off topic")
    assert "An edited reply" not in get(member, url)
    assert "An edited reply" in get(reader(people["replier"]), url)  # still theirs to read
    with django_capture_on_commit_callbacks(execute=True):
        services.lock_thread(thread=thread, moderator=people["moderator"])
    assert "This thread is locked" in get(member, url)
    theme = thread.themes.get()
    with django_capture_on_commit_callbacks(execute=True):
        theme.name = "Homes"
        theme.save()
    assert ">Homes<" in get(member, url)
    with django_capture_on_commit_callbacks(execute=True):
        people["author"].display_name = "Ada Evans"
        people["author"].save()
    assert "Ada Evans" in get(member, url)
    assert get(member, url) == plain(member, url)


def test_follows_and_resonates_show_at_once(thread, people, django_capture_on_commit_callbacks):
    member, url = people["member"], last_page(thread)
    client = reader(member)
    assert "Follow by email" in get(client, url)
    assert "Follow by email" in get(client, url)  # from the kept facts
    with django_capture_on_commit_callbacks(execute=True):
        services.follow(user=member, thread=thread)
    assert "Stop following" in get(client, url)
    with django_capture_on_commit_callbacks(execute=True):
        services.unfollow(user=member, thread=thread)
    assert "Follow by email" in get(client, url)
    post = Post.objects.get(thread=thread, body_source="Second words")
    assert "Resonates with 1 member" in get(reader(None), url)
    with django_capture_on_commit_callbacks(execute=True):
        services.toggle_resonates(post=post, user=member)
    html = get(client, url)
    assert 'aria-pressed="true"' in html
    assert "This resonates · 2" in html
    assert "Resonates with 2 members" in get(reader(None), url)
    assert html == plain(client, url)
    with django_capture_on_commit_callbacks(execute=True):
        services.toggle_resonates(post=post, user=member)
    assert 'aria-pressed="true"' not in get(client, url)
    assert "Resonates with 1 member" in get(reader(None), url)


def test_the_board_page_changes_after_each_committed_write(
    thread, people, django_capture_on_commit_callbacks
):
    member = reader(people["member"])
    url = board_url(thread.board)
    assert "After the cafe" in get(member, url)
    with django_capture_on_commit_callbacks(execute=True):
        services.start_thread(
            board=thread.board, author=people["author"], title="Time banks", body="Hi"
        )
    assert "Time banks" in get(member, url)
    assert "Follow this board by email" in get(member, url)
    with django_capture_on_commit_callbacks(execute=True):
        services.follow(user=people["member"], board=thread.board)
    assert "Stop following this board" in get(member, url)
    with django_capture_on_commit_callbacks(execute=True):
        services.unfollow(user=people["member"], board=thread.board)
    assert "Follow this board by email" in get(member, url)
    theme = thread.themes.get()
    with django_capture_on_commit_callbacks(execute=True):
        theme.name = "Tai"
        theme.save()
    assert ">Tai<" in get(member, url)
    with django_capture_on_commit_callbacks(execute=True):
        services.close_board(board=thread.board, user=people["organiser"], message="Moved on.")
    html = get(member, url)
    assert "This board is closed." in html
    assert "Moved on." in html
    assert "Start a thread</a>" not in html


def test_each_language_has_its_own_skeleton(thread, people):
    member = reader(people["member"])
    for url in (last_page(thread), board_url(thread.board)):
        english = get(member, url)
        welsh = get(member, url.replace("/en/", "/cy/", 1))
        assert 'lang="en"' in english[:300]
        assert 'lang="cy"' in welsh[:300]
        assert welsh == plain(member, url.replace("/en/", "/cy/", 1))


def test_the_reply_form_works_from_a_skeleton_page(thread, people):
    get(reader(people["author"]), last_page(thread))  # fills the members' skeleton
    client = reader(people["member"], enforce_csrf_checks=True)
    page = client.get(last_page(thread))
    response = submit_form(client, page, form="#reply-form", data={"body": "Sent from a kept page"})
    assert response.status_code == 302
    assert Post.objects.filter(thread=thread, body_source="Sent from a kept page").exists()
    post = Post.objects.get(body_source="Second words")
    page = client.get(last_page(thread))
    response = submit_form(client, page, form=reverse("discussions:post_resonates", args=[post.pk]))
    assert response.status_code == 302
    assert Reaction.objects.filter(post=post, user=people["member"]).exists()


def test_a_suspension_lifted_shows_the_form_again(
    thread, people, django_capture_on_commit_callbacks
):
    client = reader(people["suspended"])
    assert "Shouting." in get(client, last_page(thread))
    assert "Shouting." in get(client, last_page(thread))  # from the kept facts
    with django_capture_on_commit_callbacks(execute=True):
        services.lift_suspension(
            suspension=Suspension.objects.get(user=people["suspended"]),
            moderator=people["moderator"],
        )
    html = get(client, last_page(thread))
    assert "Shouting." not in html
    assert 'id="reply-form"' in html


def test_a_suspension_running_out_shows_the_form_again(thread, people, monkeypatch):
    client, url = reader(people["suspended"]), last_page(thread)
    assert "Shouting." in get(client, url)
    assert "Shouting." in get(client, url)  # from the kept facts
    later = timezone.now() + timedelta(days=3)  # no write: the suspension's time is up
    monkeypatch.setattr(timezone, "now", lambda: later)
    html = get(client, url)
    assert "Shouting." not in html
    assert 'id="reply-form"' in html


def test_a_new_suspension_and_a_confirmed_address_show_at_once(
    thread, people, django_capture_on_commit_callbacks
):
    url = last_page(thread)
    member, unverified = reader(people["member"]), reader(people["unverified"])
    for _round in range(2):  # the second from the kept facts
        assert 'id="reply-form"' in get(member, url)
        assert "Confirm your email address" in get(unverified, url)
    with django_capture_on_commit_callbacks(execute=True):
        services.suspend_member(
            member=people["member"],
            moderator=people["moderator"],
            reason="Cooling off.",
            ends_at=timezone.now() + timedelta(days=1),
        )
        people["unverified"].emailaddress_set.get().set_verified()
    assert "Cooling off." in get(member, url)
    html = get(unverified, url)
    assert "Confirm your email address" not in html
    assert 'id="reply-form"' in html
    assert html == plain(unverified, url)


def test_a_thread_or_board_moved_elsewhere_shows_where_it_now_is(
    thread, people, django_capture_on_commit_callbacks
):
    from tests.factories import EventFactory

    member, url = reader(people["member"]), last_page(thread)
    old_board_url = board_url(thread.board)
    for _round in range(2):  # the second from the kept facts
        assert 'id="reply-form"' in get(member, url)
        assert "After the cafe" in get(member, old_board_url)
    closed = Board.objects.for_event(EventFactory())
    services.close_board(board=closed, user=people["moderator"], message="Elsewhere now.")
    with django_capture_on_commit_callbacks(execute=True):
        thread.board = closed
        thread.save()
    assert "Elsewhere now." in get(member, url)
    assert "After the cafe" not in get(member, old_board_url)
    board, event = closed, EventFactory()
    with django_capture_on_commit_callbacks(execute=True):
        board.event = event
        board.save()
    assert "Elsewhere now." in get(member, url)
    assert get(member, url) == plain(member, url)


@pytest.mark.parametrize("post_count", [20, 2000])
def test_a_member_served_from_the_thread_skeleton_costs_one_query(
    board, post_count, django_assert_max_num_queries
):
    authors = [UserFactory() for _ in range(3)]
    thread = Thread.objects.create(board=board, title="Long one", author=authors[0])
    fill_thread(thread, post_count, authors=authors)
    url = last_page(thread)
    get(reader(authors[1]), url)  # fills the members' skeleton
    client = reader(UserFactory())
    get(client, url)  # their groups are kept from their first page on
    get(client, url)  # their facts are kept from their second page on
    # The session (a cache in production); their account comes from the cache
    # (people/middleware.py), the thread with what they may do there and the page's "this
    # resonates" tally too (discussions/pages.py KeptFacts).
    with django_assert_max_num_queries(1):
        get(client, url)


@pytest.mark.parametrize("thread_count", [10, 500])
def test_a_member_served_from_the_board_skeleton_costs_one_query(
    board, thread_count, django_assert_max_num_queries
):
    authors = [UserFactory() for _ in range(3)]
    fill_board(board, thread_count, authors=authors)
    get(reader(authors[1]), board_url(board))  # fills the members' skeleton
    client = reader(UserFactory())
    get(client, board_url(board))  # their groups are kept from their first page on
    get(client, board_url(board))  # their facts are kept from their second page on
    # The session (a cache in production); the board with what they may do there is kept.
    with django_assert_max_num_queries(1):
        get(client, board_url(board))


def test_a_session_whose_password_changed_reads_the_pages_as_a_visitor(
    thread, people, django_capture_on_commit_callbacks
):
    member = people["member"]
    client, url = reader(member), last_page(thread)
    with django_capture_on_commit_callbacks(execute=True):
        services.follow(user=member, thread=thread)
        services.follow(user=member, board=thread.board)
    for _round in range(2):  # the second from the kept facts, their account read with them
        assert "Stop following" in get(client, url)
        assert "Stop following this board" in get(client, board_url(thread.board))
    with django_capture_on_commit_callbacks(execute=True):
        member.set_password("a new one")
        member.save()
    html = get(client, url)
    assert "Stop following" not in html
    assert "Sign in to reply" in html
    assert html == plain(reader(None), url)
    assert "Sign in to post or follow" in get(client, board_url(thread.board))


def test_the_events_a_process_learns_stay_bounded(thread, people, monkeypatch):
    from discussions import pages

    monkeypatch.setattr(pages, "KNOWN_EVENTS", 1)
    monkeypatch.setattr(pages, "_thread_events", {})
    member = reader(people["member"])
    other = Thread.objects.create(board=thread.board, title="Another", author=people["author"])
    fill_thread(other, 3, authors=[people["author"]])
    for _round in range(2):
        for page in (thread, other):
            url = last_page(page)
            assert get(member, url) == plain(member, url)
            assert list(pages._thread_events) == [page.pk]
