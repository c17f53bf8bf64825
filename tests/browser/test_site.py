"""The frame every page shares: real static files, our look, signing in, keyboard use."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.support import check_page, focus_outline, has_visible_focus
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_home_is_styled_by_bootstrap_and_our_own_css(page):
    page.goto("/")

    styles = page.evaluate(
        """() => ({
            bodyMargin: getComputedStyle(document.body).margin,
            containerMaxWidth: getComputedStyle(document.querySelector('main .container')).maxWidth,
            headerBackground:
                getComputedStyle(document.querySelector('.site-header')).backgroundColor,
            favicon: document.querySelector('link[rel=icon]').href,
        })"""
    )
    # Bootstrap's reboot zeroes the body margin and its grid caps a container at 1140 px at 1280.
    assert styles["bodyMargin"] == "0px"
    assert styles["containerMaxWidth"] == "1140px"
    # Our identity: the deep green header, not Bootstrap's default white or blue.
    assert styles["headerBackground"] == "rgb(11, 93, 75)"
    favicon = page.request.get(styles["favicon"])
    assert favicon.ok
    assert favicon.headers["content-type"].startswith("image/svg")
    check_page(page, "home page", shot="home")


def test_person_signs_in_with_email_and_password(page):
    UserFactory(email="ceri@example.org", display_name="Ceri Jones")
    page.goto("/")

    page.get_by_role("link", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("Sign in", re.I))
    check_page(page, "sign-in page", shot="sign-in")
    page.get_by_label("Email").fill("ceri@example.org")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name=re.compile("^Sign in$", re.I)).click()

    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/$"))


def test_keyboard_user_skips_to_main_content_with_visible_focus(page):
    page.goto("/")

    page.keyboard.press("Tab")
    first = focus_outline(page)
    assert first["text"] == "Skip to main content"
    assert has_visible_focus(first), first
    expect(page.get_by_role("link", name="Skip to main content")).to_be_in_viewport()

    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"
    # The next Tab continues from main, not from the top of the page again.
    page.keyboard.press("Tab")
    in_header = page.evaluate(
        "() => document.querySelector('header').contains(document.activeElement)"
    )
    assert not in_header, focus_outline(page)
