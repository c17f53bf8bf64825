"""Moderators: finding the queue, hearing of flags, hiding with a reason, suspending members."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from discussions import services
from discussions.models import ModerationAlert, Post, Suspension
from tests.factories import UserFactory
from tests.forms import submit_form

pytestmark = pytest.mark.django_db


@pytest.fixture
def flagged(thread):
    return thread.posts.get()


def test_moderators_see_the_queue_in_the_menu_with_the_open_flag_count(client, moderator, flagged):
    services.flag_post(post=flagged, reporter=UserFactory(), reason="spam")
    client.force_login(moderator)

    page = client.get(reverse("events:list")).content.decode()

    assert f'href="{reverse("discussions:moderation")}">Moderation <span' in page
    assert '>1<span class="visually-hidden"> open flag</span>' in page


def test_members_do_not_see_the_moderation_link(client, user):
    client.force_login(user)

    page = client.get(reverse("events:list")).content.decode()

    assert reverse("discussions:moderation") not in page


def test_a_flag_emails_moderators_at_once_then_batches_for_fifteen_minutes(
    moderator, thread, django_capture_on_commit_callbacks
):
    first, second = (
        thread.posts.get(),
        services.post_reply(thread=thread, author=UserFactory(), body="Buy cheap watches"),
    )
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.flag_post(post=first, reporter=UserFactory(), reason="spam")
        services.flag_post(post=second, reporter=UserFactory(), reason="spam")
    immediate = [m for m in mail.outbox if m.to == [moderator.email]]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_moderation_alerts", stdout=StringIO())  # not due yet
    not_due = list(mail.outbox)
    alert = ModerationAlert.objects.get(moderator=moderator)
    with django_capture_on_commit_callbacks(execute=True):
        sent = services.send_due_moderation_alerts(now=alert.due_at)
        again = services.send_due_moderation_alerts(now=alert.due_at + timedelta(minutes=1))

    assert [m.subject for m in immediate] == ["Flagged on Commons: 1 post(s) to review"]
    assert not_due == []
    assert (sent, again) == (1, 0)
    (batch,) = mail.outbox
    assert batch.to == [moderator.email]
    assert batch.subject == "Flagged on Commons: 1 post(s) to review"
    assert f"#{second.number}" in batch.body
    assert reverse("discussions:moderation") in batch.body


def test_hiding_asks_why_and_the_author_reads_the_reason(
    client, moderator, flagged, author, django_capture_on_commit_callbacks
):
    client.force_login(moderator)
    thread_page = client.get(flagged.thread.get_absolute_url())
    hide_url = reverse("discussions:post_moderate", kwargs={"pk": flagged.pk, "action": "hide"})
    assert f'href="{hide_url}"' in thread_page.content.decode()

    hide_page = client.get(hide_url)
    without_reason = submit_form(client, hide_page, "#hide-form")
    with django_capture_on_commit_callbacks(execute=True):
        submit_form(client, hide_page, "#hide-form", data={"reason": "Personal details shared."})

    assert without_reason.context["form"].errors["reason"]
    flagged.refresh_from_db()
    assert flagged.is_hidden
    assert flagged.hidden_reason == "Personal details shared."
    (email,) = mail.outbox
    assert email.to == [author.email]
    assert "Personal details shared." in email.body
    client.force_login(author)
    assert (
        "Personal details shared."
        in client.get(flagged.get_absolute_url(), follow=True).content.decode()
    )
    client.force_login(UserFactory())
    assert (
        "Personal details shared."
        not in client.get(flagged.get_absolute_url(), follow=True).content.decode()
    )


@pytest.mark.parametrize(("hide", "outcome"), [(True, "has hidden it"), (False, "can stay")])
def test_whoever_flagged_hears_the_outcome(
    moderator, flagged, hide, outcome, django_capture_on_commit_callbacks
):
    reporter = UserFactory()
    flag = services.flag_post(post=flagged, reporter=reporter, reason="abuse")
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.resolve_flag(flag=flag, moderator=moderator, hide=hide, reason="Abusive")

    told = [m for m in mail.outbox if m.to == [reporter.email]]
    assert len(told) == 1
    assert outcome in told[0].body


def test_a_suspended_member_reads_but_cannot_post_until_lifted(client, moderator, thread):
    member = UserFactory()
    client.force_login(moderator)
    member_page_url = reverse("discussions:member_posts", kwargs={"pk": member.pk})
    ends_on = timezone.localdate() + timedelta(days=7)

    submit_form(
        client,
        client.get(member_page_url),
        "#suspend-form",
        data={"reason": "Repeated personal attacks.", "ends_on": ends_on.isoformat()},
    )

    suspension = Suspension.objects.get(user=member)
    assert suspension.created_by == moderator
    client.force_login(member)
    page = client.get(thread.get_absolute_url())
    assert page.status_code == 200
    assert page.context["form"] is None
    assert "Repeated personal attacks." in page.content.decode()
    with pytest.raises(services.PostingRefused):
        services.post_reply(thread=thread, author=member, body="Let me in")

    services.lift_suspension(suspension=suspension, moderator=moderator)
    assert services.post_reply(thread=thread, author=member, body="Thank you").number == 2


def test_suspending_needs_a_future_day_within_a_year(client, moderator):
    member = UserFactory()
    client.force_login(moderator)
    url = reverse("discussions:member_posts", kwargs={"pk": member.pk})
    today = timezone.localdate()

    past = submit_form(
        client, client.get(url), "#suspend-form", data={"reason": "x", "ends_on": today.isoformat()}
    )
    far = submit_form(
        client,
        client.get(url),
        "#suspend-form",
        data={"reason": "x", "ends_on": (today + timedelta(days=400)).isoformat()},
    )

    assert past.context["form"].errors["ends_on"] == ["Choose a day after today."]
    assert far.context["form"].errors["ends_on"] == ["A suspension lasts at most a year."]
    assert not Suspension.objects.exists()


def test_moderators_see_a_members_posts_including_hidden_ones(client, moderator, thread, author):
    hidden = services.post_reply(thread=thread, author=author, body="Something rude")
    services.hide_post(post=hidden, moderator=moderator, reason="Rude")
    client.force_login(moderator)

    response = client.get(reverse("discussions:member_posts", kwargs={"pk": author.pk}))

    assert list(response.context["page"]) == list(
        Post.objects.filter(author=author).order_by("-created_at", "-pk")
    )
    assert "Something rude" in response.content.decode()


def test_only_moderators_see_a_members_posts(client, user, author):
    client.force_login(user)

    response = client.get(reverse("discussions:member_posts", kwargs={"pk": author.pk}))

    assert response.status_code == 403
