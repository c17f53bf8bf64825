"""A member's journey in Welsh: switch to Cymraeg, find an event by theme, register, take it into
a calendar and reply on its board; every page axe-checked with lang="cy", screenshots at 1280 and
375 px (welsh-*.png)."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from icalendar import Calendar
from playwright.sync_api import expect

from discussions import services as discussions
from discussions.models import Board
from people.models import User
from tests.browser.support import check_page, messages
from tests.factories import EventFactory, ThemeFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_member_finds_registers_adds_to_calendar_and_replies_in_welsh(page, sign_in_as):
    theme = ThemeFactory(name="Yr economi graidd", slug="economi-graidd")
    start = (timezone.localtime() + timedelta(days=14)).replace(
        hour=18, minute=30, second=0, microsecond=0
    )
    event = EventFactory(
        title="Caffi Polisi: credydau amser",
        summary="Beth newidiodd credydau amser i grwpiau cymunedol yng Nghymru.",
        themes=[theme],
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        capacity=20,
    )
    opener = UserFactory(display_name="Gareth Lloyd")
    discussions.start_thread(
        board=Board.objects.for_event(event),
        author=opener,
        title="Beth nesaf?",
        body="Beth ddylen ni ei wneud nesaf?",
        themes=[theme],
    )
    has_account_language = hasattr(User, "preferred_language")  # issue 16, landing now
    member = UserFactory(display_name="Nia Rhys")
    sign_in_as(member)

    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_role("navigation", name="Language").get_by_role("link", name="Cymraeg").click()
    expect(page.locator("html")).to_have_attribute("lang", "cy")
    expect(page).to_have_url(re.compile(r"/cy/$"))
    check_page(page, "home in Welsh", shot="welsh-home")

    page.get_by_role("navigation", name="Prif").get_by_role("link", name="Themâu").click()
    page.get_by_role("link", name="Yr economi graidd").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Yr economi graidd")
    check_page(page, "theme page in Welsh", shot="welsh-theme")

    page.get_by_role("link", name="Caffi Polisi: credydau amser").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Caffi Polisi: credydau amser")
    check_page(page, "event page in Welsh", shot="welsh-event")
    page.get_by_role("button", name="Cofrestru").click()
    expect(messages(page)).to_contain_text("Rydych chi wedi cofrestru")
    check_page(page, "event page in Welsh, registered")

    calendar_box = page.get_by_role("region", name="Ychwanegu at y calendr")
    with page.expect_download() as download_info:
        calendar_box.get_by_role("link", name="Lawrlwytho .ics").click()
    (vevent,) = Calendar.from_ical(download_info.value.path().read_bytes()).walk("VEVENT")
    assert str(vevent["SUMMARY"]) == "Caffi Polisi: credydau amser"
    assert "Manylion:" in str(vevent["DESCRIPTION"])
    assert "/cy/events/" in str(vevent["URL"])

    page.get_by_role("link", name="Beth nesaf?").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Beth nesaf?")
    page.get_by_label("Eich ateb").fill("Diolch am y caffi: mwy o gyfarfodydd fel hyn, plîs.")
    page.get_by_role("button", name="Postio ateb").click()
    expect(messages(page)).to_contain_text("Mae eich ateb wedi'i bostio.")
    expect(page.get_by_text("mwy o gyfarfodydd fel hyn")).to_be_visible()
    check_page(page, "thread in Welsh, after replying", shot="welsh-thread")

    if has_account_language:
        member.refresh_from_db()
        assert member.preferred_language == "cy"  # the switch set it: mail follows it
