import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from events.models import Event
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

pytestmark = pytest.mark.django_db

LD_JSON = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


def page(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status
    return response.content.decode()


def json_ld(html):
    (block,) = LD_JSON.findall(html)
    return json.loads(block)


# --- the event list ------------------------------------------------------------------------------


def test_list_shows_upcoming_events_with_count_and_keeps_filters_in_pagination_links(
    client, settings
):
    settings.EVENTS_PAGE_SIZE = 2
    theme = ThemeFactory(slug="risk", name="Risk-averse cultures")
    start = timezone.now() + timedelta(days=3)
    for n in range(3):
        EventFactory(title=f"Cafe {n}", starts_at=start + timedelta(days=n), themes=[theme])
    EventFactory(title="Other theme")
    html = page(client, reverse("events:list") + "?theme=risk")
    assert "3 events" in html
    assert "Cafe 0" in html
    assert "Cafe 1" in html
    assert "Cafe 2" not in html
    assert 'href="?theme=risk&amp;page=2"' in html
    assert "Theme: Risk-averse cultures" in html
    html = page(client, reverse("events:list") + "?theme=risk&page=2")
    assert "Cafe 2" in html
    assert "Cafe 0" not in html


def test_list_with_nothing_matching_says_what_to_do(client):
    EventFactory(title="Only event")
    html = page(client, reverse("events:list") + "?q=zebra")
    assert "0 events" in html
    assert "No events match these filters." in html
    assert "Only event" not in html


BAD_PARAMS = [
    "theme=no-such-theme",
    "kind=banana",
    "mode=teleport",
    "mode=null",
    "series=ghost",
    "person=nobody",
    "person=..%2F..%2Fetc%2Fpasswd",
    "organisation=%F0%9F%92%A5",
    "q=" + "x" * 500,
    "after=2027-02-30",
    "after=not-a-date",
    "after=99999-01-01",
    "before=0000-00-00",
    "after=1899-12-31",
    "before=3000-01-01",
    "before=9999-12-31",
    "after=" + "9" * 40,
    "after=-1",
    "after=%D9%A1%D9%A2%D9%A3",
    "theme=%F0%9D%94%98%F0%9D%94%AB%F0%9D%94%A6",
    "when=tomorrow",
    "when=" + "1" * 30,
    "access=jetpack",
    "access=step_free_access&access=nope",
    "after=2027-05-01&before=2027-04-01",
    "kind=%EF%BF%BF%ED%9F%BF",
]


@pytest.mark.parametrize("params", BAD_PARAMS)
def test_invalid_filter_value_shows_an_error_and_no_events(client, params):
    EventFactory(title="Visible only without errors")
    html = page(client, reverse("events:list") + f"?{params}")
    assert "Some filters could not be used" in html
    assert "No events are shown while a filter is invalid." in html
    assert "Visible only without errors" not in html


@pytest.mark.parametrize("number", ["0", "-1", "abc", "9" * 40, "2.5", "%D9%A3", "%C2%B2"])
def test_odd_page_numbers_give_a_real_page(client, number):
    EventFactory(title="Listed")
    html = page(client, reverse("events:list") + f"?page={number}")
    assert "Listed" in html


@pytest.mark.parametrize("params", ["theme=%00", "person=%00", "q=%00", "page=%00"])
def test_a_nul_in_a_filter_or_page_number_is_a_bad_request(client, db, params):
    # Refused before any view (core.middleware.RefuseNulMiddleware): PostgreSQL cannot hold it.
    assert client.get(reverse("events:list") + f"?{params}").status_code == 400


def test_list_links_to_past_events_when_nothing_is_coming_up(client):
    EventFactory(
        title="Gone",
        starts_at=timezone.now() - timedelta(days=2),
        ends_at=timezone.now() - timedelta(days=2) + timedelta(hours=1),
    )
    html = page(client, reverse("events:list"))
    assert "Nothing is coming up just now." in html
    assert "Gone" not in html
    assert "Gone" in page(client, reverse("events:list") + "?when=past")


# --- the event page ------------------------------------------------------------------------------


@pytest.fixture
def cafe(db):
    venue = VenueFactory(
        name="Glamorgan Building",
        address="King Edward VII Avenue\nCardiff",
        postcode="CF10 3WT",
        latitude="51.486900",
        longitude="-3.181200",
        step_free_access=True,
        access_notes="Level entrance; lift to every floor.",
    )
    event = EventFactory(
        title="Policy Cafe re-launch",
        starts_at=datetime(2030, 6, 12, 17, 0, tzinfo=UTC),  # 18:00 BST
        ends_at=datetime(2030, 6, 12, 19, 30, tzinfo=UTC),
        venue=venue,
        hearing_loop=True,
        series=SeriesFactory(name="Policy Cafe"),
        themes=[ThemeFactory(name="Risk-averse cultures")],
        hosts=[OrganisationFactory(name="Cardiff University")],
        summary="Co-pro for the <converted> & unconverted",
    )
    roles = [
        ("Becky Booth", "speaker", "Time Credits and their co-productive impact", 3),
        ("Sophie Hallett", "organiser", "", 0),
        ("Mark Drakeford", "chair", "Helping the discussion along", 2),
        ("Sara Knight", "organiser", "", 1),
        ("Ruth Dineen", "speaker", "Co-production", 2),
        ("Chris Glynn", "artist", "Drawing responses", 5),
    ]
    for name, role, contribution, order in roles:
        EventRoleFactory(
            event=event,
            person=PersonFactory(name=name),
            role=role,
            contribution_title=contribution,
            order=order,
        )
    return event


def whos_who(html):
    section = html.split('id="whos-who"')[1].split("</section>")[0]
    groups = re.findall(r'role-group__label">([^<]+)</h3>(.*?)</ul>', section, re.S)
    return [
        (label, re.findall(r'class="people-list__name">([^<]+)</a>', body))
        for label, body in groups
    ]


def test_event_page_groups_people_by_role_in_order_with_contributions(client, cafe):
    html = page(client, cafe.get_absolute_url())
    assert whos_who(html) == [
        ("Organisers", ["Sophie Hallett", "Sara Knight"]),
        ("Chair", ["Mark Drakeford"]),
        ("Speakers", ["Ruth Dineen", "Becky Booth"]),
        ("Artist", ["Chris Glynn"]),
    ]
    assert "“Time Credits and their co-productive impact”" in html
    assert f'href="{reverse("events:person", args=["becky-booth"])}"' in html


def test_event_page_shows_london_time_venue_access_hosts_themes_and_series(client, cafe):
    sibling = EventFactory(title="Next Policy Cafe", series=cafe.series)
    html = page(client, cafe.get_absolute_url())
    assert "Wednesday 12 June 2030, 18:00–20:30" in html
    assert "King Edward VII Avenue<br>Cardiff<br>CF10 3WT" in html
    assert "https://www.openstreetmap.org/?mlat=51.486900&amp;mlon=-3.181200" in html
    access = html.split('id="access-heading"')[1].split("</section>")[0]
    assert re.findall(r'access-list__item">([^<]+)<', access) == [
        "Step-free access",
        "Hearing loop",
    ]
    assert "Level entrance; lift to every floor." in access
    assert ">Cardiff University</a>" in html
    assert ">Risk-averse cultures</a>" in html
    assert f'href="{sibling.get_absolute_url()}"' in html
    assert "Co-pro for the &lt;converted&gt; &amp; unconverted" in html


def test_cancelled_event_shows_banner_with_reason_and_json_ld_status(client, cafe):
    cafe.status = Event.Status.CANCELLED
    cafe.cancellation_reason = "The speaker is unwell.\nWe will rearrange."
    cafe.save()
    html = page(client, cafe.get_absolute_url())
    banner = html.split("status-banner")[1].split("</div>")[0]
    assert "This event has been cancelled" in banner
    assert "<p>The speaker is unwell.<br>We will rearrange.</p>" in banner
    assert json_ld(html)["eventStatus"] == "https://schema.org/EventCancelled"


def test_postponed_event_shows_banner_and_json_ld_status(client, cafe):
    cafe.status = Event.Status.POSTPONED
    cafe.save()
    html = page(client, cafe.get_absolute_url())
    assert "This event has been postponed" in html
    assert json_ld(html)["eventStatus"] == "https://schema.org/EventPostponed"


def test_json_ld_describes_the_event(client, cafe):
    data = json_ld(page(client, cafe.get_absolute_url()))
    assert data["@type"] == "Event"
    assert data["name"] == "Policy Cafe re-launch"
    assert data["startDate"] == "2030-06-12T18:00:00+01:00"
    assert data["endDate"] == "2030-06-12T20:30:00+01:00"
    assert data["eventStatus"] == "https://schema.org/EventScheduled"
    assert data["eventAttendanceMode"] == "https://schema.org/OfflineEventAttendanceMode"
    assert data["location"]["name"] == "Glamorgan Building"
    assert data["location"]["geo"] == {
        "@type": "GeoCoordinates",
        "latitude": 51.4869,
        "longitude": -3.1812,
    }
    assert [o["name"] for o in data["organizer"]] == ["Cardiff University"]
    assert data["url"] == "http://testserver" + reverse(
        "events:detail", args=["policy-cafe-re-launch"]
    )


def test_json_ld_of_a_hybrid_event_has_place_and_virtual_location(client):
    event = EventFactory(mode="hybrid", online_url="https://meet.example.org/cafe")
    data = json_ld(page(client, event.get_absolute_url()))
    assert data["eventAttendanceMode"] == "https://schema.org/MixedEventAttendanceMode"
    assert [loc["@type"] for loc in data["location"]] == ["Place", "VirtualLocation"]
    # The joining link is private unless the organisers made it public: the page stands in.
    assert data["location"][1]["url"] == "http://testserver" + event.get_absolute_url()


def test_json_ld_of_an_event_with_a_public_link_has_the_link(client):
    event = EventFactory(
        mode="hybrid", online_url="https://meet.example.org/cafe", online_url_is_public=True
    )
    data = json_ld(page(client, event.get_absolute_url()))
    assert data["location"][1]["url"] == "https://meet.example.org/cafe"


def test_json_ld_cannot_break_out_of_its_script_element(client):
    event = EventFactory(title="</script><script>alert(1)</script> & more")
    html = page(client, event.get_absolute_url())
    assert "<script>alert(1)" not in html
    assert json_ld(html)["name"] == "</script><script>alert(1)</script> & more"


def test_event_page_has_open_graph_tags(client, cafe):
    html = page(client, cafe.get_absolute_url())
    assert '<meta property="og:title" content="Policy Cafe re-launch">' in html
    assert f'<meta property="og:url" content="http://testserver{cafe.get_absolute_url()}">' in html


def test_templates_have_no_inline_scripts_or_styles(client, cafe):
    for url in [
        reverse("home"),
        reverse("events:list"),
        cafe.get_absolute_url(),
        reverse("events:theme_list"),
    ]:
        html = page(client, url)
        assert "style=" not in html
        scripts = re.findall(r"<script([^>]*)>", html)
        assert all("src=" in attrs or "application/ld+json" in attrs for attrs in scripts)


# --- drafts --------------------------------------------------------------------------------------


@pytest.fixture
def draft(db):
    creator = UserFactory(groups=["Organisers"])
    event = EventFactory(title="Secret draft", status=Event.Status.DRAFT, created_by=creator)
    return event


def test_draft_is_404_for_anonymous_and_other_users(client, draft, user, organiser):
    page(client, draft.get_absolute_url(), status=404)
    client.force_login(user)
    page(client, draft.get_absolute_url(), status=404)
    client.force_login(organiser)  # an organiser, but not of this event
    page(client, draft.get_absolute_url(), status=404)


def test_draft_is_visible_to_its_creator_organiser_and_staff_with_a_draft_banner(
    client, draft, staff, django_capture_on_commit_callbacks
):
    client.force_login(draft.created_by)
    html = page(client, draft.get_absolute_url())
    assert "Only the people who may edit this event can see this page" in html
    assert "application/ld+json" not in html
    organiser = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):  # the page's row is read again
        EventRoleFactory(event=draft, person=PersonFactory(user=organiser), role="organiser")
    client.force_login(organiser)
    assert "Secret draft" in page(client, draft.get_absolute_url())
    client.force_login(staff)
    assert "Secret draft" in page(client, draft.get_absolute_url())


def test_drafts_are_not_listed_anywhere_public(client, draft):
    theme = ThemeFactory()
    draft.themes.add(theme)
    assert "Secret draft" not in page(client, reverse("events:list"))
    assert "Secret draft" not in page(client, reverse("home"))
    assert "Secret draft" not in page(client, theme.get_absolute_url())


def test_unknown_event_is_404(client):
    page(client, reverse("events:detail", args=["no-such-event"]), status=404)


# --- theme, series, person, organisation pages ---------------------------------------------------


def past_and_future(**kwargs):
    now = timezone.now()
    past = EventFactory(
        title="Past one",
        starts_at=now - timedelta(days=9),
        ends_at=now - timedelta(days=9, hours=-2),
        **kwargs,
    )
    future = EventFactory(title="Future one", **kwargs)
    return past, future


def test_theme_page_shows_upcoming_then_past_on_request(client):
    theme = ThemeFactory(name="Core economy over money economy")
    past_and_future(themes=[theme])
    EventFactory(title="Unrelated")
    html = page(client, theme.get_absolute_url())
    assert "<h1>Core economy over money economy</h1>" in html
    assert "Future one" in html
    assert "Past one" not in html
    assert "Unrelated" not in html
    html = page(client, theme.get_absolute_url() + "?when=past")
    assert "Past one" in html
    assert "Future one" not in html


def test_person_page_lists_events_where_they_hold_any_role(client):
    ruth = PersonFactory(name="Ruth Dineen", headline="UK National Teaching Fellow")
    past, future = past_and_future()
    EventRoleFactory(event=future, person=ruth, role="speaker", contribution_title="Co-pro joys")
    EventRoleFactory(event=future, person=ruth, role="chair")
    EventRoleFactory(event=future, person=PersonFactory(), role="artist")
    EventRoleFactory(event=past, person=ruth, role="facilitator")
    html = page(client, ruth.get_absolute_url())
    assert "UK National Teaching Fellow" in html
    assert html.count(">Future one</a>") == 1
    roles = re.findall(r'badge-role">([^<]+)</span>([^<]*)</p>', html)
    assert roles == [("Speaker", " “Co-pro joys”"), ("Chair", "")]
    assert f'href="{reverse("events:list")}?person=ruth-dineen"' in html
    assert "Past one" in page(client, ruth.get_absolute_url() + "?when=past")


def test_entity_page_without_upcoming_events_opens_on_past_ones(client):
    series = SeriesFactory(name="Policy Cafe")
    now = timezone.now()
    EventFactory(
        title="Last cafe",
        series=series,
        starts_at=now - timedelta(days=3),
        ends_at=now - timedelta(days=3, hours=-2),
    )
    html = page(client, series.get_absolute_url())
    assert "Last cafe" in html


def test_organisation_page_lists_hosted_events(client):
    host = OrganisationFactory(name="Welsh Government")
    EventFactory(title="Round-table", hosts=[host])
    EventFactory(title="Elsewhere")
    html = page(client, host.get_absolute_url())
    assert "Round-table" in html
    assert "Elsewhere" not in html


def test_theme_list_and_home_show_themes_with_upcoming_counts(client):
    theme = ThemeFactory(name="Relationship-centred outcomes")
    past_and_future(themes=[theme])
    html = page(client, reverse("events:theme_list"))
    assert "Relationship-centred outcomes" in html
    assert "1 upcoming event" in html
    home = page(client, reverse("home"))
    assert "Future one" in home
    assert "Past one" not in home
    assert "Relationship-centred outcomes" in home


@pytest.mark.parametrize(
    "name", ["events:theme", "events:series", "events:person", "events:organisation"]
)
def test_unknown_entity_pages_are_404(client, name):
    page(client, reverse(name, args=["nope"]), status=404)


def test_series_menu_gives_way_to_links_when_there_are_many_series(client):
    few = SeriesFactory(slug="policy-cafe")
    assert 'name="series" class="select form-select"' in page(client, reverse("events:list"))
    for _n in range(40):
        SeriesFactory()
    html = page(client, reverse("events:list") + f"?series={few.slug}")
    assert '<select name="series"' not in html
    assert '<input type="hidden" name="series" value="policy-cafe">' in html


def test_list_dates_are_london_dates_across_the_spring_clock_change(client):
    # Clocks go forward on Sunday 25 March 2040: 00:30 BST on Monday 26 March is 23:30 UTC.
    EventFactory(
        title="Early Monday",
        starts_at=datetime(2040, 3, 25, 23, 30, tzinfo=UTC),
        ends_at=datetime(2040, 3, 26, 1, 0, tzinfo=UTC),
    )
    assert "Early Monday" in page(
        client, reverse("events:list") + "?after=2040-03-26&before=2040-03-26"
    )
    assert "Early Monday" not in page(
        client, reverse("events:list") + "?after=2040-03-25&before=2040-03-25"
    )
    html = page(client, reverse("events:detail", args=["early-monday"]))
    assert "Monday 26 March 2040, 00:30–02:00" in html


def test_event_page_offers_a_way_straight_to_registration_while_it_is_open(client):
    open_event = EventFactory(capacity=10)
    started = EventFactory(
        starts_at=timezone.now() - timedelta(hours=1), ends_at=timezone.now() + timedelta(hours=1)
    )

    open_html = client.get(open_event.get_absolute_url()).content.decode()
    started_html = client.get(started.get_absolute_url()).content.decode()

    target = f"registration-heading-{open_event.pk}"
    assert f'href="#{target}"' in open_html
    assert f'id="{target}"' in open_html
    assert "Go to registration" not in started_html
