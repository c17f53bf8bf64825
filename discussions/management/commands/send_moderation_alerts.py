from django.core.management.base import BaseCommand
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from discussions.services import send_due_moderation_alerts


class Command(BaseCommand):
    help = _(
        "Send the batched emails about flagged posts that are due. The task worker does this by "
        "itself; run it from cron where tasks cannot be deferred. Safe to run twice."
    )

    def handle(self, *args, **options):
        sent = send_due_moderation_alerts()
        self.stdout.write(gettext("Sent %(count)d moderation email(s).") % {"count": sent})
