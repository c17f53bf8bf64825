"""Settings for the test suite: the production settings, with what a test run changes said here.

config/settings.py knows nothing of the test runner; pyproject.toml points pytest-django here.
Per-test speed-ups (password hasher, mail backend) are fixtures in tests/conftest.py.
"""

import os

# config.settings refuses to start without a key outside DEBUG; tests get a throwaway one.
os.environ.setdefault("SECRET_KEY", "django-insecure-test-key-never-use-in-production")

from config.settings import *  # noqa: E402, F403
from config.settings import STORAGES, env_list  # noqa: E402

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")

# The test client and the live server speak plain http.
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
LANGUAGE_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = False
SECURE_HSTS_PRELOAD = False

# Tests never run collectstatic: files come from the finders, looked up per request.
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_AUTOREFRESH = True

# One process, one local-memory cache: shared fragments are as shared as in production, and the
# tests check that every write that should change one does (core/fragments.py).
SHARED_FRAGMENTS = True
