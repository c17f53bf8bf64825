"""Accounts: signing up with a name, the account page, data export, deleting an account, sign-in."""

import json
import re

import pytest
from django.core import mail
from django.urls import reverse

from discussions import services as discussions
from discussions.models import Board, Post
from events.models import CalendarToken, Registration
from events.services import register_attendee
from people.models import User
from tests.factories import EventFactory, UserFactory
from tests.forms import submit_form

pytestmark = pytest.mark.django_db


def test_sign_up_asks_a_name_once_and_shows_it_instead_of_the_email(client):
    page = client.get(reverse("account_signup"))

    response = submit_form(
        client,
        page,
        "#signup-form",
        data={
            "display_name": "Megan Price",
            "email": "megan.ux@example.org",
            "password1": "a long walk by the Taff",
        },
    )

    assert response.status_code == 302
    user = User.objects.get(email="megan.ux@example.org")
    assert user.public_name == "Megan Price"
    assert user.preferred_language == "en"
    html = page.content.decode()
    assert "password2" not in html  # typed once
    assert "Create an account" in html
    client.get(reverse("home"))  # shows (and so uses up) the "confirmation sent" message
    assert "megan.ux" not in client.get(reverse("events:list")).content.decode()


def test_sign_up_without_a_name_is_refused_and_keeps_what_was_typed(client):
    response = submit_form(
        client,
        client.get(reverse("account_signup")),
        "#signup-form",
        data={"email": "sam@example.org", "password1": "a long walk by the Taff"},
    )

    assert response.status_code == 200
    assert response.context["form"].errors["display_name"]
    assert 'value="sam@example.org"' in response.content.decode()
    assert not User.objects.filter(email="sam@example.org").exists()


def test_sign_in_page_is_sentence_case_and_says_why(client):
    event = EventFactory(title="Policy Cafe re-launch")

    page = client.get(reverse("account_login"), {"next": event.get_absolute_url()})

    html = page.content.decode()
    assert "Sign in to register for Policy Cafe re-launch." in html
    assert "Sign In" not in html
    assert "Remember Me" not in html
    assert "Keep me signed in on this device" in html


def test_sign_in_by_an_emailed_code(client):
    user = UserFactory(email="ruth@example.org")
    page = client.get(reverse("account_request_login_code"))

    sent = submit_form(client, page, "#login-code-form", data={"email": "ruth@example.org"})
    (message,) = mail.outbox
    code = re.search(r"^\s*([A-Z0-9-]{6,12})\s*$", message.body, re.MULTILINE).group(1)
    confirm = client.get(sent["Location"])
    signed_in = submit_form(client, confirm, "#confirm-code-form", data={"code": code})

    assert signed_in.status_code == 302
    assert int(client.session["_auth_user_id"]) == user.pk


def test_account_page_saves_name_language_and_email_choices(client, user):
    client.force_login(user)
    page = client.get(reverse("people:account"))

    response = submit_form(
        client,
        page,
        "#account-form",
        data={
            "display_name": "Rhiannon",
            "preferred_language": "cy",
            "email_reminders": None,
            "email_digest": "daily",
        },
    )

    assert response["Location"] == reverse("people:account")
    user.refresh_from_db()
    assert (user.display_name, user.preferred_language) == ("Rhiannon", "cy")
    assert user.email_reminders is False
    assert user.email_change_notices is True
    assert user.email_digest == "daily"
    assert response.wsgi_request is not None
    assert page["Cache-Control"].startswith("max-age=0")


def test_export_holds_what_the_account_page_shows_and_nothing_of_others(client):
    me, other = UserFactory(display_name="Me"), UserFactory(display_name="Someone else")
    event = EventFactory(title="Round-table")
    register_attendee(event=event, user=me)
    register_attendee(event=event, user=other)
    thread = discussions.start_thread(
        board=Board.objects.for_event(event), author=me, title="Talking Points", body="Mine"
    )
    discussions.post_reply(thread=thread, author=other, body="Not mine")
    client.force_login(me)

    response = client.get(reverse("people:export"))

    assert response["Content-Disposition"].startswith('attachment; filename="commons-my-data-')
    assert "private, no-store" in response["Cache-Control"]
    data = json.loads(response.content)
    assert data["account"]["email"] == me.email
    assert data["account"]["display_name"] == "Me"
    assert data["account"]["emails"] == [{"email": me.email, "verified": True, "primary": True}]
    assert [r["event"] for r in data["registrations"]] == ["Round-table"]
    assert [p["text"] for p in data["discussions"]["posts"]] == ["Mine"]
    assert other.email not in response.content.decode()
    assert "Someone else" not in response.content.decode()
    assert "Not mine" not in response.content.decode()


def test_deleting_an_account_keeps_threads_readable_and_no_personal_data(
    client, django_capture_on_commit_callbacks
):
    member = UserFactory(display_name="Gwen Parry", email="gwen@example.org")
    waiting = UserFactory()
    event = EventFactory(capacity=1)
    register_attendee(event=event, user=member)
    register_attendee(event=event, user=waiting)
    CalendarToken.objects.create(user=member, token="secret-token-of-gwen")
    thread = discussions.start_thread(
        board=Board.objects.for_event(event), author=member, title="Core economy", body="Gwen's"
    )
    client.force_login(member)

    page = client.get(reverse("people:delete"))
    refused = submit_form(client, page, "#delete-account-form")
    with django_capture_on_commit_callbacks(execute=True):
        deleted = submit_form(client, page, "#delete-account-form", data={"confirm": "on"})

    assert refused.context["form"].errors["confirm"]
    assert deleted["Location"] == reverse("home")
    assert not User.objects.filter(email="gwen@example.org").exists()
    assert not CalendarToken.objects.filter(token="secret-token-of-gwen").exists()
    assert Registration.objects.get(user=waiting).state == "confirmed"  # the place passed on
    post = Post.objects.get(thread=thread)
    assert post.author is None
    html = client.get(thread.get_absolute_url()).content.decode()
    assert "Gwen's" in html
    assert "Gwen Parry" not in html
    assert "gwen@example.org" not in html


def test_account_pages_need_sign_in(client):
    for name in ("people:account", "people:export", "people:delete"):
        response = client.get(reverse(name))
        assert response["Location"].startswith(reverse("account_login"))
