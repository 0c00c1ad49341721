"""Settings for Công dân số: every knob is an environment variable with a safe default.

Runs with zero configuration on SQLite for development; see .env.example for every variable.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    """A string setting; `NAME_FILE` (a path) wins over `NAME`, for secrets mounted as files."""
    path = os.environ.get(f"{name}_FILE")
    if path:
        return Path(path).read_text(encoding="utf-8").strip()
    return os.environ.get(name, default)


def envbool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def envint(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


DEBUG = envbool("DEBUG", True)
SECRET_KEY = env("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    # Development only: a fixed key keeps sessions across restarts; never used with DEBUG off.
    SECRET_KEY = "dev-insecure-congdanso-key-do-not-use-in-production"  # noqa: S105

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    # Django's admin, opened only to a session that passed the second factor (TOTP).
    "accounts.admin_apps.StaffAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # Installed so the API docs page serves Swagger UI from our static files, not a CDN.
    "ninja",
    "django_tasks",
    "django_tasks_db",
    # Staff sign in with a password and a TOTP code (issue 6); axes locks out password guessing.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "accounts",
    "units",
    "routing",
    "reports",
    "sla",
    "citizen",
    "api",
    "notify",
    "alerts",
    # The city's other services (issue 21): news, the public-service directory, dossiers.
    "news",
    "procedures",
    "dossiers",
    "classify",
    "intake",
    # Traffic cameras and the watch on every feed (issue 20).
    "cameras",
    "workspace",
    "dashboard",
    "rollups",
    "maps",
    "open311",
    "deployment",
    # Demo and load-test data (seed_demo, generate_reports); nothing imports it.
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy header (policy in CONTENT_SECURITY_POLICY below).
    "csp.middleware.CSPMiddleware",
    # Compresses HTML and JSON (the ward boundaries' GeoJSON most): residents are on phones.
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # After the language is chosen: a NUL in any text answers 400 in it (PostgreSQL refuses NUL).
    "congdanso.middleware.RefuseNulMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # django-otp's middleware (request.user.is_verified()), re-reading the device once a minute.
    "accounts.middleware.StaffOTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.middleware.StaffIdleTimeoutMiddleware",
    # A staff session without its second factor reaches only the code/set-up pages.
    "accounts.middleware.StaffSecondFactorGateMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as axes asks: turns a locked-out sign-in into our "locked for N minutes" page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "congdanso.urls"
WSGI_APPLICATION = "congdanso.wsgi.application"
ASGI_APPLICATION = "congdanso.asgi.application"

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
                "citizen.context_processors.map_settings",
                "notify.context_processors.unread_notifications",
                "accounts.context_processors.staff_nav",
            ],
        },
    },
]

# Database: SQLite (WAL, see units/apps.py) unless DATABASE_URL says otherwise.
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=envint("DB_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers run while one writer writes; IMMEDIATE takes the write lock at
        # BEGIN so two writers queue on busy_timeout instead of failing with "database is locked".
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Axes first: it refuses a locked-out user name before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Password guessing: after AXES_FAILURE_LIMIT wrong passwords for one user name from one IP
# address, that pair is locked for AXES_COOLOFF_MINUTES. By the pair, not the user name alone:
# locking a user name outright would let anyone lock every officer out of the workspace by
# typing wrong passwords. The TOTP code (throttled per device, below) still stands between a
# guessed staff password and the staff pages.
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_MINUTES = envint("AXES_COOLOFF_MINUTES", 15)
AXES_COOLOFF_TIME = timedelta(minutes=AXES_COOLOFF_MINUTES)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# The page promises "locked for N minutes": more tries during the lock do not extend it.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "accounts.views.locked_out"
# (no start-up banner and per-attempt INFO lines in every command's output)
AXES_VERBOSE = False
# Behind a reverse proxy (nginx), how many proxies append to X-Forwarded-For: the client's
# address is read that many entries from the right (accounts.ratelimit.client_ip),
# for the per-IP rate limits and axes' lockout alike. 0: REMOTE_ADDR.
TRUSTED_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", 0)
AXES_CLIENT_IP_CALLABLE = "accounts.ratelimit.client_ip"
# Wrong TOTP codes: each failure doubles the wait before the next try (1 s, 2 s, 4 s, …).
OTP_TOTP_THROTTLE_FACTOR = envint("OTP_TOTP_THROTTLE_FACTOR", 1)
OTP_TOTP_ISSUER = "Công dân số"
# Sessions: residents stay signed in on their phone for SESSION_COOKIE_AGE (default 14 days);
# a staff session ends STAFF_SESSION_MAX_AGE after sign-in (default 8 hours, a working day)
# or after STAFF_IDLE_TIMEOUT seconds without a request (default 30 minutes).
SESSION_COOKIE_AGE = envint("SESSION_COOKIE_AGE", 14 * 24 * 3600)
STAFF_SESSION_MAX_AGE = envint("STAFF_SESSION_MAX_AGE", 8 * 3600)
STAFF_IDLE_TIMEOUT = envint("STAFF_IDLE_TIMEOUT", 30 * 60)
# A staff member sets up their authenticator only with a one-time enrolment code issued by an
# administrator (accounts/enrolment.py); it expires after this many hours (default 72).
STAFF_ENROLMENT_HOURS = envint("STAFF_ENROLMENT_HOURS", 72)
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

# Vietnamese first, English second.
LANGUAGE_CODE = env("LANGUAGE_CODE", "vi")
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env("TIME_ZONE", "Asia/Ho_Chi_Minh")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
# Front-end libraries come from npm (package.json + lockfile) and are served by us, never a CDN.
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
    ("vendor/leaflet", BASE_DIR / "node_modules" / "leaflet" / "dist"),
    ("vendor/chartjs", BASE_DIR / "node_modules" / "chart.js" / "dist"),
]
# The PDF summaries embed DejaVu Sans (installed from npm by `make deps`): it has every
# Vietnamese letter, which the PDF core fonts do not.
PDF_FONT_DIR = Path(
    env("PDF_FONT_DIR", str(BASE_DIR / "node_modules" / "dejavu-fonts-ttf" / "ttf"))
)
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / "media")))
# Uploaded originals (with their EXIF: GPS, device) are kept here for provenance and never
# served at MEDIA_URL; only the derived copies (EXIF-free photos, video posters) live in
# MEDIA_ROOT. Keep it outside MEDIA_ROOT and outside whatever the web server serves.
PRIVATE_MEDIA_ROOT = Path(env("PRIVATE_MEDIA_ROOT", str(BASE_DIR / "private_media")))
# How many machines run the app (only read by `manage.py check --deploy`: more than one needs
# the buckets, since a file written on one machine's disk is missing on the others).
APP_SERVERS = envint("APP_SERVERS", 1)
# Several app servers do not share a disk: put the media in S3-compatible buckets instead
# (AWS S3, MinIO, Ceph, Viettel/VNPT/FPT object storage). MEDIA_S3_BUCKET takes the derived
# copies, readable by anyone who knows their unguessable names; PRIVATE_MEDIA_S3_BUCKET the
# originals, with no public access and no URL at all. Unset: both on this machine's disk.
MEDIA_S3_BUCKET = env("MEDIA_S3_BUCKET", "")
PRIVATE_MEDIA_S3_BUCKET = env("PRIVATE_MEDIA_S3_BUCKET", "")
if bool(MEDIA_S3_BUCKET) != bool(PRIVATE_MEDIA_S3_BUCKET):
    raise ImproperlyConfigured("Set both MEDIA_S3_BUCKET and PRIVATE_MEDIA_S3_BUCKET, or neither")
if MEDIA_S3_BUCKET and MEDIA_S3_BUCKET == PRIVATE_MEDIA_S3_BUCKET:
    raise ImproperlyConfigured("PRIVATE_MEDIA_S3_BUCKET must differ from MEDIA_S3_BUCKET")
_media_s3 = {
    "endpoint_url": env("MEDIA_S3_ENDPOINT_URL", "") or None,
    "region_name": env("MEDIA_S3_REGION", "") or None,
    # Empty: boto3's usual sources (AWS_* variables, an instance role).
    "access_key": env("MEDIA_S3_ACCESS_KEY_ID", "") or None,
    "secret_key": env("MEDIA_S3_SECRET_ACCESS_KEY", "") or None,
    # Path-style (endpoint/bucket/key) works with every S3-compatible server; virtual-host
    # style needs wildcard DNS that MinIO and many others do not have.
    "addressing_style": env("MEDIA_S3_ADDRESSING_STYLE", "path"),
}
STORAGES = {
    "default": (
        {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                **_media_s3,
                "bucket_name": MEDIA_S3_BUCKET,
                "default_acl": env("MEDIA_S3_ACL", "public-read") or None,
                # Plain URLs (no signature): the copies are public and pages can be cached.
                "querystring_auth": False,
                # Derived copies have stable names: processing twice rewrites the same object.
                "file_overwrite": True,
                # A CDN or a public host name in front of the bucket (e.g. media.example.vn).
                "custom_domain": env("MEDIA_URL_HOST", "") or None,
                "object_parameters": {"CacheControl": "public, max-age=31536000, immutable"},
            },
        }
        if MEDIA_S3_BUCKET
        else {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    ),
    "private": (
        {
            "BACKEND": "reports.storage.PrivateS3Storage",
            "OPTIONS": {
                **_media_s3,
                "bucket_name": PRIVATE_MEDIA_S3_BUCKET,
                "default_acl": "private",
                "querystring_auth": True,
                # Two residents' "photo.jpg" in one month must not overwrite each other.
                "file_overwrite": False,
            },
        }
        if PRIVATE_MEDIA_S3_BUCKET
        else {"BACKEND": "reports.storage.PrivateFileSystemStorage"}
    ),
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Where the public copies' URLs point when they are in a bucket (for the CSP's img-src and
# media-src); empty when they are served from our own origin at MEDIA_URL.
if not MEDIA_S3_BUCKET:
    MEDIA_PUBLIC_ORIGIN = ""
elif env("MEDIA_URL_HOST"):
    MEDIA_PUBLIC_ORIGIN = f"https://{env('MEDIA_URL_HOST')}"
elif _media_s3["endpoint_url"]:
    MEDIA_PUBLIC_ORIGIN = "{0.scheme}://{0.netloc}".format(urlsplit(_media_s3["endpoint_url"]))
else:  # AWS S3 itself, path-style URLs
    _region = _media_s3["region_name"]
    MEDIA_PUBLIC_ORIGIN = (
        f"https://s3.{_region}.amazonaws.com" if _region else "https://s3.amazonaws.com"
    )
# Uploads above this are refused before they reach memory-hungry decoders.
DATA_UPLOAD_MAX_MEMORY_SIZE = envint("DATA_UPLOAD_MAX_MEMORY_SIZE", 5 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
MAX_PHOTO_BYTES = envint("MAX_PHOTO_BYTES", 15 * 1024 * 1024)
MAX_DOCUMENT_BYTES = envint("MAX_DOCUMENT_BYTES", 20 * 1024 * 1024)
MAX_VIDEO_BYTES = envint("MAX_VIDEO_BYTES", 50 * 1024 * 1024)
# One video of at most this many seconds per report (the residents' app limit).
MAX_VIDEO_SECONDS = envint("MAX_VIDEO_SECONDS", 60)

# The audit chain's key (reports/audit.py): an HMAC key kept outside the database, so that
# write access to the database alone cannot recompute a chain. Default: derived from
# SECRET_KEY (rotating that then breaks verification: set AUDIT_KEY in production).
AUDIT_KEY = env("AUDIT_KEY", "") or f"audit-chain:{SECRET_KEY}"
# The daily checkpoints' Ed25519 signing key (base64 of a 32-byte seed; default: derived from
# AUDIT_KEY) and where their files go besides the database and /api/audit/checkpoints.
AUDIT_SIGNING_KEY = env("AUDIT_SIGNING_KEY", "")
AUDIT_CHECKPOINT_DIR = env("AUDIT_CHECKPOINT_DIR", "")

# Dossier tracking (issue 21). The procedure system signs its pushes with this shared secret
# (empty: the push endpoint refuses every request); a push whose timestamp is further than the
# window from our clock is refused, and one seen before is refused within it.
DOSSIER_PUSH_SECRET = env("DOSSIER_PUSH_SECRET", "")
DOSSIER_PUSH_WINDOW_SECONDS = envint("DOSSIER_PUSH_WINDOW_SECONDS", 300)
# The key of the applicants' phone hashes (dossiers.models): its own secret, so that rotating
# SECRET_KEY does not orphan every stored hash. Changing it needs a full re-sync.
DOSSIER_PHONE_KEY = env("DOSSIER_PHONE_KEY", "") or f"dossier-phone:{SECRET_KEY}"

TASKS = {
    "default": {
        "BACKEND": env("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

# --- The SLA clock and background work (sla/) ----------------------------------------------------
# Reminders about an overdue report: one per this many working hours, not a flood.
SLA_REMINDER_HOURS = envint("SLA_REMINDER_HOURS", 8)
# A task still "running" this long after a worker took it is assumed dead and queued again
# (django-tasks-db does not notice a killed worker); after TASK_MAX_ATTEMPTS it is failed.
TASK_LEASE_MINUTES = envint("TASK_LEASE_MINUTES", 30)
# A delivery being sent belongs to its worker this long; then the sweep re-queues it.
NOTIFY_SENDING_LEASE_SECONDS = envint("NOTIFY_SENDING_LEASE_SECONDS", 600)
TASK_MAX_ATTEMPTS = envint("TASK_MAX_ATTEMPTS", 3)

# --- Messages to people -------------------------------------------------------------------------
# SMS (notify/sms.py): console in development, an HTTP gateway in production.
SMS_BACKEND = env("SMS_BACKEND", "notify.sms.ConsoleBackend")
SMS_HTTP_URL = env("SMS_HTTP_URL", "")
SMS_HTTP_TOKEN = env("SMS_HTTP_TOKEN", "")
SMS_SENDER = env("SMS_SENDER", "CONGDANSO")
# Unaccented text in one 160-character GSM-7 part (most Vietnamese gateways need it).
SMS_GSM7 = envbool("SMS_GSM7", True)

# E-mail: printed to the console in development; SMTP when EMAIL_HOST is set.
EMAIL_BACKEND = env(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if env("EMAIL_HOST")
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", 25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = envint("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Công dân số <no-reply@congdanso.invalid>")
# Links in e-mails and SMS need the site's address (no request at hand in a background task).
SITE_URL = env("SITE_URL", "http://localhost:8000").rstrip("/")

# Web Push (VAPID). The public key is given to the residents' app; the private key signs.
VAPID_PUBLIC_KEY = env("VAPID_PUBLIC_KEY", "")
VAPID_PRIVATE_KEY = env("VAPID_PRIVATE_KEY", "")
VAPID_SUBJECT = env("VAPID_SUBJECT", "mailto:admin@congdanso.invalid")

# --- Residents' sign-in -------------------------------------------------------------------------
# VNeID (or any OpenID Connect provider): off unless the issuer and client are configured.
VNEID_ISSUER = env("VNEID_ISSUER", "").rstrip("/")
VNEID_CLIENT_ID = env("VNEID_CLIENT_ID", "")
VNEID_CLIENT_SECRET = env("VNEID_CLIENT_SECRET", "")
VNEID_SCOPES = env("VNEID_SCOPES", "openid profile phone")

# Units data: the administrative units of Hanoi, loaded by `manage.py load_units`.
UNITS_DATA_DIR = Path(env("UNITS_DATA_DIR", str(BASE_DIR.parent / "shared" / "data" / "hanoi")))
# The era of units in force: points are placed in this era's wards.
UNITS_CURRENT_ERA = env("UNITS_CURRENT_ERA", "2025")
# A point just outside every ward (GPS noise at the city edge) goes to the nearest ward
# within this distance; beyond it the point is refused as outside the city.
WARD_EDGE_TOLERANCE_M = envint("WARD_EDGE_TOLERANCE_M", 300)

# Map tiles: an XYZ URL template ({z}/{x}/{y}) and its attribution. Empty: no tiles; the
# ward boundaries are the base map (also what shows when tiles cannot be reached).
MAP_TILE_URL = env("MAP_TILE_URL", "")
MAP_TILE_ATTRIBUTION = env("MAP_TILE_ATTRIBUTION", "")
MAP_BOUNDARY_ATTRIBUTION = (
    "Ranh giới hành chính: NXB Tài nguyên, Môi trường và Bản đồ Việt Nam (sapnhap.bando.com.vn), "
    "qua vietnamese-provinces-database (MIT)"
)

# Working-hours calendar for deadlines (Vietnamese public offices).
WORKDAY_START_HOUR = envint("WORKDAY_START_HOUR", 8)
WORKDAY_END_HOUR = envint("WORKDAY_END_HOUR", 17)
# Hours a coordinator has to re-route a returned report.
COORDINATOR_SLA_HOURS = envint("COORDINATOR_SLA_HOURS", 8)
# Days after resolution with no rating before the report closes by itself.
AUTO_CLOSE_DAYS = envint("AUTO_CLOSE_DAYS", 7)

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # Browsers' preload lists make HTTPS-only stick even on a first visit; off for a domain
    # that may still serve plain HTTP somewhere beneath it.
    SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", True)
# Other sites learn our origin when a link leaves us, never the path (report numbers).
SECURE_REFERRER_POLICY = "same-origin"


def _tile_origin(url_template: str) -> str:
    """The origin a tile URL template loads from, for the CSP img-src: a `{s}` subdomain
    placeholder becomes a wildcard (a.tile…, b.tile…)."""
    from urllib.parse import urlsplit

    parts = urlsplit(url_template.replace("{s}", "*"))
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise ImproperlyConfigured(f"MAP_TILE_URL must be an http(s) URL, not {url_template!r}")
    return f"{parts.scheme}://{parts.netloc}"


# Content Security Policy (django-csp): only our own files run. No inline script anywhere
# (behaviour lives in static/js/), so an injected <script> or onerror= is inert even if an
# escaping bug slips through. Styles are ours too: htmx's inline indicator style is turned off
# (see the htmx-config meta in workspace/base.html) and templates use no style= attributes.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        # data: for Leaflet's and Swagger UI's inline SVG icons; blob: for the previews of the
        # photos and video a resident picks before sending (URL.createObjectURL).
        "img-src": [
            "'self'",
            "data:",
            "blob:",
            *([_tile_origin(MAP_TILE_URL)] if MAP_TILE_URL else []),
            # The public copies of photos, when they are in a bucket (or behind a CDN).
            *([MEDIA_PUBLIC_ORIGIN] if MEDIA_PUBLIC_ORIGIN else []),
        ],
        "media-src": ["'self'", "blob:", *([MEDIA_PUBLIC_ORIGIN] if MEDIA_PUBLIC_ORIGIN else [])],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        # The offline queue's service worker (/sw.js).
        "worker-src": ["'self'"],
        "manifest-src": ["'self'"],
        "object-src": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
    }
}

# --- category suggestions (classify/) ---
# The submit page preselects a suggested category only this sure (a probability, 0-100 %).
CLASSIFIER_PRESELECT_PROBABILITY = envint("CLASSIFIER_PRESELECT_PERCENT", 70) / 100
# How often a running process looks for a newer serving model (seconds).
CLASSIFIER_RECHECK_SECONDS = envint("CLASSIFIER_RECHECK_SECONDS", 60)

# --- channels (intake/): Zalo Official Account, e-mail ------------------------------------------
# The OA's app id and secret key sign every webhook event (X-ZEvent-Signature); the access
# token authorises the messages we send. With no secret key the webhook refuses everything.
ZALO_APP_ID = env("ZALO_APP_ID", "")
ZALO_OA_SECRET_KEY = env("ZALO_OA_SECRET_KEY", "")
ZALO_OA_ACCESS_TOKEN = env("ZALO_OA_ACCESS_TOKEN", "")
ZALO_API_BASE = env("ZALO_API_BASE", "https://openapi.zalo.me").rstrip("/")
# An event signed longer ago than this is a replay, not a retry (seconds).
ZALO_EVENT_MAX_AGE_SECONDS = envint("ZALO_EVENT_MAX_AGE_SECONDS", 3600)
# Photos a resident sends on Zalo are fetched from Zalo's media hosts only (never from any
# link an event names: the server would fetch whatever a forged event asked).
ZALO_MEDIA_HOSTS = envlist("ZALO_MEDIA_HOSTS", "zdn.vn,zadn.vn,zalo.me")
# The address residents write to; replies come from it.
MAIL_INTAKE_ADDRESS = env("MAIL_INTAKE_ADDRESS", "phananh@congdanso.local")
# Largest mail accepted (bytes) and most attachments looked at.
MAIL_INTAKE_MAX_BYTES = envint("MAIL_INTAKE_MAX_BYTES", 25 * 1024 * 1024)
MAIL_INTAKE_MAX_ATTACHMENTS = envint("MAIL_INTAKE_MAX_ATTACHMENTS", 10)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    # httpx logs every request at INFO: the camera prober's 2,000 a cycle would drown the log.
    # Its failures are on each camera (last_error) and in its health changes.
    "loggers": {"httpx": {"level": "WARNING"}, "httpcore": {"level": "WARNING"}},
}


# --- Traffic cameras (cameras/) -------------------------------------------------------------
# Only these hosts are ever fetched; private, loopback and link-local addresses are refused
# unless CAMERAS_ALLOW_PRIVATE=1 (a camera network inside the city's own, or the tests).
CAMERAS_ALLOWED_HOSTS = envlist("CAMERAS_ALLOWED_HOSTS", "")
CAMERAS_ALLOW_PRIVATE = envbool("CAMERAS_ALLOW_PRIVATE", False)
CAMERAS_MAX_BYTES = envint("CAMERAS_MAX_BYTES", 5_000_000)
CAMERAS_TIMEOUT_SECONDS = envint("CAMERAS_TIMEOUT_SECONDS", 5)
CAMERAS_CONCURRENCY = envint("CAMERAS_CONCURRENCY", 100)
# No new picture for this long (Last-Modified, or an HLS media sequence that does not move).
CAMERAS_STALE_SECONDS = envint("CAMERAS_STALE_SECONDS", 300)
# The same picture this many probes in a row.
CAMERAS_FROZEN_PROBES = envint("CAMERAS_FROZEN_PROBES", 3)
# Bad for this long: the owner is told.
CAMERAS_NOTIFY_AFTER_SECONDS = envint("CAMERAS_NOTIFY_AFTER_SECONDS", 900)
# The category of a resident's report that a camera is broken (routed to the camera's owner).
CAMERAS_REPORT_CATEGORY = env("CAMERAS_REPORT_CATEGORY", "ha-tang-giao-thong")
