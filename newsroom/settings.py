"""The one settings module for newsroom, read from the environment.

Defaults are production-safe: DEBUG is off, cookies are secure and HTTPS is enforced unless the
environment says otherwise. `make run` sets DEBUG=true for the local demo.
"""

import base64
import hashlib
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    """Read a boolean from the environment ("1", "true", "yes", "on" are true)."""
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    """Read a comma-separated list from the environment."""
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "django-insecure-local-demo-only-" + "x" * 40  # noqa: S105 - DEBUG only

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "simple_history",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "csp",
    "django.contrib.sitemaps",
    "adminsortable2",
    "newsroom",
    "sources",
    "claims",
    "newsroom.stories",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "newsroom.middleware.RefuseNulMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Consumer-facing reads to the read replica, when there is one (newsroom/routers.py).
    "newsroom.routers.ReplicaReadsMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a lockout flagged during authentication into a 429.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "newsroom.urls"

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
            ],
        },
    },
]

WSGI_APPLICATION = "newsroom.wsgi.application"

# SQLite file by default; PostgreSQL (the production database) when DATABASE_URL is set.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0")),
    )
}
DATABASES["default"].setdefault("ATOMIC_REQUESTS", False)


def on_postgresql(database: dict) -> dict:
    """PostgreSQL through the project's backend (newsroom/postgresql/base.py): Django's own,
    with prepared statements for the read paths that ask for them; `DATABASE_PREPARE=off`
    prepares nothing, for a pooler in transaction mode that cannot keep them."""
    if database["ENGINE"] == "django.db.backends.postgresql":
        prepare = os.environ.get("DATABASE_PREPARE", "on").strip().lower()
        if prepare not in ("on", "off"):
            raise ImproperlyConfigured(f"DATABASE_PREPARE must be on or off, not {prepare!r}.")
        database["ENGINE"] = "newsroom.postgresql"
        database["OPTIONS"] = {**database.get("OPTIONS", {}), "prepare": prepare == "on"}
    return database


on_postgresql(DATABASES["default"])
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Wait for a writer instead of failing at once when two requests write together, and
    # take the write lock when a transaction starts (SQLite has no SELECT ... FOR UPDATE), so
    # racing transitions queue up and the loser sees a stale version (409), not "locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(timeout=20, transaction_mode="IMMEDIATE")

# A read replica (optional): consumer-facing reads go to it, writes, reads inside a write
# transaction and staff requests stay on the primary (newsroom/routers.py).
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")
if DATABASE_REPLICA_URL:
    from newsroom.routers import replica_database

    DATABASES["replica"] = on_postgresql(
        replica_database(
            DATABASE_REPLICA_URL, conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0"))
        )
    )
DATABASE_ROUTERS = ["newsroom.routers.PrimaryReplicaRouter"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Login attempts: lock out guessing ----------------------------------------------------------
# django-axes refuses a login (even with the right password) after AXES_FAILURE_LIMIT failures
# for one username from one address, until AXES_COOLOFF_TIME has passed since the last failure.
# Attempts are kept in the database, so every worker process sees the same count.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "15")))
# Username and address together: one attacker cannot lock a colleague out from elsewhere.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# The address is REMOTE_ADDR, never a client-supplied X-Forwarded-For; behind a proxy that
# makes the lockout per username, which is stricter, not weaker.

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
# One date format across the admin (newsroom/formats/en_GB/formats.py).
FORMAT_MODULE_PATH = ["newsroom.formats"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"

# --- Security: safe unless the environment relaxes it -------------------------------------------
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy on every response (django-csp): scripts, styles, images, fonts and
# requests only from this origin (the admin, the browsable API and Swagger UI serve theirs from
# static files; Swagger UI's start-up script is a file too, see urls.py). No inline script runs,
# so an injected <script> does nothing. Inline styles stay allowed: Django's admin, DRF's
# browsable API and Swagger UI write a few <style> blocks, and CSS cannot run code. data: images
# are Swagger UI's icons in its stylesheet. No plugins, no framing, forms post only here.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
if env_bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- Confidential source identities -------------------------------------------------------------
# Comma-separated Fernet keys; the first encrypts, all decrypt (rotate by prepending a new key).
FIELD_ENCRYPTION_KEYS = env_list("FIELD_ENCRYPTION_KEYS")
if not FIELD_ENCRYPTION_KEYS:
    if not DEBUG:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS must be set when DEBUG is off.")
    # Local demo only: a key derived from the (demo) secret key, so DEBUG runs need no setup.
    FIELD_ENCRYPTION_KEYS = [
        base64.urlsafe_b64encode(hashlib.sha256(SECRET_KEY.encode()).digest()).decode()
    ]

# --- Logging: never log request bodies or confidential fields ------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# --- Ingestion and licensing ----------------------------------------------------------------------
# The one import limit (5 MB of text) for every path: the service checks the text itself, and
# Django's request limit leaves room for how a form (%XX) or JSON (\uXXXX) encodes it, up to
# three bytes per byte of text, so the limit can be reached over HTTP.
NEWSROOM_MAX_IMPORT_BYTES = int(os.environ.get("NEWSROOM_MAX_IMPORT_BYTES", 5 * 1024 * 1024))
DATA_UPLOAD_MAX_MEMORY_SIZE = 3 * NEWSROOM_MAX_IMPORT_BYTES + 64 * 1024  # + the other fields
# Four-eyes rule: whoever recorded a claim cannot conclude it.
NEWSROOM_FOUR_EYES = env_bool("NEWSROOM_FOUR_EYES", True)
# Nobody publishes a story they wrote (its creator or a byline) alone.
NEWSROOM_STORY_FOUR_EYES = env_bool("NEWSROOM_STORY_FOUR_EYES", True)
# Name of the newsroom itself, the author of its reviews and exports.
NEWSROOM_NAME = os.environ.get("NEWSROOM_NAME", "newsroom")

# --- REST framework ------------------------------------------------------------------------------
REST_FRAMEWORK = {
    # Consumers send a token; staff use their admin session. Token auth comes first so an
    # anonymous caller is challenged with 401, not refused with 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "newsroom.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["newsroom.api.base.IsNewsroomUser"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "newsroom.api.base.NewsroomCursorPagination",
    "DEFAULT_THROTTLE_CLASSES": ["newsroom.api.base.TokenRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "token": os.environ.get("API_THROTTLE_RATE", "2000/hour"),
        # Requests refused for bad or missing credentials, per client address.
        "failed_auth": os.environ.get("API_FAILED_AUTH_RATE", "30/min"),
    },
    "EXCEPTION_HANDLER": "newsroom.api.base.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "newsroom API",
    "DESCRIPTION": "Reviewed claims with their provenance, licence-aware, with standard exports.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {"ClaimStatusEnum": "claims.models.ClaimStatus"},
}

# Throttle counters live in the cache, so with several worker processes or servers the cache must
# be shared, or each process counts on its own and the rate multiplies: Redis when REDIS_URL is
# set (production), a per-process memory cache otherwise (one-process demo and tests).
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "newsroom",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Background tasks: Celery ---------------------------------------------------------------------
# A broker only when one is configured (production: CELERY_BROKER_URL=redis://…, a worker and a
# beat process). Without one — `make run`, the tests — tasks run in-process as they are called.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# A task is acknowledged when done, so a worker lost mid-task leaves it to be run again (tasks
# are idempotent); one task at a time per worker process keeps long imports from queueing.
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE = {
    "poll-due-feeds": {"task": "sources.tasks.poll_due_feeds", "schedule": 60.0},
    "prune-change-stamps": {"task": "claims.tasks.prune_change_stamps", "schedule": 3600.0},
}

# Fetching feeds and site policies: bounded in time and size, with an honest User-Agent.
NEWSROOM_FETCH_TIMEOUT = float(os.environ.get("NEWSROOM_FETCH_TIMEOUT", "15"))
NEWSROOM_FETCH_MAX_BYTES = int(os.environ.get("NEWSROOM_FETCH_MAX_BYTES", str(10 * 1024 * 1024)))
# Set it to name the newsroom and a contact address, as publishers expect of a crawler.
NEWSROOM_USER_AGENT = os.environ.get(
    "NEWSROOM_USER_AGENT", f"{NEWSROOM_NAME}-fact-provenance/0.1 (feed and rights-policy reader)"
)
