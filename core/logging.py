"""Keeping personal calendar tokens out of every log line and error report.

A personal feed URL (/calendar/<token>.ics) is a password: anyone holding it reads that person's
calendar. This module is the one place that knows how to hide it; the request-log middleware and
the logging filters in settings.LOGGING use it. It imports nothing from models: settings.LOGGING
loads it before the apps.
"""

import logging
import re

PERSONAL_PREFIX = "/calendar/"
# Everything between /calendar/ and the end of the path (tokens may be followed by junk segments).
_PERSONAL_PATH = re.compile(r"(/calendar/)[^\s?#\"']+?(\.ics\b|(?=[\s?#\"']|$))")


def redact_text(text: str) -> str:
    """`text` with every personal feed token replaced: /calendar/<redacted>.ics."""
    if PERSONAL_PREFIX not in text:
        return text
    return _PERSONAL_PATH.sub(lambda m: m.group(1) + "<redacted>" + m.group(2), text)


def redact_path(path: str) -> str:
    """A personal feed path with its token hidden, for logs."""
    return redact_text(path)


def is_personal_feed_path(path: str) -> bool:
    """/calendar/..., also under a language prefix (/cy/calendar/...)."""
    from django.conf import settings  # read when called: settings.LOGGING imports this module

    prefixes = [PERSONAL_PREFIX] + [f"/{code}{PERSONAL_PREFIX}" for code, _ in settings.LANGUAGES]
    return path.startswith(tuple(prefixes))


class RedactCalendarTokens(logging.Filter):
    """Rewrite each record's message with tokens redacted; drop a personal feed's request."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact_text(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        request = getattr(record, "request", None)
        if request is not None and is_personal_feed_path(getattr(request, "path", "")):
            del record.request  # error emails would print the full request
        return True
