"""Registration that fits the event: a hybrid event's room and online places, access needs for
the organisers only, and the organisers' attendee page and CSV with email addresses."""

import csv
import io
import threading

import pytest
from django.core import mail
from django.db import connection
from django.urls import reverse

from events.models import CalendarToken, Event, Registration
from events.services import cancel_registration, register_attendee
from tests.factories import EventFactory, EventRoleFactory, PersonFactory, UserFactory
from tests.forms import form_data, submit_form

pytestmark = pytest.mark.django_db

ROOM, ONLINE = Registration.Attendance.ROOM, Registration.Attendance.ONLINE
NEEDS = "I use a wheelchair and need a seat near the door."


@pytest.fixture
def hybrid(organiser):
    """A hybrid event: 1 place in the room, 1 online; the organiser's."""
    event = EventFactory(
        title="Policy Cafe",
        mode=Event.Mode.HYBRID,
        online_url="https://meet.example.org/cafe",
        capacity=1,
        online_capacity=1,
    )
    EventRoleFactory(event=event, person=PersonFactory(user=organiser), role="organiser")
    return event


def pools(event):
    return sorted(
        Registration.objects.filter(event=event).values_list(
            "user__username", "attendance", "state"
        )
    )


def register_url(event):
    return reverse("events:register", kwargs={"slug": event.slug})


# --- the room and online places --------------------------------------------------------------


def test_room_capacity_counts_only_the_room_and_online_has_its_own_waitlist(hybrid):
    a, b, c, d = (UserFactory(username=n) for n in "abcd")
    assert register_attendee(event=hybrid, user=a, attendance=ROOM).is_confirmed
    assert register_attendee(event=hybrid, user=c, attendance=ONLINE).is_confirmed
    room_waiting = register_attendee(event=hybrid, user=b, attendance=ROOM)
    online_waiting = register_attendee(event=hybrid, user=d, attendance=ONLINE)
    assert pools(hybrid) == [
        ("a", "room", "confirmed"),
        ("b", "room", "waitlisted"),
        ("c", "online", "confirmed"),
        ("d", "online", "waitlisted"),
    ]
    assert (room_waiting.waitlist_position(), online_waiting.waitlist_position()) == (1, 1)
    counted = Event.objects.with_registration_counts().get(pk=hybrid.pk)
    assert (counted.places_left, counted.online_places_left) == (0, 0)
    assert (counted.is_full, counted.is_online_full) == (True, True)

    # A place online comes free: the online queue moves, the room's does not.
    promoted = cancel_registration(event=hybrid, user=c)
    assert promoted.user == d
    assert ("b", "room", "waitlisted") in pools(hybrid)


def test_online_places_without_a_limit_never_waitlist(hybrid):
    Event.objects.filter(pk=hybrid.pk).update(online_capacity=None)
    results = [
        register_attendee(event=hybrid, user=UserFactory(), attendance=ONLINE) for _ in range(5)
    ]
    assert {r.state for r in results} == {"confirmed"}
    assert register_attendee(event=hybrid, user=UserFactory(), attendance=ROOM).is_confirmed


def test_other_events_have_one_pool_whatever_was_stored():
    online = EventFactory(
        mode=Event.Mode.ONLINE, venue=None, online_url="https://x.org", capacity=1
    )
    first = register_attendee(event=online, user=UserFactory(), attendance=ROOM)
    second = register_attendee(event=online, user=UserFactory())
    assert (first.attendance, first.state) == ("online", "confirmed")
    assert (second.attendance, second.state) == ("online", "waitlisted")


def test_more_online_places_in_the_event_form_promote_the_online_queue(
    client, organiser, hybrid, django_capture_on_commit_callbacks
):
    register_attendee(event=hybrid, user=UserFactory(username="c"), attendance=ONLINE)
    register_attendee(event=hybrid, user=UserFactory(username="d"), attendance=ONLINE)
    client.force_login(organiser)
    edit = reverse("events:edit", kwargs={"slug": hybrid.slug})
    page = client.get(edit)
    response = submit_form(client, page, edit, data={"online_capacity": "2"})
    assert response.status_code == 302
    assert pools(hybrid) == [("c", "online", "confirmed"), ("d", "online", "confirmed")]
    response = submit_form(client, client.get(edit), edit, data={"online_capacity": "1"})
    assert response.status_code == 400
    assert response.context["form"].errors["online_capacity"] == [
        "2 people already have a place, so the capacity cannot be lower. "
        "Cancel places from the attendee list first."
    ]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_hybrid_registrations_fill_each_pool_exactly_under_the_row_lock():
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    event = EventFactory(
        mode=Event.Mode.HYBRID, online_url="https://x.org", capacity=3, online_capacity=2
    )
    choices = [ROOM, ONLINE] * 8
    users = [UserFactory() for _ in choices]
    barrier = threading.Barrier(len(users))
    errors = []

    def attempt(user, attendance):
        from django.db import connection as thread_connection

        try:
            barrier.wait(timeout=30)
            register_attendee(event=event, user=user, attendance=attendance)
        except Exception as error:  # reported below; a thread must not die silently
            errors.append(error)
        finally:
            thread_connection.close()

    threads = [
        threading.Thread(target=attempt, args=pair) for pair in zip(users, choices, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    counts = {
        (attendance, state): Registration.objects.filter(
            event=event, attendance=attendance, state=state
        ).count()
        for attendance in (ROOM, ONLINE)
        for state in ("confirmed", "waitlisted")
    }
    assert counts == {
        ("room", "confirmed"): 3,
        ("room", "waitlisted"): 5,
        ("online", "confirmed"): 2,
        ("online", "waitlisted"): 6,
    }


# --- the registration form -------------------------------------------------------------------


def test_attendee_registers_online_through_the_panel_form(
    client, hybrid, django_capture_on_commit_callbacks
):
    attendee = UserFactory(username="ann")
    client.force_login(attendee)
    page = client.get(hybrid.get_absolute_url())
    html = page.content.decode()
    assert "The organisers will see your name and email address" in html
    assert form_data(page, "#registration-form").get("attendance") is None  # nothing chosen
    with django_capture_on_commit_callbacks(execute=True):
        response = submit_form(
            client,
            page,
            "#registration-form",
            data={"attendance": "online", "access_needs": NEEDS},
            follow=True,
        )
    assert "You are registered to join online." in response.content.decode()
    assert pools(hybrid) == [("ann", "online", "confirmed")]
    assert Registration.objects.get().access_needs == NEEDS
    [message] = mail.outbox
    assert "You join: Online" in message.body
    assert NEEDS not in message.body


def test_a_hybrid_registration_without_a_choice_is_a_form_error(client, hybrid):
    client.force_login(UserFactory())
    page = client.get(hybrid.get_absolute_url())
    response = submit_form(client, page, "#registration-form")
    assert response.status_code == 400
    assert response.context["registration_form"].errors == {
        "attendance": ["This field is required."]
    }
    assert not Registration.objects.exists()
    retry = submit_form(client, response, "#registration-form", data={"attendance": "room"})
    assert retry.status_code == 302
    assert Registration.objects.get().attendance == "room"


def test_an_in_person_event_asks_only_for_access_needs(client):
    event = EventFactory()
    client.force_login(UserFactory())
    page = client.get(event.get_absolute_url())
    assert set(form_data(page, "#registration-form")) == {"csrfmiddlewaretoken", "access_needs"}
    submit_form(client, page, "#registration-form")
    assert Registration.objects.get().attendance == "room"


def test_the_panel_shows_room_and_online_places(client, hybrid):
    register_attendee(event=hybrid, user=UserFactory(), attendance=ROOM)
    html = client.get(hybrid.get_absolute_url()).content.decode()
    assert "In the room: all places are taken; you can join the waitlist." in html
    assert "Online: 1 place left." in html


# --- access needs and email addresses: the organisers only -----------------------------------


def test_access_needs_reach_the_organisers_and_nobody_else(client, organiser, hybrid):
    needing = UserFactory(email="needs@example.org")
    register_attendee(event=hybrid, user=needing, attendance=ROOM, access_needs=NEEDS)
    other = UserFactory()
    register_attendee(event=hybrid, user=other, attendance=ONLINE)
    token = CalendarToken.objects.create(user=other, token=CalendarToken.new_token())
    public_urls = [
        hybrid.get_absolute_url(),
        reverse("events:list"),
        reverse("events:event_ics", kwargs={"slug": hybrid.slug}),
        reverse("events:feed"),
    ]
    for viewer in (None, other, needing):
        if viewer:
            client.force_login(viewer)
        for url in public_urls:
            body = client.get(url).content.decode()
            assert "wheelchair" not in body, (viewer, url)
            assert "needs@example.org" not in body or viewer == needing, (viewer, url)
        if viewer:
            client.logout()
    feed = client.get(reverse("events:personal_feed", kwargs={"token": token.token}))
    assert b"wheelchair" not in feed.content
    for name in ("attendees", "attendees_csv"):
        client.force_login(other)
        assert (
            client.get(reverse(f"events:{name}", kwargs={"slug": hybrid.slug})).status_code == 403
        )

    client.force_login(organiser)
    page = client.get(reverse("events:attendees", kwargs={"slug": hybrid.slug}))
    html = page.content.decode()
    assert NEEDS in html
    assert "needs@example.org" in html
    assert "People were told, when they registered, that you would see them." in html


def test_csv_has_email_attendance_and_access_needs_formula_safe(client, organiser, hybrid):
    register_attendee(
        event=hybrid,
        user=UserFactory(display_name="Ann", email="ann@example.org"),
        attendance=ONLINE,
        access_needs='=HYPERLINK("http://evil")',
    )
    register_attendee(event=hybrid, user=UserFactory(display_name="Ben", email="ben@example.org"))
    register_attendee(
        event=hybrid,
        user=UserFactory(display_name="Cy", email="cy@example.org"),
        attendance=ONLINE,
    )
    client.force_login(organiser)
    response = client.get(reverse("events:attendees_csv", kwargs={"slug": hybrid.slug}))
    rows = [row[:6] for row in csv.reader(io.StringIO(response.content.decode()))]
    assert rows == [
        ["Name", "Email", "State", "Attending", "Waitlist position", "Access needs"],
        ["Ann", "ann@example.org", "Confirmed", "Online", "", '\'=HYPERLINK("http://evil")'],
        ["Ben", "ben@example.org", "Confirmed", "In the room", "", ""],
        ["Cy", "cy@example.org", "On the waitlist", "Online", "1", ""],
    ]
