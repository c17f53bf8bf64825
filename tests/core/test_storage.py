"""core/storage.py end to end against a local S3-compatible server (moto in its own process).

No client is mocked: django-storages talks HTTP to the server, and the test fetches the URLs a
page would link to, as a browser would.
"""

import io
import re
import urllib.request

import pytest
from PIL import Image

from core.services import store_upload
from core.uploads import inspect_upload
from tests.core import samples
from tests.core.test_uploads import assert_no_metadata


def fetch(url: str):
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.headers, response.read()


@pytest.mark.django_db
def test_image_and_variants_live_in_the_bucket_and_are_fetched_from_it(
    s3_media, s3_server, user, django_capture_on_commit_callbacks
):
    clean = inspect_upload(samples.upload("phone.jpg", samples.jpeg_bytes(1000, 600)))
    with django_capture_on_commit_callbacks(execute=True):
        upload = store_upload(file=clean, user=user, scope="event:1")
    upload.refresh_from_db()

    keys = sorted(o["Key"] for o in s3_media.list_objects_v2(Bucket=s3_media.bucket)["Contents"])
    assert keys == sorted(upload.stored_names())
    assert len(keys) == 1 + 4 * 2
    for fmt, content_type in (("webp", "image/webp"), ("jpg", "image/jpeg")):
        sources = upload.sources(fmt)
        assert [w for _url, w in sources] == [320, 480, 768, 1000]
        for url, width in sources:
            assert url.startswith(s3_server + "/")  # the bucket, never a Django view
            assert "X-Amz-Signature=" in url
            headers, body = fetch(url)
            assert headers["Content-Type"] == content_type
            assert headers["Cache-Control"] == "public, max-age=31536000, immutable"
            assert headers.get("Content-Disposition") is None
            with Image.open(io.BytesIO(body)) as image:
                assert image.width == width
            assert_no_metadata(body)


@pytest.mark.django_db
def test_pdf_in_the_bucket_downloads_as_an_attachment(s3_media, user):
    clean = inspect_upload(samples.upload("slides.pdf", samples.pdf_with_metadata()))
    upload = store_upload(file=clean, user=user, scope="event:1")

    headers, body = fetch(upload.url())

    assert body == clean.content
    samples.assert_pdf_has_no_metadata(body)
    assert headers["Content-Type"] == "application/pdf"
    assert headers["Content-Disposition"] == "attachment"


@pytest.mark.django_db
def test_url_without_a_signature_is_refused_by_the_bucket(s3_media, s3_server, user):
    clean = inspect_upload(samples.upload("slides.pdf", samples.pdf_bytes()))
    upload = store_upload(file=clean, user=user, scope="event:1")
    unsigned = upload.url().split("?", 1)[0]

    with pytest.raises(urllib.error.HTTPError) as refused:
        fetch(unsigned)

    refused.value.close()
    assert refused.value.code == 403


@pytest.mark.django_db
def test_pages_link_images_to_the_bucket_and_the_policy_allows_it(s3_media, s3_server, client):
    from tests.factories import VisualFactory

    visual = VisualFactory()
    html = client.get(visual.event.get_absolute_url()).content.decode()

    sources = re.findall(r'srcset="([^"]+)"', html)
    assert sources
    for srcset in sources:
        for candidate in srcset.split(", "):
            assert candidate.startswith(s3_server + "/"), candidate  # never a Django view
    policy = s3_media.configured["CONTENT_SECURITY_POLICY"]["DIRECTIVES"]["img-src"]
    assert policy == ["'self'", "data:", s3_server]


@pytest.mark.django_db
def test_unused_uploads_and_stray_files_are_swept_from_the_bucket(
    s3_media, user, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    from django.utils import timezone

    from core.models import Upload
    from core.services import delete_abandoned_uploads, delete_stray_files

    def keys():
        listing = s3_media.list_objects_v2(Bucket=s3_media.bucket)
        return sorted(o["Key"] for o in listing.get("Contents", []))

    clean = inspect_upload(samples.upload("phone.jpg", samples.jpeg_bytes(400, 300)))
    with django_capture_on_commit_callbacks(execute=True):
        unused = store_upload(file=clean, user=user, scope="event:1")
        stray = store_upload(file=clean, user=user, scope="event:1")
    Upload.objects.filter(pk=stray.pk).delete()  # a file whose row is gone
    assert len(keys()) == 2 * (1 + 2 * 2)  # two masters, each with 2 widths x 2 formats

    later = timezone.now() + timedelta(days=2)
    with django_capture_on_commit_callbacks(execute=True):
        assert delete_abandoned_uploads(now=later) == 1
    assert delete_stray_files(now=later) == 5
    assert keys() == []
    assert not Upload.objects.filter(pk=unused.pk).exists()
