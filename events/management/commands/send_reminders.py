from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from events.services import send_due_reminders


class Command(BaseCommand):
    # The task queue sends each event's reminders at their time (run_after); this sends whatever
    # is due now, for backends that cannot defer a task and as the safety net for a lost one.
    # Safe to run as often as you like (cron every 15 minutes): nobody gets a reminder twice.
    help = gettext_lazy("Send the day-before reminders that are due now.")

    def handle(self, *args, **options):
        count = send_due_reminders()
        self.stdout.write(_("Sent %(count)d reminder(s).") % {"count": count})
