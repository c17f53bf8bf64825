"""Browser tests: Playwright (sync API) drives Debian's Chromium against the live server.

One browser per session (launching costs a second or two), a fresh context per test (no cookies or
storage leak between tests). The live server serves the real static files (our `static/` plus the
npm-installed Bootstrap and axe-core) through Django's staticfiles finders.

No browser is a failure, not a silent skip: the run says why and how to fix it. Only an explicit
`SKIP_BROWSER_TESTS=1` skips these tests.
"""

import os
import shutil
from pathlib import Path

import pytest
from django.test import Client

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",  # the tests may run as root (CI containers); Chromium refuses its sandbox there
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP = {"width": 1280, "height": 800}


def browser_tests_skipped() -> bool:
    return os.environ.get("SKIP_BROWSER_TESTS", "").strip().lower() not in {"", "0", "false", "no"}


def is_browser_test(item) -> bool:
    # The marker, not item.keywords: keywords also hold directory names ("tests/browser").
    return item.get_closest_marker("browser") is not None


@pytest.hookimpl(wrapper=True)
def pytest_collection_modifyitems(config, items):
    yield  # after pytest-django's own ordering (database tests first, transactional next)
    # Browser tests run last: once Playwright's loop is up in this thread (see `browser`), the
    # rest of the session runs with Django's async guard lifted, which only they may need.
    items.sort(key=is_browser_test)  # a stable sort: keeps pytest-django's order otherwise
    if browser_tests_skipped():
        skip = pytest.mark.skip(
            reason="SKIP_BROWSER_TESTS is set: browser tests skipped on request"
        )
        for item in items:
            if is_browser_test(item):
                item.add_marker(skip)


def pytest_terminal_summary(terminalreporter):
    version = getattr(terminalreporter.config, "_commons_browser_version", None)
    if version:
        terminalreporter.write_sep("-", f"browser tests ran in {version} (headless)")


@pytest.fixture(scope="session")
def browser(request):
    """Debian's Chromium, launched once per test session."""
    if not Path(CHROMIUM).exists() and not shutil.which(CHROMIUM):
        pytest.fail(
            f"Browser tests need Chromium at {CHROMIUM}, which is missing. Run `make browser` "
            "(installs Debian's chromium as root or with sudo), point CHROMIUM_PATH at a "
            "Chromium, or set SKIP_BROWSER_TESTS=1 to skip the browser tests.",
            pytrace=False,
        )
    from playwright.sync_api import Error, sync_playwright

    # Playwright's sync API leaves its asyncio loop marked running in this thread, so Django
    # would refuse every later ORM call (test bodies, the database flush between tests). Those
    # calls are synchronous, so the guard does not apply; browser tests run last (see above) and
    # the variable is removed again when the session ends.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
    except Error as error:
        playwright.stop()
        pytest.fail(
            f"Chromium at {CHROMIUM} did not start, so the browser tests cannot run: {error}\n"
            "Set SKIP_BROWSER_TESTS=1 to skip them.",
            pytrace=False,
        )
    version = f"Chromium {chromium.version} ({CHROMIUM})"
    request.config._commons_browser_version = version
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter and capture:
        with capture.global_and_fixture_disabled():
            reporter.write_line("")
            reporter.write_line(f"browser: {version}, headless")
    yield chromium
    chromium.close()
    playwright.stop()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture(autouse=True)
def _site_on_the_live_server(settings, live_server):
    """Links in emails and calendar files point at the server the browser talks to; rate-limit
    counters and cached pages from an earlier test (same process, local-memory cache) are gone."""
    from django.core.cache import cache

    settings.SITE_URL = live_server.url
    cache.clear()


@pytest.fixture
def new_context(browser, live_server):
    """Make fresh browser contexts (own cookies and storage) pointed at the live server."""
    made = []

    def make():
        context = browser.new_context(base_url=live_server.url, viewport=DESKTOP, locale="en-GB")
        context.set_default_timeout(10_000)
        made.append(context)
        return context

    yield make
    for context in made:
        context.close()


@pytest.fixture
def context(new_context):
    return new_context()


@pytest.fixture
def new_page(context):
    """Open pages that fail the test on any uncaught JavaScript error or CSP violation."""
    problems = []

    def watch(message):
        if message.type == "error" and "Content Security Policy" in message.text:
            problems.append(f"console: {message.text}")

    def make(in_context=None):
        page = (in_context or context).new_page()
        page.on("pageerror", lambda error: problems.append(f"JavaScript error: {error}"))
        page.on("console", watch)
        return page

    yield make
    assert not problems, "\n".join(problems)


@pytest.fixture
def page(new_page):
    return new_page()


@pytest.fixture
def sign_in_as(context, live_server):
    """Sign `user` in to the browser context without the form (journeys test the form once)."""

    def sign_in(user, target=None):
        """Give `target` (default: the test's context) a session for `user`."""
        client = Client()
        client.force_login(user)
        cookie = client.cookies["sessionid"]
        (target or context).add_cookies(
            [{"name": "sessionid", "value": cookie.value, "url": live_server.url}]
        )

    return sign_in
