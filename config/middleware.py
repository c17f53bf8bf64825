"""Project middleware: one log line per request; a friendly 503 while the database is away."""

import logging
import time

from django.db import InterfaceError, OperationalError

from config.logs import redact
from config.views import database_unavailable

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
