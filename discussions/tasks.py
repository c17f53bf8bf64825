"""Background work of the boards, run by the task worker (`manage.py db_worker`)."""

from django_tasks import task


@task()
def send_moderation_alerts() -> int:
    """Send the batched flag emails that are due (see services.alert_moderators)."""
    from discussions.services import send_due_moderation_alerts

    return send_due_moderation_alerts()


@task()
def send_digests() -> int:
    """Send the daily digests that are due, then wait for the next digest hour."""
    from discussions.services import schedule_next_digest, send_daily_digests

    sent = send_daily_digests()
    schedule_next_digest()
    return sent
