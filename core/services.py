"""Keeping an upload: quotas, the stored file, and the variants queued for the worker."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import transaction
from django.db.models import Count, Sum
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from core.models import Upload
from core.tasks import enqueue_after_commit, make_variants
from core.uploads import IMAGE, CleanFile, UploadRefused


def check_quotas(*, user, scope: str, incoming: list[CleanFile]) -> None:
    """Refuse files that would take `user` past the daily quota or `scope` past its total."""
    since = timezone.now() - timedelta(days=1)
    day = Upload.objects.by_user_since(user, since).aggregate(n=Count("pk"), size=Sum("size"))
    count = len(incoming)
    size = sum(f.size for f in incoming)
    if day["n"] + count > settings.UPLOAD_DAILY_FILES_PER_PERSON or (day["size"] or 0) + size > (
        settings.UPLOAD_DAILY_BYTES_PER_PERSON
    ):
        raise UploadRefused(
            _(
                "You have reached today’s upload limit (%(files)s files or %(size)s in 24 "
                "hours). Try again tomorrow, or ask the organisers to add the rest."
            )
            % {
                "files": settings.UPLOAD_DAILY_FILES_PER_PERSON,
                "size": filesizeformat(settings.UPLOAD_DAILY_BYTES_PER_PERSON),
            },
            code="daily_quota",
        )
    total = Upload.objects.in_scope(scope).aggregate(size=Sum("size"))["size"] or 0
    if total + size > settings.UPLOAD_EVENT_TOTAL_BYTES:
        raise UploadRefused(
            _(
                "This event’s storage is full (%(size)s in all). Ask the organisers to remove "
                "files it no longer needs."
            )
            % {"size": filesizeformat(settings.UPLOAD_EVENT_TOTAL_BYTES)},
            code="scope_quota",
        )


@transaction.atomic
def store_uploads(*, files: list[CleanFile], user, scope: str) -> list[Upload]:
    """Keep checked files for `user` in `scope` (all or none); variants are made after commit."""
    # One upload at a time per person: two parallel requests cannot both pass the quota.
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()
    check_quotas(user=user, scope=scope, incoming=files)
    uploads = []
    for clean in files:
        upload = Upload(
            kind=clean.kind,
            content_type=clean.content_type,
            size=clean.size,
            width=clean.width,
            height=clean.height,
            sha256=clean.sha256,
            original_name=clean.original_name,
            scope=scope,
            uploaded_by=user,
        )
        stem = "master" if clean.kind == IMAGE else "document"
        upload.file.save(f"{stem}.{clean.extension}", ContentFile(clean.content), save=False)
        upload.save()
        if upload.is_image:
            enqueue_after_commit(make_variants, upload.pk)
        uploads.append(upload)
    return uploads


def store_upload(*, file: CleanFile, user, scope: str) -> Upload:
    return store_uploads(files=[file], user=user, scope=scope)[0]


def discard_upload(*, upload: Upload) -> None:
    """Delete an upload's row, and its files once that commits."""
    names = upload.stored_names()
    upload.delete()
    storage = storages["default"]
    transaction.on_commit(lambda: [storage.delete(name) for name in names])
