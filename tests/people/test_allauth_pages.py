"""allauth's pages that members reach from their account page, in our own words and frame."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from tests.factories import UserFactory
from tests.forms import submit_form

pytestmark = pytest.mark.django_db

STOCK_TITLE_CASE = [
    "Email Addresses",
    "Make Primary",
    "Re-send Verification",
    "Add Email",
    "Set Password",
    "Confirm Access",
    "Confirm Email Address",
    "Account Inactive",
    "Verify Your Email Address",
]


def assert_ours(html):
    assert [phrase for phrase in STOCK_TITLE_CASE if phrase in html] == []
    assert 'skip-link" href="#main"' in html  # our frame: base.html


@pytest.fixture
def member(client):
    user = UserFactory(email="megan@example.org", display_name="Megan")  # address confirmed
    client.force_login(user)
    return user


def confirmation_link(message) -> str:
    return re.search(r"https?://\S+/confirm-email/\S+/", message.body).group(0)


def test_adding_confirming_and_making_an_address_the_main_one(client, member):
    page = client.get(reverse("account_email"))
    assert "Your email addresses" in page.content.decode()
    assert_ours(page.content.decode())

    added = submit_form(
        client, page, "#email-add-form", data={"email": "megan@work.example"}, follow=True
    )
    assert "megan@work.example" in added.content.decode()
    assert "Not confirmed yet" in added.content.decode()
    (message,) = mail.outbox
    assert message.to == ["megan@work.example"]

    confirm_page = client.get(confirmation_link(message).split("testserver", 1)[-1])
    html = confirm_page.content.decode()
    assert "Is megan@work.example your address?" in html
    assert_ours(html)
    submit_form(client, confirm_page, "#email-confirm-form")
    assert EmailAddress.objects.get(email="megan@work.example").verified

    listed = client.get(reverse("account_email"))
    submit_form(
        client,
        listed,
        "#email-list-form",
        data={"email": "megan@work.example"},
        button="action_primary",
    )
    member.refresh_from_db()
    assert member.email == "megan@work.example"


def test_an_expired_confirmation_link_says_so_and_offers_a_new_one(client, member):
    page = client.get(reverse("account_confirm_email", args=["not-a-real-key"]))
    html = page.content.decode()
    assert "This link has expired or has already been used." in html
    assert reverse("account_email") in html


def test_removing_an_address_from_the_page(client, member):
    EmailAddress.objects.create(user=member, email="old@example.org", verified=True)
    page = client.get(reverse("account_email"))
    submit_form(
        client, page, "#email-list-form", data={"email": "old@example.org"}, button="action_remove"
    )
    assert not EmailAddress.objects.filter(email="old@example.org").exists()


def test_a_member_who_signs_in_by_code_can_choose_a_password(client):
    user = UserFactory(email="code@example.org")
    user.set_unusable_password()
    user.save()
    client.force_login(user)
    page = client.get(reverse("account_set_password"))
    html = page.content.decode()
    assert "Choose a password" in html
    assert_ours(html)
    submit_form(
        client,
        page,
        "#password-set-form",
        data={"password1": "a long quiet river", "password2": "a long quiet river"},
    )
    user.refresh_from_db()
    assert user.check_password("a long quiet river")


def test_confirming_it_is_you_before_a_sensitive_change(client, member):
    page = client.get(reverse("account_reauthenticate"))
    html = page.content.decode()
    assert "Confirm it is you" in html
    assert_ours(html)
    wrong = submit_form(client, page, "#reauthenticate-form", data={"password": "nope"})
    assert wrong.status_code == 200
    assert "reauthenticate-form" in wrong.content.decode()
    right = submit_form(
        client, page, "#reauthenticate-form", data={"password": "correct horse battery"}
    )
    assert right.status_code == 302


def test_a_closed_account_page_is_ours(client):
    html = client.get(reverse("account_inactive")).content.decode()
    assert "This account is closed" in html
    assert_ours(html)
