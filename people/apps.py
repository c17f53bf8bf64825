from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def groups_changed(**kwargs) -> None:
    from core import fragments
    from people.models import GROUPS_MARKER

    fragments.move_marker_on_commit(GROUPS_MARKER)


# What `User.public_name` is made of: posts and thread lists show it (shared fragments).
NAME_FIELDS = ("display_name", "first_name", "last_name", "username")


def remember_public_name(sender, instance, raw=False, update_fields=None, **kwargs) -> None:
    if raw or instance.pk is None:
        return
    if update_fields is not None and not set(update_fields) & set(NAME_FIELDS):
        return  # e.g. last_login at each sign-in: no query
    instance._public_name_was = (
        sender._default_manager.filter(pk=instance.pk).values_list(*NAME_FIELDS).first()
    )


def public_name_changed(sender, instance, raw=False, created=False, **kwargs) -> None:
    from core import fragments
    from people.models import AUTHORS_MARKER

    before = instance.__dict__.pop("_public_name_was", None)
    if raw or created or before is None:
        return
    if before != tuple(getattr(instance, name) for name in NAME_FIELDS):
        fragments.move_marker_on_commit(AUTHORS_MARKER)


def member_deleted(**kwargs) -> None:
    from core import fragments
    from people.models import AUTHORS_MARKER

    fragments.move_marker_on_commit(AUTHORS_MARKER)  # their posts now say "a former member"


def account_changed(sender, instance, raw=False, **kwargs) -> None:
    """The cached account row (people/middleware.py) is read again after this change."""
    from core import fragments
    from people.middleware import user_marker

    if not raw and instance.pk is not None:
        fragments.move_marker_on_commit(user_marker(instance.pk))


class PeopleConfig(AppConfig):
    name = "people"
    verbose_name = _("People")

    def ready(self):
        from django.contrib.auth.models import Group
        from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save

        from people.models import User

        # Cached group names (User.in_group) are read under this marker: moved by any change.
        m2m_changed.connect(groups_changed, sender=User.groups.through, dispatch_uid="groups-m2m")
        post_save.connect(groups_changed, sender=Group, dispatch_uid="groups-save")
        post_delete.connect(groups_changed, sender=Group, dispatch_uid="groups-delete")
        pre_save.connect(remember_public_name, sender=User, dispatch_uid="authors-pre")
        post_save.connect(public_name_changed, sender=User, dispatch_uid="authors-post")
        post_delete.connect(member_deleted, sender=User, dispatch_uid="authors-delete")
        post_save.connect(account_changed, sender=User, dispatch_uid="account-save")
        post_delete.connect(account_changed, sender=User, dispatch_uid="account-delete")
