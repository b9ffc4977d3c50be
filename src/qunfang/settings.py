"""Qunfang settings, all from the environment (see README "Configuration").

QUNFANG_ENV selects a profile: development (default, what `make run` uses), production, test.
"""

import os
import tempfile
from datetime import timedelta
from pathlib import Path

import django_stubs_ext
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from qunfang.dburl import parse_database_url
from qunfang.env import env_bool, env_choice, env_int, env_list, env_networks, env_str
from qunfang.keys import load_keys

# Django's generic classes (QuerySet, ModelForm, ModelAdmin, fields) take type parameters at run
# time too, for the annotations mypy checks (`make lint`)
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent.parent
PACKAGE_DIR = Path(__file__).resolve().parent

QUNFANG_ENV = env_choice("QUNFANG_ENV", "development", ("development", "production", "test"))
PRODUCTION = QUNFANG_ENV == "production"
TESTING = QUNFANG_ENV == "test"

DATA_DIR = Path(env_str("QUNFANG_DATA_DIR") or BASE_DIR / "var").resolve()

_keys = load_keys(QUNFANG_ENV, DATA_DIR)
SECRET_KEY = _keys["secret_key"]
QUNFANG_FIELD_KEYS = _keys["field_keys"]
QUNFANG_FIELD_ACTIVE_KEY = _keys["field_active_key"]
QUNFANG_BLIND_INDEX_KEY = _keys["blind_index_key"]

DEBUG = env_bool("QUNFANG_DEBUG", QUNFANG_ENV == "development")
ALLOWED_HOSTS = env_list(
    "QUNFANG_ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]", "testserver"]
)
CSRF_TRUSTED_ORIGINS = env_list("QUNFANG_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "csp",
    "simple_history",
    "axes",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "qunfang.core",
    "qunfang.registry",
    "qunfang.patrols",
    "qunfang.casebook",
    "qunfang.governance",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "qunfang.core.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "qunfang.core.middleware.CookieLanguageMiddleware",
    "qunfang.core.middleware.RequestSizeLimitMiddleware",  # before anything reads the body
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "qunfang.core.middleware.SessionLifetimeMiddleware",
    "qunfang.core.middleware.AccountLanguageMiddleware",  # after the user and session are known
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "qunfang.urls"
WSGI_APPLICATION = "qunfang.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "qunfang.core.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": parse_database_url(
        env_str("QUNFANG_DATABASE_URL") or f"sqlite:///{DATA_DIR / 'qunfang.sqlite3'}", BASE_DIR
    )
}
if TESTING and DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # A file, not memory: the live-server thread gets its own connection, with the same pragmas
    # as production (WAL, IMMEDIATE transactions).
    DATABASES["default"]["TEST"] = {
        "NAME": str(Path(tempfile.gettempdir()) / f"qunfang-test-{os.getpid()}.sqlite3")
    }
if TESTING:
    # The test databases are made from the models, not by replaying every migration in each
    # test worker (half a minute each): `makemigrations --check` keeps the two the same, CI
    # migrates a fresh database of each kind, and the tests seed the reference data the
    # migrations seed (tests/conftest.py).
    DATABASES["default"].setdefault("TEST", {})["MIGRATE"] = env_bool("QUNFANG_TEST_MIGRATE", False)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # must come first
    "qunfang.core.auth.QunfangBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": env_int("QUNFANG_PASSWORD_MIN_LENGTH", 8, minimum=8)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "qunfang.core.passwords.CharacterClassValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Brute force: lock a (username, IP) pair after 5 failures; unknown users lock the same way,
# so the answer never tells whether an account exists.
AXES_ENABLED = env_bool("QUNFANG_AXES_ENABLED", True)
AXES_FAILURE_LIMIT = env_int("QUNFANG_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_COOLOFF_TIME = timedelta(minutes=env_int("QUNFANG_LOCKOUT_MINUTES", 15, minimum=1))
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "core/locked_out.html"
AXES_VERBOSE = False
AXES_CLIENT_IP_CALLABLE = "qunfang.core.clientaddr.client_address"
# Reverse proxies whose X-Forwarded-For is believed (addresses or CIDR ranges; none by default).
QUNFANG_TRUSTED_PROXIES = env_networks("QUNFANG_TRUSTED_PROXIES")
# Guessing one account's password from many addresses: after this many failures in the lockout
# window, the account takes one attempt per QUNFANG_ACCOUNT_SLOWDOWN_SECONDS from browsers it
# has never signed in on; its own known browsers are never slowed (core/login.py).
QUNFANG_ACCOUNT_SLOWDOWN_AFTER = env_int("QUNFANG_ACCOUNT_SLOWDOWN_AFTER", 10, minimum=1)
QUNFANG_ACCOUNT_SLOWDOWN_SECONDS = env_int("QUNFANG_ACCOUNT_SLOWDOWN_SECONDS", 30, minimum=1)

# Sessions: idle timeout and absolute lifetime, enforced by SessionLifetimeMiddleware.
SESSION_IDLE_SECONDS = env_int("QUNFANG_SESSION_IDLE_MINUTES", 15, minimum=1) * 60
SESSION_MAX_SECONDS = env_int("QUNFANG_SESSION_MAX_HOURS", 8, minimum=1) * 3600
SESSION_COOKIE_AGE = SESSION_MAX_SECONDS
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = PRODUCTION

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("QUNFANG_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("QUNFANG_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    if env_bool("QUNFANG_BEHIND_PROXY", True):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Every asset is served from this site: no CDN, no inline script or style.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", "blob:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
USE_I18N = True
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STATIC_ROOT = DATA_DIR / "static" if PRODUCTION else None  # `collectstatic` is for production
WHITENOISE_USE_FINDERS = not PRODUCTION
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_ROOT = DATA_DIR / "media"

# Uploads. One request carries at most QUNFANG_MAX_REQUEST_MB, refused with 413 before it is
# read (core.middleware.RequestSizeLimitMiddleware): Django's own limit leaves files out. Text
# fields and files stay in memory up to 2.5 MB, larger files spool to a temporary file. A photo
# is decoded only up to QUNFANG_MAX_IMAGE_PIXELS (core.uploads). Stored files and their folders
# are for the service's user alone.
QUNFANG_MAX_REQUEST_BYTES = env_int("QUNFANG_MAX_REQUEST_MB", 50, minimum=1) * 1024 * 1024
QUNFANG_MAX_IMAGE_PIXELS = 40_000_000
DATA_UPLOAD_MAX_MEMORY_SIZE = FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_NUMBER_FILES = 20
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700

# Rate limits and one-time form tokens must be the same for every worker process, so the cache
# is never process memory: the database by default, Redis for several machines.
QUNFANG_REDIS_URL = env_str("QUNFANG_REDIS_URL")
if QUNFANG_REDIS_URL:
    if not QUNFANG_REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured(
            f"QUNFANG_REDIS_URL={QUNFANG_REDIS_URL!r} must start with redis://, rediss:// or unix://"
        )
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": QUNFANG_REDIS_URL,
            "KEY_PREFIX": "qunfang",
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "qunfang_cache",
        }
    }
# Long and scheduled work (rosters, large imports, reminders, digests) runs as tasks: in the
# database by default, where `qunfang worker` picks them up; on Redis (RQ) for several machines.
QUNFANG_TASKS = env_choice("QUNFANG_TASKS", "db", ("db", "rq"))
if QUNFANG_TASKS == "rq":
    if not QUNFANG_REDIS_URL:
        raise ImproperlyConfigured(
            "QUNFANG_TASKS=rq needs QUNFANG_REDIS_URL (the Redis to queue on)."
        )
    INSTALLED_APPS.append("django_rq")
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    RQ_QUEUES = {"default": {"URL": QUNFANG_REDIS_URL, "DEFAULT_TIMEOUT": 3600}}
else:
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

EMAIL_BACKEND = (
    "django.core.mail.backends.locmem.EmailBackend"
    if TESTING
    else env_str("QUNFANG_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
)
DEFAULT_FROM_EMAIL = env_str("QUNFANG_FROM_EMAIL", "qunfang@localhost")

SIMPLE_HISTORY_HISTORY_ID_USE_UUID = False
SIMPLE_HISTORY_REVERT_DISABLED = True

NINJA_PAGINATION_PER_PAGE = 50

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("QUNFANG_LOG_LEVEL", "INFO")},
    "loggers": {
        "axes": {"level": "ERROR" if TESTING else "WARNING"},
        "django_tasks": {"level": "WARNING" if TESTING else "INFO"},  # a line per task run
        # PDFs: its progress and the screen-only CSS it skips are expected; failures are errors
        "weasyprint": {"level": "ERROR"},
    },
}
CSRF_FAILURE_VIEW = "qunfang.core.views.csrf_failure"

# Patrols: how long the roster solver may improve a roster (it shows a first one at once),
# how late a check-in may come before the shift counts as late, and the SMS gateway for
# reminders (a dotted path to a class with send(phone, text); empty = SMS off).
QUNFANG_ROSTER_SECONDS = env_int("QUNFANG_ROSTER_SECONDS", 3 if TESTING else 20, minimum=1)
QUNFANG_LATE_MINUTES = env_int("QUNFANG_LATE_MINUTES", 15, minimum=0)
QUNFANG_REMINDER_HOURS = env_int("QUNFANG_REMINDER_HOURS", 12, minimum=1)
QUNFANG_SMS_GATEWAY = env_str("QUNFANG_SMS_GATEWAY", "")
