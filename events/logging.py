"""Keep personal calendar tokens out of Django's request-error records.

config.logs redacts every line our handlers write; this filter sits on the `django.request`
logger itself so that handlers outside our control (AdminEmailHandler's error emails print the
whole request) never see a personal feed's path either. Imports no models: settings.LOGGING loads
it before the apps.
"""

import logging

from config.logs import redact

PERSONAL_PREFIX = "/calendar/"


def redact_path(path: str) -> str:
    """A path with any personal feed token hidden: /calendar/<redacted>.ics."""
    return redact(path)


class RedactRequestRecords(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        request = getattr(record, "request", None)
        if request is not None and getattr(request, "path", "").startswith(PERSONAL_PREFIX):
            del record.request  # AdminEmailHandler then reports "request unavailable"
        return True
