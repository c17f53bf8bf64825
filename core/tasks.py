"""Background work on uploads, run by the task worker (immediately in tests and `make run`)."""

from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from core import fragments
from core.uploads import image_variants


@task()
def make_variants(upload_id: int) -> None:
    """Store resized WebP and JPEG copies of an image upload (idempotent)."""
    from core.models import Upload

    upload = Upload.objects.filter(pk=upload_id, kind=Upload.Kind.IMAGE).first()
    if upload is None or upload.variants_made_at is not None:
        return
    storage = storages["default"]
    with storage.open(upload.file.name, "rb") as master:
        variants = image_variants(master.read())
    folder = upload.file.name.rsplit("/", 1)[0]
    made: dict[str, dict] = {}
    for variant in variants:
        name = storage.save(
            f"{folder}/w{variant.width}.{variant.format}", ContentFile(variant.content)
        )
        made.setdefault(str(variant.width), {"height": variant.height})[variant.format] = name
    Upload.objects.filter(pk=upload.pk).update(variants=made, variants_made_at=timezone.now())
    # Pages keeping the upload's row (an event's cover, a gallery) show the variants now.
    fragments.move_marker_on_commit(fragments.UPLOADS_MARKER)


@task()
def release_uploads_task(upload_ids: list[int]) -> None:
    """Delete uploads whose owner was deleted, if nothing else refers to them (core.services)."""
    from core.services import release_uploads

    release_uploads(upload_ids=upload_ids)


@task()
def delete_abandoned_uploads_task() -> None:
    """The periodic sweep (also `manage.py delete_abandoned_uploads`)."""
    from core.services import delete_abandoned_uploads, delete_stray_files

    delete_abandoned_uploads()
    delete_stray_files()


def stores_tasks_in_database(task_) -> bool:
    return type(task_.get_backend()).__module__.startswith("django_tasks_db")


def enqueue_after_commit(task_, *args) -> None:
    """Enqueue `task_` so it runs only if the current transaction commits.

    A database-backed queue writes the task row inside the transaction (it commits or rolls back
    with the caller's write); any other backend is called once the transaction has committed.
    """
    if stores_tasks_in_database(task_):
        task_.enqueue(*args)
    else:
        transaction.on_commit(lambda: task_.enqueue(*args))
