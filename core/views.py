"""Media for `make run`: the proxy or the bucket serves it in production (SERVE_MEDIA off)."""

from django.conf import settings
from django.http import Http404
from django.views.static import serve


def serve_media(request, path):
    """A file under MEDIA_ROOT, with the headers our storage classes give it in production."""
    if not settings.SERVE_MEDIA or settings.MEDIA_STORAGE != "local":
        raise Http404
    response = serve(request, path, document_root=settings.MEDIA_ROOT)
    if not path.lower().endswith((".jpg", ".png", ".webp")):
        response["Content-Disposition"] = "attachment"
    return response
