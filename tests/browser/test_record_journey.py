"""The co-production cycle in a browser: priorities in before the event, outcomes out after it."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.support import check_page, follow, messages
from tests.factories import (
    EventFactory,
    EventRoleFactory,
    PersonFactory,
    SeriesFactory,
    ThemeFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_priority_to_agenda_to_outcome_to_email_to_previously(
    new_context, new_page, sign_in_as, mailoutbox
):
    series = SeriesFactory(name="Policy Cafe")
    theme = ThemeFactory(name="Core economy over money economy")
    cafe = EventFactory(title="Policy Cafe re-launch", series=series, themes=[theme])
    later = cafe.starts_at + timedelta(days=42)
    next_cafe = EventFactory(
        title="Policy Cafe: the core economy",
        series=series,
        starts_at=later,
        ends_at=later + timedelta(hours=2),
    )
    sophie = UserFactory(display_name="Sophie Hallett", email="sophie@example.org")
    EventRoleFactory(event=cafe, person=PersonFactory(user=sophie, name="Sophie"), role="organiser")
    becky = PersonFactory(name="Becky Booth")
    EventRoleFactory(event=cafe, person=becky, role="speaker")
    alys = UserFactory(display_name="Alys Evans", email="alys@example.org")

    # Alys takes a place, brings a priority and puts two dots on it.
    alys_page = new_page()
    sign_in_as(alys, alys_page.context)
    alys_page.goto(cafe.get_absolute_url())
    alys_page.get_by_role("button", name="Register").first.click()
    alys_page.goto(cafe.get_absolute_url())
    expect(alys_page.get_by_text("You have 3 dots left.")).to_be_visible()
    alys_page.get_by_label("Your question or priority").fill(
        "Value the time, care and skills people give each other"
    )
    alys_page.get_by_label("Theme", exact=True).select_option(
        label="Core economy over money economy"
    )
    alys_page.get_by_role("button", name="Add it").click()
    expect(messages(alys_page)).to_contain_text("your item is on the list")
    alys_page.get_by_role("button", name=re.compile("^Add a dot")).click()
    alys_page.get_by_role("button", name=re.compile("^Add a dot")).click()
    expect(alys_page.get_by_text("You have 1 dot left.")).to_be_visible()
    check_page(alys_page, "event page with priorities", shot="record-priorities")

    # Sophie promotes it to the agenda, with Becky presenting.
    sophie_page = new_page(new_context())
    sign_in_as(sophie, sophie_page.context)
    sophie_page.goto(cafe.get_absolute_url())
    follow(sophie_page.get_by_role("link", name=re.compile("and manage them")))
    check_page(sophie_page, "priorities, organiser view")
    sophie_page.get_by_role("link", name="Promote to the agenda").click()
    sophie_page.get_by_label("Starts at").fill("18:30")
    sophie_page.get_by_label("Becky Booth").check()
    check_page(sophie_page, "agenda item form")
    sophie_page.get_by_role("button", name="Save").click()
    agenda = sophie_page.locator("#agenda")
    expect(agenda).to_contain_text("Value the time, care and skills people give each other")
    expect(agenda).to_contain_text("(2 dots)")
    expect(agenda.get_by_role("link", name="Becky Booth")).to_be_visible()

    # The event happens (time moves on), and Sophie closes it with three outcomes.
    start = timezone.now() - timedelta(days=1)
    # Saved as the app saves (signals, then commit): the cached page row is read again.
    cafe.refresh_from_db()
    cafe.starts_at, cafe.ends_at = start, start + timedelta(hours=2)
    cafe.save(update_fields=["starts_at", "ends_at"])
    sophie_page.goto(cafe.get_absolute_url())
    sophie_page.get_by_role("link", name="Write the record").click()
    sophie_page.get_by_label("Summary").fill(
        "We asked what the core economy is worth, and who should hear about it."
    )
    sophie_page.get_by_role("button", name="Save the summary").click()
    outcomes = [
        ("Take the core economy to Welsh Government", "Priority passed on"),
        ("Learn from Scotland's Talking Points", "Action"),
        ("Is co-production reinventing the wheel?", "Open question"),
    ]
    for title, kind in outcomes:
        sophie_page.get_by_role("link", name="Add an outcome").click()
        sophie_page.get_by_label("Kind").select_option(label=kind)
        sophie_page.locator("#id_title").fill(title)  # label "What"
        sophie_page.get_by_label("Owner").fill("Welsh Government, Social Services team")
        if kind == "Priority passed on":
            sophie_page.get_by_label(re.compile("Value the time")).check()
        sophie_page.get_by_role("button", name="Save the outcome").click()
        expect(messages(sophie_page)).to_contain_text("Outcome saved")
    check_page(sophie_page, "writing the record", shot="record-write")
    sophie_page.get_by_role("link", name="Publish the record").click()
    sophie_page.get_by_role("button", name="Publish").click()
    expect(sophie_page.get_by_role("heading", level=1)).to_contain_text("The record of")
    published = [m.to for m in mailoutbox if m.subject.startswith("The record of")]
    assert published == [["alys@example.org"]]

    # She marks one done; Alys, who came, gets the email.
    mailoutbox.clear()
    sophie_page.goto(reverse("record:manage", kwargs={"slug": cafe.slug}))
    sophie_page.get_by_role(
        "link", name="Update the status Learn from Scotland's Talking Points"
    ).click()
    sophie_page.get_by_label("New status").select_option(label="Done")
    sophie_page.get_by_label("What happened").fill(
        "A seminar with Scottish colleagues is arranged."
    )
    sophie_page.get_by_role("button", name="Update").click()
    expect(messages(sophie_page)).to_contain_text("Status updated")
    to_alys = [m for m in mailoutbox if m.to == ["alys@example.org"]]
    assert [m.subject for m in to_alys] == ["Done: Learn from Scotland's Talking Points"]
    record_link = re.search(r"(http\S+/record/)\s", to_alys[0].body).group(1)
    alys_page.goto(record_link)
    expect(alys_page.locator("#outcomes-heading")).to_have_text("You said, we did")
    expect(alys_page.get_by_text("Done: 1")).to_be_visible()
    check_page(alys_page, "the record", shot="record-published")

    # The next cafe opens with what is still open from this one.
    alys_page.goto(next_cafe.get_absolute_url())
    previously = alys_page.locator("#previously")
    expect(previously.get_by_role("heading", name="Previously")).to_be_visible()
    expect(previously).to_contain_text("Take the core economy to Welsh Government")
    expect(previously).not_to_contain_text("Learn from Scotland's Talking Points")
    check_page(alys_page, "next cafe with Previously", shot="record-previously")

    # "You said, we did" for the series.
    alys_page.goto(reverse("record:series_outcomes", kwargs={"slug": series.slug}))
    expect(alys_page.get_by_text("Open: 2")).to_be_visible()
    check_page(alys_page, "series outcomes", shot="record-series-outcomes")
