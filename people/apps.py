from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def groups_changed(**kwargs) -> None:
    from core import fragments
    from people.models import GROUPS_MARKER

    fragments.move_marker_on_commit(GROUPS_MARKER)


class PeopleConfig(AppConfig):
    name = "people"
    verbose_name = _("People")

    def ready(self):
        from django.contrib.auth.models import Group
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from people.models import User

        # Cached group names (User.in_group) are read under this marker: moved by any change.
        m2m_changed.connect(groups_changed, sender=User.groups.through, dispatch_uid="groups-m2m")
        post_save.connect(groups_changed, sender=Group, dispatch_uid="groups-save")
        post_delete.connect(groups_changed, sender=Group, dispatch_uid="groups-delete")
