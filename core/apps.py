from django.apps import AppConfig
from django.db.models.signals import pre_save
from django.utils.translation import gettext_lazy as _

# Our apps: their models' text is cleaned of control characters before every save (core.text).
TEXT_CLEANED_APPS = {"core", "people", "events", "discussions", "record", "visuals"}


def _clean_text_before_save(sender, instance, raw=False, **kwargs):
    if not raw and sender._meta.app_label in TEXT_CLEANED_APPS:
        from core.text import clean_text_fields

        clean_text_fields(instance)


class CoreConfig(AppConfig):
    # The bottom layer: any app may import core; core imports no app of ours.
    name = "core"
    verbose_name = _("Core")

    def ready(self):
        pre_save.connect(_clean_text_before_save, dispatch_uid="core.clean_text_before_save")

        from django.db.models.signals import post_delete

        from core.models import upload_references
        from core.services import release_upload_of

        # Whatever deletes a row holding an upload (a service, the admin, a cascade from its
        # event or post), the upload and its files go after commit unless something else uses it.
        for relation in upload_references():
            post_delete.connect(
                release_upload_of,
                sender=relation.related_model,
                dispatch_uid=f"core.release_upload_of.{relation.related_model._meta.label}",
            )
