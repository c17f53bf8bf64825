from datetime import timedelta

from django.core.management.base import BaseCommand
from django.utils.translation import gettext_lazy as _

from core.services import ABANDONED_AFTER, delete_abandoned_uploads, delete_stray_files


class Command(BaseCommand):
    help = _(
        "Delete uploads nothing uses any more (never attached, or whose visual or post was "
        "deleted) and stray files with no upload row, once older than a grace period. Safe to "
        "run as often as you like, e.g. daily from cron."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than-hours",
            type=int,
            default=int(ABANDONED_AFTER.total_seconds() // 3600),
            help=_("Hours an unused upload is kept before it is deleted (default 24)."),
        )

    def handle(self, *args, older_than_hours, **options):
        if older_than_hours < 0:
            self.stderr.write(_("--older-than-hours must be zero or more."))
            raise SystemExit(2)
        grace = timedelta(hours=older_than_hours)
        uploads = delete_abandoned_uploads(older_than=grace)
        files = delete_stray_files(older_than=grace)
        self.stdout.write(
            _("Deleted %(uploads)d unused upload(s) and %(files)d stray file(s).")
            % {"uploads": uploads, "files": files}
        )
