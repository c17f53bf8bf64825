from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VisualsConfig(AppConfig):
    name = "visuals"
    verbose_name = _("Visuals and materials")

    def ready(self):
        from events.panels import register_event_panel
        from visuals.panels import gallery_panel_context

        # The event page shows its drawings, photos and documents (slots: events/panels.py).
        register_event_panel(
            slot="main",
            template="visuals/_event_panel.html",
            order=50,
            context=gallery_panel_context,
        )
