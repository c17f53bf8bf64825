from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def visual_changed(sender, instance, raw=False, **kwargs) -> None:
    from core import fragments
    from visuals.panels import visuals_marker

    if not raw and instance.event_id is not None:
        fragments.move_marker_on_commit(visuals_marker(instance.event_id))


class VisualsConfig(AppConfig):
    name = "visuals"
    verbose_name = _("Visuals and materials")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from events.panels import register_event_panel, register_event_prefetch
        from record.slots import register_item_panel, register_record_panel
        from visuals.models import Visual
        from visuals.panels import (
            gallery_panel_context,
            page_reads,
            pinned_to_agenda_items,
            pinned_to_outcomes,
        )

        post_save.connect(visual_changed, sender=Visual, dispatch_uid="visuals-panel-save")
        post_delete.connect(visual_changed, sender=Visual, dispatch_uid="visuals-panel-delete")

        # The event page shows its drawings, photos and documents (slots: events/panels.py).
        register_event_prefetch(page_reads)
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
