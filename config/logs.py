"""Logging helpers: personal calendar tokens never reach a log.

A personal feed URL (/calendar/<token>.ics) is a password: anyone holding it reads that person's
calendar. Every record written through our handlers has such tokens replaced.
"""

import logging
import re

# Anything under /calendar/ (with or without .ics, even with slashes) is treated as a token.
CALENDAR_TOKEN = re.compile(r"(/calendar/)[^\s?#\"']+?(\.ics)?(?=[\s?#\"']|$)")


def redact(text: str) -> str:
    """`text` with every personal calendar token replaced by <redacted>."""
    return CALENDAR_TOKEN.sub(lambda m: m[1] + "<redacted>" + (m[2] or ""), text)


class RedactCalendarTokens(logging.Filter):
    """Rewrite each record's message (and its request path) with tokens redacted."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True
