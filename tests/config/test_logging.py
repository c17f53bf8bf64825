"""One log line per request; personal calendar tokens never written."""

import io
import logging
import re

import pytest

from core.logging import RedactCalendarTokens
from core.logging import redact_text as redact

TOKEN = "s3cr3t-Token_abc123"


def request_lines(caplog):
    return [r.getMessage() for r in caplog.records if r.name == "commons.request"]


@pytest.mark.django_db
def test_each_request_logs_one_line_with_method_path_status_and_duration(client, caplog):
    caplog.set_level(logging.INFO, logger="commons.request")
    client.get("/healthz?verbose=1")
    client.post("/no-such-page/")
    lines = request_lines(caplog)
    assert len(lines) == 2
    assert re.fullmatch(r"GET /healthz 200 \d+\.\dms", lines[0])
    assert re.fullmatch(r"POST /no-such-page/ 40[34] \d+\.\dms", lines[1])


@pytest.mark.django_db
def test_head_requests_get_headers_only_with_the_length_of_the_body(client):
    full = client.get("/healthz")
    head = client.head("/healthz")
    assert head.status_code == 200
    assert head.content == b""
    assert head["Content-Length"] == str(len(full.content))


@pytest.mark.django_db
def test_request_line_never_contains_a_personal_calendar_token(client, caplog):
    caplog.set_level(logging.INFO, logger="commons.request")
    client.get(f"/calendar/{TOKEN}.ics")
    [line] = request_lines(caplog)
    assert line.startswith("GET /calendar/<redacted>.ics ")
    assert TOKEN not in caplog.text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"/calendar/{TOKEN}.ics", "/calendar/<redacted>.ics"),
        (f"Not Found: /calendar/{TOKEN}.ics", "Not Found: /calendar/<redacted>.ics"),
        (
            f'"GET /calendar/{TOKEN}.ics?x=1 HTTP/1.1"',
            '"GET /calendar/<redacted>.ics?x=1 HTTP/1.1"',
        ),
        ("/events/calendar.ics", "/events/calendar.ics"),
        ("/events/cafe/calendar.ics", "/events/cafe/calendar.ics"),
    ],
)
def test_redact_replaces_only_personal_tokens(text, expected):
    assert redact(text) == expected


def test_console_handler_redacts_tokens_in_any_logger():
    """Django's own loggers (django.request: 'Not Found: <path>') pass through the same filter."""
    [handler] = [h for h in logging.getLogger().handlers if h.get_name() == "console"]
    assert any(isinstance(f, RedactCalendarTokens) for f in handler.filters)
    stream = io.StringIO()
    previous = handler.setStream(stream)
    try:
        logging.getLogger("django.request").warning("Not Found: %s", f"/calendar/{TOKEN}.ics")
    finally:
        handler.setStream(previous)
    assert "Not Found: /calendar/<redacted>.ics" in stream.getvalue()
    assert TOKEN not in stream.getvalue()
