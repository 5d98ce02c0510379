"""Vanguard settings: wiring only, driven by the environment.

Safe defaults for production: DEBUG is off unless asked for, and outside
development there is no default secret key (start-up fails instead).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.logging import build_logging

BASE_DIR = Path(__file__).resolve().parent.parent


_TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
_FALSE_WORDS = frozenset({"0", "false", "no", "off"})


def env_bool(name: str, default: bool = False) -> bool:
    """A yes/no setting: 1/0, true/false, yes/no, on/off in any case; unset or empty (an
    .env file's placeholder) is the default. Anything else stops start-up naming the
    variable: a typo such as `VANGUARD_SSL_REDIRECT=ture` must not quietly mean "off"."""
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    if value.lower() in _TRUE_WORDS:
        return True
    if value.lower() in _FALSE_WORDS:
        return False
    raise ImproperlyConfigured(
        f"{name}={value!r} is not a yes/no value: use 1/0, true/false, yes/no or on/off"
    )


def env_int(name: str, default: int) -> int:
    """A whole number of at least 0 (sizes, counts, seconds); unset or empty is the default."""
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        number = -1
    if number < 0:
        raise ImproperlyConfigured(f"{name}={value!r} is not a whole number of 0 or more")
    return number


def env_float(name: str, default: float) -> float:
    """A number of seconds of at least 0; unset or empty is the default."""
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        number = float(value)
    except ValueError:
        number = -1.0
    if not 0 <= number < float("inf"):
        raise ImproperlyConfigured(f"{name}={value!r} is not a number of 0 or more")
    return number


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("VANGUARD_DEBUG")
# Development means "a developer's machine": the demo and the test suite set it.
DEVELOPMENT = env_bool("VANGUARD_DEVELOPMENT") or DEBUG

# Commands that neither serve requests nor sign anything may run from a checkout
# without a secret, e.g. a plain `manage.py makemigrations --check`.
KEYLESS_COMMANDS = frozenset({"makemigrations", "makemessages", "compilemessages"})
_COMMAND = sys.argv[1] if len(sys.argv) > 1 and sys.argv[0].endswith("manage.py") else ""

SECRET_KEY = os.environ.get("VANGUARD_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEVELOPMENT and _COMMAND not in KEYLESS_COMMANDS:
        raise ImproperlyConfigured(
            "VANGUARD_SECRET_KEY is not set. Generate one with "
            "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`."
        )
    SECRET_KEY = "development-only-not-secret-" + "x" * 40  # noqa: S105
# Earlier keys, still accepted for signatures and for opening the ballots sealed
# during an open vote (ballots/sealing.py): keep the old key here when rotating it.
SECRET_KEY_FALLBACKS = env_list("VANGUARD_SECRET_KEY_FALLBACKS")

ALLOWED_HOSTS = env_list("VANGUARD_ALLOWED_HOSTS", "127.0.0.1,localhost" if DEVELOPMENT else "")
CSRF_TRUSTED_ORIGINS = env_list("VANGUARD_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "csp",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "django_htmx",
    "vanguard.audit",
    "vanguard.accounts",
    "vanguard.organization",
    "vanguard.campaigns",
    "vanguard.study",
    "vanguard.meetings",
    "vanguard.notices",
    "vanguard.opinions",
    "vanguard.reviews",
    "vanguard.ballots",
    "vanguard.grading",
    "vanguard.supervision",
    "vanguard.rectification",
    "vanguard.materials",
    "vanguard.api",
    "vanguard.home",
    "vanguard.demo",
    "vanguard.operations",
]

MIDDLEWARE = [
    # First: every answer (an HTTPS redirect, a refusal below) carries X-Request-ID,
    # and every line logged while answering carries the id.
    "vanguard.lib.request_id.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Before WhiteNoise: static files get the Permissions-Policy but stay cacheable.
    "vanguard.lib.middleware.PrivateAnswersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # After the locale, so that the refusal of a NUL character speaks the user's language.
    "vanguard.lib.middleware.RefuseBadCharactersMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "vanguard.audit.middleware.AuditActorMiddleware",
    # Last, so that a lockout answer still passes through the middleware above.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "vanguard.home.context_processors.roles",
                "vanguard.notices.context_processors.unread",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------
# SQLite is the embedded default. IMMEDIATE transactions make concurrent writers
# wait on the busy timeout instead of failing with "database is locked"; WAL lets
# readers go on while one writer writes; synchronous=FULL survives power loss.
SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": ("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"),
}
DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'vanguard.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=0)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = dict(SQLITE_OPTIONS)
    # Opening a SQLite connection (and running the PRAGMAs above) costs more than a
    # card vote's own queries: keep each server thread's connection for a minute.
    DATABASES["default"]["CONN_MAX_AGE"] = 60
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["default"]["TEST"] = {"NAME": ""}  # in memory
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {})
    if env_bool("VANGUARD_DB_POOL"):
        DATABASES["default"]["OPTIONS"]["pool"] = True
    if os.environ.get("VANGUARD_TEST_DB_NAME"):
        DATABASES["default"]["TEST"] = {"NAME": os.environ["VANGUARD_TEST_DB_NAME"]}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and sessions -------------------------------------------------------
# The rate limits (accounts/throttle.py: wrong passwords, wrong voting codes, the
# suggestion box) count in the cache. One process: its own memory will do. Several
# app processes (gunicorn workers, two servers): they must share one count, so give
# them Redis, e.g. redis://127.0.0.1:6379/3 (a database number of this instance's own;
# every key also starts with "vanguard:"). The timeouts keep a vanished Redis from
# holding requests: /healthz then reports the cache failing.
CACHE_URL = os.environ.get("VANGUARD_CACHE_URL", "").strip()
if CACHE_URL:
    if not CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured(
            "VANGUARD_CACHE_URL must be a Redis URL (redis://, rediss:// or unix://)"
        )
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": "vanguard",
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Sessions in the database (default), in the cache, or both (cached_db: read from the
# cache, written to both). The cache kinds need the shared cache: a session kept in one
# process's memory would sign the person out whenever another process answered.
SESSION_ENGINES = {
    "db": "django.contrib.sessions.backends.db",
    "cache": "django.contrib.sessions.backends.cache",
    "cached_db": "django.contrib.sessions.backends.cached_db",
}
_SESSION_KIND = os.environ.get("VANGUARD_SESSION_ENGINE", "").strip() or "db"
if _SESSION_KIND not in SESSION_ENGINES:
    raise ImproperlyConfigured(
        f"VANGUARD_SESSION_ENGINE={_SESSION_KIND!r} is not one of db, cache, cached_db"
    )
if _SESSION_KIND != "db" and not CACHE_URL:
    raise ImproperlyConfigured(
        f"VANGUARD_SESSION_ENGINE={_SESSION_KIND} keeps sessions in the cache: "
        "set VANGUARD_CACHE_URL to a Redis shared by every app process"
    )
SESSION_ENGINE = SESSION_ENGINES[_SESSION_KIND]

# --- Accounts and security ----------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # Refuses every login from an address that has had too many wrong passwords.
    "vanguard.accounts.throttle.AddressThrottleBackend",
    # First, so that a locked-out user name is refused before its password is checked.
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, with the login's member and branch loaded in its query.
    "vanguard.accounts.backends.PersonBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Login throttling keyed on user name and address together: a whole meeting hall
# shares one address, and one member's typos must not lock the others out.
AXES_FAILURE_LIMIT = env_int("VANGUARD_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
AXES_IPWARE_PROXY_COUNT = env_int("VANGUARD_PROXY_COUNT", 0) or None
# And per address alone (vanguard/accounts/throttle.py): (failures, seconds), high
# enough for a meeting hall behind one NAT address, low enough to stop a sweep of
# passwords over many user names.
VANGUARD_LOGIN_ADDRESS_LIMIT = (
    env_int("VANGUARD_LOGIN_ADDRESS_FAILURE_LIMIT", 50),
    15 * 60,
)
# Wrong codes on the public card-vote page (vanguard/ballots/views.py), per address
# and per appraisal session: (failures, seconds).
VANGUARD_BALLOT_WRONG_CODE_LIMITS = {"address": (50, 15 * 60), "session": (200, 15 * 60)}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 60 * 60 * 12
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

if not DEVELOPMENT:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("VANGUARD_SSL_REDIRECT", True)
    # The health check answers over plain HTTP too: systemd and the proxy probe the app
    # on loopback, and the answer holds no data and sets no cookie.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = env_int("VANGUARD_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("VANGUARD_HSTS_PRELOAD", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Strict Content Security Policy: no inline scripts or styles anywhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# --- Single sign-on -----------------------------------------------------------
# CAS login (统一身份认证) through django-cas-ng, on when VANGUARD_CAS_SERVER_URL is set
# (e.g. https://cas.example.edu.cn/cas/). The CAS user name, or the attribute named by
# VANGUARD_CAS_NUMBER_ATTRIBUTE, is a staff/student number (工号/学号) and leads to the
# member with that number and their account (vanguard/accounts/cas.py). Local accounts
# keep the password form. django_cas_ng is installed either way so that the schema does
# not depend on the environment (its two tables hold the tickets for single logout).
CAS_SERVER_URL = os.environ.get("VANGUARD_CAS_SERVER_URL", "").strip()
if CAS_SERVER_URL and not CAS_SERVER_URL.startswith(("https://", "http://")):
    raise ImproperlyConfigured("VANGUARD_CAS_SERVER_URL must start with https:// (or http://)")
CAS_VERSION = os.environ.get("VANGUARD_CAS_VERSION", "").strip() or "3"
if CAS_VERSION not in {"2", "3"}:
    raise ImproperlyConfigured("VANGUARD_CAS_VERSION must be 2 or 3")
VANGUARD_CAS_NUMBER_ATTRIBUTE = os.environ.get("VANGUARD_CAS_NUMBER_ATTRIBUTE", "").strip()
INSTALLED_APPS.append("django_cas_ng")
if CAS_SERVER_URL:
    AUTHENTICATION_BACKENDS.append("vanguard.accounts.cas.MemberCASBackend")
# The service URL sent to CAS is built from the site's public address when it is known
# (behind a proxy the request's own host may be an internal one).
CAS_ROOT_PROXIED_AS = os.environ.get("VANGUARD_SITE_URL", "").rstrip("/") or None
CAS_IGNORE_REFERER = True  # `next` comes from the login link only, checked by the view
CAS_LOGOUT_COMPLETELY = True  # leaving Vanguard leaves the university's CAS session too
CAS_LOGOUT_NEXT_PAGE = "/accounts/login/"  # where CAS sends the browser after its logout
CAS_LOGIN_MSG = None  # django-cas-ng's own messages are English only
CAS_LOGGED_MSG = None
CAS_REDIRECT_URL = "/"

# --- Internationalisation -----------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("VANGUARD_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files ------------------------------------------------
STATIC_URL = "static/"
# Development serves static files straight from their folders (no collectstatic).
STATIC_ROOT = (
    None
    if DEVELOPMENT
    else Path(os.environ.get("VANGUARD_STATIC_ROOT", BASE_DIR / "var" / "staticfiles"))
)
WHITENOISE_USE_FINDERS = DEVELOPMENT
WHITENOISE_AUTOREFRESH = DEVELOPMENT
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEVELOPMENT
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Uploaded files are never served from a public URL: every download goes through
# a view that checks access (see MEDIA_URL's absence in config/urls.py).
MEDIA_ROOT = Path(os.environ.get("VANGUARD_MEDIA_ROOT", BASE_DIR / "var" / "media"))
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
ROSTER_MAX_UPLOAD_BYTES = env_int("VANGUARD_ROSTER_MAX_BYTES", 10 * 1024 * 1024)
STUDY_UPLOAD_MAX_BYTES = env_int("VANGUARD_STUDY_MAX_BYTES", 10 * 1024 * 1024)
# Opinions by e-mail: a larger message is skipped whole; a larger attachment is left out.
OPINION_EMAIL_MAX_BYTES = env_int("VANGUARD_OPINION_EMAIL_MAX_BYTES", 20 * 1024 * 1024)
OPINION_ATTACHMENT_MAX_BYTES = env_int("VANGUARD_OPINION_ATTACHMENT_MAX_BYTES", 5 * 1024 * 1024)
# Certificates of IMAP servers are checked against the system's CAs, or this file's.
OPINION_IMAP_CA_FILE = os.environ.get("VANGUARD_IMAP_CA_FILE") or None

# --- Background tasks ---------------------------------------------------------
# Without a worker, tasks run inline (the demo and the tests need nothing extra);
# VANGUARD_TASKS=database queues them for `make worker`.
TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks_db.DatabaseBackend"
            if os.environ.get("VANGUARD_TASKS") == "database"
            else "django_tasks.backends.immediate.ImmediateBackend"
        )
    }
}
# /healthz fails when the worker (`manage.py worker`) last beat longer ago than this.
HEALTH_WORKER_MAX_AGE = env_int("VANGUARD_HEALTH_WORKER_MAX_AGE", 300)

# --- E-mail -------------------------------------------------------------------
# The address members open Vanguard at, for the links in e-mails (a mail client cannot
# follow "/reviews/mine/"): e.g. https://vanguard.example.edu.cn. Unset, mails carry the
# page's path only.
SITE_URL = os.environ.get("VANGUARD_SITE_URL", "").rstrip("/")
if SITE_URL and not SITE_URL.startswith(("https://", "http://")):
    raise ImproperlyConfigured("VANGUARD_SITE_URL must start with https:// (or http://)")
# Group-chat robots (notices/chat): the only hosts their webhooks may post to. An entry
# is a host (https), host:port, or a whole origin such as http://10.0.0.5:8080 for an
# on-premises gateway; the list replaces the default (the two services' own hosts).
VANGUARD_CHAT_WEBHOOK_HOSTS = env_list(
    "VANGUARD_CHAT_WEBHOOK_HOSTS", "qyapi.weixin.qq.com,oapi.dingtalk.com"
)
EMAIL_BACKEND = os.environ.get(
    "VANGUARD_EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEVELOPMENT
    else "django.core.mail.backends.smtp.EmailBackend",
)
DEFAULT_FROM_EMAIL = os.environ.get("VANGUARD_FROM_EMAIL", "vanguard@localhost")

# --- Logging ------------------------------------------------------------------
# One line per event with time, level, logger and request id, on standard error;
# no /v/ path, code, token, query string, request body or SQL (config/logging.py,
# vanguard/lib/log_scrub.py).
LOGGING = build_logging(level=os.environ.get("VANGUARD_LOG_LEVEL", "WARNING"), time_zone=TIME_ZONE)

# The ballot storage scrub (ballots/README.md): when it cannot finish at the close
# (a reader holds an old snapshot), a background thread retries every this many
# seconds until it has. 0: no thread (the pages and `manage.py ballots_scrub` retry).
# (config/settings_test.py turns it off: tests turn it on where they test it.)
BALLOTS_SCRUB_RETRY_SECONDS = env_float("VANGUARD_BALLOTS_SCRUB_RETRY_SECONDS", 5.0)

# --- Error reporting (optional) -----------------------------------------------
# VANGUARD_SENTRY_DSN set: errors go to Sentry (or GlitchTip), scrubbed like the log
# (vanguard/lib/error_reporting.py); needs `pip install 'vanguard[sentry]'`.
SENTRY_DSN = os.environ.get("VANGUARD_SENTRY_DSN", "").strip()
if SENTRY_DSN:
    from vanguard.lib.error_reporting import sentry_init

    sentry_init(dsn=SENTRY_DSN)
