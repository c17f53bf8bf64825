from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    # The bottom layer: any app may import core; core imports no app of ours.
    name = "core"
    verbose_name = _("Core")
