"""The upload pipeline: what a file is (by its bytes, never its name), whether we take it, and the
clean copy we keep.

`inspect_upload(file)` is pure: bytes in, a `CleanFile` out or `UploadRefused` with a message a
person can act on. Images are decoded, auto-oriented, converted to sRGB and re-encoded from their
pixels alone, so EXIF, GPS, XMP, comments and anything appended to the file never reach storage;
the original bytes are not kept. PDFs are checked, then re-written without their document
information (author, creator, producer...) and XMP metadata (pypdf); encrypted or unreadable ones
are refused. They are only ever served as downloads (see core.storage and core.views).
`image_variants(master)` makes the resized copies the task worker stores (core.tasks).
"""

import hashlib
import io
import re
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, ImageCms, ImageOps
from pypdf import PdfReader, PdfWriter
from pypdf.errors import PyPdfError
from pypdf.generic import DictionaryObject

IMAGE = "image"
PDF = "pdf"

# Pillow format name -> (our extension, content type).
IMAGE_FORMATS = {
    "JPEG": ("jpg", "image/jpeg"),
    "PNG": ("png", "image/png"),
    "WEBP": ("webp", "image/webp"),
}
PDF_CONTENT_TYPE = "application/pdf"

# Extensions a name may carry for each kind we detect. A name that claims another kind than the
# content is refused: a disguised file is how most upload attacks start, and a person who simply
# misnamed a file can rename it.
NAME_EXTENSIONS = {
    "JPEG": {"jpg", "jpeg", "jpe", "jfif"},
    "PNG": {"png"},
    "WEBP": {"webp"},
    PDF: {"pdf"},
}

# Text that makes a browser, or anything sniffing content, treat bytes as a web page or script.
# None of it belongs in an image or a PDF we accept (images are re-encoded anyway; this refuses
# polyglots outright rather than relying on that).
ACTIVE_MARKERS = (
    b"<script",
    b"<html",
    b"<!doctype html",
    b"<svg",
    b"<iframe",
    b"<body",
    b"<?php",
    b"javascript:",
)
# PDF names that run code or carry other files. Matched as whole names (hex escapes such as
# /J#53 decoded first), so compressed binary streams do not trip them by chance.
PDF_ACTIVE_NAMES = {
    b"JavaScript",
    b"JS",
    b"Launch",
    b"EmbeddedFile",
    b"EmbeddedFiles",
    b"RichMedia",
}
PDF_NAME = re.compile(rb"/([A-Za-z0-9#]{2,40})(?=[\s/<>\[\]()%])")
# Keys that carry metadata anywhere in a PDF: XMP streams (on the catalogue, pages, images) and
# the private data editing apps leave on pages (/PieceInfo, with /LastModified beside it).
PDF_METADATA_KEYS = ("/Metadata", "/PieceInfo", "/LastModified")
# What pypdf raises on malformed input besides its own errors (it parses untrusted bytes).
PDF_READ_ERRORS = (
    PyPdfError,
    ValueError,
    KeyError,
    TypeError,
    IndexError,
    AttributeError,
    AssertionError,
    RecursionError,
    OSError,
)

# Longest side of the clean master we keep; variants are made from it.
MASTER_MAX_SIDE = 3200
# Widths of the resized copies (never larger than the master).
VARIANT_WIDTHS = (320, 480, 768, 1024, 1600)
WEBP_QUALITY = 78
JPEG_QUALITY = 82


class UploadRefused(ValidationError):
    """A file we do not take; the message says why in words the uploader can act on."""


@dataclass(frozen=True)
class CleanFile:
    kind: str  # IMAGE or PDF
    content: bytes  # the re-encoded master image, or the checked PDF
    extension: str
    content_type: str
    width: int | None
    height: int | None
    original_name: str

    @property
    def size(self) -> int:
        return len(self.content)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


def max_upload_bytes() -> int:
    return settings.UPLOAD_MAX_BYTES


def max_pixels() -> int:
    return settings.UPLOAD_MAX_PIXELS


def _read(file) -> bytes:
    limit = max_upload_bytes()
    size = getattr(file, "size", None)
    if size is not None and size > limit:
        raise _too_big(size, limit)
    file.seek(0)
    data = file.read(limit + 1)
    if len(data) > limit:
        raise _too_big(len(data), limit)
    if not data:
        raise UploadRefused(_("This file is empty (0 bytes): choose it again."), code="empty")
    return data


def _too_big(size: int, limit: int) -> UploadRefused:
    return UploadRefused(
        _("This file is %(size)s; the limit is %(limit)s.")
        % {"size": filesizeformat(size), "limit": filesizeformat(limit)},
        code="too_big",
    )


def sniff(data: bytes) -> str | None:
    """The kind of `data` from its first bytes: "JPEG", "PNG", "WEBP", PDF, or None."""
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    # The header must open the file: PDF readers accept junk before it, which is how
    # PDF polyglots are built.
    if data.startswith(b"%PDF-"):
        return PDF
    return None


def _describe_unsupported(data: bytes) -> str:
    head = data[:512].lstrip().lower()
    if head.startswith(b"<?xml") and b"<svg" in head or head.startswith(b"<svg"):
        what = _("an SVG drawing")
    elif head.startswith((b"<!doctype html", b"<html")) or b"<script" in head:
        what = _("a web page (HTML)")
    elif data.startswith((b"GIF87a", b"GIF89a")):
        what = _("a GIF image")
    elif data[4:12] in (b"ftypheic", b"ftypheix", b"ftypmif1", b"ftyphevc"):
        what = _("a HEIC photo")
    elif data.startswith((b"II*\x00", b"MM\x00*")):
        what = _("a TIFF image")
    elif data.startswith(b"BM"):
        what = _("a BMP image")
    elif data.startswith(b"PK\x03\x04"):
        what = _("a ZIP archive or office document")
    else:
        what = _("not a file type we accept")
    return _(
        "This file is %(what)s. Only JPEG, PNG and WebP images and PDF documents can be "
        "uploaded: export or save it as one of those and try again."
    ) % {"what": what}


def _name_extension(name: str) -> str:
    base = (name or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    return base.rsplit(".", 1)[-1].lower() if "." in base else ""


def _kind_label(kind: str) -> str:
    return {
        "JPEG": _("a JPEG image"),
        "PNG": _("a PNG image"),
        "WEBP": _("a WebP image"),
        PDF: _("a PDF document"),
    }[kind]


def _check_name(name: str, kind: str) -> None:
    extension = _name_extension(name)
    if not extension or extension in NAME_EXTENSIONS[kind]:
        return
    claimed = next((k for k, exts in NAME_EXTENSIONS.items() if extension in exts), None)
    claim = _kind_label(claimed) if claimed else _("a .%(ext)s file") % {"ext": extension}
    raise UploadRefused(
        _(
            "This file is named as %(claim)s but its content is %(actual)s. Save it again "
            "with the right type and try again."
        )
        % {"claim": claim, "actual": _kind_label(kind)},
        code="name_mismatch",
    )


def _check_no_active_content(data: bytes) -> None:
    lowered = data.lower()
    if any(marker in lowered for marker in ACTIVE_MARKERS):
        raise UploadRefused(
            _(
                "This file also contains web page or script code, so it could be read as "
                "something else. Export it again from your drawing or photo app and upload "
                "that copy."
            ),
            code="polyglot",
        )


def safe_original_name(name: str) -> str:
    base = (name or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    base = re.sub(r"[^\w.\- ]+", "_", base).strip(" ._") or "file"
    return base[:150]


def inspect_upload(file, *, accept: tuple[str, ...] = (IMAGE, PDF)) -> CleanFile:
    """The clean file to keep for an uploaded `file`, or UploadRefused saying why not."""
    data = _read(file)
    kind = sniff(data)
    if kind is None:
        raise UploadRefused(_describe_unsupported(data), code="unsupported")
    name = getattr(file, "name", "") or ""
    if kind == PDF:
        if PDF not in accept:
            raise UploadRefused(
                _("This file is a PDF document; only images (JPEG, PNG or WebP) can go here."),
                code="pdf_not_accepted",
            )
        _check_name(name, kind)
        _check_no_active_content(data)
        return _inspect_pdf(data, name)
    if IMAGE not in accept:
        raise UploadRefused(_("Only PDF documents can go here."), code="image_not_accepted")
    _check_name(name, kind)
    _check_no_active_content(data)
    return _clean_image(data, kind, name)


def _inspect_pdf(data: bytes, name: str) -> CleanFile:
    if b"%%EOF" not in data[-2048:]:
        raise UploadRefused(
            _("This PDF is incomplete (it has no end). Save or export it again and try again."),
            code="truncated",
        )
    for match in PDF_NAME.finditer(data):
        raw = match.group(1)
        decoded = re.sub(rb"#([0-9A-Fa-f]{2})", lambda m: bytes([int(m.group(1), 16)]), raw)
        if decoded in PDF_ACTIVE_NAMES:
            raise UploadRefused(
                _(
                    "This PDF contains scripts or attached files, which we do not accept. "
                    "Print it to a new PDF (or export it without them) and try again."
                ),
                code="pdf_active",
            )
    return CleanFile(
        kind=PDF,
        content=_strip_pdf_metadata(data),
        extension="pdf",
        content_type=PDF_CONTENT_TYPE,
        width=None,
        height=None,
        original_name=safe_original_name(name),
    )


def _strip_pdf_metadata(data: bytes) -> bytes:
    """`data` re-written without document information or XMP metadata (names, emails, software
    and dates of whoever made it), keeping only objects the document still uses."""
    try:
        with warnings.catch_warnings():
            # pypdf warns about the many small faults real PDFs have; it repairs what it can.
            warnings.simplefilter("ignore")
            reader = PdfReader(io.BytesIO(data), strict=False)
            if reader.is_encrypted:
                raise UploadRefused(
                    _(
                        "This PDF is protected (encrypted or with a password), so we cannot "
                        "check it. Save a copy without protection and try again."
                    ),
                    code="pdf_encrypted",
                )
            writer = PdfWriter(clone_from=reader)
            writer.metadata = None  # the trailer's /Info dictionary
            for obj in writer._objects:
                if isinstance(obj, DictionaryObject):  # streams (e.g. images) are too
                    for key in PDF_METADATA_KEYS:
                        obj.pop(key, None)
            # The XMP streams are now unreferenced: leave them out of the file.
            writer.compress_identical_objects(remove_duplicates=False, remove_unreferenced=True)
            out = io.BytesIO()
            writer.write(out)
    except PDF_READ_ERRORS:
        raise UploadRefused(
            _(
                "This PDF is damaged or could not be read. Save or export it as a PDF again "
                "and try again."
            ),
            code="pdf_damaged",
        ) from None
    return out.getvalue()


def _bomb(width: int, height: int) -> UploadRefused:
    return UploadRefused(
        _(
            "This image is %(width)s × %(height)s pixels (%(mp)s megapixels); the limit is "
            "%(limit)s megapixels. Images this large can be built to exhaust the server "
            "(a decompression bomb), so it was refused: resize it and try again."
        )
        % {
            "width": f"{width:,}",
            "height": f"{height:,}",
            "mp": f"{width * height / 1_000_000:,.0f}",
            "limit": f"{max_pixels() / 1_000_000:,.0f}",
        },
        code="too_many_pixels",
    )


def _decode(data: bytes, kind: str) -> Image.Image:
    """Open and fully decode `data`, refusing bombs before any pixel is decoded."""
    broken = UploadRefused(
        _(
            "This image is damaged or incomplete (perhaps the upload was cut short). "
            "Save or export it again and try again."
        ),
        code="damaged",
    )
    with warnings.catch_warnings():
        # Pillow's own bomb check warns at its limit; ours (below) is stricter and says more.
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=[kind])
        except Image.DecompressionBombError:
            # Past twice Pillow's limit it refuses in open(); read the size from the header.
            width, height = _header_size(data, kind)
            raise _bomb(width, height) from None
        except (OSError, SyntaxError, ValueError):
            raise broken from None
        width, height = image.size
        if width * height > max_pixels():
            raise _bomb(width, height)
        try:
            image.load()
        except (OSError, SyntaxError, ValueError, EOFError):
            raise broken from None
    return image


def _header_size(data: bytes, kind: str) -> tuple[int, int]:
    if kind == "PNG" and data[12:16] == b"IHDR":
        return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    return 0, 0


def _to_srgb(image: Image.Image) -> Image.Image:
    icc = image.info.get("icc_profile")
    if not icc or image.mode not in ("RGB", "RGBA", "CMYK", "L"):
        return image
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        mode = "RGBA" if image.mode == "RGBA" else "RGB"
        return ImageCms.profileToProfile(
            image, source, ImageCms.createProfile("sRGB"), outputMode=mode
        )
    except (ImageCms.PyCMSError, OSError, ValueError):
        # A broken profile: keep the pixels as they are rather than refuse the image.
        return image


def _has_alpha(image: Image.Image) -> bool:
    if image.mode in ("RGBA", "LA", "PA", "La", "RGBa"):
        return True
    return image.mode == "P" and "transparency" in image.info


def _clean_image(data: bytes, kind: str, name: str) -> CleanFile:
    image = _decode(data, kind)
    image = ImageOps.exif_transpose(image)
    image = _to_srgb(image)
    alpha = _has_alpha(image)
    image = image.convert("RGBA" if alpha else "RGB")
    if max(image.size) > MASTER_MAX_SIDE:
        image.thumbnail((MASTER_MAX_SIDE, MASTER_MAX_SIDE), Image.Resampling.LANCZOS)
    # A new image holds the pixels and nothing else: no EXIF, XMP, comments or profiles.
    clean = Image.new(image.mode, image.size)
    clean.paste(image)
    out = io.BytesIO()
    if alpha:
        clean.save(out, "PNG")
        extension, content_type = "png", "image/png"
    else:
        clean.save(out, "JPEG", quality=90, optimize=True)
        extension, content_type = "jpg", "image/jpeg"
    return CleanFile(
        kind=IMAGE,
        content=out.getvalue(),
        extension=extension,
        content_type=content_type,
        width=clean.width,
        height=clean.height,
        original_name=safe_original_name(name),
    )


@dataclass(frozen=True)
class Variant:
    width: int
    height: int
    format: str  # "webp" or "jpg"
    content: bytes

    @property
    def content_type(self) -> str:
        return "image/webp" if self.format == "webp" else "image/jpeg"


def variant_widths(master_width: int) -> list[int]:
    """The widths to make for a master this wide: the standard ones below it, and its own
    width when it is narrower than the largest standard one."""
    widths = [w for w in VARIANT_WIDTHS if w < master_width]
    if master_width <= VARIANT_WIDTHS[-1]:
        widths.append(master_width)
    return widths


def image_variants(master: bytes) -> list[Variant]:
    """Resized WebP and JPEG copies of a clean master image (see variant_widths)."""
    with Image.open(io.BytesIO(master)) as opened:
        opened.load()
        source = opened.convert("RGBA" if _has_alpha(opened) else "RGB")
    variants = []
    for width in variant_widths(source.width):
        height = max(1, round(source.height * width / source.width))
        resized = (
            source
            if width == source.width
            else source.resize((width, height), Image.Resampling.LANCZOS)
        )
        webp = io.BytesIO()
        resized.save(webp, "WEBP", quality=WEBP_QUALITY, method=4)
        variants.append(Variant(width, height, "webp", webp.getvalue()))
        flat = resized
        if resized.mode == "RGBA":
            # JPEG has no transparency: a drawing on a transparent sheet goes onto white paper.
            flat = Image.new("RGB", resized.size, "white")
            flat.paste(resized, mask=resized.getchannel("A"))
        jpeg = io.BytesIO()
        flat.save(jpeg, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
        variants.append(Variant(width, height, "jpg", jpeg.getvalue()))
    return variants
