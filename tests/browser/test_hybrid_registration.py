"""An attendee registers for a hybrid event and chooses to join online."""

import pytest
from playwright.sync_api import expect

from events.models import Event, Registration
from tests.browser.support import check_page
from tests.factories import EventFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_attendee_chooses_online_at_a_hybrid_event_and_sees_the_joining_link(page, sign_in_as):
    event = EventFactory(
        title="Policy Cafe",
        mode=Event.Mode.HYBRID,
        online_url="https://meet.example.org/policy-cafe",
        capacity=20,
        online_capacity=50,
    )
    attendee = UserFactory(display_name="Ann")
    sign_in_as(attendee)

    page.goto(event.get_absolute_url())
    panel = page.locator(".registration-panel")
    expect(panel).to_contain_text("In the room: 20 places left.")
    expect(panel).to_contain_text("The organisers will see your name and email address")
    expect(page.get_by_role("link", name="Join online")).to_have_count(0)
    check_page(page, "hybrid registration form", shot="hybrid-registration")
    page.get_by_label("Online (50 left)").check()
    page.get_by_label("Access needs (optional)").fill("Live captions, please.")
    page.get_by_role("button", name="Register").click()

    expect(page.get_by_text("You are registered to join online.")).to_be_visible()
    expect(page.get_by_role("link", name="Join online")).to_have_attribute(
        "href", "https://meet.example.org/policy-cafe"
    )
    check_page(page, "registered online")
    registration = Registration.objects.get()
    assert (registration.attendance, registration.state) == ("online", "confirmed")
    assert registration.access_needs == "Live captions, please."
