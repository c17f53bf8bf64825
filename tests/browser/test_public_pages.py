"""The public pages as a browser sees them: identity, cards, structured data, empty states."""

import json
from datetime import datetime, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from events.models import LONDON, EventRole
from tests.browser.support import check_page
from tests.factories import (
    EventFactory,
    EventRoleFactory,
    OrganisationFactory,
    PersonFactory,
    SeriesFactory,
    ThemeFactory,
    UserFactory,
    VenueFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def policy_cafe():
    """A full event, as the demo data would have it: the page people share."""
    start = (timezone.now() + timedelta(days=21)).astimezone(LONDON)
    start = start.replace(hour=18, minute=0, second=0, microsecond=0)
    event = EventFactory(
        title="Policy Cafe: Time Credits and the core economy",
        kind="cafe",
        summary="An evening conversation on what time credits changed for community groups.",
        description=(
            "Time credits reward the hours people give to their community.\n\n"
            "Our speakers share what they learnt from ten years of practice in Wales, and then "
            "we talk in small groups over tea and Welsh cakes."
        ),
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        mode="hybrid",
        online_url="https://meet.example.org/policy-cafe",
        venue=VenueFactory(
            name="Temple of Peace", address="King Edward VII Avenue\nCardiff", postcode="CF10 3AP"
        ),
        series=SeriesFactory(name="Policy Cafe"),
        capacity=40,
        themes=[
            ThemeFactory(name="Core economy vs money economy"),
            ThemeFactory(name="Co-production or reinventing the wheel?"),
        ],
        hosts=[OrganisationFactory(name="Cynnal Cymru"), OrganisationFactory(name="Spice")],
        step_free_access=True,
        hearing_loop=True,
        live_captions=True,
    )
    roles = [
        ("Dr Mair Lewis", "UK National Teaching Fellow", EventRole.Role.CHAIR, ""),
        ("Becky Ford", "Spice", EventRole.Role.SPEAKER, "Time Credits and their impact"),
        ("Dafydd Hughes", "Welsh Government", EventRole.Role.SPEAKER, "Valuing the core economy"),
    ]
    for order, (name, headline, role, contribution) in enumerate(roles):
        EventRoleFactory(
            event=event,
            person=PersonFactory(name=name, headline=headline),
            role=role,
            contribution_title=contribution,
            order=order,
        )
    return event


def test_event_page_tells_search_engines_and_link_previews_what_when_where_and_who(page):
    event = policy_cafe()
    page.goto(event.get_absolute_url())

    blocks = page.locator('script[type="application/ld+json"]').all_text_contents()
    data = [json.loads(block) for block in blocks]
    (ld,) = [item for item in data if item.get("@type") == "Event"]
    assert ld["name"] == "Policy Cafe: Time Credits and the core economy"
    assert datetime.fromisoformat(ld["startDate"]) == event.starts_at
    assert datetime.fromisoformat(ld["endDate"]) == event.ends_at
    assert ld["eventStatus"] == "https://schema.org/EventScheduled"
    assert ld["eventAttendanceMode"] == "https://schema.org/MixedEventAttendanceMode"
    place, virtual = ld["location"]
    assert place["@type"] == "Place"
    assert place["name"] == "Temple of Peace"
    assert place["address"]["postalCode"] == "CF10 3AP"
    # The joining link is for confirmed attendees: search engines get the event page.
    assert virtual == {"@type": "VirtualLocation", "url": page.url}
    assert [org["name"] for org in ld["organizer"]] == ["Cynnal Cymru", "Spice"]
    assert {p["name"] for p in ld["performer"]} == {"Dr Mair Lewis", "Becky Ford", "Dafydd Hughes"}
    assert ld["url"] == page.url

    og = dict(
        page.locator('meta[property^="og:"]').evaluate_all(
            "metas => metas.map(m => [m.getAttribute('property'), m.content])"
        )
    )
    assert og["og:title"] == "Policy Cafe: Time Credits and the core economy"
    assert og["og:url"] == page.url
    assert "Temple of Peace" in og["og:description"]
    assert og["og:type"]

    # The page a person sees: a date badge, breadcrumbs, everyone in their role.
    badge = page.locator(".event-header .date-badge")
    expect(badge).to_be_visible()
    expect(badge).to_contain_text(str(event.starts_at.astimezone(LONDON).day))
    breadcrumbs = page.get_by_role("navigation", name="Breadcrumb")
    expect(breadcrumbs.get_by_role("link")).to_have_text(["Home", "Events", "Policy Cafe"])
    expect(page.get_by_role("heading", name="Who’s who")).to_be_visible()
    check_page(page, "a full event page", shot="event-full")


def test_home_and_list_show_event_cards_with_date_badges(page):
    policy_cafe()
    EventFactory(title="Round-table: reinventing the wheel?", kind="round_table")
    page.goto("/")
    cards = page.locator(".event-card")
    expect(cards).to_have_count(2)
    for card in cards.all():
        expect(card.locator(".date-badge")).to_be_visible()
    check_page(page, "home page with events", shot="home")

    page.get_by_role("link", name="Policy Cafe: Time Credits and the core economy").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Policy Cafe: Time Credits and the core economy"
    )


def test_empty_list_says_what_to_do_next(page):
    page.goto("/events/?q=nothing+like+this")
    empty = page.locator(".empty-state")
    expect(empty).to_contain_text("No events match these filters.")
    expect(empty.get_by_role("link", name="See all upcoming events")).to_be_visible()
    # Our green, not Bootstrap's blue, on the chosen radio button.
    upcoming = page.get_by_role("radio", name="Upcoming")
    expect(upcoming).to_be_checked()
    assert upcoming.evaluate("el => getComputedStyle(el).backgroundColor") == "rgb(11, 93, 75)"
    check_page(page, "empty event list")


def test_every_page_passes_axe_and_fits_a_phone(page, sign_in_as):
    """A sweep of the pages the journeys do not walk through, signed in as an organiser."""
    event = policy_cafe()
    role = event.roles.select_related("person").first()
    organiser = UserFactory(groups=["Organisers"], email="trefnydd@example.org")
    event.created_by = organiser
    event.save()
    paths = [
        "/themes/",
        event.themes.first().get_absolute_url(),
        event.series.get_absolute_url(),
        role.person.get_absolute_url(),
        event.hosts.first().get_absolute_url(),
        "/accounts/signup/",
    ]
    signed_in_paths = [
        "/me/events/",
        "/me/calendar/",
        "/events/mine/",
        f"/events/{event.slug}/edit/",
        f"/events/{event.slug}/attendees/",
        f"/events/{event.slug}/cancel/",
    ]
    failures = []
    for path in [*paths, None, *signed_in_paths]:
        if path is None:
            sign_in_as(organiser)
            continue
        response = page.goto(path)
        try:
            assert response.ok, f"{path} answered {response.status}"
            check_page(page, path)
        except AssertionError as failure:
            failures.append(str(failure))
    assert not failures, "\n\n".join(failures)
