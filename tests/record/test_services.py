import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.utils import timezone

from record import services
from record.models import (
    Ballot,
    Contribution,
    Dot,
    EventRecord,
    Follow,
    Outcome,
    OutcomeUpdate,
    Priority,
    PulseResponse,
)
from tests.factories import (
    EventFactory,
    EventRoleFactory,
    PersonFactory,
    SeriesFactory,
    ThemeFactory,
    UserFactory,
)


def submit(event, user, text="Relationship-centred outcomes"):
    return services.submit_priority(event=event, author=user, text=text, kind="priority")


def my_dots(event, user) -> dict[str, int]:
    return {
        dot.priority.text: dot.count
        for dot in Dot.objects.filter(ballot__event=event, ballot__user=user).select_related(
            "priority"
        )
    }


# --- who may submit and vote ----------------------------------------------------------------


def test_signed_in_people_submit_until_the_event_starts(organised_event, user):
    item = submit(organised_event, user)
    assert list(Priority.objects.filter(event=organised_event)) == [item]


@pytest.mark.parametrize(
    "change",
    [
        {"status": "draft"},
        {"status": "cancelled"},
        {"starts_at": timezone.now() - timedelta(minutes=1)},
    ],
    ids=["draft", "cancelled", "started"],
)
def test_nobody_submits_or_votes_outside_the_window(user, change):
    event = EventFactory()
    item = submit(event, user)
    for name, value in change.items():
        setattr(event, name, value)
    if "starts_at" in change:
        event.ends_at = event.starts_at + timedelta(hours=2)
    event.save()
    item.refresh_from_db()
    with pytest.raises(PermissionDenied):
        submit(event, user)
    with pytest.raises(PermissionDenied):
        services.add_dot(priority=item, user=user)


def test_anonymous_and_inactive_people_cannot_submit(organised_event):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDenied):
        submit(organised_event, AnonymousUser())
    with pytest.raises(PermissionDenied):
        submit(organised_event, UserFactory(is_active=False))


# --- dots -------------------------------------------------------------------------------------


def test_three_dots_by_default_more_than_one_on_an_item(organised_event, user):
    a, b = submit(organised_event, user, "A"), submit(organised_event, user, "B")
    services.add_dot(priority=a, user=user)
    services.add_dot(priority=a, user=user)
    services.add_dot(priority=b, user=user)
    with pytest.raises(services.Refused):
        services.add_dot(priority=b, user=user)
    assert my_dots(organised_event, user) == {"A": 2, "B": 1}
    assert list(Priority.objects.by_dots().values_list("text", "dot_count")) == [
        ("A", 2),
        ("B", 1),
    ]


def test_organisers_change_the_allowance(organised_event, organiser, user):
    item = submit(organised_event, user)
    services.set_dot_allowance(event=organised_event, user=organiser, dots=5)
    for _ in range(5):
        services.add_dot(priority=item, user=user)
    with pytest.raises(services.Refused):
        services.add_dot(priority=item, user=user)
    item.refresh_from_db()
    assert item.dot_count == 5


def test_others_cannot_change_the_allowance(organised_event, user):
    with pytest.raises(PermissionDenied):
        services.set_dot_allowance(event=organised_event, user=user, dots=10)
    assert not EventRecord.objects.filter(event=organised_event, dots_per_person=10).exists()


def test_taking_back_and_moving_dots(organised_event, user):
    a, b = submit(organised_event, user, "A"), submit(organised_event, user, "B")
    for _ in range(3):
        services.add_dot(priority=a, user=user)
    services.move_dot(source=a, target=b, user=user)
    services.remove_dot(priority=a, user=user)
    assert my_dots(organised_event, user) == {"A": 1, "B": 1}
    services.add_dot(priority=b, user=user)
    assert my_dots(organised_event, user) == {"A": 1, "B": 2}
    assert Ballot.objects.get(event=organised_event, user=user).dots_used == 3
    with pytest.raises(services.Refused):
        services.add_dot(priority=a, user=user)


def test_moving_or_removing_a_dot_one_does_not_have_is_refused(organised_event, user):
    a, b = submit(organised_event, user, "A"), submit(organised_event, user, "B")
    with pytest.raises(services.Refused):
        services.remove_dot(priority=a, user=user)
    with pytest.raises(services.Refused):
        services.move_dot(source=a, target=b, user=user)
    assert my_dots(organised_event, user) == {}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_dots_from_one_person_never_exceed_three():
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    event = EventFactory()
    user = UserFactory()
    items = [submit(event, user, f"Item {i}") for i in range(4)]
    barrier = threading.Barrier(20)
    refused, errors = [], []

    def attempt(index):
        from django.db import connection as thread_connection

        try:
            barrier.wait(timeout=30)
            services.add_dot(priority=items[index % 4], user=user)
        except services.Refused:
            refused.append(index)
        except Exception as error:  # reported below; a thread must not die silently
            errors.append(error)
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert len(refused) == 17
    assert sum(Dot.objects.filter(ballot__user=user).values_list("count", flat=True)) == 3
    assert Ballot.objects.get(event=event, user=user).dots_used == 3
    assert sum(Priority.objects.filter(event=event).values_list("dot_count", flat=True)) == 3


# --- organisers: hide, merge, promote ---------------------------------------------------------


def test_organisers_hide_with_a_reason_and_others_cannot(organised_event, organiser, user):
    item = submit(organised_event, user)
    services.add_dot(priority=item, user=user)
    services.add_dot(priority=item, user=user)
    with pytest.raises(PermissionDenied):
        services.hide_priority(priority=item, user=UserFactory(), reason="no")
    with pytest.raises(services.Refused):
        services.hide_priority(priority=item, user=organiser, reason=" ")
    services.hide_priority(priority=item, user=organiser, reason="Off topic for tonight")
    item.refresh_from_db()
    assert (item.is_shown, item.hidden_reason) == (False, "Off topic for tonight")
    assert list(Priority.objects.shown()) == []
    assert Ballot.objects.get(user=user).dots_used == 0  # the dots went back
    assert my_dots(organised_event, user) == {}
    with pytest.raises(services.Refused):
        services.add_dot(priority=item, user=user)


def test_merging_moves_the_dots_and_keeps_each_persons_total(organised_event, organiser):
    alice, bob = UserFactory(), UserFactory()
    keep, dup = submit(organised_event, alice, "Keep"), submit(organised_event, bob, "Dup")
    services.add_dot(priority=keep, user=alice)
    services.add_dot(priority=dup, user=alice)
    services.add_dot(priority=dup, user=bob)
    services.add_dot(priority=dup, user=bob)
    with pytest.raises(PermissionDenied):
        services.merge_priorities(duplicate=dup, into=keep, user=alice)
    merged = services.merge_priorities(duplicate=dup, into=keep, user=organiser)
    assert merged.dot_count == 4
    assert my_dots(organised_event, alice) == {"Keep": 2}
    assert my_dots(organised_event, bob) == {"Keep": 2}
    dup.refresh_from_db()
    assert (dup.merged_into, dup.dot_count) == (keep, 0)
    assert list(Priority.objects.shown()) == [keep]


def test_promoting_puts_an_item_on_the_agenda(organised_event, organiser, user):
    item = submit(organised_event, user)
    speaker = PersonFactory()
    with pytest.raises(PermissionDenied):
        services.save_agenda_item(
            event=organised_event, user=user, title="x", starts_at=timezone.now().time()
        )
    agenda_item = services.save_agenda_item(
        event=organised_event,
        user=organiser,
        title=item.text,
        starts_at=timezone.now().time().replace(hour=18, minute=30, second=0, microsecond=0),
        presenters=[speaker],
        priorities=[item],
    )
    assert list(agenda_item.priorities.all()) == [item]
    assert list(agenda_item.presenters.all()) == [speaker]


# --- after: the record, outcomes, notifications -----------------------------------------------


def close_with_outcome(event, organiser, **fields):
    services.save_summary(event=event, user=organiser, summary="We talked about outcomes.")
    outcome = services.save_outcome(
        event=event,
        user=organiser,
        kind=fields.pop("kind", "action"),
        title=fields.pop("title", "Share Talking Points"),
        owner="Welsh Government, Social Services team",
        **fields,
    )
    return outcome


def test_only_organisers_close_and_only_after_the_start(organised_event, past_event, organiser):
    with pytest.raises(PermissionDenied):
        services.save_summary(event=organised_event, user=organiser, summary="Too early")
    with pytest.raises(PermissionDenied):
        services.save_summary(event=past_event, user=UserFactory(), summary="Not mine")
    with pytest.raises(services.Refused):
        services.publish_record(event=past_event, user=organiser)  # no summary yet
    close_with_outcome(past_event, organiser)
    record = services.publish_record(event=past_event, user=organiser)
    assert record.is_published


def test_status_changes_are_dated_history(past_event, organiser):
    outcome = close_with_outcome(past_event, organiser)
    services.change_outcome_status(outcome=outcome, user=organiser, status="in_progress")
    with pytest.raises(services.Refused):
        services.change_outcome_status(outcome=outcome, user=organiser, status="not_taken_forward")
    services.change_outcome_status(
        outcome=outcome, user=organiser, status="not_taken_forward", note="No budget this year"
    )
    with pytest.raises(PermissionDenied):
        services.change_outcome_status(outcome=outcome, user=UserFactory(), status="done")
    outcome.refresh_from_db()
    assert (outcome.status, outcome.status_reason) == ("not_taken_forward", "No budget this year")
    assert list(OutcomeUpdate.objects.filter(outcome=outcome).values_list("status", "note")) == [
        ("open", ""),
        ("in_progress", ""),
        ("not_taken_forward", "No budget this year"),
    ]


def test_status_change_emails_attendees_and_followers_once_each(
    past_event, organiser, attend, django_capture_on_commit_callbacks
):
    theme, other_theme = ThemeFactory(), ThemeFactory()
    past_event.series = SeriesFactory()
    past_event.save()
    attendee, silenced, event_fan, series_fan, theme_fan, stranger = (
        UserFactory() for _ in range(6)
    )
    attend(past_event, attendee)
    attend(past_event, silenced)
    attend(past_event, event_fan)
    Follow.objects.create(user=silenced, event=past_event, active=False)
    Follow.objects.create(user=event_fan, event=past_event)
    Follow.objects.create(user=series_fan, series=past_event.series)
    Follow.objects.create(user=theme_fan, theme=theme)
    Follow.objects.create(user=stranger, theme=other_theme)
    outcome = close_with_outcome(past_event, organiser, themes=[theme])
    services.change_outcome_status(outcome=outcome, user=organiser, status="in_progress")
    assert mail.outbox == []  # not published yet: nobody is told
    services.publish_record(event=past_event, user=organiser)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.change_outcome_status(
            outcome=outcome, user=organiser, status="done", note="Shared at the cafe"
        )
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        u.email for u in (attendee, event_fan, series_fan, theme_fan)
    )
    message = next(m for m in mail.outbox if m.to == [attendee.email])
    assert message.subject == "Done: Share Talking Points"
    assert "Shared at the cafe" in message.body
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_one_click_unsubscribe_silences_an_attendee(
    client, past_event, organiser, attend, django_capture_on_commit_callbacks
):
    from django.urls import reverse

    attendee = UserFactory()
    attend(past_event, attendee)
    outcome = close_with_outcome(past_event, organiser)
    with django_capture_on_commit_callbacks(execute=True):
        services.publish_record(event=past_event, user=organiser)
    (message,) = [m for m in mail.outbox if m.to == [attendee.email]]
    url = message.extra_headers["List-Unsubscribe"].strip("<>")
    path = url.removeprefix("http://127.0.0.1:8000")
    assert client.get(path).status_code == 200
    assert client.post(path).status_code == 200  # no CSRF token, as a mail client sends it
    assert Follow.objects.get(user=attendee, event=past_event).active is False
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.change_outcome_status(outcome=outcome, user=organiser, status="done")
    assert [m.to for m in mail.outbox] == []
    bad = reverse("record:unsubscribe", kwargs={"token": "forged"})
    assert client.get(bad).status_code == 404


# --- the reminder ---------------------------------------------------------------------------


def test_one_reminder_three_days_after_an_event_without_a_record(
    organised_event, organiser, django_capture_on_commit_callbacks
):
    start = timezone.now() - timedelta(days=3, hours=3)
    organised_event.starts_at, organised_event.ends_at = start, start + timedelta(hours=2)
    organised_event.save()
    too_recent = EventFactory(
        starts_at=timezone.now() - timedelta(days=2),
        ends_at=timezone.now() - timedelta(days=2) + timedelta(hours=1),
        created_by=organiser,
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_record_reminders() == 1
        assert services.send_record_reminders() == 0
    assert [m.to for m in mail.outbox] == [[organiser.email]]
    assert too_recent.title not in mail.outbox[0].subject


def test_the_reminder_command_is_idempotent(
    organised_event, organiser, django_capture_on_commit_callbacks
):
    from django.core.management import call_command

    start = timezone.now() - timedelta(days=4)
    organised_event.starts_at, organised_event.ends_at = start, start + timedelta(hours=2)
    organised_event.save()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("remind_record_organisers")
        call_command("remind_record_organisers")
    assert len(mail.outbox) == 1


def test_no_reminder_for_an_event_with_a_published_record(past_event, organiser):
    close_with_outcome(past_event, organiser)
    services.publish_record(event=past_event, user=organiser)
    mail.outbox.clear()
    assert services.send_record_reminders(now=timezone.now() + timedelta(days=3)) == 0
    assert mail.outbox == []


# --- consent and voice ----------------------------------------------------------------------


def test_people_named_are_asked_before_publication_and_may_anonymise(
    client, past_event, organiser, django_capture_on_commit_callbacks
):
    quoted = UserFactory()
    person = PersonFactory(user=quoted, name="Becky Booth")
    services.save_summary(event=past_event, user=organiser, summary="Time Credits.")
    note = services.save_contribution(
        event=past_event, user=organiser, person=person, text="Time Credits work.", credit="named"
    )
    assert note.attribution == "Becky Booth"
    with pytest.raises(services.Refused):
        services.publish_record(event=past_event, user=organiser)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.ask_people_named(event=past_event, user=organiser) == 1
    (message,) = mail.outbox
    assert message.to == [quoted.email]
    link = next(line for line in message.body.splitlines() if "/record/credit/" in line)
    response = client.post(link.strip().removeprefix("http://127.0.0.1:8000"))
    assert response.status_code == 200
    note.refresh_from_db()
    assert (note.credit, note.attribution) == (Contribution.Credit.ANONYMISED, "A participant")
    assert services.publish_record(event=past_event, user=organiser).is_published


def test_pulse_is_one_answer_per_attendee(past_event, attend):
    attendee = UserFactory()
    with pytest.raises(PermissionDenied):
        services.answer_pulse(event=past_event, user=attendee, heard=4, change=3)
    attend(past_event, attendee)
    services.answer_pulse(event=past_event, user=attendee, heard=4, change=3)
    services.answer_pulse(event=past_event, user=attendee, heard=5, change=2, comment="Good")
    assert list(PulseResponse.objects.values_list("heard", "change", "comment")) == [(5, 2, "Good")]


def test_publishing_moves_the_calendar_marker(
    past_event, organiser, django_capture_on_commit_callbacks
):
    from events.models import CalendarChange

    close_with_outcome(past_event, organiser)
    before = CalendarChange.objects.filter(pk=1).values_list("version", flat=True).first() or 0
    with django_capture_on_commit_callbacks(execute=True):
        services.publish_record(event=past_event, user=organiser)
    assert CalendarChange.objects.get(pk=1).version > before
    assert Outcome.objects.public().count() == 1


# --- each recipient's language ----------------------------------------------------------------


def test_outcome_updates_go_out_in_each_recipients_language(
    past_event, organiser, attend, django_capture_on_commit_callbacks
):
    welsh, english = UserFactory(preferred_language="cy"), UserFactory(preferred_language="en")
    attend(past_event, welsh)
    attend(past_event, english)
    outcome = close_with_outcome(past_event, organiser)
    with django_capture_on_commit_callbacks(execute=True):
        services.publish_record(event=past_event, user=organiser)
    to_welsh = next(m for m in mail.outbox if m.to == [welsh.email])
    assert to_welsh.subject == f"Mae cofnod {past_event.title} wedi'i gyhoeddi"
    assert f"/cy/events/{past_event.slug}/record/" in to_welsh.body
    assert "/cy/record/unsubscribe/" in to_welsh.extra_headers["List-Unsubscribe"]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.change_outcome_status(outcome=outcome, user=organiser, status="done")
    to_welsh, to_english = (
        next(m for m in mail.outbox if m.to == [u.email]) for u in (welsh, english)
    )
    assert to_welsh.subject == "Wedi'i wneud: Share Talking Points"
    assert f"Mae un o ganlyniadau {past_event.title} wedi symud ymlaen:" in to_welsh.body
    assert to_english.subject == "Done: Share Talking Points"
    assert f"/en/events/{past_event.slug}/record/" in to_english.body


def test_reminders_go_to_each_organiser_in_their_language(
    organised_event, organiser, django_capture_on_commit_callbacks
):
    organiser.preferred_language = "cy"
    organiser.save(update_fields=["preferred_language"])
    co_organiser = UserFactory(preferred_language="en")
    EventRoleFactory(
        event=organised_event, person=PersonFactory(user=co_organiser), role="organiser"
    )
    start = timezone.now() - timedelta(days=3, hours=3)
    organised_event.starts_at, organised_event.ends_at = start, start + timedelta(hours=2)
    organised_event.save()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_record_reminders() == 1
    to_welsh, to_english = (
        next(m for m in mail.outbox if m.to == [u.email]) for u in (organiser, co_organiser)
    )
    assert len(mail.outbox) == 2
    title = organised_event.title
    assert to_welsh.subject == f"Beth ddaeth o {title}? Ysgrifennwch ei gofnod"
    assert f"Roedd {title} dridiau yn ôl, a does ganddo ddim cofnod eto." in to_welsh.body
    assert f"/cy/events/{organised_event.slug}/record/write/" in to_welsh.body
    assert to_english.subject == f"What came of {title}? Write its record"


def test_people_named_are_asked_in_their_language(
    past_event, organiser, django_capture_on_commit_callbacks
):
    quoted = UserFactory(preferred_language="cy")
    services.save_contribution(
        event=past_event,
        user=organiser,
        person=PersonFactory(user=quoted, name="Becky Booth"),
        text="Time Credits work.",
        credit="named",
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.ask_people_named(event=past_event, user=organiser)
    (message,) = mail.outbox
    assert message.subject == f"Rydych chi'n cael eich dyfynnu yng nghofnod {past_event.title}"
    assert "/cy/record/credit/" in message.body
