from django.core.management.base import BaseCommand
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from discussions.services import schedule_next_digest, send_daily_digests


class Command(BaseCommand):
    help = _(
        "Send today's daily digests of followed threads once the digest hour has come "
        "(DISCUSSIONS_DIGEST_HOUR). Safe to run any number of times: a member gets one a day."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--schedule",
            action="store_true",
            help=_("Also ask the task worker to run this again at the next digest hour."),
        )

    def handle(self, *args, **options):
        sent = send_daily_digests()
        if options["schedule"]:
            schedule_next_digest()
        self.stdout.write(gettext("Sent %(count)d digest(s).") % {"count": sent})
