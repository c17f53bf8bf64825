"""core/views.py: media served by Django only for `make run`, with production's headers."""

import pytest
from django.urls import reverse

from core.services import store_upload
from core.uploads import inspect_upload
from tests.core import samples


@pytest.fixture
def stored_pdf(user):
    clean = inspect_upload(samples.upload("slides.pdf", samples.pdf_bytes()))
    return store_upload(file=clean, user=user, scope="event:1")


@pytest.mark.django_db
def test_pdf_is_served_as_a_download_that_is_never_sniffed(client, stored_pdf):
    response = client.get(stored_pdf.url())

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == "attachment"
    assert response["X-Content-Type-Options"] == "nosniff"
    with stored_pdf.file.open("rb") as stored:
        assert b"".join(response.streaming_content) == stored.read()


@pytest.mark.django_db
def test_image_is_served_inline(client, user):
    clean = inspect_upload(samples.upload("d.jpg", samples.jpeg_bytes(400, 300)))
    upload = store_upload(file=clean, user=user, scope="event:1")

    response = client.get(upload.url())

    assert (response.status_code, response["Content-Type"]) == (200, "image/jpeg")
    response.close()
    assert response["Content-Disposition"] == 'inline; filename="master.jpg"'


@pytest.mark.django_db
def test_django_does_not_serve_media_unless_told_to(client, stored_pdf, settings):
    settings.SERVE_MEDIA = False

    assert client.get(stored_pdf.url()).status_code == 404


def test_media_url_outside_the_folder_is_a_bad_request(client):
    url = reverse("media", kwargs={"path": "../config/settings.py"})

    assert client.get(url).status_code == 400
