"""events/notices.py and the services that tell attendees: change notices, reminders, messages."""

import io
from datetime import timedelta

import pytest
from django.core import mail, signing
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from icalendar import Calendar

from events import notices, services
from events.models import AttendeeMessage, Event, Registration
from events.services import register_attendee
from events.tasks import send_event_reminders
from tests.core.test_mail import run_worker_once
from tests.factories import EventFactory, EventRoleFactory, PersonFactory, UserFactory, VenueFactory
from tests.forms import submit_form

pytestmark = pytest.mark.django_db

LINK = "https://meet.example.org/room-42"


@pytest.fixture
def busy_event(organiser):
    """A hybrid event at 18:00 London time with one place: Ann has it, Ben waits, Cy cancelled."""
    start = (timezone.now() + timedelta(days=30)).astimezone(notices.LONDON)
    start = start.replace(hour=18, minute=0, second=0, microsecond=0)
    event = EventFactory(
        title="Policy Cafe",
        mode=Event.Mode.HYBRID,
        online_url=LINK,
        capacity=1,
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        venue=VenueFactory(name="Temple of Peace", address="King Edward VII Avenue\nCardiff"),
    )
    EventRoleFactory(event=event, person=PersonFactory(user=organiser), role="organiser")
    ann, ben, cy = (
        UserFactory(display_name=n, email=f"{n.lower()}@example.org") for n in ["Ann", "Ben", "Cy"]
    )
    register_attendee(event=event, user=cy)
    services.cancel_registration(event=event, user=cy)
    register_attendee(event=event, user=ann)
    register_attendee(event=event, user=ben)
    mail.outbox.clear()
    return Event.objects.get(pk=event.pk)


def attached_event(message):
    [(filename, content, mimetype)] = message.attachments
    assert mimetype == "text/calendar"
    [component] = Calendar.from_ical(content).events
    return component


def outbox_by_recipient():
    return {message.to[0]: message for message in mail.outbox}


# --- what changed ----------------------------------------------------------------------------


def test_changes_between_words_time_mode_place_and_link_in_london_time(busy_event):
    before = notices.event_details(busy_event)
    busy_event.starts_at += timedelta(days=1, hours=1)
    busy_event.ends_at += timedelta(days=1, hours=1)
    busy_event.mode = Event.Mode.ONLINE
    busy_event.online_url = "https://meet.example.org/new"
    after = notices.event_details(busy_event)
    old_day = busy_event.local_starts_at - timedelta(days=1, hours=1)
    new_day = busy_event.local_starts_at
    assert [(c.label, c.old, c.new, c.private) for c in notices.changes_between(before, after)] == [
        (
            "When",
            f"{old_day:%A} {old_day.day} {old_day:%B %Y}, 18:00–20:00",
            f"{new_day:%A} {new_day.day} {new_day:%B %Y}, 19:00–21:00",
            False,
        ),
        ("Attendance", "Hybrid", "Online", False),
        ("Where", "Temple of Peace, King Edward VII Avenue, Cardiff, CF10 3AT", "no venue", False),
        ("Online link", LINK, "https://meet.example.org/new", True),
    ]


def test_nothing_changed_means_no_changes(busy_event):
    details = notices.event_details(busy_event)
    assert notices.changes_between(details, dict(details)) == []


# --- postponing and the new date -------------------------------------------------------------


def test_postponing_tells_confirmed_and_waitlisted_but_not_cancelled(
    busy_event, organiser, django_capture_on_commit_callbacks
):
    sequence = busy_event.sequence
    with django_capture_on_commit_callbacks(execute=True):
        services.postpone_event(event=busy_event, user=organiser)
    sent = outbox_by_recipient()
    assert sorted(sent) == ["ann@example.org", "ben@example.org"]
    ann, ben = sent["ann@example.org"], sent["ben@example.org"]
    assert ann.subject == "Postponed: Policy Cafe"
    assert "has been postponed." in ann.body
    assert "Your place is kept." in ann.body
    assert "Your place on the waitlist is kept." in ben.body
    for message in (ann, ben):
        component = attached_event(message)
        assert component["SEQUENCE"] > sequence
        assert str(component["STATUS"]) == "TENTATIVE"


def test_publishing_a_postponed_event_again_announces_the_new_date_old_to_new(
    busy_event, organiser, django_capture_on_commit_callbacks
):
    services.postpone_event(event=busy_event, user=organiser)
    old_when = notices._when(notices.event_details(busy_event))
    Event.objects.filter(pk=busy_event.pk).update(
        starts_at=busy_event.starts_at + timedelta(days=7),
        ends_at=busy_event.ends_at + timedelta(days=7),
    )
    postponed = Event.objects.get(pk=busy_event.pk)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.publish_event(event=postponed, user=organiser)
    sent = outbox_by_recipient()
    assert sorted(sent) == ["ann@example.org", "ben@example.org"]
    new_when = notices._when(notices.event_details(Event.objects.get(pk=busy_event.pk)))
    ann = sent["ann@example.org"]
    assert ann.subject == "New date: Policy Cafe"
    assert f"When: {old_when} -> {new_when}" in ann.body
    component = attached_event(ann)
    assert str(component["STATUS"]) == "CONFIRMED"
    assert component["SEQUENCE"] > postponed.sequence
    assert component.decoded("DTSTART") == postponed.starts_at


def test_waitlisted_people_do_not_get_the_private_link_in_a_notice(
    busy_event, organiser, django_capture_on_commit_callbacks
):
    before = Event.objects.get(pk=busy_event.pk)
    busy_event.online_url = "https://meet.example.org/new-room"
    busy_event.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.tell_attendees_of_changes(event=busy_event, before=before)
    sent = outbox_by_recipient()
    ann, ben = sent["ann@example.org"], sent["ben@example.org"]
    assert f"Online link: {LINK} -> https://meet.example.org/new-room" in ann.body
    assert str(attached_event(ann)["CONFERENCE"]) == "https://meet.example.org/new-room"
    assert "meet.example.org" not in ben.body
    assert "Online link: changed (people with a confirmed place get the link)" in ben.body
    assert "CONFERENCE" not in attached_event(ben)


def test_a_draft_or_past_event_tells_nobody(organiser, django_capture_on_commit_callbacks):
    event = EventFactory(starts_at=timezone.now() - timedelta(days=2))
    event.ends_at = event.starts_at + timedelta(hours=2)
    event.save()
    Registration.objects.create(event=event, user=UserFactory(), state="confirmed")
    before = Event.objects.get(pk=event.pk)
    event.venue = VenueFactory()
    event.save()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.tell_attendees_of_changes(event=event, before=before) == 0
    assert mail.outbox == []


# --- reminders -------------------------------------------------------------------------------


@pytest.fixture
def tomorrow_event():
    """Starts in 20 hours; Ann and Ben registered a week ago, Dee waits for a place."""
    start = timezone.now() + timedelta(hours=20)
    event = EventFactory(
        title="Round-table",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        capacity=2,
        mode=Event.Mode.HYBRID,
        online_url=LINK,
    )
    week_ago = timezone.now() - timedelta(days=7)
    for name, state in (("ann", "confirmed"), ("ben", "confirmed"), ("dee", "waitlisted")):
        Registration.objects.create(
            event=event,
            user=UserFactory(email=f"{name}@example.org"),
            state=state,
            created_at=week_ago,
        )
    return event


def send_reminders_command() -> str:
    out = io.StringIO()
    call_command("send_reminders", stdout=out)
    return out.getvalue().strip()


def test_reminders_go_once_to_confirmed_places_even_when_the_command_runs_twice(
    tomorrow_event, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert send_reminders_command() == "Sent 2 reminder(s)."
    with django_capture_on_commit_callbacks(execute=True):
        assert send_reminders_command() == "Sent 0 reminder(s)."
    assert sorted(m.to[0] for m in mail.outbox) == ["ann@example.org", "ben@example.org"]
    message = mail.outbox[0]
    assert message.subject == "Tomorrow: Round-table"
    assert f"Online: {LINK}" in message.body
    assert str(attached_event(message)["CONFERENCE"]) == LINK
    # Optional mail: a way out in the footer and for mail clients (RFC 8058).
    opt_out = message.extra_headers["List-Unsubscribe"].strip("<>")
    assert f"To stop these reminders: {opt_out}" in message.body
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    sent_marks = {
        r.user.email: r.reminder_sent_at is not None
        for r in Registration.objects.filter(event=tomorrow_event).select_related("user")
    }
    assert sent_marks == {
        "ann@example.org": True,
        "ben@example.org": True,
        "dee@example.org": False,
    }


def test_no_reminder_too_early_when_switched_off_or_for_late_registrations(
    tomorrow_event, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_due_reminders(now=timezone.now() - timedelta(hours=5)) == 0
    Registration.objects.create(event=tomorrow_event, user=UserFactory(), state="waitlisted")
    late = Registration.objects.filter(event=tomorrow_event, user__email="ben@example.org")
    late.update(created_at=timezone.now() - timedelta(hours=1))
    Event.objects.filter(pk=tomorrow_event.pk).update(send_reminder=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_due_reminders() == 0
    Event.objects.filter(pk=tomorrow_event.pk).update(send_reminder=True)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_due_reminders() == 1
    assert [m.to for m in mail.outbox] == [["ann@example.org"]]


def test_moving_the_event_re_arms_its_reminders(tomorrow_event, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_due_reminders() == 2
    before = Event.objects.get(pk=tomorrow_event.pk)
    tomorrow_event.starts_at += timedelta(hours=2)
    tomorrow_event.ends_at += timedelta(hours=2)
    tomorrow_event.save()
    services.tell_attendees_of_changes(event=tomorrow_event, before=before)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_due_reminders() == 2


def test_opting_out_from_the_footer_stops_reminders_but_not_notices(
    client, tomorrow_event, django_capture_on_commit_callbacks
):
    ann = Registration.objects.get(event=tomorrow_event, user__email="ann@example.org").user
    url = reverse("events:email_opt_out", kwargs={"token": notices.opt_out_token(ann)})
    page = client.get(url)
    assert "Stop reminders" in page.content.decode()
    ann.refresh_from_db()
    assert ann.email_reminders  # a GET (a link scanner) changes nothing
    # A mail client's one-click POST (RFC 8058) needs no CSRF token.
    response = client.post(url, {"List-Unsubscribe": "One-Click"})
    assert "Done: you will get no more reminders." in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_due_reminders() == 1
    assert [m.to for m in mail.outbox] == [["ben@example.org"]]
    ann.refresh_from_db()
    assert not ann.email_reminders  # the same choice as on the account page
    submit_form(client, response, "#email-opt-out-form", button="action=resume")
    ann.refresh_from_db()
    assert ann.email_reminders


def test_a_forged_opt_out_token_is_404(client):
    url = reverse("events:email_opt_out", kwargs={"token": "not-a-token"})
    assert client.get(url).status_code == 404
    unknown_kind = signing.dumps({"u": 1, "k": "everything"}, salt=notices.EMAIL_OPT_OUT_SALT)
    assert client.get(reverse("events:email_opt_out", args=[unknown_kind])).status_code == 404


def test_publishing_schedules_the_reminder_task_for_a_day_before(
    settings, organiser, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    event = EventFactory(status=Event.Status.DRAFT)
    EventRoleFactory(event=event, person=PersonFactory(user=organiser), role="organiser")
    with django_capture_on_commit_callbacks(execute=True):
        services.publish_event(event=event, user=organiser)
    [result] = send_event_reminders.get_backend().results
    assert result.task.func is send_event_reminders.func
    assert result.task.run_after == event.starts_at - notices.REMINDER_LEAD
    assert result.kwargs == {"event_id": event.pk}


def test_an_event_without_reminders_schedules_none(
    settings, organiser, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    event = EventFactory(status=Event.Status.DRAFT, send_reminder=False)
    EventRoleFactory(event=event, person=PersonFactory(user=organiser), role="organiser")
    with django_capture_on_commit_callbacks(execute=True):
        services.publish_event(event=event, user=organiser)
    assert send_event_reminders.get_backend().results == []


@pytest.mark.django_db(transaction=True)
def test_the_database_worker_sends_a_due_reminder_once_and_the_command_finds_nothing_left(
    settings, tomorrow_event
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    organiser = UserFactory(groups=["Organisers"])
    Event.objects.filter(pk=tomorrow_event.pk).update(created_by=organiser)
    services.postpone_event(event=tomorrow_event, user=organiser)
    services.publish_event(event=Event.objects.get(pk=tomorrow_event.pk), user=organiser)
    assert DBTaskResult.objects.filter(task_path="events.tasks.send_event_reminders").count() == 1
    run_worker_once()
    reminders = [m for m in mail.outbox if m.subject.startswith("Tomorrow:")]
    assert sorted(m.to[0] for m in reminders) == ["ann@example.org", "ben@example.org"]
    assert send_reminders_command() == "Sent 0 reminder(s)."


# --- organisers' messages --------------------------------------------------------------------


def test_email_attendees_reaches_the_chosen_group_with_reply_to_the_sender_and_is_logged(
    busy_event, organiser, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        message = services.email_attendees(
            event=busy_event,
            sender=organiser,
            subject="Bring a mug",
            body="We are going paper-cup free.",
            audience=AttendeeMessage.Audience.BOTH,
        )
    assert sorted(m.to[0] for m in mail.outbox) == ["ann@example.org", "ben@example.org"]
    sent = mail.outbox[0]
    assert sent.subject == "[Policy Cafe] Bring a mug"
    assert sent.extra_headers["Reply-To"] == organiser.email
    assert sent.message()["Reply-To"] == organiser.email
    assert "We are going paper-cup free." in sent.body
    assert "unsubscribe" not in sent.body.lower()
    assert list(busy_event.attendee_messages.values_list("subject", "recipient_count")) == [
        ("Bring a mug", 2)
    ]
    assert message.sender == organiser


def test_email_attendees_to_an_empty_group_is_refused(busy_event, organiser):
    Registration.objects.filter(state="waitlisted").update(state="cancelled")
    with pytest.raises(services.NobodyToEmail):
        services.email_attendees(
            event=busy_event,
            sender=organiser,
            subject="S",
            body="B",
            audience=AttendeeMessage.Audience.WAITLISTED,
        )
    assert not AttendeeMessage.objects.exists()


def test_only_editors_may_email_attendees(busy_event):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.email_attendees(
            event=busy_event, sender=UserFactory(), subject="S", body="B", audience="both"
        )


def test_the_one_click_stop_also_answers_without_a_language_prefix(client, tomorrow_event):
    ann = Registration.objects.get(event=tomorrow_event, user__email="ann@example.org").user
    token = notices.opt_out_token(ann)
    prefixed = reverse("events:email_opt_out", kwargs={"token": token})
    assert prefixed.startswith("/en/")
    # The unprefixed address is deliberately unnamed (mail clients follow no redirect).
    response = client.post(prefixed.removeprefix("/en"), {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    ann.refresh_from_db()
    assert not ann.email_reminders


def test_a_reminder_link_mailed_before_kinds_existed_still_stops_reminders(client, tomorrow_event):
    ann = Registration.objects.get(event=tomorrow_event, user__email="ann@example.org").user
    old_token = signing.dumps({"u": ann.pk}, salt=notices.EMAIL_OPT_OUT_SALT)
    response = client.post(f"/me/reminders/{old_token}/", {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    ann.refresh_from_db()
    assert not ann.email_reminders
    assert ann.email_change_notices


def test_reminders_follow_the_account_choice(tomorrow_event, django_capture_on_commit_callbacks):
    ann = Registration.objects.get(event=tomorrow_event, user__email="ann@example.org").user
    ann.email_reminders = False
    ann.save()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_due_reminders() == 1
    assert [m.to for m in mail.outbox] == [["ben@example.org"]]


# --- the account's choice of change notices ----------------------------------------------------


def test_change_notices_skip_members_who_turned_them_off_but_a_cancellation_reaches_them(
    busy_event, organiser, django_capture_on_commit_callbacks
):
    User = type(organiser)
    User.objects.filter(email="ben@example.org").update(email_change_notices=False)
    with django_capture_on_commit_callbacks(execute=True):
        services.postpone_event(event=busy_event, user=organiser)
    assert sorted(outbox_by_recipient()) == ["ann@example.org"]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_event(event=busy_event, user=organiser, reason_en="The room flooded.")
    assert sorted(outbox_by_recipient()) == ["ann@example.org", "ben@example.org"]


def test_a_change_notice_offers_a_one_click_stop_that_a_scanner_cannot_trigger(
    client, busy_event, organiser, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.postpone_event(event=busy_event, user=organiser)
    notice = outbox_by_recipient()["ann@example.org"]
    stop_url = notice.extra_headers["List-Unsubscribe"].strip("<>")
    assert notice.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert f"To stop emails about changes and messages from organisers: {stop_url}" in notice.body
    path = stop_url.removeprefix("http://testserver")
    page = client.get(path)
    assert "Stop these emails" in page.content.decode()
    ann = busy_event.registrations.get(user__email="ann@example.org").user
    ann.refresh_from_db()
    assert ann.email_change_notices
    done = submit_form(client, page, "#email-opt-out-form")
    assert "Done: you will get no more emails about changes" in done.content.decode()
    assert done["Cache-Control"] == "private, no-store"
    ann.refresh_from_db()
    assert not ann.email_change_notices
    assert ann.email_reminders


def test_organisers_see_who_declined_their_messages_and_those_people_get_none(
    client, busy_event, organiser, django_capture_on_commit_callbacks
):
    User = type(organiser)
    User.objects.filter(email="ben@example.org").update(email_change_notices=False)
    client.force_login(organiser)
    page = client.get(reverse("events:email_attendees", args=[busy_event.slug]))
    text = page.content.decode()
    assert "1 person registered has chosen not to get messages from organisers." in text
    assert "Both (1)" in text
    preview = submit_form(
        client,
        page,
        "#email-attendees-form",
        data={"audience": "both", "subject": "Bring a mug", "body": "Paper-cup free."},
    )
    with django_capture_on_commit_callbacks(execute=True):
        submit_form(client, preview, "#send-message-form", button="action=send")
    assert [m.to for m in mail.outbox] == [["ann@example.org"]]
    assert "To stop emails about changes" in mail.outbox[0].body
