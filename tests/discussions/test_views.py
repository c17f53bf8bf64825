import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from discussions import services
from discussions.models import Board, Flag, Post, Subscription, Thread
from tests.discussions.factories import fill_thread
from tests.factories import EventFactory, ThemeFactory, UserFactory
from tests.forms import submit_form


def board_url(event):
    return reverse("discussions:board", kwargs={"event_slug": event.slug})


# --- reading -----------------------------------------------------------------------------------


def test_anonymous_reader_sees_threads_but_no_reply_form(client, thread):
    services.post_reply(thread=thread, author=UserFactory(), body="A *reply*")

    board_page = client.get(board_url(thread.board.event))
    thread_page = client.get(thread.get_absolute_url())

    assert list(board_page.context["page"]) == [thread]
    assert thread_page.context["form"] is None
    assert [p.number for p in thread_page.context["page"]] == [1, 2]
    assert "<p>A <em>reply</em></p>" in thread_page.content.decode()
    assert "Sign in to reply" in thread_page.content.decode()


def test_reading_a_board_writes_nothing_and_the_first_thread_saves_it(client, event, author):
    response = client.get(board_url(event))

    assert response.status_code == 200
    assert "No threads yet." in response.content.decode()
    assert (
        client.get(reverse("discussions:board_feed", kwargs={"event_slug": event.slug})).status_code
        == 200
    )
    assert not Board.objects.exists()
    client.force_login(author)
    new_thread = reverse("discussions:thread_create", kwargs={"event_slug": event.slug})
    assert client.get(new_thread).status_code == 200
    assert not Board.objects.exists()

    response = submit_form(
        client, client.get(new_thread), form=new_thread, data={"title": "First", "body": "Hello."}
    )

    thread = Thread.objects.get()
    assert response["Location"] == thread.get_absolute_url()
    assert thread.board == Board.objects.get(event=event)


def test_a_draft_event_has_no_board(client, db):
    draft = EventFactory(status="draft")

    response = client.get(board_url(draft))

    assert response.status_code == 404
    assert not Board.objects.exists()


def test_thread_url_with_a_wrong_slug_redirects_to_the_canonical_one(client, thread):
    response = client.get(reverse("discussions:thread", kwargs={"pk": thread.pk, "slug": "old"}))

    assert response.status_code == 302
    assert response["Location"] == thread.get_absolute_url()


def test_board_lists_pinned_first_then_latest_activity(client, board, author, moderator):
    old = services.start_thread(board=board, author=author, title="Old", body="x")
    new = services.start_thread(board=board, author=author, title="New", body="x")
    services.post_reply(thread=old, author=UserFactory(), body="revived")
    pinned = services.start_thread(board=board, author=author, title="Pinned", body="x")
    services.pin_thread(thread=pinned, moderator=moderator)
    services.post_reply(thread=new, author=UserFactory(), body="newest")

    response = client.get(board_url(board.event))

    assert [t.title for t in response.context["page"]] == ["Pinned", "New", "Old"]


# --- anonymous users cannot write ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("discussions:thread_create", lambda t: {"event_slug": t.board.event.slug}),
        ("discussions:reply", lambda t: {"pk": t.pk}),
        ("discussions:thread_follow", lambda t: {"pk": t.pk, "action": "follow"}),
        (
            "discussions:board_follow",
            lambda t: {"event_slug": t.board.event.slug, "action": "follow"},
        ),
        ("discussions:post_flag", lambda t: {"pk": t.posts.get().pk}),
    ],
)
def test_anonymous_users_are_sent_to_sign_in_and_nothing_is_written(client, thread, name, kwargs):
    url = reverse(name, kwargs=kwargs(thread))

    response = client.post(url, {"title": "t", "body": "b", "reason": "spam"})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert (Thread.objects.count(), Post.objects.count(), Flag.objects.count()) == (1, 1, 0)
    assert Subscription.objects.filter(active=True).count() == 1  # the author's own


# --- posting ------------------------------------------------------------------------------------


def test_signed_in_user_starts_a_thread_with_themes(client, board, user):
    theme = ThemeFactory(name="Risk-averse cultures")
    client.force_login(user)

    response = client.post(
        reverse("discussions:thread_create", kwargs={"event_slug": board.event.slug}),
        {"title": "Who is afraid of risk?", "themes": [theme.pk], "body": "Let us *talk*."},
    )

    thread = Thread.objects.get()
    assert response["Location"] == thread.get_absolute_url()
    assert (thread.author, list(thread.themes.all())) == (user, [theme])


def test_reply_lands_at_the_new_post(client, thread, user):
    client.force_login(user)

    response = client.post(reverse("discussions:reply", kwargs={"pk": thread.pk}), {"body": "Yes"})

    post = Post.objects.get(number=2)
    assert response["Location"] == reverse("discussions:post", kwargs={"pk": post.pk})


@pytest.mark.parametrize("how", ["locked", "closed"])
def test_locked_threads_and_closed_boards_refuse_replies_with_a_message(
    client, thread, user, moderator, how
):
    if how == "locked":
        services.lock_thread(thread=thread, moderator=moderator)
        expected = "This thread is locked"
    else:
        services.close_board(board=thread.board, user=moderator, message="Thanks, all.")
        expected = "This board is closed"
    client.force_login(user)

    page = client.get(thread.get_absolute_url())
    post = client.post(reverse("discussions:reply", kwargs={"pk": thread.pk}), {"body": "Hello?"})

    assert page.context["form"] is None
    assert expected in page.content.decode()
    assert 'class="reply-form"' not in page.content.decode()
    assert post.status_code == 400
    assert expected in post.content.decode()
    assert thread.posts.count() == 1


def test_rate_limited_reply_keeps_everything_typed(client, thread, user, settings):
    settings.DISCUSSIONS_POSTS_PER_MINUTE = 1
    client.force_login(user)
    url = reverse("discussions:reply", kwargs={"pk": thread.pk})
    client.post(url, {"body": "first"})
    first_post = Post.objects.get(number=2)

    response = client.post(url, {"body": "My long considered *answer*", "reply_to": first_post.pk})

    assert response.status_code == 429
    form = response.context["form"]
    assert form.data["body"] == "My long considered *answer*"
    assert form["reply_to"].value() == str(first_post.pk)
    assert "My long considered *answer*</textarea>" in response.content.decode()
    assert "at most 1 posts a minute" in response.content.decode()
    assert thread.posts.count() == 2


def test_too_long_reply_is_a_form_error_with_the_text_kept(client, thread, user):
    client.force_login(user)
    body = "x" * 20_001

    response = client.post(reverse("discussions:reply", kwargs={"pk": thread.pk}), {"body": body})

    assert response.status_code == 400
    assert response.context["form"].errors["body"]
    assert response.context["form"].data["body"] == body


def test_quote_reply_preselects_the_post_and_shows_a_quote(client, thread, user):
    opening = thread.posts.get()
    client.force_login(user)

    response = client.get(thread.get_absolute_url() + f"?reply_to={opening.pk}")

    assert response.context["form"]["reply_to"].value() == str(opening.pk)
    assert response.context["replying_to"] == opening
    assert "Opening thoughts." in response.content.decode()


# --- hidden and withdrawn posts -----------------------------------------------------------------


def test_hidden_post_text_is_absent_for_others_and_present_for_author_and_moderators(
    client, thread, author, moderator
):
    secret = "Something only moderators may now read"
    reply = services.post_reply(thread=thread, author=author, body=secret)
    services.hide_post(post=reply, moderator=moderator)
    answer = services.post_reply(thread=thread, author=UserFactory(), body="Re", reply_to=reply)
    assert answer.reply_to == reply

    for viewer, sees in [(None, False), (UserFactory(), False), (author, True), (moderator, True)]:
        client.logout()
        if viewer:
            client.force_login(viewer)
        html = client.get(thread.get_absolute_url()).content.decode()
        assert "This post is hidden by a moderator." in html
        assert (secret in html) is sees, viewer


def test_withdrawn_post_text_is_absent_for_others(client, thread, author):
    services.withdraw_post(post=thread.posts.get(), user=author)

    html = client.get(thread.get_absolute_url()).content.decode()

    assert "withdrawn by its author" in html
    assert "Opening" not in html.split("<main", 1)[1].split("</h1>", 1)[1]


def test_hidden_thread_is_404_for_others(client, thread, moderator):
    services.hide_thread(thread=thread, moderator=moderator)

    assert client.get(thread.get_absolute_url()).status_code == 404
    client.force_login(moderator)
    assert client.get(thread.get_absolute_url()).status_code == 200


# --- editing, history, moderation ----------------------------------------------------------------


def test_users_edit_only_their_own_posts(client, thread, author, user):
    post = thread.posts.get()
    url = reverse("discussions:post_edit", kwargs={"pk": post.pk})

    client.force_login(user)
    assert client.post(url, {"body": "hijack"}).status_code == 403
    client.force_login(author)
    assert client.post(url, {"body": "Revised"}).status_code == 302

    post.refresh_from_db()
    assert post.body_source == "Revised"
    html = client.get(thread.get_absolute_url()).content.decode()
    assert 'class="post-edited"' in html


def test_history_is_for_the_author_and_moderators(client, thread, author, user, moderator):
    post = thread.posts.get()
    services.edit_post(post=post, editor=author, body="v2")
    url = reverse("discussions:post_history", kwargs={"pk": post.pk})

    client.force_login(user)
    assert client.get(url).status_code == 403
    client.force_login(moderator)
    response = client.get(url)
    assert [r.body_source for r in response.context["revisions"]] == ["Opening *thoughts*."]


def test_withdraw_asks_first_then_withdraws(client, thread, author):
    post = thread.posts.get()
    url = reverse("discussions:post_withdraw", kwargs={"pk": post.pk})
    client.force_login(author)

    confirm = client.get(url)
    post.refresh_from_db()
    assert ("Withdraw the post" in confirm.content.decode(), post.is_withdrawn) == (True, False)

    client.post(url)
    post.refresh_from_db()
    assert post.is_withdrawn


@pytest.mark.parametrize("who", ["user", "other_organiser"])
def test_only_moderators_and_event_organisers_can_use_moderation_endpoints(
    client, organised_thread, who, user
):
    actor = user if who == "user" else UserFactory(groups=["Organisers"])
    post = organised_thread.posts.get()
    client.force_login(actor)

    responses = [
        client.post(reverse("discussions:post_moderate", kwargs={"pk": post.pk, "action": "hide"})),
        client.post(
            reverse(
                "discussions:thread_moderate", kwargs={"pk": organised_thread.pk, "action": "lock"}
            )
        ),
        client.post(
            reverse(
                "discussions:board_close",
                kwargs={"event_slug": organised_thread.board.event.slug},
            )
        ),
    ]

    assert [r.status_code for r in responses] == [403, 403, 403]
    post.refresh_from_db()
    organised_thread.refresh_from_db()
    assert (post.is_hidden, organised_thread.locked, organised_thread.board.is_open) == (
        False,
        False,
        True,
    )


def test_event_organiser_closes_and_reopens_their_board(client, organised_board, organiser):
    client.force_login(organiser)
    slug = organised_board.event.slug

    client.post(reverse("discussions:board_close", kwargs={"event_slug": slug}), {"message": "Bye"})
    organised_board.refresh_from_db()
    assert (organised_board.is_open, organised_board.closed_message) == (False, "Bye")

    client.post(reverse("discussions:board_reopen", kwargs={"event_slug": slug}))
    organised_board.refresh_from_db()
    assert organised_board.is_open


def test_moderation_queue_shows_moderators_everything_and_organisers_their_boards(
    client, thread, organised_thread, moderator, organiser, user
):
    flag_a = services.flag_post(post=thread.posts.get(), reporter=user, reason="spam")
    flag_b = services.flag_post(post=organised_thread.posts.get(), reporter=user, reason="abuse")
    url = reverse("discussions:moderation")

    client.force_login(moderator)
    assert list(client.get(url).context["page"]) == [flag_a, flag_b]
    client.force_login(organiser)
    assert list(client.get(url).context["page"]) == [flag_b]
    client.force_login(user)
    assert list(client.get(url).context["page"]) == []


def test_resolving_a_flag_can_hide_the_post(client, organised_thread, organiser, user):
    flag = services.flag_post(post=organised_thread.posts.get(), reporter=user, reason="spam")
    client.force_login(organiser)

    client.post(reverse("discussions:flag_resolve", kwargs={"pk": flag.pk}), {"action": "hide"})

    flag.refresh_from_db()
    assert (flag.resolved_by, flag.post.is_hidden) == (organiser, True)


def test_flag_form_records_the_reason(client, thread, user):
    client.force_login(user)
    post = thread.posts.get()

    client.post(
        reverse("discussions:post_flag", kwargs={"pk": post.pk}),
        {"reason": "privacy", "text": "Shares a phone number"},
    )

    assert list(Flag.objects.values_list("reason", "text", "reporter")) == [
        ("privacy", "Shares a phone number", user.pk)
    ]


# --- permalinks ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("number", "page"), [(1, 1), (20, 1), (21, 2), (45, 3)])
def test_permalink_opens_the_right_page_at_the_post(client, board, author, number, page):
    thread = Thread.objects.create(board=board, title="Long", author=author)
    fill_thread(thread, 45, authors=[author])
    post = Post.objects.get(thread=thread, number=number)

    response = client.get(reverse("discussions:post", kwargs={"pk": post.pk}))
    followed = client.get(response["Location"])

    query = f"?page={page}" if page > 1 else ""
    assert response["Location"] == f"{thread.get_absolute_url()}{query}#post-{post.pk}"
    assert post in list(followed.context["page"])


# --- following and unsubscribing ----------------------------------------------------------------


def test_follow_and_unfollow_a_board(client, board, user):
    client.force_login(user)
    follow = reverse(
        "discussions:board_follow", kwargs={"event_slug": board.event.slug, "action": "follow"}
    )
    unfollow = reverse(
        "discussions:board_follow", kwargs={"event_slug": board.event.slug, "action": "unfollow"}
    )

    client.post(follow)
    assert Subscription.objects.get(user=user, board=board).active is True
    client.post(unfollow)
    assert Subscription.objects.get(user=user, board=board).active is False


def test_one_click_unsubscribe_works_without_sign_in_and_only_for_that_subscription(
    thread, author, django_capture_on_commit_callbacks
):
    board_sub = services.follow(user=author, board=thread.board)
    with django_capture_on_commit_callbacks(execute=True):
        services.post_reply(thread=thread, author=UserFactory(), body="Hi")
    (message,) = mail.outbox
    url = (
        message.extra_headers["List-Unsubscribe"].strip("<>").removeprefix("http://127.0.0.1:8000")
    )
    client = Client(enforce_csrf_checks=True)

    confirm = client.get(url)
    subscription = Subscription.objects.get(user=author, thread=thread)
    assert (confirm.status_code, subscription.active) == (200, True)
    # RFC 8058: the mail client POSTs "List-Unsubscribe=One-Click" with no cookie or CSRF token.
    done = client.post(url, {"List-Unsubscribe": "One-Click"})

    subscription.refresh_from_db()
    board_sub.refresh_from_db()
    assert done.status_code == 200
    assert (subscription.active, board_sub.active) == (False, True)


def test_a_tampered_unsubscribe_token_is_404(client, thread, author):
    sub = Subscription.objects.get(user=author, thread=thread)
    token = services.unsubscribe_token(sub)[:-2] + "xx"

    response = client.post(reverse("discussions:unsubscribe", kwargs={"token": token}))

    sub.refresh_from_db()
    assert (response.status_code, sub.active) == (404, True)


# --- feed ---------------------------------------------------------------------------------------


def test_board_feed_lists_new_posts_but_not_hidden_ones(client, thread, moderator):
    shown = services.post_reply(thread=thread, author=UserFactory(), body="Visible *reply*")
    hidden = services.post_reply(thread=thread, author=UserFactory(), body="Hidden reply")
    services.hide_post(post=hidden, moderator=moderator)

    response = client.get(
        reverse("discussions:board_feed", kwargs={"event_slug": thread.board.event.slug})
    )

    body = response.content.decode()
    assert response["Content-Type"].startswith("application/atom+xml")
    assert f"/posts/{shown.pk}/" in body
    assert f"/posts/{hidden.pk}/" not in body
    assert "Hidden reply" not in body
