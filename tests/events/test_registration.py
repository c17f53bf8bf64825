"""Registration, the waitlist, emails with .ics, My events and attendee lists."""

import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from events.models import Event, Registration
from events.services import (
    RegistrationClosed,
    cancel_registration,
    notify_attendees_of_cancellation,
    promote_from_waitlist,
    register_attendee,
)
from tests.events.conftest import uid_of
from tests.factories import EventFactory, UserFactory
from tests.forms import submit_form

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_event(db):
    return EventFactory(capacity=2)


def states(event):
    return list(
        Registration.objects.filter(event=event)
        .order_by("created_at", "pk")
        .values_list("user__username", "state")
    )


# --- services ------------------------------------------------------------------------------


def test_register_confirms_while_places_last_then_waitlists(small_event):
    users = [UserFactory() for _ in range(4)]
    results = [register_attendee(event=small_event, user=u).state for u in users]
    assert results == ["confirmed", "confirmed", "waitlisted", "waitlisted"]
    event = Event.objects.with_registration_counts().get(pk=small_event.pk)
    assert (event.places_left, event.is_full) == (0, True)


def test_register_is_idempotent(small_event, user):
    first = register_attendee(event=small_event, user=user)
    again = register_attendee(event=small_event, user=user)
    assert again.pk == first.pk
    assert Registration.objects.filter(event=small_event).count() == 1


def test_event_without_capacity_never_waitlists(event):
    assert {register_attendee(event=event, user=UserFactory()).state for _ in range(5)} == {
        "confirmed"
    }
    assert event.places_left is None
    assert event.is_full is False


@pytest.mark.parametrize(
    ("status", "closes_in"),
    [
        (Event.Status.DRAFT, None),
        (Event.Status.CANCELLED, None),
        (Event.Status.POSTPONED, None),
        (Event.Status.PUBLISHED, timedelta(hours=-1)),
    ],
)
def test_register_refused_when_registration_is_not_open(user, status, closes_in):
    closes = timezone.now() + closes_in if closes_in else None
    event = EventFactory(status=status, registration_closes_at=closes)
    assert event.registration_is_open is False
    with pytest.raises(RegistrationClosed):
        register_attendee(event=event, user=user)
    assert Registration.objects.count() == 0


def test_registration_closes_at_the_start(user):
    start = timezone.now() - timedelta(minutes=1)
    event = EventFactory(starts_at=start, ends_at=start + timedelta(hours=2))
    with pytest.raises(RegistrationClosed):
        register_attendee(event=event, user=user)


def test_cancelling_a_confirmed_place_promotes_the_first_waitlisted_and_emails_them(
    small_event, django_capture_on_commit_callbacks
):
    a, b, c, d = (UserFactory() for _ in range(4))
    for u in (a, b, c, d):
        register_attendee(event=small_event, user=u)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        promoted = cancel_registration(event=small_event, user=a)
    assert promoted.user == c
    assert promoted.promoted_at is not None
    assert states(small_event) == [
        (a.username, "cancelled"),
        (b.username, "confirmed"),
        (c.username, "confirmed"),
        (d.username, "waitlisted"),
    ]
    receipt, message = mail.outbox
    assert (receipt.to, receipt.subject) == (
        [a.email],
        f"Your place at {small_event.title} is cancelled",
    )
    assert message.to == [c.email]
    assert message.subject == f"A place has come free for you at {small_event.title}"
    assert message.attachments[0][0] == f"{small_event.slug}.ics"


def test_cancelling_a_waitlisted_place_promotes_nobody(small_event):
    users = [UserFactory() for _ in range(4)]
    for u in users:
        register_attendee(event=small_event, user=u)
    assert cancel_registration(event=small_event, user=users[2]) is None
    assert [s for _u, s in states(small_event)] == [
        "confirmed",
        "confirmed",
        "cancelled",
        "waitlisted",
    ]
    assert Registration.objects.get(event=small_event, user=users[3]).waitlist_position() == 1


def test_cancel_then_register_again_goes_to_the_back_of_the_queue(small_event):
    a, b, c = (UserFactory() for _ in range(3))
    for u in (a, b, c):
        register_attendee(event=small_event, user=u)
    cancel_registration(event=small_event, user=a)  # c promoted
    again = register_attendee(event=small_event, user=a)
    assert again.state == "waitlisted"
    assert again.waitlist_position() == 1


def test_capacity_increase_then_promote_fills_places_in_order(small_event):
    users = [UserFactory() for _ in range(5)]
    for u in users:
        register_attendee(event=small_event, user=u)
    Event.objects.filter(pk=small_event.pk).update(capacity=4)
    promoted = promote_from_waitlist(event=small_event)
    assert [r.user for r in promoted] == users[2:4]


def test_confirmation_email_has_an_ics_attachment_that_parses(
    small_event, user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        register_attendee(event=small_event, user=user)
    (message,) = mail.outbox
    assert message.to == [user.email]
    assert message.subject == f"You have a place at {small_event.title}"
    ((filename, content, mimetype),) = message.attachments
    assert (filename, mimetype) == (f"{small_event.slug}.ics", "text/calendar")
    calendar = Calendar.from_ical(content)
    assert [str(e["UID"]) for e in calendar.events] == [uid_of(small_event)]
    assert "METHOD" not in calendar
    assert len(calendar.timezones) == 1


def test_waitlisted_email_says_the_position(small_event, django_capture_on_commit_callbacks):
    for _ in range(2):
        register_attendee(event=small_event, user=UserFactory())
    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        register_attendee(event=small_event, user=user)
    (message,) = mail.outbox
    assert message.subject == f"You are on the waitlist for {small_event.title}"
    assert "(number 1)" in message.body


def test_nothing_is_emailed_when_the_transaction_rolls_back(small_event, user):
    register_attendee(event=small_event, user=user)  # on_commit never runs in this test
    assert mail.outbox == []


def test_cancelled_event_emails_every_confirmed_and_waitlisted_attendee(
    small_event, django_capture_on_commit_callbacks
):
    users = [UserFactory() for _ in range(4)]
    for u in users:
        register_attendee(event=small_event, user=u)
    cancel_registration(event=small_event, user=users[3])
    event = Event.objects.get(pk=small_event.pk)
    event.status = Event.Status.CANCELLED
    event.cancellation_reason = "Storm warning."
    event.save()
    with django_capture_on_commit_callbacks(execute=True):
        assert notify_attendees_of_cancellation(event=event) == 3
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in users[:3])
    message = mail.outbox[0]
    assert message.subject == f"Cancelled: {event.title}"
    assert "Storm warning." in message.body
    ics = Calendar.from_ical(message.attachments[0][1])
    assert str(ics.events[0]["STATUS"]) == "CANCELLED"


def test_no_promotion_after_the_event_is_cancelled(small_event):
    users = [UserFactory() for _ in range(3)]
    for u in users:
        register_attendee(event=small_event, user=u)
    Event.objects.filter(pk=small_event.pk).update(status=Event.Status.CANCELLED)
    assert cancel_registration(event=small_event, user=users[0]) is None
    assert Registration.objects.get(user=users[2]).state == "waitlisted"


def test_database_refuses_two_active_registrations_for_one_user(small_event, user):
    from django.db import IntegrityError

    Registration.objects.create(event=small_event, user=user, state="cancelled")
    Registration.objects.create(event=small_event, user=user, state="confirmed")
    with pytest.raises(IntegrityError):
        Registration.objects.create(event=small_event, user=user, state="waitlisted")


def test_places_left_without_n_plus_one(django_assert_max_num_queries):
    events = [EventFactory(capacity=3) for _ in range(5)]
    for e in events[:3]:
        register_attendee(event=e, user=UserFactory())
    with django_assert_max_num_queries(1):
        left = [e.places_left for e in Event.objects.with_registration_counts().order_by("pk")]
    assert left == [2, 2, 2, 3, 3]


# --- concurrency ---------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_registrations_for_five_places_never_overbook():
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    event = EventFactory(capacity=5)
    users = [UserFactory() for _ in range(20)]
    barrier = threading.Barrier(len(users))
    errors = []

    def attempt(user):
        from django.db import connection as thread_connection

        try:
            barrier.wait(timeout=30)
            register_attendee(event=event, user=user)
        except Exception as error:  # reported below; a thread must not die silently
            errors.append(error)
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=attempt, args=(u,)) for u in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    counts = {
        state: Registration.objects.filter(event=event, state=state).count()
        for state in ("confirmed", "waitlisted")
    }
    assert counts == {"confirmed": 5, "waitlisted": 15}

    mail.outbox.clear()
    first_confirmed = Registration.objects.filter(event=event, state="confirmed").first()
    first_waiting = (
        Registration.objects.filter(event=event, state="waitlisted")
        .order_by("created_at", "pk")
        .first()
    )
    promoted = cancel_registration(registration=first_confirmed)
    assert promoted.pk == first_waiting.pk
    assert Registration.objects.filter(event=event, state="confirmed").count() == 5
    assert Registration.objects.filter(event=event, state="waitlisted").count() == 14
    promotion_emails = [m for m in mail.outbox if m.subject.startswith("A place has come free")]
    assert [m.to for m in promotion_emails] == [[first_waiting.user.email]]


# --- views ---------------------------------------------------------------------------------


def register_on_the_event_page(client, event, **extra):
    """Press Register (or Join the waitlist) on the event page."""
    page = client.get(event.get_absolute_url())
    return submit_form(
        client, page, reverse("events:register", kwargs={"slug": event.slug}), **extra
    )


def test_register_view_registers_and_redirects_with_a_message(client, user, small_event):
    client.force_login(user)
    response = register_on_the_event_page(client, small_event)
    assert response.status_code == 302
    assert response["Location"] == small_event.get_absolute_url()
    assert states(small_event) == [(user.username, "confirmed")]
    page = client.get(response["Location"])
    assert "You are registered. We have emailed you the details." in page.content.decode()
    assert "You are registered." in page.content.decode()


def test_register_view_sends_anonymous_users_to_sign_in(client, small_event):
    response = client.post(reverse("events:register", kwargs={"slug": small_event.slug}))
    assert response.status_code == 302
    assert response["Location"] == (
        f"{reverse('account_login')}?next={small_event.get_absolute_url()}"
    )
    assert Registration.objects.count() == 0


def test_register_view_refuses_get_and_requires_csrf(small_event, user):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    url = reverse("events:register", kwargs={"slug": small_event.slug})
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 403
    assert Registration.objects.count() == 0


def test_register_view_for_closed_event_shows_an_error(client, user, small_event):
    client.force_login(user)
    page = client.get(small_event.get_absolute_url())  # opened before it was postponed
    Event.objects.filter(pk=small_event.pk).update(status=Event.Status.POSTPONED)
    register = reverse("events:register", kwargs={"slug": small_event.slug})
    response = submit_form(client, page, register, follow=True)
    assert "Registration for this event is closed." in response.content.decode()
    assert Registration.objects.count() == 0


def test_panel_shows_waitlist_position_and_places_left(client, small_event):
    for _ in range(2):
        register_attendee(event=small_event, user=UserFactory())
    waiting = UserFactory()
    register_attendee(event=small_event, user=UserFactory())
    register_attendee(event=small_event, user=waiting)
    client.force_login(waiting)
    html = client.get(small_event.get_absolute_url()).content.decode()
    assert "You are number 2 on the waitlist." in html
    assert "All places are taken" in html
    assert "Leave the waitlist" in html


def test_cancel_view_cancels_and_returns_to_my_events(client, user, small_event):
    register_attendee(event=small_event, user=user)
    client.force_login(user)
    my_events = client.get(reverse("events:my_events"))
    confirm = client.get(
        reverse("events:cancel_registration", kwargs={"slug": small_event.slug}) + "?next=my_events"
    )
    assert confirm.request["PATH_INFO"] + "?next=my_events" in my_events.content.decode()
    response = submit_form(client, confirm, "#confirm-form")
    assert response["Location"] == reverse("events:my_events")
    assert states(small_event) == [(user.username, "cancelled")]


def test_my_events_lists_upcoming_and_past_registrations_of_mine_only(client, user):
    upcoming = EventFactory(title="Coming soon")
    start = timezone.now() - timedelta(days=10)
    past = EventFactory(title="Long ago", starts_at=start, ends_at=start + timedelta(hours=2))
    theirs = EventFactory(title="Not mine")
    Registration.objects.create(event=upcoming, user=user, state="confirmed")
    Registration.objects.create(event=past, user=user, state="confirmed")
    Registration.objects.create(event=theirs, user=UserFactory(), state="confirmed")
    client.force_login(user)

    coming_up = client.get(reverse("events:my_events"))
    past_tab = client.get(reverse("events:my_events"), {"show": "past"})

    assert [r.event for r in coming_up.context["page_obj"]] == [upcoming]
    assert [r.event for r in past_tab.context["page_obj"]] == [past]
    assert "Coming up (1)" in coming_up.content.decode()
    assert "Past (1)" in coming_up.content.decode()
    assert "Not mine" not in coming_up.content.decode() + past_tab.content.decode()


def test_my_events_after_giving_up_the_only_place_says_so_and_offers_events(client, user):
    event = EventFactory()
    register_attendee(event=event, user=user)
    cancel_registration(event=event, user=user)
    client.force_login(user)

    page = client.get(reverse("events:my_events")).content.decode()

    assert "You have no events coming up." in page
    assert f'href="{reverse("events:list")}"' in page
    assert "None." not in page


def test_my_events_pages_keep_their_tab(client, user):
    start = timezone.now() - timedelta(days=400)
    for day in range(25):
        event = EventFactory(
            starts_at=start + timedelta(days=day), ends_at=start + timedelta(days=day, hours=2)
        )
        Registration.objects.create(event=event, user=user, state="confirmed")
    client.force_login(user)

    page = client.get(reverse("events:my_events"), {"show": "past"}).content.decode()

    assert 'href="?show=past&amp;page=2"' in page


def test_my_events_requires_sign_in(client):
    response = client.get(reverse("events:my_events"))
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("count", [1, 5, 25])
def test_my_events_query_budget(client, user, count, django_assert_max_num_queries):
    for _ in range(count):
        Registration.objects.create(event=EventFactory(), user=user, state="confirmed")
    client.force_login(user)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("events:my_events"))
    assert len(response.context["page_obj"].object_list) == min(count, 20)


# --- attendee list -------------------------------------------------------------------------


def test_attendee_list_and_csv_for_the_organiser(client, organiser, organised_event):
    organised_event.capacity = 1
    organised_event.save()
    first = UserFactory(display_name='=HYPERLINK("http://evil")')
    second = UserFactory(display_name="Bethan")
    register_attendee(event=organised_event, user=first)
    register_attendee(event=organised_event, user=second)
    client.force_login(organiser)
    page = client.get(reverse("events:attendees", kwargs={"slug": organised_event.slug}))
    assert [r.user for r in page.context["page_obj"]] == [first, second]
    response = client.get(reverse("events:attendees_csv", kwargs={"slug": organised_event.slug}))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="{organised_event.slug}-attendees.csv"'
    )
    rows = response.content.decode().splitlines()
    assert rows[0] == "Name,Email,State,Attending,Waitlist position,Access needs,Registered at"
    assert rows[1].startswith(
        f'"\'=HYPERLINK(""http://evil"")",{first.email},Confirmed,In the room,,,'
    )
    assert rows[2].startswith(f"Bethan,{second.email},On the waitlist,In the room,1,,")


@pytest.mark.parametrize("name", ["attendees", "attendees_csv"])
def test_attendee_list_is_403_for_others_and_sign_in_for_anonymous(
    client, user, organised_event, name
):
    url = reverse(f"events:{name}", kwargs={"slug": organised_event.slug})
    assert client.get(url)["Location"].startswith(reverse("account_login"))
    client.force_login(user)
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("name", ["attendees", "attendees_csv"])
def test_attendee_list_of_a_draft_is_404_for_who_may_not_see_it(client, user, name):
    draft = EventFactory(status=Event.Status.DRAFT)
    client.force_login(user)
    assert client.get(reverse(f"events:{name}", kwargs={"slug": draft.slug})).status_code == 404


@pytest.mark.parametrize("count", [1, 10, 60])
def test_attendee_list_query_budget(
    client, organiser, organised_event, count, django_assert_max_num_queries
):
    Registration.objects.bulk_create(
        Registration(event=organised_event, user=UserFactory(), state="confirmed")
        for _ in range(count)
    )
    client.force_login(organiser)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("events:attendees", kwargs={"slug": organised_event.slug}))
    assert len(response.context["page_obj"].object_list) == min(count, 50)


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "ok"])
def test_csv_safe_defuses_formulas(value):
    from events.views.registration import csv_safe

    assert csv_safe(value) == (value if value == "ok" else "'" + value)


# --- calendar settings page ----------------------------------------------------------------


def test_calendar_settings_create_regenerate_with_confirmation_and_revoke(client, user):
    from events.models import CalendarToken

    client.force_login(user)
    url = reverse("events:calendar_settings")
    submit_form(client, client.get(url), "#calendar-create")
    first = CalendarToken.objects.get(user=user).token
    page = client.get(url)
    assert f"/calendar/{first}.ics" in page.content.decode()
    assert "webcal://" in page.content.decode()
    # Regenerating a live address needs the confirmation box.
    response = submit_form(client, page, "#calendar-regenerate")
    assert response.status_code == 200
    assert CalendarToken.objects.get(user=user).token == first
    submit_form(client, response, "#calendar-regenerate", data={"confirm": "on"})
    second = CalendarToken.objects.get(user=user).token
    assert second != first
    assert client.get(reverse("events:personal_feed", kwargs={"token": first})).status_code == 404
    assert client.get(reverse("events:personal_feed", kwargs={"token": second})).status_code == 200
    submit_form(client, client.get(url), "#calendar-revoke", data={"confirm": "on"})
    assert client.get(reverse("events:personal_feed", kwargs={"token": second})).status_code == 404
    assert second not in client.get(url).content.decode()


def test_cancel_event_tells_every_registered_attendee(
    organiser, organised_event, django_capture_on_commit_callbacks
):
    from events.services import cancel_event

    attendees = [UserFactory() for _ in range(3)]
    for attendee in attendees:
        register_attendee(event=organised_event, user=attendee)
    with django_capture_on_commit_callbacks(execute=True):
        cancel_event(event=organised_event, user=organiser, reason_en="The venue flooded.")
    assert sorted(m.to[0] for m in mail.outbox) == sorted(a.email for a in attendees)
    assert {m.subject for m in mail.outbox} == {f"Cancelled: {organised_event.title}"}


def test_admin_lists_registrations_and_its_cancel_action_promotes(client, small_event):
    users = [UserFactory() for _ in range(3)]
    for u in users:
        register_attendee(event=small_event, user=u)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    changelist = client.get(reverse("admin:events_registration_changelist"))
    assert changelist.status_code == 200
    first = Registration.objects.get(user=users[0])
    submit_form(
        client,
        changelist,
        "#changelist-form",
        data={"action": "cancel_registrations", "_selected_action": [first.pk]},
        button="index",
    )
    assert [s for _u, s in states(small_event)] == ["cancelled", "confirmed", "confirmed"]


def test_feeds_are_never_gzipped_by_middleware(settings):
    assert "django.middleware.gzip.GZipMiddleware" not in settings.MIDDLEWARE


def test_raising_capacity_in_the_edit_form_promotes_the_waitlist_in_order(
    client, organiser, organised_event
):
    from tests.events.test_organiser_views import edit_event

    organised_event.capacity = 1
    organised_event.save()
    users = [UserFactory() for _ in range(4)]
    for u in users:
        register_attendee(event=organised_event, user=u)
    response = edit_event(client, organiser, organised_event, capacity="3")
    assert response.status_code == 302
    assert [s for _u, s in states(organised_event)] == [
        "confirmed",
        "confirmed",
        "confirmed",
        "waitlisted",
    ]


def test_giving_up_a_place_asks_first_and_changes_nothing_until_confirmed(
    client, user, small_event
):
    register_attendee(event=small_event, user=user)
    client.force_login(user)
    url = reverse("events:cancel_registration", args=[small_event.slug])

    page = client.get(url)

    assert "Yes, give up my place" in page.content.decode()
    assert list(small_event.registrations.values_list("state", flat=True)) == ["confirmed"]
    response = submit_form(client, page, "#confirm-form")
    assert response.url == small_event.get_absolute_url()
    assert list(small_event.registrations.values_list("state", flat=True)) == ["cancelled"]


def test_cancel_page_without_a_registration_explains_and_returns_to_the_event(
    client, user, small_event
):
    client.force_login(user)

    response = client.get(reverse("events:cancel_registration", args=[small_event.slug]))

    assert response.url == small_event.get_absolute_url()
    assert [str(m) for m in response.wsgi_request._messages] == [
        "You have no place or waitlist place at this event."
    ]


# --- after registering: the header and the receipt for giving a place up ------------------------


def test_header_says_youre_going_with_add_to_calendar_once_registered(
    client, user, django_capture_on_commit_callbacks
):
    event = EventFactory()
    client.force_login(user)
    before = client.get(event.get_absolute_url()).content.decode()
    with django_capture_on_commit_callbacks(execute=True):  # committed, as a request would
        register_attendee(event=event, user=user)

    after = client.get(event.get_absolute_url()).content.decode()

    ics = reverse("events:event_ics", kwargs={"slug": event.slug})
    assert "You’re going" not in before
    assert "Go to registration" in before
    assert "You’re going" in after
    assert f'href="{ics}" download>Add to calendar</a>' in after
    assert "Go to registration" not in after


def test_header_gives_a_waitlisted_persons_position(client, small_event):
    first, second, third = UserFactory(), UserFactory(), UserFactory()
    for person in (first, second, third):
        register_attendee(event=small_event, user=person)
    client.force_login(third)

    page = client.get(small_event.get_absolute_url()).content.decode()

    assert "You’re number 1 on the waitlist" in page


@pytest.mark.parametrize(
    ("capacity", "subject"),
    [
        (5, "Your place at Policy Cafe is cancelled"),
        (1, "You have left the waitlist for Policy Cafe"),
    ],
)
def test_giving_up_a_place_or_leaving_the_waitlist_sends_a_receipt(
    client, user, capacity, subject, django_capture_on_commit_callbacks
):
    event = EventFactory(title="Policy Cafe", capacity=capacity)
    if capacity == 1:
        register_attendee(event=event, user=UserFactory())
    register_attendee(event=event, user=user)
    client.force_login(user)
    mail.outbox.clear()

    page = client.get(reverse("events:cancel_registration", kwargs={"slug": event.slug}))
    with django_capture_on_commit_callbacks(execute=True):
        submit_form(
            client, page, reverse("events:cancel_registration", kwargs={"slug": event.slug})
        )

    assert [(m.to, m.subject) for m in mail.outbox] == [([user.email], subject)]
    assert event.get_absolute_url() in mail.outbox[0].body
