"""Views that belong to the deployment rather than to an app: health check, 503 page, bench view."""

import logging
import sys
import uuid

from django.core.cache import cache
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger("commons.database")

# Seconds a client should wait before retrying while the database is away.
RETRY_AFTER_SECONDS = 10


def database_unavailable(request, exception=None) -> HttpResponse:
    """The friendly 503 page. Rendered without context processors: they would query the database."""
    if exception is not None:
        first_line = (str(exception).strip().splitlines() or [""])[0]
        logger.warning("database unavailable: %s: %s", type(exception).__name__, first_line)
    response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def server_error(request, template_name="500.html"):
    """handler500: database outages raised outside a view still get the 503 page, not a 500."""
    exception = sys.exc_info()[1]
    if isinstance(exception, OperationalError | InterfaceError):
        return database_unavailable(request, exception)
    return defaults.server_error(request, template_name=template_name)


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except DatabaseError:
        return False


def _cache_ok() -> bool:
    key, token = "healthz", uuid.uuid4().hex
    try:
        cache.set(key, token, timeout=10)
        return cache.get(key) == token
    except Exception:  # any backend's failure is a failed check, never a 500
        return False


@never_cache
@require_safe
def healthz(request):
    """200 {"database": "ok", "cache": "ok"}, or 503 naming what failed."""
    results = {"database": _database_ok(), "cache": _cache_ok()}
    body = {name: "ok" if ok else "unavailable" for name, ok in results.items()}
    return JsonResponse(body, status=200 if all(results.values()) else 503)


def bench_trivial(request):
    """A tiny template: the ceiling of requests per second here (only with BENCH_VIEWS=1)."""
    return render(request, "bench/trivial.html")
