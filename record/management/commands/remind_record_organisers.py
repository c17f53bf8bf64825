from django.core.management.base import BaseCommand
from django.utils.translation import gettext_lazy as _

from record.services import send_record_reminders


class Command(BaseCommand):
    help = _(
        "Email the organisers of each event that ended three days ago without a published record "
        "(once per event; safe to run as often as you like, e.g. hourly from cron)."
    )

    def handle(self, *args, **options):
        sent = send_record_reminders()
        self.stdout.write(_("%(n)s reminders sent.") % {"n": sent})
