from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VisualsConfig(AppConfig):
    name = "visuals"
    verbose_name = _("Visuals and materials")

    def ready(self):
        from events.panels import register_event_panel
        from record.slots import register_item_panel, register_record_panel
        from visuals.panels import (
            gallery_panel_context,
            pinned_to_agenda_items,
            pinned_to_outcomes,
        )

        # The event page shows its drawings, photos and documents (slots: events/panels.py).
        register_event_panel(
            slot="main",
            template="visuals/_event_panel.html",
            order=50,
            context=gallery_panel_context,
        )
        # The record page shows the same gallery, and each pinned visual beside its agenda item
        # or outcome (slots: record/slots.py; record never imports visuals).
        register_record_panel(
            slot="main",
            template="visuals/_event_panel.html",
            order=50,
            context=gallery_panel_context,
        )
        register_item_panel(
            kind="agenda_item", template="visuals/_pinned.html", context=pinned_to_agenda_items
        )
        register_item_panel(
            kind="outcome", template="visuals/_pinned.html", context=pinned_to_outcomes
        )
