"""System checks for what the calendar files depend on (run by `manage.py check --deploy`)."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, Tags, register
from django.http.request import validate_host


@register(Tags.security, deploy=True)
def site_url_is_served_here(app_configs=None, **kwargs):
    """SITE_URL names this site: its host is one ALLOWED_HOSTS accepts.

    Every calendar UID (`event-<pk>@<SITE_URL's host>`) and every link in mail is built from it.
    Left at its development default (127.0.0.1) in production, subscribers' calendars would hold
    UIDs that change the day it is fixed (every event duplicated) and links to nowhere.
    """
    url = urlsplit(getattr(settings, "SITE_URL", "") or "")
    host = url.hostname or ""
    if url.scheme in ("http", "https") and host and validate_host(host, settings.ALLOWED_HOSTS):
        return []
    return [
        Error(
            f"SITE_URL {settings.SITE_URL!r} does not name this site (ALLOWED_HOSTS: "
            f"{', '.join(settings.ALLOWED_HOSTS) or 'none'}).",
            hint="Set SITE_URL to the public address, e.g. https://commons.example.org: calendar "
            "UIDs and links in mail are built from it, and changing it later duplicates every "
            "event in subscribers' calendars.",
            id="events.E001",
        )
    ]
