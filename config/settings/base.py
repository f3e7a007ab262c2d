"""Settings shared by every environment. All configuration is read through ``environ.Env``.

No environment at all gives the embedded default: a SQLite file under ``var/`` and Celery tasks
executed eagerly. ``DATABASE_URL`` switches to PostgreSQL (psycopg 3); ``REDIS_URL`` switches Celery
to a Redis broker and the cache to Redis. ``.env.example`` documents every variable.
"""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False) if (BASE_DIR / ".env").exists() else None

SECRET_KEY = env("SECRET_KEY", default="dev-insecure-change-me-3b1f0c9e4f7a4c8e9d2a")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "config.admin_apps.ClickledgerAdminConfig",  # django.contrib.admin, sections in setup order
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "corsheaders",
    "rest_framework",
    "drf_spectacular",
    "django_celery_beat",
    "attribution",
    "crm_sync",
    "dashboard",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    # Collector beacons leave the chain here; they still pass Common and XFrameOptions.
    "attribution.tracking.middleware.BeaconMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",  # numbers and money in the browser's locale
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
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
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'clickledger.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL + a busy timeout let the dev server and an eager task share the file without "locked".
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # The touches' covering index (INCLUDE columns) is a PostgreSQL read optimisation; SQLite
    # builds the same index on its key columns, which is all the embedded default needs.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
IS_POSTGRES = DATABASES["default"]["ENGINE"].endswith("postgresql")

# --- Redis, Celery, cache ---------------------------------------------------------------------
REDIS_URL = env("REDIS_URL", default="")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", 3600)}

if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                          "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Auth, i18n -------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/accounts/login/"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static and media -------------------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env("STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))
MEDIA_ROOT = env("MEDIA_ROOT", default=str(VAR_DIR / "media"))
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=5 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- REST framework ---------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.BasicAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 100,
    # Behind a reverse proxy (nginx): how many proxies' X-Forwarded-For entries to trust for the
    # client's address (rate limits, the stored truncated IP). Unset: REMOTE_ADDR.
    "NUM_PROXIES": env.int("NUM_PROXIES", default=None),
    "DEFAULT_THROTTLE_RATES": {
        "collector": env("COLLECTOR_RATE_LIMIT", default="600/min"),
        "events_api": env("EVENTS_API_RATE_LIMIT", default="6000/min"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Clickledger API",
    "DESCRIPTION": "Collector, server-side events, CRM deals and attribution results.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
}

# --- CORS: the collector decides per site (see attribution.tracking.cors) ----------------------
CORS_URLS_REGEX = r"^/api/v1/collect/.*$"
CORS_ALLOW_CREDENTIALS = False
# No origin is allowed globally. Spelled out because django-cors-headers reads these on every
# collector request, and a missing setting costs a raised AttributeError (two for the old names).
CORS_ALLOW_ALL_ORIGINS = False
CORS_ALLOWED_ORIGINS: list[str] = []
CORS_ALLOWED_ORIGIN_REGEXES: list[str] = []
CORS_EXPOSE_HEADERS: list[str] = []
CORS_ALLOW_PRIVATE_NETWORK = False

# --- Secrets at rest --------------------------------------------------------------------------
# Comma-separated Fernet keys, newest first (rotation: prepend a new key, re-save, drop the old).
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=[])

# --- Clickledger ------------------------------------------------------------------------------
CLICKLEDGER = {
    "TRACKER_COOKIE_DAYS": env.int("TRACKER_COOKIE_DAYS", default=28),
    "COLLECTOR_MAX_BODY_BYTES": env.int("COLLECTOR_MAX_BODY_BYTES", default=64 * 1024),
    "EVENTS_API_MAX_BATCH": env.int("EVENTS_API_MAX_BATCH", default=1000),
    "EVENT_MAX_AGE_DAYS": env.int("EVENT_MAX_AGE_DAYS", default=90),
    "EVENT_MAX_FUTURE_SECONDS": env.int("EVENT_MAX_FUTURE_SECONDS", default=600),
    # Collector (attribution.tracking): buffer accepted beacons in Redis and store them in bulk.
    "COLLECTOR_BUFFER": env.bool("COLLECTOR_BUFFER", default=bool(REDIS_URL)),
    "COLLECTOR_BUFFER_URL": env("COLLECTOR_BUFFER_URL", default=""),
    "COLLECTOR_DRAIN_DELAY_SECONDS": env.float("COLLECTOR_DRAIN_DELAY_SECONDS", default=1.0),
    "EVENTS_API_MAX_BODY_BYTES": env.int("EVENTS_API_MAX_BODY_BYTES", default=2 * 1024 * 1024),
    "TRACKER_DEMO_PAGES": env.bool("TRACKER_DEMO_PAGES", default=DEBUG),
    # Where browsers reach this server, for the tracker snippet shown in admin.
    "PUBLIC_ORIGIN": env("PUBLIC_ORIGIN", default=""),
    "TIKTOK_API_BASE": env("TIKTOK_API_BASE", default="https://business-api.tiktok.com"),
    "TIKTOK_BATCH_SIZE": env.int("TIKTOK_BATCH_SIZE", default=50),
    "TIKTOK_BATCH_MAX_BYTES": env.int("TIKTOK_BATCH_MAX_BYTES", default=1_000_000),
    "TIKTOK_RATE_PER_MINUTE": env.int("TIKTOK_RATE_PER_MINUTE", default=1000),
    "TIKTOK_TIMEOUT_SECONDS": env.float("TIKTOK_TIMEOUT_SECONDS", default=10.0),
    "TIKTOK_MAX_ATTEMPTS": env.int("TIKTOK_MAX_ATTEMPTS", default=12),
    "TIKTOK_WEB_EVENT_MAX_AGE_DAYS": env.int("TIKTOK_WEB_EVENT_MAX_AGE_DAYS", default=7),
    "TIKTOK_OFFLINE_EVENT_MAX_AGE_DAYS": env.int("TIKTOK_OFFLINE_EVENT_MAX_AGE_DAYS", default=28),
    # CRM deal import: region (ISO country) for phone numbers written without +, when an import
    # or its saved mapping names none.
    "CRM_DEFAULT_PHONE_REGION": env("CRM_DEFAULT_PHONE_REGION", default=""),
    # Attribution runs: conversions per chunk (one task, one transaction) and the default period.
    "ATTRIBUTION_CHUNK_CONVERSIONS": env.int("ATTRIBUTION_CHUNK_CONVERSIONS", default=500_000),
    "ATTRIBUTION_DEFAULT_PERIOD_DAYS": env.int("ATTRIBUTION_DEFAULT_PERIOD_DAYS", default=365),
    # Conversion sync (crm_sync.tiktok, crm_sync.services.outbox_drain):
    # see docs/developers/conversion-sync.md.
    "TIKTOK_RATE_BURST": env.int("TIKTOK_RATE_BURST", default=0),  # 0: one second's worth of the rate
    "TIKTOK_RATE_LIMITED_PAUSE_SECONDS": env.float("TIKTOK_RATE_LIMITED_PAUSE_SECONDS", default=5.0),
    "TIKTOK_LEASE_SECONDS": env.float("TIKTOK_LEASE_SECONDS", default=120.0),
    "TIKTOK_BACKOFF_BASE_SECONDS": env.float("TIKTOK_BACKOFF_BASE_SECONDS", default=30.0),
    "TIKTOK_BACKOFF_CAP_SECONDS": env.float("TIKTOK_BACKOFF_CAP_SECONDS", default=3600.0),
    "TIKTOK_DRAIN_MAX_SECONDS": env.float("TIKTOK_DRAIN_MAX_SECONDS", default=50.0),
    "TIKTOK_DRAIN_INTERVAL_SECONDS": env.float("TIKTOK_DRAIN_INTERVAL_SECONDS", default=10.0),
    # TikTok reply codes worth a retry (rate limit, system errors); any 5xxxx code is retried too.
    "TIKTOK_RETRYABLE_CODES": env.list("TIKTOK_RETRYABLE_CODES", cast=int, default=[40100, 50000, 50002]),
}

# Beat entries here are copied into django-celery-beat's tables, where admins can edit them.
CELERY_BEAT_SCHEDULE = {
    "tiktok-outbox-drain": {
        "task": "crm_sync.tasks.outbox_drain_due",
        "schedule": CLICKLEDGER["TIKTOK_DRAIN_INTERVAL_SECONDS"],
    },
    # Privacy (crm_sync.privacy): anonymize what each workspace's retention policy says is too old.
    "retention-purge": {
        "task": "crm_sync.privacy.tasks.retention_purge_all",
        "schedule": env.float("RETENTION_PURGE_INTERVAL_SECONDS", default=86400.0),
    },
}
# Rows per retention batch: each batch is one short transaction (benchmarks/retention.py).
CLICKLEDGER["RETENTION_BATCH_ROWS"] = env.int("RETENTION_BATCH_ROWS", default=5000)

# --- Dashboard and TikTok reporting -----------------------------------------------------------
CLICKLEDGER.update({
    # report/integrated/get: rows per page (max 1,000) and days per request (TikTok caps daily spans).
    "TIKTOK_REPORT_PAGE_SIZE": env.int("TIKTOK_REPORT_PAGE_SIZE", default=1000),
    "TIKTOK_REPORT_MAX_DAYS": env.int("TIKTOK_REPORT_MAX_DAYS", default=30),
    # Which metrics count as "reported conversions" and their value (total_complete_payment_rate is,
    # despite its name, the total purchase value).
    "TIKTOK_REPORT_CONVERSION_METRIC": env("TIKTOK_REPORT_CONVERSION_METRIC", default="conversion"),
    "TIKTOK_REPORT_VALUE_METRIC": env("TIKTOK_REPORT_VALUE_METRIC", default="total_complete_payment_rate"),
    # The daily import re-reads this many past days: TikTok keeps attributing late conversions.
    "TIKTOK_REPORT_REFRESH_DAYS": env.int("TIKTOK_REPORT_REFRESH_DAYS", default=7),
    # Meta Marketing API (Insights) and Google Ads API: versions and hosts are settings, since both
    # platforms retire versions on a schedule (docs/developers/ad-platforms.md).
    "META_GRAPH_BASE": env("META_GRAPH_BASE", default="https://graph.facebook.com"),
    "META_API_VERSION": env("META_API_VERSION", default="v26.0"),
    "META_PAGE_SIZE": env.int("META_PAGE_SIZE", default=500),
    "META_TIMEOUT_SECONDS": env.float("META_TIMEOUT_SECONDS", default=60.0),
    # Longer ranges run as an asynchronous report job (synchronous insights time out on big accounts).
    "META_SYNC_MAX_DAYS": env.int("META_SYNC_MAX_DAYS", default=31),
    "META_ASYNC_POLL_SECONDS": env.float("META_ASYNC_POLL_SECONDS", default=5.0),
    "META_ASYNC_MAX_WAIT_SECONDS": env.float("META_ASYNC_MAX_WAIT_SECONDS", default=900.0),
    "GOOGLE_ADS_API_BASE": env("GOOGLE_ADS_API_BASE", default="https://googleads.googleapis.com"),
    "GOOGLE_ADS_API_VERSION": env("GOOGLE_ADS_API_VERSION", default="v26"),
    "GOOGLE_OAUTH_TOKEN_URL": env("GOOGLE_OAUTH_TOKEN_URL", default="https://oauth2.googleapis.com/token"),
    "GOOGLE_ADS_TIMEOUT_SECONDS": env.float("GOOGLE_ADS_TIMEOUT_SECONDS", default=120.0),
    # Days per searchStream request: bounds the size of one reply held in memory.
    "GOOGLE_ADS_MAX_DAYS": env.int("GOOGLE_ADS_MAX_DAYS", default=31),
    # The daily import of Meta and Google accounts re-reads this many past days (late conversions).
    "AD_PLATFORM_REFRESH_DAYS": env.int("AD_PLATFORM_REFRESH_DAYS", default=7),
    # Absolute links in audit emails, e.g. https://clickledger.example.com
    "PUBLIC_BASE_URL": env("PUBLIC_BASE_URL", default="http://localhost:8000"),
})

EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="clickledger@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    # httpx logs every request at INFO: one line per TikTok batch is noise, errors are logged by us.
    "loggers": {"django.db.backends": {"level": "WARNING"}, "httpx": {"level": "WARNING"}},
}
