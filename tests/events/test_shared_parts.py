"""Shared parts of pages (core/fragments.py) change after every write that changes them."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from events import selectors
from events.models import EventRole
from events.services import register_attendee
from tests.events.test_pages import json_ld
from tests.factories import (
    EventFactory,
    EventRoleFactory,
    OrganisationFactory,
    PersonFactory,
    ThemeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["visitor", "member"])
def reader(request, client):
    if request.param == "member":
        client.force_login(UserFactory())
    return client


def text(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_the_event_list_shows_an_edited_title(reader, django_capture_on_commit_callbacks):
    event = EventFactory(title="Policy cafe")
    assert "Policy cafe" in text(reader, reverse("events:list"))
    with django_capture_on_commit_callbacks(execute=True):
        event.title = "Housing round-table"
        event.save()
    html = text(reader, reverse("events:list"))
    assert "Housing round-table" in html
    assert "Policy cafe" not in html


def test_the_event_list_shows_a_renamed_theme_in_cards_and_menu(
    reader, django_capture_on_commit_callbacks
):
    theme = ThemeFactory(name="Time credits")
    EventFactory(themes=[theme])
    assert text(reader, reverse("events:list")).count("Time credits") == 2  # card and menu
    with django_capture_on_commit_callbacks(execute=True):
        theme.name = "Time banking"
        theme.save()
    html = text(reader, reverse("events:list"))
    assert "Time credits" not in html
    assert html.count("Time banking") == 2


def test_the_event_list_is_kept_per_language_and_query_string(reader):
    EventFactory(title="Policy cafe")
    english = text(reader, reverse("events:list"))
    with translation.override("cy"):
        welsh = text(reader, reverse("events:list"))
        welsh_heading = translation.gettext("Upcoming events")
    assert welsh_heading != "Upcoming events"
    assert f"<h1>{welsh_heading}</h1>" in welsh
    assert "<h1>Upcoming events</h1>" in english
    past = text(reader, reverse("events:list") + "?when=past")
    assert "<h1>Past events</h1>" in past
    assert "Policy cafe" not in past


def test_a_new_event_appears_in_the_list_at_once(reader, django_capture_on_commit_callbacks):
    EventFactory(title="Policy cafe")
    assert "Housing round-table" not in text(reader, reverse("events:list"))
    with django_capture_on_commit_callbacks(execute=True):
        EventFactory(title="Housing round-table")
    assert "Housing round-table" in text(reader, reverse("events:list"))


def test_a_registration_leaves_the_event_lists_version_alone(
    user, django_capture_on_commit_callbacks
):
    event = EventFactory(capacity=10)
    before = selectors.events_version()
    with django_capture_on_commit_callbacks(execute=True):
        register_attendee(event=event, user=user)
    assert selectors.events_version() == before


def test_the_event_lists_version_moves_when_an_upcoming_event_ends():
    now = timezone.now()
    EventFactory(starts_at=now + timedelta(hours=1), ends_at=now + timedelta(hours=2))
    EventFactory(starts_at=now + timedelta(days=2), ends_at=now + timedelta(days=2, hours=2))
    before = selectors.events_version(now)
    assert selectors.events_version(now + timedelta(hours=1)) == before
    after_the_first_ends = selectors.events_version(now + timedelta(hours=3))
    assert after_the_first_ends != before
    assert selectors.events_version(now + timedelta(days=1)) == after_the_first_ends


def test_a_member_reading_the_list_again_costs_no_event_query(
    client, user, django_assert_max_num_queries
):
    EventFactory.create_batch(3, themes=[ThemeFactory()])
    client.force_login(user)
    client.get(reverse("events:list"))
    # The session and the user (both cached with Redis in production); no groups, no events.
    with django_assert_max_num_queries(2):
        assert client.get(reverse("events:list")).status_code == 200


def test_home_shows_an_edited_title_and_a_renamed_theme(reader, django_capture_on_commit_callbacks):
    theme = ThemeFactory(name="Time credits")
    event = EventFactory(title="Budget meeting", themes=[theme])
    html = text(reader, reverse("home"))
    assert "Budget meeting" in html
    assert "Time credits" in html
    with django_capture_on_commit_callbacks(execute=True):
        event.title = "Housing round-table"
        event.save()
        theme.name = "Time banking"
        theme.save()
    html = text(reader, reverse("home"))
    assert "Housing round-table" in html
    assert "Time banking" in html
    assert "Budget meeting" not in html
    assert "Time credits" not in html
    with translation.override("cy"):
        welsh = text(reader, reverse("home"))
        assert translation.gettext("Coming up") in welsh
    assert translation.gettext("Coming up") not in welsh


# --- the event page ------------------------------------------------------------------------------


def test_the_event_page_shows_an_edited_description_and_access_notes(
    reader, django_capture_on_commit_callbacks
):
    event = EventFactory(description="Bring a friend.", access_notes="Lift to the first floor.")
    html = text(reader, event.get_absolute_url())
    assert "Bring a friend." in html
    assert "Lift to the first floor." in html
    with django_capture_on_commit_callbacks(execute=True):
        event.description = "Bring a neighbour."
        event.access_notes = "Ramp at the side door."
        event.save()
    html = text(reader, event.get_absolute_url())
    assert "Bring a neighbour." in html
    assert "Ramp at the side door." in html
    assert "Bring a friend." not in html


def test_the_event_pages_whos_who_follows_role_and_person_changes(
    reader, django_capture_on_commit_callbacks
):
    event = EventFactory()
    role = EventRoleFactory(event=event, person=PersonFactory(name="Ceri Jones"), role="speaker")
    html = text(reader, event.get_absolute_url())
    assert "Ceri Jones" in html
    with django_capture_on_commit_callbacks(execute=True):
        role.role = EventRole.Role.CHAIR
        role.save()
    assert "Chair" in text(reader, event.get_absolute_url())
    with django_capture_on_commit_callbacks(execute=True):
        role.person.name = "Ceri Evans"
        role.person.save()
    html = text(reader, event.get_absolute_url())
    assert "Ceri Evans" in html
    assert "Ceri Jones" not in html
    with django_capture_on_commit_callbacks(execute=True):
        role.delete()
    assert "Ceri Evans" not in text(reader, event.get_absolute_url())


def test_the_event_page_shows_a_renamed_theme_and_is_kept_per_language(
    reader, django_capture_on_commit_callbacks
):
    theme = ThemeFactory(name="Time credits")
    event = EventFactory(themes=[theme], access_notes="")
    assert "Time credits" in text(reader, event.get_absolute_url())
    with django_capture_on_commit_callbacks(execute=True):
        theme.name = "Time banking"
        theme.save()
    html = text(reader, event.get_absolute_url())
    assert "Time banking" in html
    assert "Time credits" not in html
    with translation.override("cy"):
        welsh = text(reader, event.get_absolute_url())
        assert translation.gettext("Themes") in welsh
        assert translation.gettext("Access") in welsh
    assert ">Themes</h2>" not in welsh


def test_one_members_place_never_shows_on_another_members_or_a_visitors_page(client):
    event = EventFactory(capacity=10)
    going, other = UserFactory(), UserFactory()
    register_attendee(event=event, user=going)
    client.force_login(going)
    assert "You’re going" in text(client, event.get_absolute_url())
    client.force_login(other)
    assert "You’re going" not in text(client, event.get_absolute_url())
    client.logout()
    assert "You’re going" not in text(client, event.get_absolute_url())


def test_the_event_pages_structured_data_follows_an_edit_and_a_host_rename(
    reader, django_capture_on_commit_callbacks
):
    host = OrganisationFactory(name="Co-production Network")
    event = EventFactory(title="Policy cafe", hosts=[host])
    data = json_ld(text(reader, event.get_absolute_url()))
    assert (data["name"], data["organizer"][0]["name"]) == ("Policy cafe", "Co-production Network")
    with django_capture_on_commit_callbacks(execute=True):
        event.title = "Budget meeting"
        event.save()
        host.name = "Wales Co-production Network"
        host.save()
    data = json_ld(text(reader, event.get_absolute_url()))
    assert (data["name"], data["organizer"][0]["name"]) == (
        "Budget meeting",
        "Wales Co-production Network",
    )


def test_the_event_page_read_again_fetches_no_themes_hosts_or_people(reader):
    """What the page shows of them is in its shared parts (the priorities form's theme menu
    too); a member's roles are fetched for the permission checks, a visitor needs none."""
    event = EventFactory(themes=[ThemeFactory(name="Time credits")], hosts=[OrganisationFactory()])
    EventRoleFactory(event=event, person=PersonFactory(name="Ceri Jones"), role="speaker")
    text(reader, event.get_absolute_url())
    with CaptureQueriesContext(connection) as queries:
        html = text(reader, event.get_absolute_url())
    assert "Ceri Jones" in html
    signed_in = "_auth_user_id" in reader.session
    assert ("Time credits</option>" in html) == signed_in  # a member's priorities form menu
    sql = " ".join(query["sql"] for query in queries.captured_queries)
    assert "events_event_themes" not in sql
    assert "events_event_hosts" not in sql
    assert '"events_eventrole"' not in sql  # the row and its roles are kept in the cache


# --- members' fixed costs ------------------------------------------------------------------------


def test_a_member_made_organiser_sees_the_organiser_menu_at_once(
    client, user, django_capture_on_commit_callbacks
):
    from django.contrib.auth.models import Group

    from people.models import User

    client.force_login(user)
    assert reverse("events:create") not in text(client, reverse("home"))
    organisers, _ = Group.objects.get_or_create(name=User.ORGANISERS_GROUP)
    with django_capture_on_commit_callbacks(execute=True):
        user.groups.add(organisers)
    assert reverse("events:create") in text(client, reverse("home"))
    with django_capture_on_commit_callbacks(execute=True):
        organisers.user_set.remove(user)
    assert reverse("events:create") not in text(client, reverse("home"))


def test_the_event_pages_calendar_links_follow_an_edit(reader, django_capture_on_commit_callbacks):
    event = EventFactory(title="Policy cafe")
    assert "Policy+cafe" in text(reader, event.get_absolute_url())  # in the Google link
    with django_capture_on_commit_callbacks(execute=True):
        event.title = "Budget meeting"
        event.save()
    html = text(reader, event.get_absolute_url())
    assert "Budget+meeting" in html
    assert "Policy+cafe" not in html


def test_the_registration_forms_places_follow_registrations(client, user):
    event = EventFactory(mode="hybrid", capacity=2, online_capacity=5)
    client.force_login(user)
    assert "In the room (2 left)" in text(client, event.get_absolute_url())
    register_attendee(event=event, user=UserFactory(), attendance="room")
    html = text(client, event.get_absolute_url())
    assert "In the room (1 left)" in html
    assert "In the room (2 left)" not in html
