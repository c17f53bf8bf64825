"""Background work of the boards, run by the task worker (`manage.py db_worker`)."""

from django_tasks import task


@task()
def send_moderation_alerts() -> int:
    """Send the batched flag emails that are due (see services.alert_moderators)."""
    from discussions.services import send_due_moderation_alerts

    return send_due_moderation_alerts()
