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
