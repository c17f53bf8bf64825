import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.cache import cache
from django.utils import translation

from tests.factories import EventFactory, EventRoleFactory, PersonFactory, UserFactory


def pytest_sessionstart(session):
    # `make install` compiles the Welsh catalogues; a bare `pytest` after a merge that changed a
    # .po would otherwise run against the old .mo (or none) and see English.
    if not shutil.which("msgfmt"):
        return
    for po in Path(__file__).resolve().parent.parent.glob("locale/**/LC_MESSAGES/django.po"):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            subprocess.run(["msgfmt", "--check-format", "-o", str(mo), str(po)], check=True)


@pytest.fixture(autouse=True)
def _default_language():
    # LocaleMiddleware activates a request's language in this thread and leaves it active: a test
    # that fetched a Welsh page must not make the next test's reverse() or emails Welsh.
    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _client_requests_commit(monkeypatch):
    """A request through the test client ends as a real one does: what it left to run after
    its commit (change markers moving, mail) runs then, once.

    A test runs inside one transaction that never commits, so `transaction.on_commit` callbacks
    wait for `django_capture_on_commit_callbacks(execute=True)`; without this a page read after
    a POST would be built from cached parts whose markers have not moved (core/fragments.py).
    The callbacks are taken off the connection once run: an enclosing capture does not run
    them twice. Writes a test makes itself, outside a request, still need the capture.
    """
    from django.db import connection
    from django.test.client import ClientHandler

    handle = ClientHandler.__call__

    def handle_and_commit(self, environ):
        start = len(connection.run_on_commit)
        try:
            return handle(self, environ)
        finally:
            while len(connection.run_on_commit) > start:
                pending = connection.run_on_commit[start:]
                del connection.run_on_commit[start:]
                for _savepoints, callback, _robust in pending:
                    callback()  # robust or not: a test must see a callback fail

    monkeypatch.setattr(ClientHandler, "__call__", handle_and_commit)


@pytest.fixture(scope="session")
def _media_root(tmp_path_factory):
    return tmp_path_factory.mktemp("media")


@pytest.fixture(autouse=True)
def _empty_cache():
    # Each test rolls its database back, but the local-memory cache outlives it: an entry keyed
    # by a change marker's value (the same again in the next test) must not leak into it.
    cache.clear()


@pytest.fixture(autouse=True)
def _fast_and_quiet(settings, _media_root):
    # Test speed-ups live here, not in config/settings.py.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # Uploads go to a temporary folder, served by Django like `make run` does.
    settings.MEDIA_ROOT = _media_root
    settings.SERVE_MEDIA = True


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def organiser(db):
    """A member of the Organisers group (may create events, edits only their own)."""
    return UserFactory(groups=["Organisers"])


@pytest.fixture
def moderator(db):
    return UserFactory(groups=["Moderators"])


@pytest.fixture
def staff(db):
    return UserFactory(is_staff=True)


@pytest.fixture
def event(db):
    return EventFactory()


@pytest.fixture
def organised_event(db, organiser):
    """A published event whose organiser role is held by `organiser`'s person."""
    event = EventFactory()
    person = PersonFactory(user=organiser, name=organiser.public_name)
    EventRoleFactory(event=event, person=person, role="organiser")
    return event


@pytest.fixture
def unused_tcp_port():
    """A local TCP port nothing listens on (bound, then released)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
