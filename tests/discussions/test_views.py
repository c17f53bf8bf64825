import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from discussions import services
from discussions.models import THREADS_PER_PAGE, Board, Flag, Post, Subscription, Thread
from events.models import Event
from tests.factories import EventFactory, ThemeFactory, UserFactory, fill_thread
from tests.forms import form_data, submit_form


def board_url(event):
    return reverse("discussions:board", kwargs={"event_slug": event.slug})


def reply_on_the_page(client, thread, body, *, query=""):
    """Open the thread page (with `query`, e.g. a quote reply), write `body` and send it."""
    page = client.get(thread.get_absolute_url() + query)
    reply = reverse("discussions:reply", kwargs={"pk": thread.pk})
    return submit_form(client, page, reply, data={"body": body})


def submit_page(client, url, data=None, **kwargs):
    """Open the page at `url` and submit its own form (the one posting back to `url`)."""
    return submit_form(client, client.get(url), url, data=data, **kwargs)


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

    response = submit_page(
        client,
        reverse("discussions:thread_create", kwargs={"event_slug": board.event.slug}),
        {"title": "Who is afraid of risk?", "themes": [theme.pk], "body": "Let us *talk*."},
    )

    thread = Thread.objects.get()
    assert response["Location"] == thread.get_absolute_url()
    assert (thread.author, list(thread.themes.all())) == (user, [theme])


def test_reply_lands_at_the_new_post(client, thread, user):
    client.force_login(user)

    response = reply_on_the_page(client, thread, "Yes")

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
    reply_on_the_page(client, thread, "first")
    first_post = Post.objects.get(number=2)

    response = reply_on_the_page(
        client, thread, "My long considered *answer*", query=f"?reply_to={first_post.pk}"
    )

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

    response = reply_on_the_page(client, thread, body)

    assert response.status_code == 400
    assert response.context["form"].errors["body"]
    assert response.context["form"].data["body"] == body


def test_quote_reply_preselects_the_post_and_shows_a_quote(client, thread, user):
    opening = thread.posts.get()
    client.force_login(user)

    response = client.get(thread.get_absolute_url() + f"?reply_to={opening.pk}")

    html = response.content.decode()
    assert f'<input type="hidden" name="reply_to" value="{opening.pk}" id="id_reply_to">' in html
    assert response.context["replying_to"] == opening
    assert "Opening thoughts." in html


# --- hidden and withdrawn posts -----------------------------------------------------------------


def test_hidden_post_text_is_absent_for_others_and_present_for_author_and_moderators(
    client, thread, author, moderator
):
    secret = "Something only moderators may now read"
    reply = services.post_reply(thread=thread, author=author, body=secret)
    services.hide_post(post=reply, moderator=moderator, reason="Off topic")
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
    assert submit_page(client, url, {"body": "Revised"}).status_code == 302

    post.refresh_from_db()
    assert post.body_source == "Revised"
    html = client.get(thread.get_absolute_url()).content.decode()
    assert 'class="post-edited"' in html


def test_rate_limited_edit_keeps_the_text_typed(client, thread, author, settings):
    settings.DISCUSSIONS_EDITS_PER_MINUTE = 1
    post = thread.posts.get()
    url = reverse("discussions:post_edit", kwargs={"pk": post.pk})
    client.force_login(author)
    assert submit_page(client, url, {"body": "Revised"}).status_code == 302

    response = submit_page(client, url, {"body": "Revised *again*"})

    assert response.status_code == 429
    assert "at most 1 edits a minute" in response.content.decode()
    assert "Revised *again*</textarea>" in response.content.decode()
    post.refresh_from_db()
    assert post.body_source == "Revised"


def test_a_second_edit_while_one_is_in_flight_waits_and_keeps_the_text(client, thread, author):
    from django.core.cache import cache

    post = thread.posts.get()
    url = reverse("discussions:post_edit", kwargs={"pk": post.pk})
    client.force_login(author)
    cache.add(f"discussions:editing:{author.pk}", 1)  # another edit of this account is saving

    response = submit_page(client, url, {"body": "Revised while busy"})

    assert response.status_code == 429
    assert "Your previous edit is still being saved." in response.content.decode()
    assert "Revised while busy</textarea>" in response.content.decode()
    cache.delete(f"discussions:editing:{author.pk}")
    assert submit_page(client, url, {"body": "Revised while busy"}).status_code == 302
    post.refresh_from_db()
    assert post.body_source == "Revised while busy"
    assert cache.get(f"discussions:editing:{author.pk}") is None  # released after the save


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

    submit_form(client, confirm, url)
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

    submit_page(
        client, reverse("discussions:board_close", kwargs={"event_slug": slug}), {"message": "Bye"}
    )
    organised_board.refresh_from_db()
    assert (organised_board.is_open, organised_board.closed_message) == (False, "Bye")

    reopen = reverse("discussions:board_reopen", kwargs={"event_slug": slug})
    submit_form(client, client.get(board_url(organised_board.event)), reopen)
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
    queue = client.get(reverse("discussions:moderation"))

    submit_form(
        client,
        queue,
        f"#resolve-{flag.pk}",
        data={"reason": "Advertising is not allowed here."},
        button="action=hide",
    )

    flag.refresh_from_db()
    assert (flag.resolved_by, flag.post.is_hidden) == (organiser, True)
    assert flag.post.hidden_reason == "Advertising is not allowed here."


def test_hiding_from_the_queue_without_a_reason_is_refused(client, organised_thread, organiser):
    flag = services.flag_post(
        post=organised_thread.posts.get(), reporter=UserFactory(), reason="spam"
    )
    client.force_login(organiser)

    response = submit_form(
        client,
        client.get(reverse("discussions:moderation")),
        f"#resolve-{flag.pk}",
        button="action=hide",
        follow=True,
    )

    flag.refresh_from_db()
    assert flag.is_open
    assert not flag.post.is_hidden
    assert "Say why the post is hidden" in response.content.decode()


def test_flag_form_records_the_reason(client, thread, user):
    client.force_login(user)
    post = thread.posts.get()

    submit_page(
        client,
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

    submit_form(client, client.get(board_url(board.event)), follow)
    assert Subscription.objects.get(user=user, board=board).active is True
    submit_form(client, client.get(board_url(board.event)), unfollow)
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
    services.hide_post(post=hidden, moderator=moderator, reason="Off topic")

    response = client.get(
        reverse("discussions:board_feed", kwargs={"event_slug": thread.board.event.slug})
    )

    body = response.content.decode()
    assert response["Content-Type"].startswith("application/atom+xml")
    assert f"/posts/{shown.pk}/" in body
    assert f"/posts/{hidden.pk}/" not in body
    assert "Hidden reply" not in body


# --- the rough edges members met first (issue 16) ------------------------------------------------


def test_a_new_thread_offers_the_events_themes_with_none_ticked(client, user):
    offered = [ThemeFactory(name="Core economy"), ThemeFactory(name="Risk")]
    ThemeFactory(name="Not this event's")
    event = EventFactory(themes=offered)
    client.force_login(user)
    url = reverse("discussions:thread_create", kwargs={"event_slug": event.slug})

    page = client.get(url)
    response = submit_form(
        client, page, url, data={"title": "Time Credits", "body": "What did you make of it?"}
    )

    assert set(page.context["form"].fields["themes"].queryset) == set(offered)
    assert form_data(page, url).get("themes") is None  # nothing ticked as the page comes
    thread = Thread.objects.get(title="Time Credits")
    assert response["Location"] == thread.get_absolute_url()
    assert list(thread.themes.all()) == []


def test_the_flag_form_has_no_blank_reason_and_requires_one(client, thread):
    reporter = UserFactory()
    client.force_login(reporter)
    post = thread.posts.get()
    url = reverse("discussions:post_flag", kwargs={"pk": post.pk})

    page = client.get(url)
    without_reason = submit_form(client, page, url, data={"text": "Looks like an advert"})
    flagged = submit_form(client, page, url, data={"reason": "spam"})

    assert "---------" not in page.content.decode()
    assert without_reason.status_code == 200
    assert without_reason.context["form"].errors["reason"]
    assert flagged.status_code == 302
    assert list(Flag.objects.values_list("post", "reporter", "reason")) == [
        (post.pk, reporter.pk, "spam")
    ]


def test_nobody_edits_in_a_locked_thread_but_the_author_may_still_withdraw(client, thread, author):
    post = thread.posts.get()
    Thread.objects.filter(pk=thread.pk).update(locked=True)
    client.force_login(author)

    page = client.get(thread.get_absolute_url()).content.decode()
    edit = client.get(reverse("discussions:post_edit", kwargs={"pk": post.pk}))
    withdraw_url = reverse("discussions:post_withdraw", kwargs={"pk": post.pk})
    withdrawn = submit_form(client, client.get(withdraw_url), withdraw_url)

    assert reverse("discussions:post_edit", kwargs={"pk": post.pk}) not in page
    assert withdraw_url in page
    assert edit.status_code == 403
    assert withdrawn.status_code == 302
    post.refresh_from_db()
    assert post.is_withdrawn
    assert post.body_source == "Opening *thoughts*."


def test_discussions_page_lists_recent_threads_from_every_board_with_their_event(client, db):
    cafe, round_table = EventFactory(title="Policy Cafe"), EventFactory(title="Round-table")
    older = services.start_thread(
        board=Board.objects.for_event(cafe), author=UserFactory(), title="Core economy", body="x"
    )
    newer = services.start_thread(
        board=Board.objects.for_event(round_table),
        author=UserFactory(),
        title="Talking Points",
        body="y",
    )
    hidden = services.start_thread(
        board=Board.objects.for_event(cafe), author=UserFactory(), title="Advert", body="z"
    )
    Thread.objects.filter(pk=hidden.pk).update(hidden=True)
    withdrawn = EventFactory(title="Withdrawn")
    services.start_thread(
        board=Board.objects.for_event(withdrawn), author=UserFactory(), title="Secret", body="s"
    )
    Event.objects.filter(pk=withdrawn.pk).update(status=Event.Status.DRAFT)  # unpublished

    response = client.get(reverse("discussions:search"))

    assert list(response.context["recent"]) == [newer, older]
    page = response.content.decode()
    assert "Board of Round-table" in page
    assert reverse("discussions:board", kwargs={"event_slug": cafe.slug}) in page
    assert "Secret" not in page
    assert "Advert" not in page


def test_discussions_page_says_so_when_nothing_is_discussed_yet(client, db):
    page = client.get(reverse("discussions:search")).content.decode()

    assert "No conversations yet." in page


def test_searching_replaces_the_recent_list_with_results(client, thread):
    response = client.get(reverse("discussions:search"), {"q": "thoughts"})

    assert response.context["recent"] is None
    assert [post.thread for post in response.context["page"]] == [thread]


@pytest.mark.parametrize("count", [1, 3, 30])
def test_recent_threads_query_budget(client, db, count, django_assert_max_num_queries):
    from tests.factories import fill_board

    fill_board(Board.objects.for_event(EventFactory()), count, authors=[UserFactory()])

    with django_assert_max_num_queries(9):
        response = client.get(reverse("discussions:search"))

    assert len(response.context["recent"].object_list) == min(count, THREADS_PER_PAGE)


def test_preview_renders_a_reply_without_posting_it_and_keeps_the_text(client, thread, user):
    client.force_login(user)
    page = client.get(thread.get_absolute_url())

    response = submit_form(
        client, page, "#reply-form", data={"body": "Is it *really* new?"}, button="preview"
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "<p>Is it <em>really</em> new?</p>" in html
    assert "Is it *really* new?</textarea>" in html
    assert thread.posts.count() == 1
    posted = submit_form(client, response, "#reply-form")
    assert posted.status_code == 302
    assert thread.posts.count() == 2


def test_preview_of_a_new_thread_saves_nothing(client, user, event):
    client.force_login(user)
    url = reverse("discussions:thread_create", kwargs={"event_slug": event.slug})

    response = submit_form(
        client,
        client.get(url),
        "#thread-form",
        data={"title": "Time Credits", "body": "**Bold** idea"},
        button="preview",
    )

    assert "<p><strong>Bold</strong> idea</p>" in response.content.decode()
    assert not Thread.objects.filter(title="Time Credits").exists()


def test_this_resonates_once_per_member_with_a_count_and_can_be_taken_back(client, thread):
    post = thread.posts.get()
    first, second = UserFactory(), UserFactory()
    action = reverse("discussions:post_resonates", kwargs={"pk": post.pk})
    for member in (first, second):
        client.force_login(member)
        submit_form(client, client.get(thread.get_absolute_url()), action)

    client.force_login(first)
    page = client.get(thread.get_absolute_url()).content.decode()
    assert 'aria-pressed="true">This resonates · 2</button>' in page
    submit_form(client, client.get(thread.get_absolute_url()), action)  # takes it back
    client.logout()
    anonymous = client.get(thread.get_absolute_url()).content.decode()

    assert list(post.reactions.values_list("user", flat=True)) == [second.pk]
    assert "Resonates with 1 member" in anonymous
    assert action not in anonymous


def test_authors_cannot_say_their_own_post_resonates(client, thread, author):
    post = thread.posts.get()
    client.force_login(author)
    action = reverse("discussions:post_resonates", kwargs={"pk": post.pk})

    page = client.get(thread.get_absolute_url()).content.decode()
    response = client.post(action)  # no button is rendered: a crafted request

    assert action not in page
    assert response.status_code == 403
    assert not post.reactions.exists()


def flag_on_the_page(client, post):
    url = reverse("discussions:post_flag", kwargs={"pk": post.pk})
    return submit_page(client, url, {"reason": "spam"}, follow=True)


def test_flags_have_a_rate_limit_of_their_own(client, thread, user):
    # Each flag mails the board's moderators: a script must not flag a thousand posts a minute;
    # but flagging five posts must not stop anyone replying, nor replying stop them flagging.
    posts = [thread.posts.get()]
    posts += [services.post_reply(thread=thread, author=UserFactory(), body=n) for n in "abcde"]
    client.force_login(user)

    for post in posts[:5]:
        assert "Thank you: the moderators" in flag_on_the_page(client, post).content.decode()
    replies = [reply_on_the_page(client, thread, f"Mine {n}") for n in range(6)]
    sixth_flag = flag_on_the_page(client, posts[5])

    assert Flag.objects.filter(reporter=user).count() == 5
    assert [r.status_code for r in replies] == [302] * 5 + [429]
    assert Post.objects.filter(author=user).count() == 5
    assert "You are flagging very fast" in sixth_flag.content.decode()


def test_members_who_posted_their_fill_may_still_flag(client, thread, user):
    client.force_login(user)
    replies = [reply_on_the_page(client, thread, f"Mine {n}") for n in range(6)]

    flagged = flag_on_the_page(client, thread.posts.get(number=1))

    assert [r.status_code for r in replies] == [302] * 5 + [429]
    assert "Thank you: the moderators will look at this post." in flagged.content.decode()
    assert Flag.objects.filter(reporter=user).count() == 1


# --- a confirmed email address before posting ----------------------------------------------------


def test_an_unconfirmed_member_is_asked_to_confirm_and_can_ask_for_a_new_link(client, thread):
    newcomer = UserFactory(verified_email=False, preferred_language="cy")
    client.force_login(newcomer)
    page = client.get(thread.get_absolute_url())
    text = page.content.decode()
    assert "Confirm your email address before you post" in text
    assert 'id="reply-form"' not in text

    response = submit_form(client, page, "#resend-verification-form", follow=True)

    assert response.redirect_chain[-1][0] == thread.get_absolute_url()
    assert f"We emailed a new link to {newcomer.email}" in response.content.decode()
    assert [message.to for message in mail.outbox] == [[newcomer.email]]
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail.outbox[0].body).group(0)
    assert "Cadarnhewch eich cyfeiriad e-bost" in mail.outbox[0].subject  # their language
    # A second click within minutes sends nothing more.
    submit_form(client, client.get(thread.get_absolute_url()), "#resend-verification-form")
    assert len(mail.outbox) == 1

    client.post(urlsplit(link).path)  # allauth's confirmation page, as the link opens it
    page = client.get(thread.get_absolute_url())
    assert 'id="reply-form"' in page.content.decode()


def test_an_unconfirmed_member_cannot_post_or_start_a_thread(client, thread, board):
    newcomer = UserFactory(verified_email=False)
    client.force_login(newcomer)
    page = client.get(reverse("discussions:thread_create", kwargs={"event_slug": board.event.slug}))
    assert "Confirm your email address before you post" in page.content.decode()
    assert page.context.get("form") is None
    with pytest.raises(services.PostingRefused) as refused:
        services.post_reply(thread=thread, author=newcomer, body="Hello")
    assert refused.value.code == "unverified"
    with pytest.raises(services.PostingRefused):
        services.start_thread(board=board, author=newcomer, title="Hi", body="Hello")
    assert Post.objects.filter(author=newcomer).count() == 0


def test_an_unconfirmed_member_cannot_flag_or_say_a_post_resonates(client, thread):
    # services.check_may_post: the same rule for posts, flags and "this resonates".
    post = thread.posts.get()
    client.force_login(UserFactory(verified_email=False))
    action = reverse("discussions:post_resonates", kwargs={"pk": post.pk})

    page = client.get(thread.get_absolute_url()).content.decode()
    resonates = client.post(action, follow=True)  # no button is rendered: a crafted request
    flagged = submit_page(
        client,
        reverse("discussions:post_flag", kwargs={"pk": post.pk}),
        {"reason": "spam"},
        follow=True,
    )

    assert action not in page
    for response in (resonates, flagged):
        assert "Confirm your email address before you post" in response.content.decode()
    assert (post.reactions.count(), Flag.objects.count()) == (0, 0)
