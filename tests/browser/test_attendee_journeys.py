"""Attendees' journeys: find an event, register, take it into a calendar; wait for a place."""

from datetime import timedelta

import pytest
from django.utils import timezone
from icalendar import Calendar
from playwright.sync_api import expect

from events.models import Event
from events.services import register_attendee
from tests.browser.support import check_page, follow, messages
from tests.factories import EventFactory, ThemeFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def days_ahead(days, hour=18):
    moment = timezone.localtime() + timedelta(days=days)
    return moment.replace(hour=hour, minute=30, second=0, microsecond=0)


def test_attendee_filters_registers_downloads_the_ics_and_finds_it_under_my_events(
    page, sign_in_as
):
    core = ThemeFactory(name="Core economy vs money economy")
    wheel = ThemeFactory(name="Co-production or reinventing the wheel?")
    cafe = EventFactory(
        title="Policy Cafe: time credits",
        themes=[core],
        starts_at=days_ahead(20),
        ends_at=days_ahead(20) + timedelta(hours=2),
        capacity=30,
        summary="What time credits changed for community groups in Wales.",
    )
    EventFactory(title="Core economy round-table", themes=[core], starts_at=days_ahead(120))
    EventFactory(title="Reinventing the wheel?", themes=[wheel], starts_at=days_ahead(10))
    attendee = UserFactory(display_name="Siân Parry", email="sian@example.org")
    sign_in_as(attendee)

    page.goto("/")
    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Events", exact=True
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Upcoming events")
    expect(page.get_by_text("3 events")).to_be_visible()
    check_page(page, "event list", shot="events")

    filters = page.locator("form").filter(has=page.get_by_role("button", name="Show events"))
    filters.get_by_label("Theme").select_option(label="Core economy vs money economy")
    filters.get_by_text("Dates and access").click()
    filters.get_by_label("From", exact=True).fill(timezone.localdate().isoformat())
    filters.get_by_label("To", exact=True).fill(
        (timezone.localdate() + timedelta(days=60)).isoformat()
    )
    filters.get_by_role("button", name="Show events").click()
    expect(page.get_by_text("1 event", exact=True)).to_be_visible()
    titles = page.locator(".event-card__title")
    expect(titles).to_have_text(["Policy Cafe: time credits"])
    check_page(page, "filtered event list")

    titles.get_by_role("link", name="Policy Cafe: time credits").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Policy Cafe: time credits")
    check_page(page, "event page", shot="event")
    page.get_by_role("button", name="Register").click()
    expect(messages(page)).to_contain_text("You are registered")
    expect(page.get_by_text("You are registered.", exact=True)).to_be_visible()
    check_page(page, "event page, registered")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download .ics").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".ics")
    calendar = Calendar.from_ical(download.path().read_bytes())
    (vevent,) = calendar.walk("VEVENT")
    assert str(vevent["SUMMARY"]) == "Policy Cafe: time credits"
    assert vevent.decoded("DTSTART") == cafe.starts_at
    assert vevent.decoded("DTEND") == cafe.ends_at
    assert cafe.slug in str(vevent.get("URL", "")) + str(vevent["UID"])

    page.get_by_role("navigation", name="Main").get_by_role("link", name="My events").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My events")
    row = page.get_by_role("row").filter(has_text="Policy Cafe: time credits")
    expect(row).to_contain_text("Confirmed")
    check_page(page, "my events")


def test_waitlisted_attendee_is_promoted_when_someone_cancels(
    new_context, new_page, sign_in_as, mailoutbox
):
    event = EventFactory(title="Round-table: co-production in practice", capacity=1)
    holder = UserFactory(display_name="Gareth Lloyd")
    hopeful = UserFactory(display_name="Eira Davies", email="eira@example.org")
    register_attendee(event=event, user=holder)

    hopeful_page = new_page()
    sign_in_as(hopeful, hopeful_page.context)
    hopeful_page.goto(event.get_absolute_url())
    expect(
        hopeful_page.get_by_text("All places are taken; you can join the waitlist.")
    ).to_be_visible()
    hopeful_page.get_by_role("button", name="Join the waitlist").click()
    expect(messages(hopeful_page)).to_contain_text("you are number 1 on the waitlist")
    expect(
        hopeful_page.get_by_text("You are number 1 on the waitlist.", exact=True)
    ).to_be_visible()
    check_page(hopeful_page, "event page, waitlisted")

    mailoutbox.clear()
    holder_page = new_page(new_context())
    sign_in_as(holder, holder_page.context)
    holder_page.goto(event.get_absolute_url())
    follow(holder_page.get_by_role("link", name="Cancel my place"))
    check_page(holder_page, "give up a place")
    holder_page.get_by_role("button", name="Yes, give up my place").click()
    expect(messages(holder_page)).to_contain_text("Your registration is cancelled")
    expect(holder_page.get_by_role("button", name="Join the waitlist")).to_be_visible()

    (promoted,) = [m for m in mailoutbox if m.to == ["eira@example.org"]]
    assert "A place has come free and it is yours" in promoted.body
    assert promoted.attachments[0][0].endswith(".ics")

    hopeful_page.reload()
    expect(hopeful_page.get_by_text("You are registered.", exact=True)).to_be_visible()
    expect(hopeful_page.get_by_role("link", name="Cancel my place")).to_be_visible()
    assert Event.objects.get(pk=event.pk).registrations.filter(state="confirmed").count() == 1
    hopeful_page.get_by_role("link", name="My events").click()
    expect(hopeful_page.get_by_role("row").filter(has_text=event.title)).to_contain_text(
        "Confirmed"
    )
