"""`{% picture upload alt=... sizes=... %}`: a responsive <picture> of an image upload."""

from django import template
from django.conf import settings
from django.template.loader import render_to_string

register = template.Library()


@register.simple_tag
def picture(upload, *, alt, sizes="100vw", lazy=True, css_class="", max_width=None):
    """WebP sources with a JPEG fallback, width/height set (no layout shift), lazy by default.

    Before the worker has made the variants, the clean master stands in for all of them.
    `max_width` keeps `src` (browsers without srcset, and emails) at most that wide.
    """
    webp = upload.sources("webp")
    jpeg = upload.sources("jpg")
    fallback = upload.variant_url(max_width or 1024)
    return render_to_string(
        "core/_picture.html",
        {
            "upload": upload,
            "alt": alt,
            "sizes": sizes,
            "lazy": lazy,
            "css_class": css_class,
            "webp_srcset": ", ".join(f"{url} {width}w" for url, width in webp),
            "jpeg_srcset": ", ".join(f"{url} {width}w" for url, width in jpeg),
            "src": fallback,
        },
    )


def absolute(url: str) -> str:
    return url if url.startswith(("https://", "http://")) else settings.SITE_URL + url


@register.simple_tag
def image_url(upload, width=1280, fmt="jpg"):
    """The absolute URL of the widest `fmt` variant at most `width` wide (Open Graph, emails)."""
    return absolute(upload.variant_url(width, fmt))


@register.simple_tag
def image_size(upload, width=1280):
    """(width, height) of the variant image_url picks for `width`."""
    return upload.variant_size(width)
