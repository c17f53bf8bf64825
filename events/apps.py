from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = _("Events")

    def ready(self):
        from events import checks, services, signals  # noqa: F401 (checks registers itself)
        from people.services import register_deletion_step, register_export_section

        signals.connect()
        register_export_section("registrations", services.export_registrations)
        register_export_section("calendar_link", services.export_calendar_link)
        register_export_section("event_roles", services.export_event_roles)
        register_deletion_step(services.give_up_places_of_deleted_member)
