"""Logging helpers for the project; the token redaction itself lives with the feeds it protects."""

from events.logging import RedactCalendarTokens, redact_text

redact = redact_text

__all__ = ["RedactCalendarTokens", "redact"]
