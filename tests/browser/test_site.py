"""The frame every page shares: real static files, our look, signing in, keyboard use."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.support import check_page, focus_outline, has_visible_focus, messages
from tests.factories import EventFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Where the focused element sits in document (reading) order.
DOCUMENT_POSITION = "() => [...document.querySelectorAll('*')].indexOf(document.activeElement)"


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
    check_page(page, "home page", shot="home-empty")


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


def tab_to(page, name, limit=80):
    """Press Tab until the element called `name` has focus; every stop must show its focus and
    come later in reading order than the one before. Returns the names of the stops."""
    stops, positions = [], []
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = focus_outline(page)
        assert has_visible_focus(focused), focused
        stops.append(focused["text"].lstrip("◆ "))
        positions.append(page.evaluate(DOCUMENT_POSITION))
        assert positions == sorted(positions), f"focus jumps back: {stops}"
        if stops[-1] == name:
            return stops
    raise AssertionError(f"{name!r} not reached by keyboard in {limit} Tabs: {stops}")


def test_keyboard_user_skips_to_main_signs_in_and_registers_without_a_mouse(page):
    UserFactory(email="ceri@example.org")
    event = EventFactory(title="Round-table: co-production in practice", capacity=10)
    page.goto("/")

    page.keyboard.press("Tab")
    first = focus_outline(page)
    assert first["text"] == "Skip to main content"
    assert has_visible_focus(first), first
    expect(page.get_by_role("link", name="Skip to main content")).to_be_in_viewport()
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"
    # The next Tab continues after the skipped header, never back at the top of the page.
    page.keyboard.press("Tab")
    in_header = page.evaluate(
        "() => document.querySelector('header').contains(document.activeElement)"
    )
    assert not in_header, focus_outline(page)

    # From the top again: focus moves forward through the header in reading order, every stop
    # visibly focused, until "Sign in".
    page.goto("/")
    stops = tab_to(page, "Sign in")
    # The language switch sits beside the brand, so it comes before the menu.
    assert stops[:4] == ["Skip to main content", "Commons", "Cymraeg", "Home"], stops
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("Sign in", re.I))
    page.keyboard.press("Tab")  # skip link
    page.keyboard.press("Enter")
    for _ in range(12):  # to the first field of the form, in order
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.type") == "email":
            break
    page.keyboard.type("ceri@example.org")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.type") == "password"
    page.keyboard.type("correct horse battery")
    page.keyboard.press("Enter")

    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    expect(messages(page)).to_contain_text("Successfully signed in")

    # Back on the home page: to the event, then register, still by keyboard alone.
    tab_to(page, "Skip to main content")
    page.keyboard.press("Enter")
    tab_to(page, "Round-table: co-production in practice")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Round-table: co-production in practice"
    )
    tab_to(page, "Register")
    page.keyboard.press("Enter")
    expect(messages(page)).to_contain_text("You are registered")
    assert event.registrations.get().user.email == "ceri@example.org"
