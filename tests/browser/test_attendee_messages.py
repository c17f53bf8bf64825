"""An organiser writes to the people registered for her event: preview, send, and the log."""

import pytest
from django.core import mail
from playwright.sync_api import expect

from events.models import AttendeeMessage, Registration
from tests.browser.support import check_page
from tests.factories import EventFactory, EventRoleFactory, PersonFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_organiser_emails_attendees_after_a_preview_and_the_log_shows_it(page, sign_in_as):
    organiser = UserFactory(groups=["Organisers"], display_name="Sophie Hallett")
    event = EventFactory(title="Policy Cafe", capacity=1)
    EventRoleFactory(event=event, person=PersonFactory(user=organiser), role="organiser")
    for name, state in (("ann", "confirmed"), ("ben", "waitlisted")):
        Registration.objects.create(
            event=event, user=UserFactory(email=f"{name}@example.org"), state=state
        )
    sign_in_as(organiser)

    page.goto(event.get_absolute_url())
    page.get_by_role("link", name="Email attendees").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Email attendees of Policy Cafe")
    check_page(page, "email attendees", shot="email-attendees")
    page.get_by_label("Both (2)").check()
    page.get_by_label("Subject").fill("Bring a mug")
    page.get_by_role("textbox", name="Message").fill(
        "We are going paper-cup free.\n\nSee you on Thursday."
    )
    page.get_by_role("button", name="Preview").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Check your message")
    expect(page.get_by_text("It will go to 2 people: Both.")).to_be_visible()
    expect(page.locator("#preview-subject")).to_have_text("[Policy Cafe] Bring a mug")
    expect(page.locator("#preview-body")).to_contain_text("See you on Thursday.")
    check_page(page, "message preview", shot="email-attendees-preview")
    assert mail.outbox == []
    page.get_by_role("button", name="Send to 2 people").click()

    expect(page.get_by_text("Your message is on its way to 2 people.")).to_be_visible()
    log = page.locator("#attendee-message-log")
    expect(log.get_by_role("row").nth(1)).to_contain_text("Sophie Hallett")
    expect(log.get_by_role("row").nth(1)).to_contain_text("Bring a mug")
    expect(log.get_by_role("row").nth(1)).to_contain_text("Both")
    check_page(page, "message log", shot="email-attendees-log")
    assert sorted(m.to[0] for m in mail.outbox) == ["ann@example.org", "ben@example.org"]
    assert AttendeeMessage.objects.get().recipient_count == 2
