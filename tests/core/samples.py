"""Files for upload tests, made here with Pillow and by hand: no file is committed.

Good files carry EXIF with GPS, XMP and a comment, so tests can check all of it is gone.
The bad-file corpus is the list of files the pipeline must refuse.
"""

import io
import re
import struct
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw

GPS_IFD = 0x8825
ORIENTATION = 0x0112
XMP = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF/></x:xmpmeta>'


def _picture(width: int, height: int, mode: str = "RGB") -> Image.Image:
    image = Image.new(mode, (width, height), "white" if mode != "RGBA" else (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    draw.rectangle((10, 10, width // 2, height // 3), fill=(200, 40, 40, 255))
    draw.text((20, height // 2), "What's your policy?", fill=(0, 0, 0, 255))
    return image


def exif_with_gps(orientation: int = 1) -> Image.Exif:
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    exif[0x010F] = "PhoneMaker"  # Make
    exif[GPS_IFD] = {1: "N", 2: (51.0, 28.0, 52.0), 3: "W", 4: (3.0, 10.0, 45.0)}
    return exif


def jpeg_bytes(width=1200, height=800, *, orientation=1, metadata=True) -> bytes:
    out = io.BytesIO()
    params = {"quality": 90}
    if metadata:
        params.update(exif=exif_with_gps(orientation), xmp=XMP, comment=b"taken at home")
    _picture(width, height).save(out, "JPEG", **params)
    return out.getvalue()


def png_bytes(width=800, height=600, *, alpha=False, metadata=True) -> bytes:
    out = io.BytesIO()
    params = {"exif": exif_with_gps()} if metadata else {}
    _picture(width, height, "RGBA" if alpha else "RGB").save(out, "PNG", **params)
    return out.getvalue()


def webp_bytes(width=900, height=600, *, metadata=True) -> bytes:
    out = io.BytesIO()
    params = {"exif": exif_with_gps(), "xmp": XMP} if metadata else {}
    _picture(width, height).save(out, "WEBP", quality=80, **params)
    return out.getvalue()


def pdf_bytes(extra: bytes = b"", *, info: bytes = b"", root_extra: bytes = b"") -> bytes:
    """A small valid one-page PDF with a cross-reference table.

    `extra`: more objects (numbered from 4) before the table; `info`: a document information
    dictionary's body (kept as object 99, named by the trailer); `root_extra`: more keys on the
    catalogue (e.g. b"/Metadata 4 0 R").
    """
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R " + root_extra + b">>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append((number, len(out)))
        out += b"%d 0 obj %s endobj\n" % (number, body)
    out += extra
    for match in re.finditer(rb"(\d+) 0 obj", extra):
        offsets.append((int(match.group(1)), len(out) - len(extra) + match.start()))
    trailer = b"/Size %d /Root 1 0 R" % (max(n for n, _ in offsets) + 1)
    if info:
        offsets.append((99, len(out)))
        out += b"99 0 obj << " + info + b" >> endobj\n"
        trailer = b"/Size 100 /Root 1 0 R /Info 99 0 R"
    offsets.sort()
    size = offsets[-1][0] + 1
    table = dict(offsets)
    xref = b"xref\n0 %d\n0000000000 65535 f \n" % size
    for number in range(1, size):
        if number in table:
            xref += b"%010d 00000 n \n" % table[number]
        else:
            xref += b"0000000000 65535 f \n"
    start = len(out)
    return out + xref + b"trailer << " + trailer + b" >>\nstartxref\n%d\n%%%%EOF\n" % start


def xmp_packet(creator: str) -> bytes:
    return (
        b'<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>'
        b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
        b'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description '
        b'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator>'
        + creator.encode()
        + b"</dc:creator></rdf:Description></rdf:RDF></x:xmpmeta>"
        b'<?xpacket end="w"?>'
    )


def encrypted_pdf() -> bytes:
    """A PDF any reader opens (empty user password) but whose content is encrypted."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_bytes())))
    writer.encrypt("", "owner password", algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# What pdf_with_metadata() says about its maker, anywhere in the file.
PDF_PERSONAL_DATA = (b"Sian", b"sian.jones", b"SIAN-LAPTOP", b"PDFMaker", b"Microsoft Word")


def assert_pdf_has_no_metadata(content: bytes) -> None:
    """No document information, no XMP, and none of the maker's details left in the bytes."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(content))
    assert len(reader.pages) >= 1
    assert reader.metadata is None or not (
        {"/Author", "/Creator", "/Producer", "/CreationDate"} & set(reader.metadata)
    ), reader.metadata
    assert reader.xmp_metadata is None
    assert b"/Metadata" not in content
    assert b"xpacket" not in content
    assert b"xmpmeta" not in content
    for marker in PDF_PERSONAL_DATA:
        assert marker not in content, marker


def pdf_with_metadata() -> bytes:
    """A PDF whose document information and XMP name the person and machine that made it."""
    xmp = xmp_packet("Sian Jones, sian.jones@example.org")
    return pdf_bytes(
        b"4 0 obj << /Type /Metadata /Subtype /XML /Length %d >> stream\n%s\nendstream endobj\n"
        % (len(xmp), xmp),
        info=b"/Author (Sian Jones) /Creator (Microsoft Word - sian.jones@example.org) "
        b"/Producer (Acrobat PDFMaker on SIAN-LAPTOP) /Title (Talking Points) "
        b"/CreationDate (D:20261112093000Z)",
        root_extra=b"/Metadata 4 0 R ",
    )


def png_bomb(width=20_000, height=20_000) -> bytes:
    """A real decompression bomb: a few tens of KB that decode to `width` x `height` pixels."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1-bit greyscale
    row = b"\x00" * (1 + (width + 7) // 8)
    compressor = zlib.compressobj(9)
    idat = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
    )


def upload(name: str, content: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def bad_file_corpus() -> list[tuple[str, SimpleUploadedFile, str]]:
    """(label, file, error code) for every kind of file the pipeline refuses."""
    jpeg = jpeg_bytes(metadata=False)
    svg = (
        b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
        b"<script>alert(document.cookie)</script></svg>"
    )
    html = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"
    return [
        ("truncated JPEG", upload("drawing.jpg", jpeg[: len(jpeg) // 2], "image/jpeg"), "damaged"),
        ("PNG bomb", upload("flipchart.png", png_bomb(), "image/png"), "too_many_pixels"),
        (
            "PNG bomb under Pillow's own limit",
            upload("flipchart.png", png_bomb(8_000, 8_000), "image/png"),
            "too_many_pixels",
        ),
        ("SVG with script", upload("drawing.svg", svg, "image/svg+xml"), "unsupported"),
        ("SVG renamed .png", upload("drawing.png", svg, "image/png"), "unsupported"),
        ("HTML renamed .jpg", upload("photo.jpg", html, "image/jpeg"), "unsupported"),
        (
            "JPEG/HTML polyglot",
            upload("photo.jpg", jpeg + b"<html><script>alert(1)</script></html>", "image/jpeg"),
            "polyglot",
        ),
        (
            "PDF/HTML polyglot",
            upload(
                "slides.pdf", pdf_bytes(b"% <html><script>alert(1)</script>\n"), "application/pdf"
            ),
            "polyglot",
        ),
        (
            "PDF with the wrong type",
            upload("drawing.jpg", pdf_bytes(), "image/jpeg"),
            "name_mismatch",
        ),
        (
            "PDF with JavaScript",
            upload(
                "slides.pdf",
                pdf_bytes(b"4 0 obj << /S /J#61vaScript /JS (app.alert(1)) >> endobj\n"),
            ),
            "pdf_active",
        ),
        ("truncated PDF", upload("slides.pdf", pdf_bytes()[:120], "application/pdf"), "truncated"),
        (
            "encrypted PDF",
            upload("slides.pdf", encrypted_pdf(), "application/pdf"),
            "pdf_encrypted",
        ),
        (
            "PDF with no pages to read",
            upload("slides.pdf", b"%PDF-1.4\n1 0 obj << /Pages 9 0 R >> endobj\n%%EOF\n"),
            "pdf_damaged",
        ),
        ("GIF", upload("anim.gif", b"GIF89a" + b"\x00" * 40, "image/gif"), "unsupported"),
        ("empty file", upload("empty.jpg", b"", "image/jpeg"), "empty"),
    ]
