"""Storage classes for uploaded media.

Production keeps media in S3-compatible object storage (django-storages), so every worker sees
the same files and no Python worker streams them: pages link to the bucket (or its CDN, or
signed URLs), never to a Django view.
"""

from storages.backends.s3 import S3Storage

# Names never change content (each upload gets a fresh folder), so caches may keep them for ever.
IMMUTABLE = "public, max-age=31536000, immutable"


class MediaS3Storage(S3Storage):
    """S3 storage whose objects carry safe headers: PDFs download, nothing is sniffed."""

    def get_object_parameters(self, name):
        params = super().get_object_parameters(name)
        params.setdefault("CacheControl", IMMUTABLE)
        if not name.lower().endswith((".jpg", ".png", ".webp")):
            # Anything that is not one of our re-encoded images is a download, never a page.
            params["ContentDisposition"] = "attachment"
        return params
