from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    # The bottom layer: any app may import core; core imports no app of ours.
    name = "core"
    verbose_name = _("Core")

    def ready(self):
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
