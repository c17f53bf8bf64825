from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DiscussionsConfig(AppConfig):
    name = "discussions"
    verbose_name = _("Discussions")

    def ready(self):
        from discussions import services, signals
        from events.panels import register_event_panel, register_event_prefetch
        from people.services import register_export_section

        # The event page shows its board's latest threads (see events/panels.py for the slots).
        register_event_panel(
            slot="main",
            template="discussions/_event_board_panel.html",
            order=100,
            shared=signals.board_panel_version,  # the same for every reader: shared
        )
        register_event_prefetch(signals.board_panel_reads)
        register_export_section("discussions", services.export_member_discussions)
        signals.connect()
