"""A new member's first steps: sign up with a name, register, see it in the header; the account."""

import pytest
from playwright.sync_api import expect

from people.models import User
from tests.browser.support import check_page, follow
from tests.factories import EventFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_new_member_signs_up_with_a_name_registers_and_the_header_says_going(page):
    event = EventFactory(title="Policy Cafe: the core economy", capacity=30)

    page.goto(event.get_absolute_url())
    page.get_by_role("link", name="Sign in to register").click()
    expect(
        page.get_by_text("Sign in to register for Policy Cafe: the core economy.")
    ).to_be_visible()
    check_page(page, "sign-in page", shot="sign-in")
    follow(page.get_by_role("link", name="Create an account"))
    check_page(page, "sign-up page", shot="sign-up")
    page.get_by_label("Your name").fill("Megan Price")
    page.get_by_label("Email address").fill("megan.ux@example.org")
    page.get_by_label("Password").fill("a long walk by the Taff")
    page.get_by_role("button", name="Create my account").click()

    page.goto(event.get_absolute_url())
    page.get_by_role("button", name="Register").click()
    header = page.locator(".event-header")
    expect(header.get_by_text("You’re going")).to_be_visible()
    expect(header.get_by_role("link", name="Add to calendar")).to_be_visible()
    expect(page.get_by_text("megan.ux")).to_have_count(0)
    check_page(page, "event page, registered", shot="event-registered")
    assert User.objects.get(email="megan.ux@example.org").display_name == "Megan Price"

    page.get_by_role("link", name="Account").click()
    expect(page.get_by_label("Your name")).to_have_value("Megan Price")
    page.get_by_label("Reminders", exact=True).uncheck()
    page.get_by_role("button", name="Save my settings").click()
    expect(page.get_by_text("Your settings are saved.")).to_be_visible()
    check_page(page, "account page", shot="account")
    assert User.objects.get(email="megan.ux@example.org").email_reminders is False
