import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from discussions import rendering, services
from discussions.models import Flag, Post, Subscription, Thread
from tests.factories import ThemeFactory, UserFactory


def test_start_thread_creates_opening_post_and_author_follows(board, author):
    theme = ThemeFactory(name="Core economy")

    thread = services.start_thread(
        board=board, author=author, title=" Core economy ", body="Hello **all**", themes=[theme]
    )

    post = thread.posts.get()
    assert (thread.title, thread.slug, list(thread.themes.all())) == (
        "Core economy",
        "core-economy",
        [theme],
    )
    assert (post.number, post.body_html) == (1, "<p>Hello <strong>all</strong></p>")
    assert (thread.reply_count, thread.last_post, thread.last_poster) == (0, post, author)
    assert Subscription.objects.filter(user=author, thread=thread, active=True).exists()


def test_replies_are_numbered_and_update_the_listing_counters(thread):
    first, second = UserFactory(), UserFactory()

    a = services.post_reply(thread=thread, author=first, body="One")
    b = services.post_reply(thread=thread, author=second, body="Two", reply_to=a)

    thread.refresh_from_db()
    assert [(p.number, p.author) for p in thread.posts.order_by("number")][1:] == [
        (2, first),
        (3, second),
    ]
    assert (thread.reply_count, thread.last_post, thread.last_poster) == (2, b, second)
    assert b.reply_to == a


def test_reply_to_a_post_of_another_thread_is_refused(thread, board, author):
    other = services.start_thread(board=board, author=author, title="Other", body="x")

    with pytest.raises(ValidationError):
        services.post_reply(thread=thread, author=author, body="x", reply_to=other.posts.get())


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (lambda t: Thread.objects.filter(pk=t.pk).update(locked=True), "locked"),
        (lambda t: t.board.__class__.objects.filter(pk=t.board_id).update(is_open=False), "closed"),
        (lambda t: Thread.objects.filter(pk=t.pk).update(hidden=True), "hidden"),
    ],
)
def test_locked_closed_or_hidden_threads_refuse_replies(thread, user, setup, message):
    setup(thread)

    with pytest.raises(services.PostingRefused, match=message):
        services.post_reply(thread=thread, author=user, body="Can I?")
    assert thread.posts.count() == 1


def test_closed_board_refuses_new_threads(board, user):
    services.close_board(board=board, user=UserFactory(is_staff=True), message="See you next time")

    with pytest.raises(services.PostingRefused):
        services.start_thread(board=board, author=user, title="t", body="b")


def test_rate_limit_refuses_the_post_beyond_the_setting(thread, user, settings):
    settings.DISCUSSIONS_POSTS_PER_MINUTE = 2
    services.post_reply(thread=thread, author=user, body="1")
    services.post_reply(thread=thread, author=user, body="2")

    with pytest.raises(services.RateLimited):
        services.post_reply(thread=thread, author=user, body="3")
    # Another user is not affected.
    services.post_reply(thread=thread, author=UserFactory(), body="other")
    assert [p.body_source for p in thread.posts.order_by("number")][1:] == ["1", "2", "other"]


def test_edit_keeps_the_old_text_as_a_revision_and_marks_the_post(thread, author):
    post = thread.posts.get()

    services.edit_post(post=post, editor=author, body="Second *thoughts*")

    post.refresh_from_db()
    assert (post.body_source, post.body_html) == (
        "Second *thoughts*",
        "<p>Second <em>thoughts</em></p>",
    )
    assert post.edited_at is not None
    assert [r.body_source for r in post.revisions.all()] == ["Opening *thoughts*."]


def test_only_the_author_edits_and_not_once_hidden(thread, author, user, moderator):
    post = thread.posts.get()
    with pytest.raises(PermissionDenied):
        services.edit_post(post=post, editor=user, body="mine now")

    services.hide_post(post=post, moderator=moderator, reason="Off topic")
    with pytest.raises(PermissionDenied):
        services.edit_post(post=post, editor=author, body="sneaky")


def test_withdrawn_post_keeps_its_place(thread, author):
    post = thread.posts.get()

    services.withdraw_post(post=post, user=author)

    post.refresh_from_db()
    assert (post.is_withdrawn, post.number, Post.objects.shown().filter(pk=post.pk).exists()) == (
        True,
        1,
        False,
    )


def test_only_moderators_and_the_events_organisers_moderate(
    organised_thread, organiser, moderator, staff, user
):
    post = organised_thread.posts.get()
    for allowed in (organiser, moderator, staff):
        services.hide_post(post=post, moderator=allowed, reason="Off topic")
        services.restore_post(post=post, moderator=allowed)
        services.lock_thread(thread=organised_thread, moderator=allowed)
    other_organiser = UserFactory(groups=["Organisers"])
    for denied in (user, other_organiser, post.author):
        with pytest.raises(PermissionDenied):
            services.hide_post(post=post, moderator=denied, reason="Off topic")
        with pytest.raises(PermissionDenied):
            services.pin_thread(thread=organised_thread, moderator=denied)
        with pytest.raises(PermissionDenied):
            services.close_board(board=organised_thread.board, user=denied)


def test_one_open_flag_per_person_and_post(thread, user, moderator):
    post = thread.posts.get()
    services.flag_post(post=post, reporter=user, reason=Flag.Reason.SPAM)

    with pytest.raises(ValidationError):
        services.flag_post(post=post, reporter=user, reason=Flag.Reason.ABUSE)

    flag = Flag.objects.get()
    services.resolve_flag(flag=flag, moderator=moderator, hide=True, reason="Spam")
    post.refresh_from_db()
    flag.refresh_from_db()
    assert (flag.resolved_by, post.is_hidden) == (moderator, True)
    # Once resolved, the same person may flag again.
    services.flag_post(post=post, reporter=user, reason=Flag.Reason.ABUSE)
    assert Flag.objects.open().count() == 1


def test_subscription_targets_exactly_one_thing(thread, user):
    with pytest.raises(IntegrityError), transaction.atomic():
        Subscription.objects.create(user=user)
    with pytest.raises(IntegrityError), transaction.atomic():
        Subscription.objects.create(user=user, thread=thread, board=thread.board)


def test_body_longer_than_the_maximum_is_refused_by_the_database(thread, user):
    with pytest.raises(IntegrityError), transaction.atomic():
        Post.objects.create(thread=thread, number=9, author=user, body_source="x" * 20_001)


# --- notifications ------------------------------------------------------------------------------


def test_followers_get_one_email_per_post_and_the_author_none(
    thread, author, django_capture_on_commit_callbacks
):
    replier, board_follower, both = UserFactory(), UserFactory(), UserFactory()
    services.follow(user=board_follower, board=thread.board)
    services.follow(user=both, board=thread.board)
    services.follow(user=both, thread=thread)

    with django_capture_on_commit_callbacks(execute=True):
        post = services.post_reply(thread=thread, author=replier, body="My *view*")

    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [author.email, board_follower.email, both.email]
    )
    message = next(m for m in mail.outbox if m.to == [author.email])
    assert f"http://127.0.0.1:8000{reverse('discussions:post', args=[post.pk])}" in message.body
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.extra_headers["List-Unsubscribe"].startswith(
        "<http://127.0.0.1:8000" + reverse("discussions:unsubscribe", args=["x"])[:-2]
    )
    assert "Who holds the power?" in message.subject


def test_the_replier_is_not_emailed_about_their_own_reply(
    thread, author, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.post_reply(thread=thread, author=author, body="Talking to myself")

    assert mail.outbox == []


def test_no_email_when_the_post_rolls_back(thread, user, django_capture_on_commit_callbacks):
    def post_then_fail():
        with transaction.atomic():
            services.post_reply(thread=thread, author=user, body="never")
            raise RuntimeError

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        post_then_fail()

    assert mail.outbox == []


def test_replying_again_does_not_revive_an_unfollow(thread, user, author):
    services.post_reply(thread=thread, author=user, body="first")
    services.unfollow(user=user, thread=thread)

    services.post_reply(thread=thread, author=user, body="second")

    assert Subscription.objects.get(user=user, thread=thread).active is False


def test_unsubscribe_token_names_one_subscription(thread, author):
    board_sub = services.follow(user=author, board=thread.board)
    thread_sub = Subscription.objects.get(user=author, thread=thread)

    found = services.subscription_from_token(services.unsubscribe_token(thread_sub))

    assert found == thread_sub != board_sub
    with pytest.raises(Subscription.DoesNotExist):
        services.subscription_from_token(services.unsubscribe_token(thread_sub) + "x")


# --- @mentions and email choices (issue 16) ---------------------------------------------------


def _mail_to(user):
    return [m for m in mail.outbox if m.to == [user.email]]


def test_a_mention_emails_the_member_once_instead_of_the_follow_email(
    board, django_capture_on_commit_callbacks
):
    alys = UserFactory(display_name="Alys Evans")
    bryn = UserFactory(display_name="Bryn Thomas")
    outsider = UserFactory(display_name="Nobody Here")
    thread = services.start_thread(board=board, author=alys, title="Talking Points", body="Hi")
    services.post_reply(thread=thread, author=bryn, body="Scotland shows the way.")
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.post_reply(
            thread=thread, author=alys, body="@Bryn Thomas, thank you. @Nobody Here, @Bryn Thomasx?"
        )

    (message,) = _mail_to(bryn)
    assert message.subject == "Alys Evans mentioned you in “Talking Points”"
    assert _mail_to(outsider) == []
    assert [m.pk for m in services.mentioned_members(thread.posts.last())] == [bryn.pk]


def test_members_who_turn_mentions_off_get_the_follow_email_only(
    board, django_capture_on_commit_callbacks
):
    alys = UserFactory(display_name="Alys Evans")
    bryn = UserFactory(display_name="Bryn Thomas", email_mentions=False)
    thread = services.start_thread(board=board, author=alys, title="Talking Points", body="Hi")
    services.post_reply(thread=thread, author=bryn, body="Hello")
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.post_reply(thread=thread, author=alys, body="@Bryn Thomas agreed")

    (message,) = _mail_to(bryn)
    assert message.subject.startswith("[")  # the follow email: "[event] thread"


@pytest.mark.parametrize("choice", [{"email_follow_notices": False}, {"email_digest": "daily"}])
def test_follow_emails_respect_the_members_choice(
    board, choice, django_capture_on_commit_callbacks
):
    follower = UserFactory(**choice)
    thread = services.start_thread(board=board, author=follower, title="T", body="Hi")
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.post_reply(thread=thread, author=UserFactory(), body="A reply")

    assert _mail_to(follower) == []


def _at_local(day_offset, hour):
    from datetime import datetime, timedelta

    from django.utils import timezone

    day = timezone.localdate() + timedelta(days=day_offset)
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour, 0))


def test_the_daily_digest_goes_once_after_the_hour_with_what_others_posted(
    board, settings, django_capture_on_commit_callbacks
):
    settings.DISCUSSIONS_DIGEST_HOUR = 7
    reader = UserFactory(display_name="Nia", email_digest="daily")
    thread = services.start_thread(board=board, author=reader, title="Core economy", body="Hi")
    other = UserFactory(display_name="Owain")
    services.post_reply(thread=thread, author=other, body="The core economy is *care*.")
    services.post_reply(thread=thread, author=reader, body="My own reply")
    hidden = services.post_reply(thread=thread, author=other, body="Spam spam")
    services.hide_post(post=hidden, moderator=UserFactory(is_staff=True), reason="Spam")
    Post.objects.filter(thread=thread).update(created_at=_at_local(0, 3))  # in the small hours
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        too_early = services.send_daily_digests(now=_at_local(0, 6))
        sent = services.send_daily_digests(now=_at_local(0, 8))
        again = services.send_daily_digests(now=_at_local(0, 9))

    assert (too_early, sent, again) == (0, 1, 0)
    (digest,) = _mail_to(reader)
    assert digest.subject == "Your daily digest: 1 new post(s) on Commons"
    assert "Owain: The core economy is care." in digest.body
    assert "My own reply" not in digest.body
    assert "Spam" not in digest.body


def test_edits_are_rate_limited_per_member(thread, author, user, settings):
    settings.DISCUSSIONS_EDITS_PER_MINUTE = 2
    post = thread.posts.get()
    services.edit_post(post=post, editor=author, body="v2")
    services.edit_post(post=post, editor=author, body="v3")

    with pytest.raises(services.RateLimited):
        services.edit_post(post=post, editor=author, body="v4")
    post.refresh_from_db()
    assert post.body_source == "v3"
    # Another member's edits (and anyone's posts) are counted apart.
    other = services.post_reply(thread=thread, author=user, body="mine")
    services.edit_post(post=other, editor=user, body="mine, edited")
    services.post_reply(thread=thread, author=author, body="a reply")


@pytest.mark.parametrize("write", ["start", "reply", "edit"])
def test_markdown_is_rendered_before_any_transaction_or_row_lock(
    write, board, thread, author, monkeypatch
):
    # A slow parse inside the thread's row lock made every other reply wait (issue 10).
    outer_depth = len(connection.savepoint_ids)
    depths = []

    def recording_render(source):
        depths.append(len(connection.savepoint_ids))
        return rendering.render_markdown(source)

    monkeypatch.setattr(services, "render_markdown", recording_render)
    if write == "start":
        services.start_thread(board=board, author=author, title="t", body="*new*")
    elif write == "reply":
        services.post_reply(thread=thread, author=author, body="*reply*")
    else:
        services.edit_post(post=thread.posts.get(), editor=author, body="*edited*")

    assert depths == [outer_depth]
