"""Views that belong to the deployment rather than to an app: health check, 503 page, bench view."""

import logging
import sys
import uuid

from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
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


def admin_login(request):
    """/admin/login/: staff sign in on the members' page (allauth), whose failed-login lockout
    (ACCOUNT_RATE_LIMITS "login_failed": 5 per address in 5 minutes, 10 a minute per IP) then
    covers the admin too; Django's own admin form has no throttle. It never reads a password:
    any request is sent on, with `next`."""
    next_url = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = reverse("admin:index")
    if request.user.is_authenticated:
        if request.user.is_active and request.user.is_staff:
            return redirect(next_url)
        # Signed in but not staff: the sign-in page would only send them back here.
        raise PermissionDenied
    return redirect_to_login(next_url, login_url=reverse("account_login"))


def bench_trivial(request):
    """A tiny template: the ceiling of requests per second here (only with BENCH_VIEWS=1)."""
    return render(request, "bench/trivial.html")
