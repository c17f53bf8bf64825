import io
import signal
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from core.mail import build_email, deserialise_email, send_email_on_commit, serialise_email

MESSAGE = {
    "to": ["ann@example.org"],
    "subject": "You are registered",
    "text": "See you there.",
    "html": "<p>See you there.</p>",
    "headers": {"List-Unsubscribe": "<https://example.org/u/1>"},
    "attachments": [("event.ics", "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "text/calendar")],
}


def test_serialised_message_round_trips_with_attachments_and_alternatives():
    data = serialise_email(**MESSAGE)
    rebuilt = deserialise_email(data)
    assert data["attachments"][0]["content"] == "QkVHSU46VkNBTEVOREFSDQpFTkQ6VkNBTEVOREFSDQo="
    assert rebuilt.to == ["ann@example.org"]
    assert rebuilt.subject == "You are registered"
    assert rebuilt.body == "See you there."
    assert rebuilt.alternatives[0][:2] == ("<p>See you there.</p>", "text/html")
    assert rebuilt.extra_headers == {"List-Unsubscribe": "<https://example.org/u/1>"}
    assert rebuilt.attachments[0][:1] == ("event.ics",)
    assert rebuilt.attachments[0][1] == "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"


class Abort(Exception):
    pass


def send_then_roll_back():
    try:
        with transaction.atomic():
            send_email_on_commit(**MESSAGE)
            raise Abort
    except Abort:
        pass


@pytest.mark.django_db
def test_immediate_backend_sends_after_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        send_email_on_commit(**MESSAGE)
        assert mail.outbox == []
    assert [m.subject for m in mail.outbox] == ["You are registered"]
    assert mail.outbox[0].attachments[0][0] == "event.ics"


@pytest.mark.django_db
def test_immediate_backend_sends_nothing_on_rollback(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        send_then_roll_back()
    assert mail.outbox == []


@pytest.fixture
def database_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def run_worker_once():
    """db_worker --batch, restoring the signal handlers it installs."""
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    try:
        call_command("db_worker", batch=True, startup_delay=False, verbosity=0)
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("database_tasks")
def test_database_backend_stores_a_task_that_the_worker_sends():
    with transaction.atomic():
        send_email_on_commit(**MESSAGE)
    task_row = DBTaskResult.objects.get()
    assert task_row.task_path == "core.mail.deliver_email"
    assert task_row.status == "READY"
    assert mail.outbox == []

    run_worker_once()

    assert [m.to for m in mail.outbox] == [["ann@example.org"]]
    assert mail.outbox[0].alternatives[0][0] == "<p>See you there.</p>"
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("database_tasks")
def test_database_backend_task_rolls_back_with_the_write():
    send_then_roll_back()
    assert DBTaskResult.objects.count() == 0
    run_worker_once()
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("database_tasks")
def test_a_mail_task_abandoned_by_a_dead_worker_is_requeued_and_sent():
    with transaction.atomic():
        send_email_on_commit(**MESSAGE)
        send_email_on_commit(**{**MESSAGE, "to": ["bea@example.org"]})
    rows = DBTaskResult.objects.all()
    (abandoned,) = [row for row in rows if "ann@example.org" in str(row.args_kwargs)]
    (running,) = [row for row in rows if "bea@example.org" in str(row.args_kwargs)]
    # One worker died 20 minutes into a send; another is busy right now.
    DBTaskResult.objects.filter(pk=abandoned.pk).update(
        status="RUNNING", started_at=timezone.now() - timedelta(minutes=20)
    )
    DBTaskResult.objects.filter(pk=running.pk).update(status="RUNNING", started_at=timezone.now())

    call_command("requeue_stale_tasks", verbosity=0, stdout=io.StringIO())
    run_worker_once()

    assert [m.to for m in mail.outbox] == [["ann@example.org"]]
    assert DBTaskResult.objects.get(pk=running.pk).status == "RUNNING"


def test_a_line_break_in_a_subject_does_not_stop_the_mail():
    # A thread titled with a "\r" made every mail about it fail with BadHeaderError (issue 10).
    message = build_email(to=["ann@example.org"], subject="New post in\r\nTime\rcredits", text="x")

    message.message()  # builds the headers: raises BadHeaderError on a line break

    assert message.subject == "New post in Time credits"
