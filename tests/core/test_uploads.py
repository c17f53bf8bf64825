"""core/uploads.py: what the pipeline accepts, what it refuses and why, and what it keeps."""

import io

import pytest
from PIL import Image
from pypdf import PdfReader

from core.uploads import (
    IMAGE,
    PDF,
    UploadRefused,
    image_variants,
    inspect_upload,
    variant_widths,
)
from tests.core import samples

PRIVATE_INFO_KEYS = {"exif", "xmp", "XML:com.adobe.xmp", "comment", "icc_profile", "dpi"}


def assert_no_metadata(content: bytes) -> None:
    with Image.open(io.BytesIO(content)) as image:
        assert dict(image.getexif()) == {}
        assert image.getexif().get_ifd(samples.GPS_IFD) == {}
        assert not PRIVATE_INFO_KEYS & set(image.info), image.info.keys()
        assert b"PhoneMaker" not in content
        assert b"adobe:ns:meta" not in content
        assert b"taken at home" not in content


@pytest.mark.parametrize(
    ("label", "file", "code"),
    samples.bad_file_corpus(),
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_bad_file_is_refused_with_a_clear_reason(label, file, code):
    with pytest.raises(UploadRefused) as refused:
        inspect_upload(file)

    assert refused.value.code == code
    assert len(refused.value.messages[0]) > 30  # a sentence, not a code


def test_bomb_message_gives_the_size_and_the_limit(settings):
    settings.UPLOAD_MAX_PIXELS = 40_000_000
    with pytest.raises(UploadRefused) as refused:
        inspect_upload(samples.upload("chart.png", samples.png_bomb(8_000, 8_000)))

    assert refused.value.messages == [
        "This image is 8,000 × 8,000 pixels (64 megapixels); the limit is 40 megapixels. "
        "Images this large can be built to exhaust the server (a decompression bomb), so it "
        "was refused: resize it and try again."
    ]


def test_file_over_the_size_limit_is_refused_before_it_is_decoded(settings):
    settings.UPLOAD_MAX_BYTES = 1000
    with pytest.raises(UploadRefused) as refused:
        inspect_upload(samples.upload("photo.jpg", samples.jpeg_bytes()))

    assert refused.value.code == "too_big"
    assert "the limit is 1000\xa0bytes" in refused.value.messages[0]


def test_pdf_is_refused_where_only_images_go():
    with pytest.raises(UploadRefused) as refused:
        inspect_upload(samples.upload("slides.pdf", samples.pdf_bytes()), accept=(IMAGE,))

    assert refused.value.code == "pdf_not_accepted"


@pytest.mark.parametrize(
    ("name", "make", "content_type", "extension"),
    [
        ("photo.jpg", samples.jpeg_bytes, "image/jpeg", "jpg"),
        ("scan.png", samples.png_bytes, "image/jpeg", "jpg"),
        ("drawing.webp", samples.webp_bytes, "image/jpeg", "jpg"),
        ("no-extension", samples.jpeg_bytes, "image/jpeg", "jpg"),
    ],
)
def test_image_is_recognised_by_content_and_reencoded_without_metadata(
    name, make, content_type, extension
):
    original = make()
    clean = inspect_upload(samples.upload(name, original))

    assert (clean.kind, clean.content_type, clean.extension) == (IMAGE, content_type, extension)
    assert clean.content != original
    assert_no_metadata(clean.content)


def test_transparent_png_keeps_its_transparency():
    clean = inspect_upload(samples.upload("cut-out.png", samples.png_bytes(alpha=True)))

    assert (clean.content_type, clean.extension) == ("image/png", "png")
    with Image.open(io.BytesIO(clean.content)) as image:
        assert image.mode == "RGBA"
    assert_no_metadata(clean.content)


def test_photo_is_turned_upright_by_its_exif_orientation():
    # Orientation 6: the camera was held on its side; the stored pixels are 1200 x 800.
    clean = inspect_upload(
        samples.upload("phone.jpg", samples.jpeg_bytes(1200, 800, orientation=6))
    )

    assert (clean.width, clean.height) == (800, 1200)
    assert_no_metadata(clean.content)


def test_huge_photo_is_kept_at_most_3200_pixels_wide():
    clean = inspect_upload(samples.upload("big.jpg", samples.jpeg_bytes(6000, 3000)))

    assert (clean.width, clean.height) == (3200, 1600)


def test_pdf_is_kept_without_its_metadata():
    content = samples.pdf_with_metadata()
    assert all(marker in content for marker in samples.PDF_PERSONAL_DATA)  # the sample has them
    clean = inspect_upload(samples.upload("../../Slides (final).pdf", content))

    assert (clean.kind, clean.content_type) == (PDF, "application/pdf")
    assert clean.original_name == "Slides _final_.pdf"
    samples.assert_pdf_has_no_metadata(clean.content)
    page = PdfReader(io.BytesIO(clean.content)).pages[0]
    assert [float(v) for v in page.mediabox] == [0, 0, 200, 200]  # the document is still there


def test_a_clean_pdf_is_rewritten_the_same_way_every_time():
    first = inspect_upload(samples.upload("a.pdf", samples.pdf_bytes())).content
    assert inspect_upload(samples.upload("b.pdf", samples.pdf_bytes())).content == first
    samples.assert_pdf_has_no_metadata(first)


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (samples.encrypted_pdf(), "pdf_encrypted"),
        (b"%PDF-1.4\n1 0 obj << /Pages 9 0 R >> endobj\n%%EOF\n", "pdf_damaged"),
        (b"%PDF-1.7\n" + b"\x00" * 64 + b"\n%%EOF\n", "pdf_damaged"),
    ],
    ids=["encrypted", "no pages", "garbage"],
)
def test_encrypted_or_unreadable_pdf_is_refused_with_a_clear_message(content, code):
    with pytest.raises(UploadRefused) as refused:
        inspect_upload(samples.upload("slides.pdf", content))

    assert refused.value.code == code
    assert "PDF" in refused.value.messages[0]


def test_variant_widths_never_upscale():
    assert variant_widths(3200) == [320, 480, 768, 1024, 1600]
    assert variant_widths(1000) == [320, 480, 768, 1000]
    assert variant_widths(200) == [200]


def test_every_variant_is_webp_and_jpeg_without_metadata():
    master = inspect_upload(samples.upload("d.jpg", samples.jpeg_bytes(1000, 500))).content

    variants = image_variants(master)

    assert [(v.width, v.height, v.format) for v in variants] == [
        (w, w // 2, fmt) for w in (320, 480, 768, 1000) for fmt in ("webp", "jpg")
    ]
    for variant in variants:
        with Image.open(io.BytesIO(variant.content)) as image:
            assert image.format == {"webp": "WEBP", "jpg": "JPEG"}[variant.format]
            assert image.size == (variant.width, variant.height)
        assert_no_metadata(variant.content)


def test_transparent_variants_are_flattened_on_white_for_jpeg():
    master = inspect_upload(
        samples.upload("c.png", samples.png_bytes(400, 300, alpha=True))
    ).content

    jpeg = next(v for v in image_variants(master) if v.format == "jpg")

    with Image.open(io.BytesIO(jpeg.content)) as image:
        assert image.mode == "RGB"
        assert image.getpixel((image.width - 1, image.height - 1)) == (255, 255, 255)
