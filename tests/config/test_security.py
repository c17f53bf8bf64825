"""Production security settings: check --deploy is clean, and pages satisfy the CSP."""

import os
import secrets
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.urls import NoReverseMatch, reverse

from tests.factories import EventFactory

BASE_DIR = Path(__file__).resolve().parents[2]

PRODUCTION_ENV = {
    # pytest-django exported the test settings module; production runs config.settings.
    "DJANGO_SETTINGS_MODULE": "config.settings",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "commons.example.org",
    "SITE_URL": "https://commons.example.org",
    "DATABASE_URL": "postgres://commons@db.example.org:5432/commons",
    "REDIS_URL": "redis://cache.example.org:6379/0",
    "TASK_BACKEND": "database",
}


def test_check_deploy_with_production_environment_reports_no_issues():
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "DATABASE_URL"}}
    env.update(PRODUCTION_ENV)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues (0 silenced)." in output
    assert "WARNING" not in output


def test_pages_carry_the_content_security_policy(client, db):
    policy = client.get("/")["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["img-src"] == "'self' data:"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["form-action"] == "'self'"
    assert "unsafe-inline" not in policy


class InlineCodeFinder(HTMLParser):
    """Collects what a strict CSP would block: inline scripts and style attributes."""

    def __init__(self):
        super().__init__()
        self.problems = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if "style" in attributes:
            self.problems.append(f"<{tag} style=...>")
        if any(name.startswith("on") for name in attributes):
            self.problems.append(f"<{tag} on...= handler>")
        is_data_block = attributes.get("type") == "application/ld+json"
        if tag == "script" and not attributes.get("src") and not is_data_block:
            self.problems.append("inline <script>")
        if tag == "style":
            self.problems.append("<style> block")


def inline_code(html: str) -> list[str]:
    finder = InlineCodeFinder()
    finder.feed(html)
    return finder.problems


def test_inline_code_finder_spots_what_the_policy_forbids():
    html = (
        '<script>alert(1)</script><script type="application/ld+json">{}</script>'
        '<script src="/static/x.js" defer></script><p style="color:red" onclick="x()">'
    )
    assert inline_code(html) == ["inline <script>", "<p style=...>", "<p on...= handler>"]


# (URL name, kwargs maker). Pages another branch has not built yet are skipped by name.
PAGES = [
    ("home", lambda: {}),
    ("account_login", lambda: {}),
    ("account_signup", lambda: {}),
    ("events:list", lambda: {}),
    ("events:detail", lambda: {"slug": EventFactory().slug}),
    ("events:theme_list", lambda: {}),
    ("discussions:board", lambda: {"event_slug": EventFactory().slug}),
]


@pytest.mark.parametrize(("name", "kwargs"), PAGES, ids=[name for name, _ in PAGES])
def test_pages_have_no_inline_script_or_style(client, db, name, kwargs):
    try:
        url = reverse(name, kwargs=kwargs())
    except NoReverseMatch:
        pytest.skip(f"{name} is not on this branch yet")
    response = client.get(url)
    assert response.status_code == 200
    assert inline_code(response.content.decode()) == []


def test_503_page_has_no_inline_script_or_style():
    from config.views import database_unavailable

    assert inline_code(database_unavailable(None).content.decode()) == []


# --- pages that show a secret are never kept by a browser or a proxy ------------------------------


def _secret_pages(user):
    from events import notices

    return [
        reverse("events:calendar_settings"),
        reverse("people:account"),
        reverse("events:email_opt_out", kwargs={"token": notices.opt_out_token(user)}),
    ]


def test_pages_showing_a_secret_send_private_no_store(client, db):
    from tests.factories import UserFactory

    user = UserFactory()
    client.force_login(user)
    for url in _secret_pages(user):
        response = client.get(url)
        assert response.status_code == 200, url
        cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
        assert {"private", "no-store"} <= cache_control, url


def test_the_calendar_settings_page_with_its_address_is_not_stored(client, db):
    from events.models import CalendarToken
    from tests.factories import UserFactory

    user = UserFactory()
    token = CalendarToken.objects.create(user=user, token=CalendarToken.new_token())
    client.force_login(user)
    response = client.get(reverse("events:calendar_settings"))
    assert token.token in response.text
    assert "no-store" in response["Cache-Control"]
