"""Project settings, read from the environment (see .env.example and README "Configuration")."""

from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent
env = environ.Env()
# A local `.env` (created from .env.example by `make run`) fills in what the real environment does not set.
if env.bool("DJANGO_READ_DOT_ENV", default=True) and (BASE_DIR / ".env").is_file():
    environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEV_SECRET_KEY = "dev-only-insecure-secret-key-do-not-use-in-production"  # noqa: S105


def published_values(path: Path, *names: str) -> set[str]:
    """The values `path` (an example env file in the repository) gives `names`: public, so never secrets."""
    if not path.is_file():
        return set()
    pairs = (line.split("=", 1) for line in path.read_text().splitlines() if "=" in line and not line.startswith("#"))
    return {value.strip() for name, value in pairs if name.strip() in names and value.strip()}


DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env("SECRET_KEY", default=DEV_SECRET_KEY)
MIN_SECRET_KEY_LENGTH = 50
# Values anyone can read in this repository: never acceptable outside a DEBUG run.
PUBLISHED_SECRETS = {DEV_SECRET_KEY, *published_values(BASE_DIR / ".env.example", "SECRET_KEY", "API_KEY")}
if not DEBUG and (SECRET_KEY in PUBLISHED_SECRETS or len(SECRET_KEY) < MIN_SECRET_KEY_LENGTH):
    raise ImproperlyConfigured(
        f"SECRET_KEY is a published example or shorter than {MIN_SECRET_KEY_LENGTH} characters while DEBUG is off. "
        "Set a long random value (`make .env` writes one) or DEBUG=1 for local development."
    )

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "config.admin_site.ThrottledAdminConfig",  # django.contrib.admin with a login throttle
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework_simplejwt",
    "rest_framework_simplejwt.token_blacklist",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "config",
    "users",
    "books",
    "pets",
    "deals",
    "waste",
    "grpc_service",
]

MIDDLEWARE = [
    "config.request_id.RequestIdMiddleware",
    "config.middleware.RequestLogMiddleware",
    "config.middleware.JsonErrorMiddleware",
    "config.metrics.MetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "config.webapp.WebClientMiddleware",  # whitenoise: /static/ and the web client's files under /app/
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"
APPEND_SLASH = False

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
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

DATABASES = {"default": env.db("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/app")}
# The web server (ASGI: a thread per request) takes connections from a pool of DATABASE_POOL_MAX_SIZE per worker
# process (config/gunicorn.py turns it on); other processes (sidecar, relay, commands) keep one persistent
# connection per thread.
DATABASE_POOL_MAX_SIZE = env.int("DATABASE_POOL_MAX_SIZE", default=0)
if DATABASE_POOL_MAX_SIZE:
    DATABASES["default"]["CONN_MAX_AGE"] = 0  # Django requires it with a pool: closing returns to the pool
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": min(2, DATABASE_POOL_MAX_SIZE),
        "max_size": DATABASE_POOL_MAX_SIZE,
        "timeout": env.float("DATABASE_POOL_TIMEOUT", default=10.0),
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL", default="redis://127.0.0.1:6379/0")
CACHES = {
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": env("CACHE_KEY_PREFIX", default="app"),
        "OPTIONS": {
            # An unreachable Redis must not break reads: every cache call degrades to a miss.
            "IGNORE_EXCEPTIONS": True,
            "SOCKET_CONNECT_TIMEOUT": 0.5,
            "SOCKET_TIMEOUT": 0.5,
        },
    }
}
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
DJANGO_REDIS_LOGGER = "config.cache"

AMQP_URL = env("AMQP_URL", default="amqp://guest:guest@127.0.0.1:5672/%2F")
GRPC_PORT = env.int("GRPC_PORT", default=50051)
GRPC_HOST = env("GRPC_HOST", default="127.0.0.1")  # docker compose and Kubernetes: 0.0.0.0
GRPC_AUTH = env("GRPC_AUTH", default="jwt")  # "jwt": BookService calls need the REST access token; "none": open
GRPC_TLS_CERT_FILE = env("GRPC_TLS_CERT_FILE", default="")  # both set: the gRPC port speaks TLS
GRPC_TLS_KEY_FILE = env("GRPC_TLS_KEY_FILE", default="")

API_KEY = env("API_KEY", default="")
if not DEBUG and (not API_KEY or API_KEY in PUBLISHED_SECRETS):
    raise ImproperlyConfigured(
        "API_KEY is empty or a published example while DEBUG is off. Set API_KEY (the X-API-KEY for /pets) to a "
        "random value (`make .env` writes one)."
    )

WEB_PORT = env.int("WEB_PORT", default=8000)
# Base of absolute media URLs. Unset: the API uses the request's own host, the export CLI http://localhost:<WEB_PORT>.
PUBLIC_BASE_URL = env("PUBLIC_BASE_URL", default="").rstrip("/")
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(BASE_DIR / "media")))
MEDIA_URL = "/media/"
STATIC_ROOT = Path(env("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATIC_URL = "/static/"
# The built web client (`make web`), served at /app/ (config/webapp.py).
WEB_CLIENT_DIST = Path(env("WEB_CLIENT_DIST", default=str(BASE_DIR / "web" / "dist")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Pet photos on local disk (`make run`) or, with MEDIA_STORAGE=s3, in S3-compatible object storage
# (django-storages) shared by every web instance. Photo URLs are then pre-signed by the storage and expire after
# AWS_QUERYSTRING_EXPIRE seconds; the API and the export hand them out as they are.
MEDIA_STORAGE = env("MEDIA_STORAGE", default="local")
if MEDIA_STORAGE not in ("local", "s3"):
    raise ImproperlyConfigured(f"MEDIA_STORAGE must be local or s3, not {MEDIA_STORAGE!r}")
if MEDIA_STORAGE == "s3":
    STORAGES["default"] = {"BACKEND": "storages.backends.s3.S3Storage"}
    AWS_STORAGE_BUCKET_NAME = env("AWS_STORAGE_BUCKET_NAME")
    AWS_S3_ENDPOINT_URL = env("AWS_S3_ENDPOINT_URL", default=None)  # MinIO, moto, another S3-compatible store
    AWS_ACCESS_KEY_ID = env("AWS_ACCESS_KEY_ID", default=None)
    AWS_SECRET_ACCESS_KEY = env("AWS_SECRET_ACCESS_KEY", default=None)
    AWS_S3_REGION_NAME = env("AWS_S3_REGION_NAME", default=None)
    AWS_QUERYSTRING_EXPIRE = env.int("AWS_QUERYSTRING_EXPIRE", default=3600)
    AWS_S3_SIGNATURE_VERSION = "s3v4"  # every region and MinIO accept it
    # A public base instead of pre-signed URLs (docker compose: nginx serves the bucket under /media/).
    AWS_S3_CUSTOM_DOMAIN = env("AWS_S3_CUSTOM_DOMAIN", default=None)
    AWS_QUERYSTRING_AUTH = env.bool("AWS_QUERYSTRING_AUTH", default=AWS_S3_CUSTOM_DOMAIN is None)
    AWS_S3_URL_PROTOCOL = env("AWS_S3_URL_PROTOCOL", default="https:")
    AWS_S3_FILE_OVERWRITE = False
# Media is served by Django itself (config/urls.py) so `make run` works without a proxy;
# docker compose puts nginx in front of /media and /static.
SERVE_MEDIA = env.bool("SERVE_MEDIA", default=True)

PET_PHOTO_MAX_BYTES = env.int("PET_PHOTO_MAX_BYTES", default=10 * 1024 * 1024)
DEALS_MAX_UPLOAD_BYTES = env.int("DEALS_MAX_UPLOAD_BYTES", default=200 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=2_621_440)
FILE_UPLOAD_MAX_MEMORY_SIZE = env.int("FILE_UPLOAD_MAX_MEMORY_SIZE", default=2_621_440)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework_simplejwt.authentication.JWTAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "config.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "config.parsers.JSONParser",
        "rest_framework.parsers.MultiPartParser",
        "rest_framework.parsers.FormParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "config.exceptions.exception_handler",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    # Throttles key on the peer address; X-Forwarded-For is believed only from this many proxies in front
    # (docker compose: 1, its nginx). Unset, DRF would take a client-chosen header as the address.
    "NUM_PROXIES": env.int("NUM_PROXIES", default=0),
}

# Per-IP limit of register/token/refresh requests (read on every request, see users/api.py).
AUTH_THROTTLE_RATE = env("AUTH_THROTTLE_RATE", default="20/min")
# `/metrics` (Prometheus): public, or only with `Authorization: Bearer <METRICS_TOKEN>`.
METRICS_PUBLIC = env.bool("METRICS_PUBLIC", default=True)
METRICS_TOKEN = env("METRICS_TOKEN", default="")
# Seconds a request body may take to arrive once its headers have (408 after that; config/slow_clients.py).
REQUEST_READ_TIMEOUT = env.float("REQUEST_READ_TIMEOUT", default=60.0)
# Metrics ports of the sidecar and the relay (0: off), on METRICS_HOST.
SIDECAR_METRICS_PORT = env.int("SIDECAR_METRICS_PORT", default=9101)
RELAY_METRICS_PORT = env.int("RELAY_METRICS_PORT", default=9102)
METRICS_HOST = env("METRICS_HOST", default="127.0.0.1")
# Failed admin logins allowed per client address and per username within the window.
ADMIN_LOGIN_MAX_FAILURES = env.int("ADMIN_LOGIN_MAX_FAILURES", default=10)
ADMIN_LOGIN_WINDOW_SECONDS = env.int("ADMIN_LOGIN_WINDOW_SECONDS", default=900)

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env.int("JWT_ACCESS_MINUTES", default=15)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env.int("JWT_REFRESH_DAYS", default=7)),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": True,
    "SIGNING_KEY": SECRET_KEY,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Books, Pets, Deals and Waste API",
    "DESCRIPTION": (
        "One Django service for four domains. Books, authors, deals uploads and waste writes need a JWT "
        "(`POST /auth/token`, then **Authorize** with `Bearer <access>`); `/pets` needs the `X-API-KEY` header."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_SETTINGS": {"persistAuthorization": True},
    "PREPROCESSING_HOOKS": ["config.health.schema_endpoints"],
    "ENUM_NAME_OVERRIDES": {},
    "TAGS": [
        {"name": "auth", "description": "Registration and JWT tokens"},
        {"name": "books", "description": "Books and per-user ratings (JWT)"},
        {"name": "authors", "description": "Authors and their top-5 books (JWT)"},
        {"name": "pets", "description": "Dogs and cats with photos (X-API-KEY)"},
        {"name": "deals", "description": "deals.csv upload and top-5 customers"},
        {"name": "waste", "description": "Organizations, storages, routes and waste disposal"},
        {"name": "health", "description": "Liveness and readiness"},
    ],
}

# Security headers; HTTPS-only cookies and HSTS are switched on by the deployment (behind TLS).
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env.bool("BEHIND_TLS_PROXY", default=False) else None
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)

READY_CHECK_TIMEOUT = env.float("READY_CHECK_TIMEOUT", default=2.0)

LOG_LEVEL = env("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s%(request_id_suffix)s"},
        "json": {"()": "config.request_id.JsonLogFormatter"},
    },
    "filters": {"request_id": {"()": "config.request_id.RequestIdLogFilter"}},
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": env("LOG_FORMAT", default="plain"),  # "json": one JSON object per line
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["stdout"], "level": LOG_LEVEL},
    "loggers": {
        "django.request": {"level": "ERROR"},
        "django.server": {"level": "WARNING"},
    },
}

# --- per-app settings (each app keeps its block below) ---

# grpc_service (also the books outbox relay, `relay_events`)
# The relay wakes on NOTIFY after each commit; the sweep catches anything else (relay or broker was down).
RELAY_SWEEP_SECONDS = env.float("RELAY_SWEEP_SECONDS", default=5.0)
RELAY_BATCH_SIZE = env.int("RELAY_BATCH_SIZE", default=500)
# Published outbox rows and the sidecar's handled event ids are kept this long, then purged in small batches.
RELAY_HEALTH_MAX_LAG_SECONDS = env.int("RELAY_HEALTH_MAX_LAG_SECONDS", default=120)
EVENTS_RETENTION_DAYS = env.int("EVENTS_RETENTION_DAYS", default=7)
EVENTS_PURGE_INTERVAL_SECONDS = env.float("EVENTS_PURGE_INTERVAL_SECONDS", default=3600.0)
EVENTS_PURGE_BATCH_SIZE = env.int("EVENTS_PURGE_BATCH_SIZE", default=1000)
GRPC_MAX_WORKERS = env.int("GRPC_MAX_WORKERS", default=16)
# Serialized gRPC answers the sidecar keeps in memory (grpc_service/answers.py), dropped by the invalidations writes
# publish on Redis; the TTL only bounds an answer's life if Redis vanished without closing the subscription.
GRPC_ANSWER_CACHE_SIZE = env.int("GRPC_ANSWER_CACHE_SIZE", default=10_000)
GRPC_ANSWER_CACHE_TTL = env.float("GRPC_ANSWER_CACHE_TTL", default=60.0)
EVENTS_CONSUMER_PREFETCH = env.int("EVENTS_CONSUMER_PREFETCH", default=200)
# Names on the broker; override to run a second stack (or a bench) on a shared RabbitMQ.
BOOK_EVENTS_EXCHANGE = env("BOOK_EVENTS_EXCHANGE", default="books.events")
BOOK_EVENTS_QUEUE = env("BOOK_EVENTS_QUEUE", default="grpc_service.book_events")
# pika logs every connection step at INFO; the relay and the consumer log what matters themselves.
LOGGING["loggers"]["pika"] = {"level": "WARNING"}

# books
# Seconds a cached book/author/list payload lives; writes invalidate it sooner (books/cache.py).
BOOKS_CACHE_TTL = env.int("BOOKS_CACHE_TTL", default=300)
# `GET /books` pages are cached while offset + limit stays within this many rows ("the first pages").
BOOKS_CACHE_LIST_MAX_ROWS = env.int("BOOKS_CACHE_LIST_MAX_ROWS", default=1000)

# deals
# Delete a superseded dataset's deals in a thread after the switch (off: inside the upload request).
DEALS_PURGE_IN_BACKGROUND = env.bool("DEALS_PURGE_IN_BACKGROUND", default=True)

# --- books ---
# Cached `GET /books` pages share this many Redis keys (a page's slot is a hash of its query): a bounded set of
# keys, whatever distinct queries clients send (about 20 KB per key at limit=100).
BOOKS_CACHE_LIST_SLOTS = env.int("BOOKS_CACHE_LIST_SLOTS", default=512)

# --- deals and pets ---
# Photos one pet may have; one more answers 409.
PET_MAX_PHOTOS = env.int("PET_MAX_PHOTOS", default=20)
# Image checks running at once per process (each holds at most one bounded decode in memory).
PET_IMAGE_CONCURRENT_CHECKS = env.int("PET_IMAGE_CONCURRENT_CHECKS", default=2)
# A deals.csv header line: at most this many bytes and columns (the five names, quoted, with room to spare).
DEALS_MAX_HEADER_BYTES = env.int("DEALS_MAX_HEADER_BYTES", default=1024)
DEALS_MAX_HEADER_COLUMNS = env.int("DEALS_MAX_HEADER_COLUMNS", default=20)
# --- waste ---
# `POST /waste/network/import` alone accepts bodies up to this size (a whole regional network); the general
# JSON limit (DATA_UPLOAD_MAX_MEMORY_SIZE) stays for every other endpoint.
WASTE_IMPORT_MAX_BYTES = env.int("WASTE_IMPORT_MAX_BYTES", default=50 * 1024 * 1024)
