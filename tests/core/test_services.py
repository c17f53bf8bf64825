"""core/services.py and core/tasks.py: keeping uploads, quotas, variants made after commit."""

import io

import pytest
from django.core.files.storage import storages
from PIL import Image

from core.models import Upload
from core.services import discard_upload, store_upload, store_uploads
from core.uploads import UploadRefused, inspect_upload
from tests.core import samples
from tests.core.test_uploads import assert_no_metadata


def clean_jpeg(width=1000, height=500, name="d.jpg"):
    return inspect_upload(samples.upload(name, samples.jpeg_bytes(width, height)))


def read(name: str) -> bytes:
    with storages["default"].open(name, "rb") as f:
        return f.read()


@pytest.mark.django_db
def test_stored_image_gets_webp_and_jpeg_variants_after_commit(
    user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        upload = store_upload(file=clean_jpeg(), user=user, scope="event:1")
        assert upload.variants == {}  # nothing made before the upload commits

    upload.refresh_from_db()
    assert (upload.kind, upload.width, upload.height) == ("image", 1000, 500)
    assert sorted(upload.variants, key=int) == ["320", "480", "768", "1000"]
    assert upload.variants_made_at is not None
    for width, item in upload.variants.items():
        for fmt, pil_format in (("webp", "WEBP"), ("jpg", "JPEG")):
            content = read(item[fmt])
            with Image.open(io.BytesIO(content)) as image:
                assert (image.format, image.size) == (pil_format, (int(width), item["height"]))
            assert_no_metadata(content)
    assert_no_metadata(read(upload.file.name))


@pytest.mark.django_db
def test_pdf_is_stored_without_variants(user, django_capture_on_commit_callbacks):
    clean = inspect_upload(samples.upload("slides.pdf", samples.pdf_bytes()))
    with django_capture_on_commit_callbacks(execute=True):
        upload = store_upload(file=clean, user=user, scope="event:1")

    upload.refresh_from_db()
    assert (upload.kind, upload.variants, upload.original_name) == ("pdf", {}, "slides.pdf")
    assert read(upload.file.name) == clean.content


@pytest.mark.django_db
def test_daily_quota_per_person_refuses_all_of_a_batch_that_would_pass_it(user, settings):
    settings.UPLOAD_DAILY_FILES_PER_PERSON = 3
    store_uploads(files=[clean_jpeg(), clean_jpeg()], user=user, scope="event:1")

    with pytest.raises(UploadRefused) as refused:
        store_uploads(files=[clean_jpeg(), clean_jpeg()], user=user, scope="event:2")

    assert refused.value.code == "daily_quota"
    assert Upload.objects.count() == 2


@pytest.mark.django_db
def test_daily_quota_counts_bytes_too(user, settings):
    first = clean_jpeg()
    settings.UPLOAD_DAILY_BYTES_PER_PERSON = first.size + 10
    store_upload(file=first, user=user, scope="event:1")

    with pytest.raises(UploadRefused) as refused:
        store_upload(file=clean_jpeg(), user=user, scope="event:1")

    assert refused.value.code == "daily_quota"


@pytest.mark.django_db
def test_quota_of_a_day_ago_no_longer_counts(user, settings):
    settings.UPLOAD_DAILY_FILES_PER_PERSON = 1
    old = store_upload(file=clean_jpeg(), user=user, scope="event:1")
    Upload.objects.filter(pk=old.pk).update(created_at=old.created_at.replace(year=2000))

    store_upload(file=clean_jpeg(), user=user, scope="event:1")

    assert Upload.objects.count() == 2


@pytest.mark.django_db
def test_event_total_quota_is_shared_by_everyone_uploading_to_it(settings):
    from tests.factories import UserFactory

    first = clean_jpeg()
    settings.UPLOAD_EVENT_TOTAL_BYTES = first.size * 2 - 1
    store_upload(file=first, user=UserFactory(), scope="event:7")
    store_upload(file=clean_jpeg(), user=UserFactory(), scope="event:8")  # another event

    with pytest.raises(UploadRefused) as refused:
        store_upload(file=clean_jpeg(), user=UserFactory(), scope="event:7")

    assert refused.value.code == "scope_quota"
    assert refused.value.messages[0].startswith("This event’s storage is full")


@pytest.mark.django_db
def test_discarding_an_upload_deletes_its_files_after_commit(
    user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        upload = store_upload(file=clean_jpeg(), user=user, scope="event:1")
    upload.refresh_from_db()
    names = upload.stored_names()
    assert len(names) == 9  # master + 4 widths x 2 formats
    assert all(storages["default"].exists(n) for n in names)

    with django_capture_on_commit_callbacks(execute=True):
        discard_upload(upload=upload)

    assert Upload.objects.count() == 0
    assert not any(storages["default"].exists(n) for n in names)


# --- uploads nothing uses any more ---------------------------------------------------------------


def stored_names_exist(upload_names) -> list[bool]:
    storage = storages["default"]
    return [storage.exists(name) for name in upload_names]


@pytest.mark.django_db
def test_a_visual_deleted_with_its_event_takes_its_files(django_capture_on_commit_callbacks):
    from tests.factories import VisualFactory

    visual = VisualFactory()
    names = visual.upload.stored_names()
    assert len(names) > 1  # the master and its variants
    event = visual.event
    event.cover = visual.upload  # the cover points at it too: both go together
    event.save()

    with django_capture_on_commit_callbacks(execute=True):
        event.delete()

    assert Upload.objects.count() == 0
    assert stored_names_exist(names) == [False] * len(names)


@pytest.mark.django_db
def test_a_post_image_deleted_with_its_post_takes_its_files(django_capture_on_commit_callbacks):
    from discussions.models import PostImage
    from tests.factories import PostFactory, stored_image

    image = PostImage.objects.create(post=PostFactory(), upload=stored_image(), alt_text="A chart")
    kept = stored_image()  # another upload, still unattached and fresh: not this one's business
    names = image.upload.stored_names()

    with django_capture_on_commit_callbacks(execute=True):
        image.post.delete()

    assert list(Upload.objects.all()) == [kept]
    assert stored_names_exist(names) == [False] * len(names)


@pytest.mark.django_db
def test_an_upload_still_used_elsewhere_is_kept(django_capture_on_commit_callbacks):
    from tests.factories import EventFactory, VisualFactory

    visual = VisualFactory()
    other = EventFactory()
    other.cover = visual.upload  # e.g. a duplicated event kept the cover
    other.save()
    with django_capture_on_commit_callbacks(execute=True):
        visual.delete()

    assert list(Upload.objects.all()) == [visual.upload]
    assert all(stored_names_exist(visual.upload.stored_names()))


@pytest.mark.django_db
def test_abandoned_uploads_are_swept_after_the_grace_period(django_capture_on_commit_callbacks):
    from datetime import timedelta

    from django.core.management import call_command
    from django.utils import timezone

    from tests.factories import VisualFactory, stored_image

    abandoned, fresh = stored_image(), stored_image()
    attached = VisualFactory().upload
    Upload.objects.filter(pk__in=[abandoned.pk, attached.pk]).update(
        created_at=timezone.now() - timedelta(days=2)
    )
    names = abandoned.stored_names()

    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("delete_abandoned_uploads", stdout=out)
    assert out.getvalue().startswith("Deleted 1 unused upload(s)")
    assert sorted(Upload.objects.values_list("pk", flat=True)) == sorted([fresh.pk, attached.pk])
    assert stored_names_exist(names) == [False] * len(names)
    assert all(stored_names_exist(fresh.stored_names() + attached.stored_names()))

    with django_capture_on_commit_callbacks(execute=True):
        call_command("delete_abandoned_uploads", "--older-than-hours=0", stdout=io.StringIO())
    assert list(Upload.objects.all()) == [attached]  # running again: only what is unused


def test_the_sweep_refuses_a_negative_grace_period():
    from django.core.management import call_command

    with pytest.raises(SystemExit):
        call_command("delete_abandoned_uploads", "--older-than-hours=-1", stderr=io.StringIO())


@pytest.mark.django_db
def test_stray_files_of_a_rolled_back_upload_are_swept(user, settings, tmp_path):
    from datetime import timedelta

    from django.db import transaction
    from django.utils import timezone

    from core.services import delete_stray_files

    settings.MEDIA_ROOT = tmp_path  # only this test's files
    kept = store_upload(file=clean_jpeg(), user=user, scope="event:1")
    stray = []

    def upload_then_fail():
        with transaction.atomic():
            stray.append(store_upload(file=clean_jpeg(), user=user, scope="event:1"))
            raise RuntimeError("the visual could not be saved")

    with pytest.raises(RuntimeError):
        upload_then_fail()
    storage = storages["default"]
    stray_name = stray[0].file.name
    assert storage.exists(stray_name)  # storage is not transactional: the file stayed

    assert delete_stray_files() == 0  # too fresh: its request may still be running
    later = timezone.now() + timedelta(days=2)
    assert delete_stray_files(now=later) == 1
    assert not storage.exists(stray_name)
    assert storage.exists(kept.file.name)
