"""Settings for Commons.

Every deploy-specific value comes from the environment; the table of variables is in
docs/settings.md (folded into README.md). Production secrets have no default and fail fast.
The test suite runs with tests/settings.py (these settings plus what a test run changes).
Without any variables set this is the embedded profile: SQLite, local-memory cache, tasks run
immediately.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return default if value in (None, "") else int(value)


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if DEBUG:
        SECRET_KEY = "django-insecure-development-key-never-use-in-production"
    else:
        raise ImproperlyConfigured("Set SECRET_KEY (or DEBUG=1 for local development).")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# Absolute links in emails and calendar files (UIDs use its host name).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    # Before the admin: it patches the admin's forms for translated fields.
    "modeltranslation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "core",
    "people",
    "events",
    "discussions",
    "record",
    "visuals",
]

MIDDLEWARE = [
    # Outermost: times and logs every request, including those answered by later middleware.
    "config.middleware.RequestLogMiddleware",
    "config.middleware.DatabaseUnavailableMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Django's, keeping 404s of old feed addresses (core/i18n.py).
    "core.i18n.LocaleMiddleware",
    # A NUL in the path or query string is a 400 (in the reader's language) before any view,
    # cache or database sees it.
    "core.middleware.RefuseNulMiddleware",
    # After Locale (the language is part of the key); off unless ANONYMOUS_PAGE_CACHE_SECONDS.
    "config.middleware.AnonymousPageCacheMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Django's, with the member's account row from the shared cache (people/middleware.py).
    "people.middleware.CachedUserAuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.i18n.languages",
            ],
        },
    },
]

# Persistent connections (one per gunicorn sync worker) checked before each request's first
# query: a worker serves one request at a time, so a pool per process would hold connections
# nobody uses. After a PostgreSQL restart the health check drops the dead connection and the
# next request reconnects on its own. See docs/settings.md.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 0),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Fail fast while PostgreSQL is away: the request gets the 503 page instead of hanging.
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = env_int(
        "DB_CONNECT_TIMEOUT", 3
    )
    # No parallel workers for one request's statement: every core already serves a request of
    # its own, and a parallel plan costs more CPU in all (search over the bench's 50 queries:
    # 7.1-7.3 ms of database time a search without, 7.7-8.5 with). DB_PARALLEL_WORKERS gives
    # them back to a server with cores to spare.
    DATABASES["default"]["OPTIONS"]["options"] = (
        f"-c max_parallel_workers_per_gather={env_int('DB_PARALLEL_WORKERS', 0)}"
    )
# Statements kept prepared on each PostgreSQL connection (core/prepared.py `prepared_rows`:
# search's page of posts, whose planning took longer than its run). Off behind a pooler that
# does not keep a session's prepared statements (PgBouncer in transaction mode before 1.21).
DB_PREPARED_STATEMENTS = env_bool("DB_PREPARED_STATEMENTS", True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "people.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "home"
ACCOUNT_LOGIN_METHODS = {"email"}
# Typed once, with the browser's reveal and password managers; a name so nobody is "megan.ux".
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_SIGNUP_FORM_CLASS = "people.forms.SignupForm"
# Sign in by a code sent to your email, as an alternative to a password.
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_FORMS = {
    "login": "people.allauth_forms.LoginForm",
    "signup": "people.allauth_forms.AllauthSignupForm",
    "request_login_code": "people.allauth_forms.RequestLoginCodeForm",
    "confirm_login_code": "people.allauth_forms.ConfirmLoginCodeForm",
    "reset_password": "people.allauth_forms.ResetPasswordForm",
    "reset_password_from_key": "people.allauth_forms.ResetPasswordKeyForm",
    "change_password": "people.allauth_forms.ChangePasswordForm",
}
ACCOUNT_EMAIL_VERIFICATION = os.environ.get("ACCOUNT_EMAIL_VERIFICATION", "optional")
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_GET = False
# allauth's mail (password reset...) in the account's language (people/adapters.py).
ACCOUNT_ADAPTER = "people.adapters.AccountAdapter"

# Addresses carry the language: /cy/... and /en/... (config/urls.py, core/i18n.py). English is
# "en" so that its prefix is /en/; core/formats/en gives it British formats. Welsh first: the
# switch reads "Cymraeg / English".
LANGUAGE_CODE = "en"
LANGUAGES = [("cy", _("Welsh")), ("en", _("English"))]
FORMAT_MODULE_PATH = ["core.formats"]
# Content in both languages (django-modeltranslation, each app's translation.py): a text typed in
# one language only is shown in the other too, English for a Welsh reader and Welsh for an English
# one (templates mark such text with its own `lang`, core/templatetags/bilingual.py).
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
# Admin slugs are prepopulated from the English name, as the models make them (core Slugged).
MODELTRANSLATION_PREPOPULATE_LANGUAGE = "en"
MODELTRANSLATION_FALLBACK_LANGUAGES = {"default": ("en", "cy"), "en": ("cy",), "cy": ("en",)}
# "title (Welsh)", "teitl (Cymraeg)": labels of the per-language fields, in the reader's language.
MODELTRANSLATION_BUILD_LOCALIZED_VERBOSE_NAME = lambda verbose_name, lang: format_lazy(  # noqa: E731
    "{} ({})", verbose_name, dict(LANGUAGES)[lang]
)
# The switch remembers the reader's choice for a year (core.i18n.switch_language).
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
# Ours first (it wins); then the Welsh for allauth and django-filter, which ship none
# (locale/vendor_catalogue.py). Compiled at install: see the Makefile's `messages`.
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale" / "vendor"]
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    # Installed from the npm registry at setup (package.json); never committed.
    ("vendor/bootstrap", BASE_DIR / "node_modules" / "bootstrap" / "dist"),
    ("vendor/axe-core", BASE_DIR / "node_modules" / "axe-core"),
]
# Uploaded media (core.uploads): a local folder by default; S3-compatible object storage in
# production (MEDIA_STORAGE=s3), so every worker sees the same files and none streams them.
MEDIA_STORAGE = os.environ.get("MEDIA_STORAGE", "local")
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
MEDIA_URL = os.environ.get("MEDIA_URL", "/media/")
# Django answers MEDIA_URL itself only when this is on (`make run`); in production the proxy or
# the bucket serves media. See core/views.py.
SERVE_MEDIA = env_bool("SERVE_MEDIA", DEBUG)
if MEDIA_STORAGE == "s3":
    MEDIA_BACKEND = {
        "BACKEND": "core.storage.MediaS3Storage",
        "OPTIONS": {
            "bucket_name": os.environ.get("AWS_STORAGE_BUCKET_NAME", ""),
            "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("AWS_S3_REGION_NAME") or None,
            "access_key": os.environ.get("AWS_ACCESS_KEY_ID") or None,
            "secret_key": os.environ.get("AWS_SECRET_ACCESS_KEY") or None,
            "custom_domain": os.environ.get("AWS_S3_CUSTOM_DOMAIN") or None,
            "location": os.environ.get("AWS_LOCATION", ""),
            # Signed, expiring URLs unless the bucket (or its CDN) is public.
            "querystring_auth": env_bool("AWS_QUERYSTRING_AUTH", True),
            "querystring_expire": env_int("AWS_QUERYSTRING_EXPIRE", 3600),
            "signature_version": "s3v4",
            "default_acl": None,
            "file_overwrite": False,
        },
    }
    if not MEDIA_BACKEND["OPTIONS"]["bucket_name"]:
        raise ImproperlyConfigured("MEDIA_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME.")
elif MEDIA_STORAGE == "local":
    MEDIA_BACKEND = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
else:
    raise ImproperlyConfigured("MEDIA_STORAGE is 'local' or 's3'.")
# Where images are fetched from, for the Content-Security-Policy (the bucket, its CDN).
MEDIA_ORIGIN = os.environ.get("MEDIA_ORIGIN", "")
if not MEDIA_ORIGIN and MEDIA_STORAGE == "s3":
    if MEDIA_BACKEND["OPTIONS"]["custom_domain"]:
        MEDIA_ORIGIN = "https://" + MEDIA_BACKEND["OPTIONS"]["custom_domain"]
    elif MEDIA_BACKEND["OPTIONS"]["endpoint_url"]:
        MEDIA_ORIGIN = MEDIA_BACKEND["OPTIONS"]["endpoint_url"].rstrip("/")
    else:
        MEDIA_ORIGIN = "https://*.amazonaws.com"

# Upload limits (core.uploads, core.services).
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_BYTES", 20 * 1024 * 1024)
UPLOAD_MAX_PIXELS = env_int("UPLOAD_MAX_PIXELS", 50_000_000)
UPLOAD_DAILY_FILES_PER_PERSON = env_int("UPLOAD_DAILY_FILES_PER_PERSON", 60)
UPLOAD_DAILY_BYTES_PER_PERSON = env_int("UPLOAD_DAILY_BYTES_PER_PERSON", 200 * 1024 * 1024)
UPLOAD_EVENT_TOTAL_BYTES = env_int("UPLOAD_EVENT_TOTAL_BYTES", 1024 * 1024 * 1024)
# Larger uploads go to a temporary file instead of memory while the request is read.
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

STORAGES = {
    "default": MEDIA_BACKEND,
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# The cache every worker shares: rate limits and cached feeds hold across processes. Without
# REDIS_URL each process has its own local-memory cache (the embedded profile, and tests).
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            # Django's RedisCache, wrapped so that a Redis outage reads as cache misses.
            "BACKEND": "config.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "commons"),
            "TIMEOUT": env_int("CACHE_TIMEOUT", 300),
            "OPTIONS": {
                "socket_connect_timeout": float(os.environ.get("REDIS_SOCKET_TIMEOUT", "0.25")),
                "socket_timeout": float(os.environ.get("REDIS_SOCKET_TIMEOUT", "0.25")),
            },
        }
    }
    # Sessions read from the shared cache, written through to the database: a signed-in request
    # costs no session query, and while Redis is away sessions come from the database (none lost;
    # config/cache.py deletes the entries written meanwhile once Redis is back). Not with the
    # per-process cache below: a logout in one process would leave the session alive in others.
    # people/sessions.py: Django's cached_db, read in the same round trip as a page's reads.
    SESSION_ENGINE = "people.sessions"
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "commons"),
        }
    }

# Background tasks (mail): "immediate" runs them in the request once the transaction commits
# (embedded profile, tests); "database" stores them in PostgreSQL for `manage.py db_worker`.
TASK_BACKEND = os.environ.get("TASK_BACKEND", "immediate")
TASKS = {
    "default": {
        "BACKEND": {
            "immediate": "django_tasks.backends.immediate.ImmediateBackend",
            "database": "django_tasks_db.DatabaseBackend",
            "dummy": "django_tasks.backends.dummy.DummyBackend",
        }[TASK_BACKEND],
        "QUEUES": ["default"],
    }
}

# Without collectstatic (DEBUG) WhiteNoise looks files up per request instead of at start.
WHITENOISE_AUTOREFRESH = DEBUG

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Commons <noreply@commons.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
# core.forms.FastSelect is Django's Select rendered without a template per option: crispy gives
# it Select's CSS class, so pages are the same either way.
CRISPY_CLASS_CONVERTERS = {"fastselect": "select"}

# Security: strict by default; production sits behind TLS.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = SECURE_HSTS_SECONDS > 0
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Load balancers probe the health check over plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp 4): no inline scripts or style attributes anywhere.
# Bootstrap's JS sets styles through the CSSOM, which style-src does not govern; its CSS draws
# icons with data: SVG images. JSON-LD blocks are data, not scripts, and are not blocked.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", *([MEDIA_ORIGIN] if MEDIA_ORIGIN else [])],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

# Visitors without a session get HTML pages from the shared cache, at most this many seconds old.
ANONYMOUS_PAGE_CACHE_SECONDS = env_int("ANONYMOUS_PAGE_CACHE_SECONDS", 0)

# The parts of pages that are the same for everyone (event lists, ...) are rendered once per
# change and kept in the cache (core/fragments.py). Only where every process shares that cache:
# with a per-process cache, one process would not see another's writes.
SHARED_FRAGMENTS = env_bool("SHARED_FRAGMENTS", bool(REDIS_URL))

# Serialised VEVENTs each worker process keeps in memory (events/calendar_http.py: a feed is
# assembled from them; the shared cache holds them too). About 1 kB each.
CALENDAR_ENTRIES_PER_PROCESS = env_int("CALENDAR_ENTRIES_PER_PROCESS", 40_000)

# /bench/trivial/ (a tiny template: the ceiling of this stack) exists only when BENCH_VIEWS=1.
BENCH_VIEWS = env_bool("BENCH_VIEWS", False)

EVENTS_PAGE_SIZE = env_int("EVENTS_PAGE_SIZE", 20)
# Posts (threads and replies) one user may send per minute; counted in the cache (0: no limit).
DISCUSSIONS_POSTS_PER_MINUTE = env_int("DISCUSSIONS_POSTS_PER_MINUTE", 5)
# Edits of posts one user may save per minute, counted the same way (0: no limit).
DISCUSSIONS_EDITS_PER_MINUTE = env_int("DISCUSSIONS_EDITS_PER_MINUTE", 10)
# Flags one user may raise per minute, on a counter of their own (0: no limit).
DISCUSSIONS_FLAGS_PER_MINUTE = env_int("DISCUSSIONS_FLAGS_PER_MINUTE", 5)
# Invitations to co-organise (emails to other members) one organiser may send in 24 hours,
# across all events, on a counter of their own (0: no limit).
EVENTS_INVITATIONS_PER_DAY = env_int("EVENTS_INVITATIONS_PER_DAY", 20)
# The hour (UK time) after which the daily digest of followed threads goes out.
DISCUSSIONS_DIGEST_HOUR = env_int("DISCUSSIONS_DIGEST_HOUR", 7)

# One line per request from config.middleware.RequestLogMiddleware (logger "commons.request");
# personal calendar tokens are redacted from every record before it is written.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_tokens": {"()": "core.logging.RedactCalendarTokens"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["redact_tokens"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # Our middleware logs every request; runserver's own line would repeat it with the token.
        "django.server": {"level": "WARNING"},
        # Error reports must not carry a personal feed's request (and its token) either.
        "django.request": {"filters": ["redact_tokens"]},
    },
}
