from django.core.management.base import BaseCommand
from django.utils.translation import gettext_lazy as _

from demo import discussions as discussions_demo
from demo import events as events_demo
from demo import record as record_demo
from demo import visuals as visuals_demo


class Command(BaseCommand):
    # Lives in visuals, the top of the dependency chain, so one command can fill every app.
    help = _("Load the seed-post demo data (idempotent); --scale N adds synthetic data.")

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            type=int,
            default=0,
            help=_("Also create N synthetic events (and discussions in proportion)."),
        )

    def handle(self, *args, scale, **options):
        if scale < 0:
            self.stderr.write(_("--scale must be zero or more."))
            raise SystemExit(2)
        events_demo.load(scale=scale, stdout=self.stdout)
        discussions_demo.load(scale=scale, stdout=self.stdout)
        record_demo.load(stdout=self.stdout)
        visuals_demo.load(stdout=self.stdout)
