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

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("VANGUARD_DEBUG")
# Development means "a developer's machine": the demo and the test suite set it.
DEVELOPMENT = env_bool("VANGUARD_DEVELOPMENT") or DEBUG or "pytest" in sys.modules

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

# --- Accounts and security ----------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # Refuses every login from an address that has had too many wrong passwords.
    "vanguard.accounts.throttle.AddressThrottleBackend",
    # First, so that a locked-out user name is refused before its password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
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
AXES_FAILURE_LIMIT = int(os.environ.get("VANGUARD_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
AXES_IPWARE_PROXY_COUNT = int(os.environ.get("VANGUARD_PROXY_COUNT", "0")) or None
# And per address alone (vanguard/accounts/throttle.py): (failures, seconds), high
# enough for a meeting hall behind one NAT address, low enough to stop a sweep of
# passwords over many user names.
VANGUARD_LOGIN_ADDRESS_LIMIT = (
    int(os.environ.get("VANGUARD_LOGIN_ADDRESS_FAILURE_LIMIT", "50")),
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
    SECURE_HSTS_SECONDS = int(os.environ.get("VANGUARD_HSTS_SECONDS", "31536000"))
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
ROSTER_MAX_UPLOAD_BYTES = int(os.environ.get("VANGUARD_ROSTER_MAX_BYTES", str(10 * 1024 * 1024)))
STUDY_UPLOAD_MAX_BYTES = int(os.environ.get("VANGUARD_STUDY_MAX_BYTES", str(10 * 1024 * 1024)))
# Opinions by e-mail: a larger message is skipped whole; a larger attachment is left out.
OPINION_EMAIL_MAX_BYTES = int(
    os.environ.get("VANGUARD_OPINION_EMAIL_MAX_BYTES", str(20 * 1024 * 1024))
)
OPINION_ATTACHMENT_MAX_BYTES = int(
    os.environ.get("VANGUARD_OPINION_ATTACHMENT_MAX_BYTES", str(5 * 1024 * 1024))
)
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

# --- E-mail -------------------------------------------------------------------
# The address members open Vanguard at, for the links in e-mails (a mail client cannot
# follow "/reviews/mine/"): e.g. https://vanguard.example.edu.cn. Unset, mails carry the
# page's path only.
SITE_URL = os.environ.get("VANGUARD_SITE_URL", "").rstrip("/")
if SITE_URL and not SITE_URL.startswith(("https://", "http://")):
    raise ImproperlyConfigured("VANGUARD_SITE_URL must start with https:// (or http://)")
EMAIL_BACKEND = os.environ.get(
    "VANGUARD_EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEVELOPMENT
    else "django.core.mail.backends.smtp.EmailBackend",
)
DEFAULT_FROM_EMAIL = os.environ.get("VANGUARD_FROM_EMAIL", "vanguard@localhost")

# --- Logging ------------------------------------------------------------------
# Request bodies and addresses are never logged; later the ballot endpoints rely on it.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("VANGUARD_LOG_LEVEL", "WARNING")},
    "loggers": {
        "django.server": {"handlers": [], "propagate": False},
        # SQL with its parameters, in time order, would pair a card's code hash with
        # the ballot written in the same transaction: never logged, whatever the level.
        "django.db.backends": {"level": "INFO"},
    },
}

# The ballot storage scrub (ballots/README.md): when it cannot finish at the close
# (a reader holds an old snapshot), a background thread retries every this many
# seconds until it has. 0: no thread (the pages and `manage.py ballots_scrub` retry).
# Tests turn the thread on where they test it, so that none outlives its test.
BALLOTS_SCRUB_RETRY_SECONDS = float(
    os.environ.get("VANGUARD_BALLOTS_SCRUB_RETRY_SECONDS", "0" if "pytest" in sys.modules else "5")
)

if "pytest" in sys.modules:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
