"""The organiser's journey in a real browser: the event form with its people, preview, publish."""

import re

import pytest
from playwright.sync_api import expect

from events.models import Event
from tests.browser.support import check_page, follow, pick_person
from tests.events.conftest import FUTURE_YEAR
from tests.factories import PersonFactory, UserFactory, VenueFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_organiser_creates_an_event_with_people_previews_publishes_and_cancels_it(page, sign_in_as):
    organiser = UserFactory(groups=["Organisers"], display_name="Sophie Hallett")
    PersonFactory(name="Ruth", headline="Co-production Wales")
    VenueFactory(name="Glamorgan Building")
    sign_in_as(organiser)

    page.goto("/")
    page.get_by_role("link", name="New event").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("New event")
    check_page(page, "event form", shot="event-form")

    page.locator("#id_title_en").fill("Policy Cafe relaunch")
    page.locator("#id_starts_at").fill(f"{FUTURE_YEAR}-07-08T18:00")
    page.locator("#id_ends_at").fill(f"{FUTURE_YEAR}-07-08T20:00")
    page.locator("#id_venue").select_option(label="Glamorgan Building")
    pick_person(
        page.get_by_role("group", name="Person 1", exact=True), "Rut", "Ruth — Co-production Wales"
    )
    page.locator("#id_roles-0-role").select_option("speaker")
    # Beyond the three blank rows: "Add another person" (JavaScript) adds a fourth.
    page.get_by_role("button", name="Add another person").click()
    expect(page.locator("#id_roles-TOTAL_FORMS")).to_have_value("4")
    expect(page.locator("#id_roles-3-person_search")).to_be_focused()
    page.locator("#id_roles-3-new_person_name").fill("Chris Glynn")
    page.locator("#id_roles-3-role").select_option("artist")
    page.get_by_role("button", name="Save draft").click()

    expect(page.get_by_text("Preview — not published")).to_be_visible()
    expect(page.get_by_role("link", name="Chris Glynn")).to_be_visible()
    check_page(page, "event preview", shot="event-preview")
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text("Published: the event is now public.")).to_be_visible()
    assert Event.objects.get().status == "published"

    follow(page.get_by_role("link", name=re.compile("^Cancel event")))
    check_page(page, "cancel confirmation")
    page.get_by_label("Reason for cancelling (English)").fill("The speakers are snowed in.")
    page.get_by_role("button", name="Yes, cancel the event").click()
    expect(page.get_by_text("This event has been cancelled")).to_be_visible()
    assert (Event.objects.get().status, Event.objects.get().sequence) == ("cancelled", 2)
