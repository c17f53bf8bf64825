"""Email choices in the browser: a reminder's one-click stop link, and the member's addresses."""

import re
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from events import services
from events.models import EventRole, Registration
from people.models import User
from tests.browser.support import check_page
from tests.factories import EventFactory, EventRoleFactory, PersonFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_stop_link_in_a_reminder_asks_first_then_stops_and_resumes_reminders(page):
    start = timezone.now() + timedelta(hours=20)
    event = EventFactory(title="Round-table", starts_at=start, ends_at=start + timedelta(hours=2))
    ann = UserFactory(email="ann@example.org")
    Registration.objects.create(
        event=event, user=ann, state="confirmed", created_at=timezone.now() - timedelta(days=7)
    )
    assert services.send_due_reminders() == 1
    [reminder] = mail.outbox
    stop_url = re.search(r"To stop these reminders: (\S+)", reminder.body).group(1)

    page.goto(stop_url)  # from the mail client: not signed in

    expect(page.get_by_role("heading", level=1)).to_have_text("Event reminders")
    expect(page.get_by_text("You get an email the day before each event")).to_be_visible()
    check_page(page, "reminder opt-out page", shot="email-opt-out")
    assert User.objects.get(pk=ann.pk).email_reminders  # opening the link changes nothing
    page.get_by_role("button", name="Stop reminders").click()
    expect(page.get_by_text("Done: you will get no more reminders.")).to_be_visible()
    check_page(page, "reminder opt-out page, stopped")
    assert not User.objects.get(pk=ann.pk).email_reminders
    page.get_by_role("button", name="Send me reminders again").click()
    expect(page.get_by_text("Done: reminders are back on.")).to_be_visible()
    assert User.objects.get(pk=ann.pk).email_reminders


def test_a_member_adds_an_email_address_and_sees_it_listed_unconfirmed(page, sign_in_as):
    megan = UserFactory(email="megan@example.org")
    sign_in_as(megan)

    page.goto(reverse("people:account"))
    page.get_by_role("link", name="Change email address").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your email addresses")
    check_page(page, "email addresses page", shot="email-addresses")
    page.locator("#email-add-form").get_by_role("textbox").fill("megan@work.example")
    page.get_by_role("button", name="Add this address").click()

    added = page.locator("#email-list-form label", has_text="megan@work.example")
    expect(added).to_contain_text("Not confirmed yet")
    main = page.locator("#email-list-form label", has_text="megan@example.org")
    expect(main).to_contain_text("Main address")
    expect(main).to_contain_text("Confirmed")
    check_page(page, "email addresses page, one unconfirmed")
    assert [m.to for m in mail.outbox] == [["megan@work.example"]]
    assert list(
        EmailAddress.objects.filter(user=megan).order_by("email").values_list("email", "verified")
    ) == [("megan@example.org", True), ("megan@work.example", False)]


def test_an_invitation_to_co_organise_is_answered_from_my_events(page, sign_in_as):
    sophie = UserFactory(display_name="Sophie Hallett", groups=["Organisers"])
    event = EventFactory(title="Policy Cafe", created_by=sophie)
    bob = UserFactory(display_name="Bob Jones")
    EventRoleFactory(
        event=event,
        person=PersonFactory(user=bob, name="Bob Jones"),
        role="organiser",
        status="pending",
        invited_by=sophie,
    )
    sign_in_as(bob)

    page.goto(reverse("events:my_events"))
    invitations = page.get_by_role("region", name="Invitations to co-organise")
    expect(invitations).to_contain_text(
        "Sophie Hallett would like you to co-organise “Policy Cafe”"
    )
    check_page(page, "my events with an invitation", shot="my-events-invitation")
    invitations.get_by_role("button", name="Accept").click()

    expect(page.get_by_text("You are now an organiser of “Policy Cafe”.")).to_be_visible()
    assert EventRole.objects.get(person__user=bob).role == "organiser"  # listed now
