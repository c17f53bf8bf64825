"""Logging filter that keeps personal calendar tokens out of log records.

Attached to the `django.request` and `django.server` loggers in settings.LOGGING; request logging
middleware should log `redact_path(request.path)` (also importable from events.calendar) instead
of the raw path. Imports nothing from Django models: settings.LOGGING loads it before apps.
"""

import logging

PERSONAL_PREFIX = "/calendar/"


def redact_path(path: str) -> str:
    """A personal feed path with its token hidden, for logs: /calendar/<redacted>.ics."""
    if not path.startswith(PERSONAL_PREFIX):
        return path
    return PERSONAL_PREFIX + ("<redacted>.ics" if path.endswith(".ics") else "<redacted>")


def redact_text(text: str) -> str:
    """Redact every personal feed path in a line such as 'GET /calendar/x.ics HTTP/1.1'."""
    if PERSONAL_PREFIX not in text:
        return text
    return " ".join(redact_path(part.strip('"')) for part in text.split(" "))


class RedactCalendarTokens(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                redact_text(arg) if isinstance(arg, str) else arg for arg in record.args
            )
        if isinstance(record.msg, str):
            record.msg = redact_text(record.msg)
        request = getattr(record, "request", None)
        if request is not None and getattr(request, "path", "").startswith(PERSONAL_PREFIX):
            del record.request  # error emails would print the full request
        return True
