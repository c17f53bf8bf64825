"""Background tasks of the events app (django-tasks; run by `manage.py db_worker` in production)."""

from django_tasks import task


@task()
def send_event_reminders(event_id: int) -> int:
    """Send the day-before reminders of one event that are due now (none twice)."""
    from events.services import send_due_reminders  # services schedules this task

    return send_due_reminders(event_ids=[event_id])
