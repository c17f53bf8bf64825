"""An organiser's journey: sign in, create an event with its people, preview, publish, postpone."""

import re

import pytest
from django.utils import translation
from playwright.sync_api import expect

from events.models import Event
from tests.browser.support import check_page, messages, pick_person
from tests.factories import PersonFactory, ThemeFactory, UserFactory, VenueFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def field(scope, label):
    """A form field by its label, as a person reads it (crispy adds "*" to required ones)."""
    return scope.get_by_label(re.compile(rf"^\s*{re.escape(label)}\s*\*?\s*$"))


def add_person(page, number, *, role, name=None, listed=None, headline="", contribution=""):
    row = page.get_by_role("group", name=f"Person {number}", exact=True)
    if listed:
        pick_person(row, listed.split()[1], listed)
    else:
        field(row, "Or add a new person: name").fill(name)
        field(row, "New person's headline").fill(headline)
    field(row, "Role").select_option(label=role)
    if contribution:
        field(row, "Contribution title").fill(contribution)


def test_organiser_creates_previews_publishes_and_postpones_an_event(page, new_context):
    UserFactory(email="owain@example.org", display_name="Owain Rees", groups=["Organisers"])
    ThemeFactory(name="Co-production or reinventing the wheel?")
    VenueFactory(name="Temple of Peace")
    PersonFactory(name="Dr Mair Lewis", headline="UK National Teaching Fellow")

    page.goto("/")
    page.get_by_role("link", name="Sign in").click()
    field(page, "Email address").fill("owain@example.org")
    field(page, "Password").fill("correct horse battery")
    page.get_by_role("button", name=re.compile("^Sign in$", re.I)).click()

    page.get_by_role("link", name="New event").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("New event")
    check_page(page, "event form", shot="event-form")
    field(page, "Title (English)").fill("Policy Cafe: time credits in Wales")
    field(page, "Title (Welsh)").fill("Caffi Polisi: credydau amser yng Nghymru")
    # English and Welsh side by side on a desktop screen, the Welsh one above on a phone's.
    english, welsh = field(page, "Title (English)"), field(page, "Title (Welsh)")
    left, right = english.bounding_box(), welsh.bounding_box()
    assert (left["y"], left["x"] < right["x"]) == (right["y"], True)
    size = page.viewport_size
    page.set_viewport_size({"width": 375, "height": 800})
    above, below = english.bounding_box(), welsh.bounding_box()
    assert (above["x"], above["y"] < below["y"]) == (below["x"], True)
    page.set_viewport_size(size)
    field(page, "Kind").select_option(label="Cafe")
    field(page, "Summary (English)").fill("What time credits changed for community groups.")
    field(page, "Co-production or reinventing the wheel?").check()
    field(page, "Starts at").fill("2031-03-12T18:30")
    field(page, "Ends at").fill("2031-03-12T20:00")
    field(page, "In person").check()
    field(page, "Venue").select_option(label="Temple of Peace")
    field(page, "Capacity").fill("30")
    field(page.get_by_role("group", name="Access", exact=True), "Step-free access").check()
    add_person(page, 1, role="Chair", listed="Dr Mair Lewis — UK National Teaching Fellow")
    add_person(
        page,
        2,
        role="Speaker",
        name="Becky Ford",
        headline="Spice",
        contribution="Time Credits and their co-productive impact",
    )
    add_person(page, 3, role="Speaker", name="Dafydd Hughes", headline="Welsh Government")
    page.get_by_role("button", name="Save draft").click()

    # The preview: marked as not yet public, with everyone in their role.
    expect(messages(page)).to_contain_text("Draft saved")
    expect(page.get_by_text("Preview — not published")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Policy Cafe: time credits in Wales")
    chairs = page.get_by_role("list").filter(has_text="Dr Mair Lewis")
    speakers = page.get_by_role("list").filter(has_text="Becky Ford")
    expect(chairs.get_by_role("listitem")).to_have_text(
        ["Dr Mair Lewis, UK National Teaching Fellow"]
    )
    expect(speakers.get_by_role("listitem")).to_contain_text(
        [
            re.compile(r"Becky Ford, Spice\s+“Time Credits and their co-productive impact”"),
            "Dafydd Hughes, Welsh Government",
        ]
    )
    check_page(page, "event preview")
    event = Event.objects.get(title="Policy Cafe: time credits in Wales")
    assert event.status == Event.Status.DRAFT

    toolbar = page.get_by_role("navigation", name="Organiser tools")
    toolbar.get_by_role("button", name="Publish").click()
    expect(messages(page)).to_contain_text("Published")

    page.get_by_role("navigation", name="Organiser tools").get_by_role(
        "link", name="Postpone…"
    ).click()
    # Wait for the confirmation page itself: axe must not run on the page being left.
    expect(page.get_by_role("button", name="Yes, postpone")).to_be_visible()
    check_page(page, "postpone confirmation")
    page.get_by_role("button", name="Yes, postpone").click()
    expect(messages(page)).to_contain_text("Postponed")
    event.refresh_from_db()
    assert event.status == Event.Status.POSTPONED

    # The public sees the change.
    visitor = new_context().new_page()
    visitor.goto(event.get_absolute_url())
    expect(visitor.get_by_role("heading", level=1)).to_have_text(
        "Policy Cafe: time credits in Wales"
    )
    expect(visitor.get_by_role("heading", name="This event has been postponed")).to_be_visible()
    expect(visitor.get_by_role("button", name="Register")).to_have_count(0)
    check_page(visitor, "postponed event page")

    # In Welsh, the Welsh title; the summary written only in English is marked as English.
    with translation.override("cy"):
        visitor.goto(event.get_absolute_url())
    expect(visitor.get_by_role("heading", level=1)).to_have_text(
        "Caffi Polisi: credydau amser yng Nghymru"
    )
    expect(visitor.locator(".event-summary")).to_have_attribute("lang", "en")
