"""Every POST endpoint needs a CSRF token; list pages stay within a fixed query budget."""

import pytest
from django.test import Client
from django.urls import reverse

from discussions import services
from discussions.models import Flag, Post, Thread
from tests.factories import ThemeFactory, UserFactory, fill_board, fill_thread

POST_ENDPOINTS = [
    ("discussions:thread_create", "event"),
    ("discussions:board_follow", "event+follow"),
    ("discussions:board_follow", "event+unfollow"),
    ("discussions:board_close", "event"),
    ("discussions:board_reopen", "event"),
    ("discussions:reply", "thread"),
    ("discussions:thread_follow", "thread+follow"),
    ("discussions:thread_follow", "thread+unfollow"),
    *[
        ("discussions:thread_moderate", f"thread+{a}")
        for a in ("lock", "unlock", "pin", "unpin", "hide", "unhide")
    ],
    ("discussions:post_edit", "post"),
    ("discussions:post_withdraw", "post"),
    ("discussions:post_flag", "post"),
    ("discussions:post_moderate", "post+hide"),
    ("discussions:post_moderate", "post+restore"),
    ("discussions:flag_resolve", "flag"),
    ("discussions:post_resonates", "post"),
    ("discussions:member_posts", "member"),
]
# Not listed: discussions:unsubscribe, csrf_exempt by design (RFC 8058 one-click POST from mail
# clients); the signed, single-subscription token in its URL is what protects it.


def _kwargs(kind, *, thread, post, flag):
    target, _sep, action = kind.partition("+")
    kwargs = {
        "event": {"event_slug": thread.board.event.slug},
        "thread": {"pk": thread.pk},
        "post": {"pk": post.pk},
        "flag": {"pk": flag.pk},
        "member": {"pk": post.author_id},
    }[target]
    return {**kwargs, "action": action} if action else kwargs


@pytest.mark.parametrize(("name", "kind"), POST_ENDPOINTS)
def test_every_post_endpoint_refuses_a_request_without_csrf_token(
    organised_thread, organiser, name, kind
):
    post = organised_thread.posts.get()
    # The organiser authored the post, so edit/withdraw would be allowed with a token.
    Post.objects.filter(pk=post.pk).update(author=organiser)
    flag = services.flag_post(post=post, reporter=UserFactory(), reason=Flag.Reason.SPAM)
    client = Client(enforce_csrf_checks=True)
    client.force_login(organiser)
    url = reverse(name, kwargs=_kwargs(kind, thread=organised_thread, post=post, flag=flag))

    response = client.post(url, {"body": "x", "title": "t", "reason": "spam", "action": "hide"})

    assert response.status_code == 403
    assert b"CSRF" in response.content
    assert (Thread.objects.count(), Post.objects.count(), Flag.objects.open().count()) == (1, 1, 1)


@pytest.mark.parametrize("post_count", [20, 2000])
@pytest.mark.parametrize("viewer", ["anonymous", "member", "moderator"])
def test_thread_page_uses_a_fixed_number_of_queries(
    client, board, django_assert_max_num_queries, post_count, viewer
):
    authors = [UserFactory() for _ in range(5)]
    thread = Thread.objects.create(board=board, title="Long one", author=authors[0])
    thread.themes.add(ThemeFactory(), ThemeFactory())
    fill_thread(thread, post_count, authors=authors)
    # Replies to earlier posts bring in quotes.
    Post.objects.filter(thread=thread, number__gt=1).update(reply_to=thread.posts.get(number=1))
    if viewer != "anonymous":
        client.force_login(UserFactory(groups=["Moderators"] if viewer == "moderator" else []))
    last_page = thread.page_count

    # 13: a signed-in member's page also asks whether their address is confirmed (the form).
    with django_assert_max_num_queries(13):
        response = client.get(thread.get_absolute_url() + f"?page={last_page}")

    assert len(response.context["page"]) == 20
    assert response.context["page"][-1].number == post_count


@pytest.mark.parametrize("thread_count", [10, 500])
@pytest.mark.parametrize("viewer", ["anonymous", "member"])
def test_board_page_uses_a_fixed_number_of_queries(
    client, board, django_assert_max_num_queries, thread_count, viewer
):
    authors = [UserFactory() for _ in range(5)]
    fill_board(board, thread_count, authors=authors, themes=[ThemeFactory(), ThemeFactory()])
    if viewer != "anonymous":
        client.force_login(authors[0])

    with django_assert_max_num_queries(12):
        response = client.get(reverse("discussions:board", kwargs={"event_slug": board.event.slug}))

    assert len(response.context["page"]) == min(thread_count, 25)


@pytest.mark.parametrize("flag_count", [1, 30])
def test_moderation_queue_uses_a_fixed_number_of_queries(
    client, thread, moderator, django_assert_max_num_queries, flag_count
):
    for _ in range(flag_count):
        services.flag_post(post=thread.posts.get(), reporter=UserFactory(), reason="spam")
    client.force_login(moderator)

    with django_assert_max_num_queries(10):
        response = client.get(reverse("discussions:moderation"))

    assert len(response.context["page"]) == min(flag_count, 25)


@pytest.mark.parametrize("post_count", [1, 60])
def test_search_page_uses_a_fixed_number_of_queries(
    client, board, django_assert_max_num_queries, post_count
):
    thread = Thread.objects.create(board=board, title="Search me", author=UserFactory())
    fill_thread(thread, post_count, authors=[UserFactory(), UserFactory()])

    with django_assert_max_num_queries(8):
        response = client.get(reverse("discussions:search") + "?q=co-production")

    assert response.context["page"].paginator.count == post_count


@pytest.mark.parametrize("post_count", [1, 60])
@pytest.mark.parametrize("words", ["", "co-production"], ids=["browse", "search"])
def test_search_on_an_event_uses_a_fixed_number_of_queries(
    client, board, django_assert_max_num_queries, post_count, words
):
    thread = Thread.objects.create(board=board, title="Search me", author=UserFactory())
    fill_thread(thread, post_count, authors=[UserFactory(), UserFactory()])
    query = {"q": words, "event": board.event.slug}

    with django_assert_max_num_queries(8):
        response = client.get(reverse("discussions:search"), query)

    assert response.context["page"].paginator.count == post_count
