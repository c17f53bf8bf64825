"""Organisers change events that already have people: edit, duplicate, re-date a postponed one.

These journeys failed before the people rows carried their hidden `id` inputs: every save of an
event with people said "Nothing was saved yet" with nothing marked.
"""

import re
from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect

from events.models import Event
from tests.browser.support import check_page, follow, messages
from tests.events.conftest import FUTURE_YEAR
from tests.factories import EventFactory, EventRoleFactory, PersonFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def roles(event):
    return list(
        event.roles.order_by("order", "pk").values_list(
            "person__name", "role", "contribution_title"
        )
    )


@pytest.fixture
def organiser():
    return UserFactory(groups=["Organisers"], display_name="Sophie Hallett")


@pytest.fixture
def cafe(organiser):
    """A published Policy Cafe with four people: its organiser, a chair and two speakers."""
    event = EventFactory(
        title="Policy Cafe: time credits",
        starts_at=datetime(FUTURE_YEAR, 7, 8, 17, 0, tzinfo=UTC),
        ends_at=datetime(FUTURE_YEAR, 7, 8, 19, 0, tzinfo=UTC),
    )
    people = [
        (PersonFactory(name="Sophie Hallett", user=organiser), "organiser", ""),
        (PersonFactory(name="Dr Mair Lewis"), "chair", ""),
        (PersonFactory(name="Becky Ford"), "speaker", "Time Credits in Wales"),
        (PersonFactory(name="Dafydd Hughes"), "speaker", "What the Act asks of us"),
    ]
    for order, (person, role, title) in enumerate(people):
        EventRoleFactory(
            event=event, person=person, role=role, contribution_title=title, order=order
        )
    return event


def test_organiser_edits_one_persons_contribution_then_duplicates_the_event(
    page, sign_in_as, organiser, cafe
):
    sign_in_as(organiser)
    page.goto(cafe.get_absolute_url())
    page.get_by_role("navigation", name="Organiser tools").get_by_role("link", name="Edit").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit “Policy Cafe: time credits”")
    check_page(page, "edit form of an event with four people")

    becky = page.get_by_role("group", name="Person 3", exact=True)
    becky.get_by_label("Contribution title").fill("Time Credits and their co-productive impact")
    page.get_by_role("button", name="Save changes").click()

    expect(messages(page)).to_contain_text("Changes saved.")
    expect(page.get_by_text("“Time Credits and their co-productive impact”")).to_be_visible()
    assert roles(Event.objects.get(pk=cafe.pk)) == [
        ("Sophie Hallett", "organiser", ""),
        ("Dr Mair Lewis", "chair", ""),
        ("Becky Ford", "speaker", "Time Credits and their co-productive impact"),
        ("Dafydd Hughes", "speaker", "What the Act asks of us"),
    ]

    # Duplicate it for a later date (the page asks for the title and date), then save the copy.
    follow(
        page.get_by_role("navigation", name="Organiser tools").get_by_role(
            "link", name="Duplicate…"
        )
    )
    check_page(page, "duplicate: title and date of the copy")
    page.get_by_label(re.compile(r"^\s*Title of the copy \(English\)")).fill(
        "Policy Cafe: time credits, part two"
    )
    page.get_by_label(re.compile(r"^\s*Starts at")).fill(f"{FUTURE_YEAR}-09-09T18:30")
    page.get_by_label(re.compile(r"^\s*Ends at")).fill(f"{FUTURE_YEAR}-09-09T20:30")
    page.get_by_role("button", name="Make the copy").click()
    expect(messages(page)).to_contain_text("Copied as a new draft.")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Edit “Policy Cafe: time credits, part two”"
    )
    page.get_by_role("button", name="Save changes").click()

    expect(messages(page)).to_contain_text("Changes saved.")
    expect(page.get_by_text("Preview — not published")).to_be_visible()
    copy = Event.objects.exclude(pk=cafe.pk).get()
    assert (copy.title, copy.status, copy.local_starts_at.strftime("%Y-%m-%d %H:%M")) == (
        "Policy Cafe: time credits, part two",
        "draft",
        f"{FUTURE_YEAR}-09-09 18:30",
    )
    assert roles(copy) == roles(Event.objects.get(pk=cafe.pk))
    check_page(page, "preview of the copy")


def test_organiser_gives_a_postponed_event_its_new_date_and_publishes_it_again(
    page, sign_in_as, organiser, cafe
):
    Event.objects.filter(pk=cafe.pk).update(status=Event.Status.POSTPONED)
    sequence = Event.objects.get(pk=cafe.pk).sequence  # its people were added after publishing
    sign_in_as(organiser)
    page.goto(cafe.get_absolute_url())
    expect(page.get_by_role("heading", name="This event has been postponed")).to_be_visible()

    page.get_by_role("navigation", name="Organiser tools").get_by_role("link", name="Edit").click()
    page.get_by_label(re.compile(r"^\s*Starts at")).fill(f"{FUTURE_YEAR}-10-14T18:00")
    page.get_by_label(re.compile(r"^\s*Ends at")).fill(f"{FUTURE_YEAR}-10-14T20:00")
    page.get_by_role("button", name="Save changes").click()
    expect(messages(page)).to_contain_text("Changes saved.")

    page.get_by_role("navigation", name="Organiser tools").get_by_role(
        "button", name="Publish again"
    ).click()
    expect(messages(page)).to_contain_text("Published")
    expect(page.get_by_role("heading", name="This event has been postponed")).to_have_count(0)
    check_page(page, "event published again with its new date")

    event = Event.objects.get(pk=cafe.pk)
    assert (event.status, event.local_starts_at.strftime("%Y-%m-%d %H:%M")) == (
        "published",
        f"{FUTURE_YEAR}-10-14 18:00",
    )
    assert event.sequence == sequence + 2  # the new date, then the status: two updates
    assert len(roles(event)) == 4


def test_the_organising_dashboard_fits_a_phone_and_unpublishes_after_confirmation(
    page, sign_in_as, organiser, cafe
):
    from datetime import timedelta

    from django.urls import reverse
    from django.utils import timezone

    from events.services import register_attendee

    for _ in range(3):
        register_attendee(event=cafe, user=UserFactory())
    quiet = EventFactory(
        title="Round-table on the Social Services and Well-being (Wales) Act: what changed?",
        created_by=organiser,
        capacity=25,
    )
    past = timezone.now() - timedelta(days=40)
    EventFactory(
        title="Last year's cafe",
        created_by=organiser,
        starts_at=past,
        ends_at=past + timedelta(hours=2),
    )
    sign_in_as(organiser)

    page.goto(reverse("events:organising"))
    upcoming = page.get_by_role("region", name="Upcoming and drafts")
    cafe_card = upcoming.get_by_role("listitem").filter(has_text="Policy Cafe: time credits")
    expect(cafe_card).to_contain_text("3 confirmed")
    expect(cafe_card.get_by_role("link", name=re.compile("^Unpublish"))).to_have_count(0)
    expect(page.get_by_role("region", name="Past")).to_contain_text("Last year's cafe")
    check_page(page, "organising dashboard", shot="organising-dashboard")

    quiet_card = upcoming.get_by_role("listitem").filter(has_text="Round-table on the Social")
    expect(quiet_card).to_contain_text("0 confirmed of 25")
    follow(quiet_card.get_by_role("link", name=re.compile("^Unpublish")))
    check_page(page, "unpublish confirmation")
    page.get_by_role("button", name="Yes, back to draft").click()
    expect(messages(page)).to_contain_text("Back to draft")
    assert Event.objects.get(pk=quiet.pk).status == "draft"
