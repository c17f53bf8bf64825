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

from core.models import Upload, upload_references
from core.tasks import enqueue_after_commit, make_variants, release_uploads_task
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


# --- uploads nothing uses any more --------------------------------------------------------------

# An upload nothing refers to is kept this long: the request that made it may still be attaching
# it (and a person may be between "upload" and "save" in a future two-step form).
ABANDONED_AFTER = timedelta(days=1)
# Rows deleted per transaction by the sweep (each one's files go after its commit).
SWEEP_BATCH = 200


@transaction.atomic
def release_uploads(*, upload_ids) -> int:
    """Delete those of `upload_ids` nothing refers to any more, with their files (after commit).

    Called after a visual, a post image or anything else holding an upload is deleted
    (core.apps connects it), so its files go with it whatever deleted it: a service, the admin,
    or a cascade from its event, post or account.
    """
    uploads = list(Upload.objects.unreferenced().filter(pk__in=list(upload_ids)))
    for upload in uploads:
        discard_upload(upload=upload)
    return len(uploads)


def release_upload_of(sender, instance, **kwargs) -> None:
    """post_delete receiver for every model with a foreign key to Upload (core.apps)."""
    upload_ids = [
        getattr(instance, relation.field.attname)
        for relation in upload_references()
        if isinstance(instance, relation.related_model)
    ]
    upload_ids = [pk for pk in upload_ids if pk is not None]
    if upload_ids:
        enqueue_after_commit(release_uploads_task, upload_ids)


def delete_abandoned_uploads(*, now=None, older_than: timedelta = ABANDONED_AFTER) -> int:
    """Delete uploads older than `older_than` that nothing refers to, and their files.

    Catches what slipped past release_uploads (an upload never attached, a worker that died).
    Idempotent and safe beside live requests: the grace period keeps fresh uploads.
    """
    cutoff = (now or timezone.now()) - older_than
    deleted = 0
    while True:
        batch = list(
            Upload.objects.unreferenced()
            .filter(created_at__lt=cutoff)
            .order_by("pk")
            .values_list("pk", flat=True)[:SWEEP_BATCH]
        )
        if not batch:
            return deleted
        released = release_uploads(upload_ids=batch)
        deleted += released
        if released < len(batch):  # the rest were attached meanwhile: stop rather than loop
            return deleted


def delete_stray_files(*, now=None, older_than: timedelta = ABANDONED_AFTER) -> int:
    """Delete files under uploads/ that no Upload row names (a rolled-back upload leaves its
    file behind: storage is not transactional). Returns how many files went.

    Walks uploads/<year>/<month>/<folder>/ with one query per month; a folder is stray when no
    row's file is in it and all its files are older than `older_than`.
    """
    storage = storages["default"]
    cutoff = (now or timezone.now()) - older_than
    deleted = 0
    for year in _dirs(storage, "uploads"):
        for month in _dirs(storage, f"uploads/{year}"):
            prefix = f"uploads/{year}/{month}/"
            known = {
                name.rsplit("/", 1)[0]
                for name in Upload.objects.filter(file__startswith=prefix).values_list(
                    "file", flat=True
                )
            }
            for folder in _dirs(storage, prefix.rstrip("/")):
                path = prefix + folder
                if path in known:
                    continue
                names = [f"{path}/{name}" for name in storage.listdir(path)[1]]
                if names and all(storage.get_modified_time(n) < cutoff for n in names):
                    for name in names:
                        storage.delete(name)
                    deleted += len(names)
    return deleted


def _dirs(storage, path: str) -> list[str]:
    try:
        return sorted(storage.listdir(path)[0])
    except FileNotFoundError:
        return []
