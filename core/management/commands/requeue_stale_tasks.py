from datetime import timedelta

from django.core.management.base import BaseCommand
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_tasks_db.models import DBTaskResult


class Command(BaseCommand):
    # django-tasks-db never retries a task whose worker died mid-run: the row stays RUNNING and
    # its mail is never sent. Run this before each worker start (make prod does) or from cron.
    # Delivery becomes at-least-once: a worker that died after sending but before recording
    # success sends that mail twice, which beats never sending it.
    help = _("Put tasks left RUNNING by a dead worker back in the queue.")

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than",
            type=int,
            default=600,
            help=_("Seconds a task must have been running to count as abandoned (default 600)."),
        )

    def handle(self, *args, older_than, **options):
        if older_than < 0:
            self.stderr.write(_("--older-than must be zero or more."))
            raise SystemExit(2)
        cutoff = timezone.now() - timedelta(seconds=older_than)
        # One UPDATE: a row a live worker finishes meanwhile is no longer RUNNING and stays put.
        count = DBTaskResult.objects.running().filter(started_at__lt=cutoff).update(status="READY")
        self.stdout.write(_("Requeued %(count)d abandoned task(s).") % {"count": count})
