import pytest

from tests.factories import EventFactory, EventRoleFactory, PersonFactory, UserFactory


@pytest.fixture(scope="session")
def _media_root(tmp_path_factory):
    return tmp_path_factory.mktemp("media")


@pytest.fixture(autouse=True)
def _fast_and_quiet(settings, _media_root):
    # Test speed-ups live here, not in config/settings.py.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # Serve static files from the finders; no collectstatic output (STATIC_ROOT) in tests.
    settings.WHITENOISE_AUTOREFRESH = True
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
