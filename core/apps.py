from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """The bottom layer any app may use (uploads today; mail and log redaction are moving here)."""

    name = "core"
    verbose_name = _("Core")
