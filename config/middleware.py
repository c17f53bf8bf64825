"""Project middleware: one log line per request; a friendly 503 while the database is away."""

import hashlib
import logging
import time

from django.db import InterfaceError, OperationalError

from config.views import database_unavailable
from core.logging import redact_text as redact

request_logger = logging.getLogger("commons.request")


class RequestLogMiddleware:
    """Log `method path status duration_ms` once per request; personal calendar tokens redacted.

    The path is logged without its query string (search terms are the users' business).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        if request.method == "HEAD" and not response.streaming and response.content:
            # gunicorn drops (and warns about) a HEAD body; send the headers only, length kept.
            length = response.get("Content-Length", str(len(response.content)))
            response.content = b""
            response["Content-Length"] = length
        duration_ms = (time.perf_counter() - started) * 1000
        request_logger.info(
            "%s %s %s %.1fms",
            request.method,
            redact(request.path),
            response.status_code,
            duration_ms,
        )
        return response


class DatabaseUnavailableMiddleware:
    """Answer 503 with the friendly page when a view finds the database gone.

    Errors raised outside views (in other middleware) reach `config.views.server_error`, the
    500 handler, which gives the same page for the same errors.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, OperationalError | InterfaceError):
            return database_unavailable(request, exception)
        return None


class AnonymousPageCacheMiddleware:
    """Serve HTML pages to visitors without a session from the shared cache.

    Off unless ANONYMOUS_PAGE_CACHE_SECONDS > 0. Only GET/HEAD requests without a session or
    messages cookie are served or stored, and only 200 HTML responses that set no cookie, used
    no CSRF token and allow caching; the key is the scheme, host, language and full path (a
    page's canonical and og:url addresses come from the request's scheme and host, so one
    request under another allowed host must not set them for later visitors). Signed-in
    members always get fresh pages; anonymous visitors may see a page that old (what they read
    changes far more slowly than it is read). Calendar files are left alone: events/calendar_http.py
    has their one path (fingerprint, validators, assembled body) and answers their 304s.
    """

    CONTENT_TYPES = ("text/html",)

    def __init__(self, get_response):
        from django.conf import settings

        self.get_response = get_response
        self.seconds = settings.ANONYMOUS_PAGE_CACHE_SECONDS
        self.skip_cookies = {settings.SESSION_COOKIE_NAME, "messages"}

    def __call__(self, request):
        if self.seconds <= 0 or not self._anonymous_read(request):
            return self.get_response(request)
        from django.core.cache import cache

        # get_host() refuses a host outside ALLOWED_HOSTS (400), as CommonMiddleware would.
        raw = "|".join(
            (request.scheme, request.get_host(), request.LANGUAGE_CODE, request.get_full_path())
        )
        key = "page:" + hashlib.sha256(raw.encode()).hexdigest()
        cached = cache.get(key)
        if cached is not None:
            return cached
        response = self.get_response(request)
        if (
            self._shareable(request, response)
            and response.status_code == 200
            and response.get("Content-Type", "").startswith(self.CONTENT_TYPES)
        ):
            cache.set(key, response, self.seconds)
        return response

    def _anonymous_read(self, request) -> bool:
        return request.method in ("GET", "HEAD") and not self.skip_cookies & request.COOKIES.keys()

    @staticmethod
    def _shareable(request, response) -> bool:
        cache_control = response.get("Cache-Control", "")
        return (
            not response.streaming
            and not response.cookies
            # The page used a CSRF token (a form): it belongs to this visitor's cookie.
            and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
            and not any(word in cache_control for word in ("private", "no-store", "no-cache"))
        )
