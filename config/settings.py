"""Global Shield Hub settings.

One module, read from the environment (see `.env.example`). `SHIELDHUB_ENV`
selects safe defaults: `prod` (the default: strict, SECRET_KEY required), `dev`
(used by `shieldhub demo`) and `test`. No `import *` layering.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.env import data_dir, env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
PACKAGE_DIR = BASE_DIR / "shieldhub"
ENVIRONMENT = env_str("SHIELDHUB_ENV", "prod")
if ENVIRONMENT not in {"prod", "dev", "test"}:
    raise ImproperlyConfigured("SHIELDHUB_ENV must be prod, dev or test")
IS_PROD = ENVIRONMENT == "prod"

DATA_DIR = data_dir()
DEBUG = env_bool("DEBUG", False)


def _secret_key() -> str:
    key = env_str("SECRET_KEY")
    if key:
        return key
    if IS_PROD:
        raise ImproperlyConfigured("SECRET_KEY must be set in production (SHIELDHUB_ENV=prod).")
    # dev/test: a key kept in the data directory so sessions survive restarts.
    key_file = DATA_DIR / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    if ENVIRONMENT == "test":
        return "test-only-secret-key-" + "x" * 40
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if IS_PROD else ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# Seizure statistics: a cell of fewer records than this is suppressed for everyone outside the secretariat.
SEIZURE_STATS_MIN_CELL = env_int("SEIZURE_STATS_MIN_CELL", 3)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_countries",
    "django_htmx",
    "ninja",  # serves Swagger UI from its bundled static files instead of a CDN
    "django_tasks",
    "django_tasks_db",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "shieldhub.core",
    "shieldhub.accounts",
    "shieldhub.reference",
    "shieldhub.directory",
    "shieldhub.exchange",
    "shieldhub.entities",
    "shieldhub.seizures",
    "shieldhub.shipments",
    "shieldhub.screening",
    "shieldhub.events",
    "shieldhub.analysis",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "shieldhub.core.middleware.RequestContextMiddleware",
    "shieldhub.accounts.middleware.UserLanguageMiddleware",
    "shieldhub.accounts.middleware.IdleSessionMiddleware",
    "shieldhub.accounts.middleware.MfaRequiredMiddleware",
    "shieldhub.core.middleware.SecurityHeadersMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "shieldhub.core.context_processors.shieldhub",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'shieldhub.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;",
            "transaction_mode": "IMMEDIATE",
        }
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Planner costs for SSD storage (PostgreSQL's default assumes spinning disks and then prefers
    # scanning 50,000 contacts over the trigram index). "server" leaves the server's setting alone.
    _page_cost = env_str("PG_RANDOM_PAGE_COST", "1.1")
    if _page_cost != "server":
        DATABASES["default"].setdefault("OPTIONS", {})
        DATABASES["default"]["OPTIONS"]["options"] = f"-c random_page_cost={float(_page_cost)}"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if ENVIRONMENT == "test":
    # Argon2 is deliberately slow; tests that check the hasher set it explicitly.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- allauth: login by email, no public sign-up, MFA mandatory (enforced by middleware)
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"  # addresses are proven by the invitation link
ACCOUNT_ADAPTER = "shieldhub.accounts.adapter.AccountAdapter"
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Global Shield Hub] "
LOGIN_ATTEMPTS_LIMIT = env_int("LOGIN_ATTEMPTS_LIMIT", 5)
LOGIN_ATTEMPTS_TIMEOUT = env_int("LOGIN_ATTEMPTS_TIMEOUT", 300)
# allauth rate limits: failed logins per IP and per account (the "key").
ACCOUNT_RATE_LIMITS = {"login_failed": f"20/m/ip,{LOGIN_ATTEMPTS_LIMIT}/{LOGIN_ATTEMPTS_TIMEOUT}s/key"}
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "core:home"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_PASSKEY_LOGIN_ENABLED = False
MFA_TOTP_ISSUER = "Global Shield Hub"
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = not IS_PROD

# --- sessions: expire after inactivity (minutes), shorter for NCPs and partners
SESSION_IDLE_MINUTES_NCP = env_int("SESSION_IDLE_MINUTES_NCP", 30)
SESSION_IDLE_MINUTES_STAFF = env_int("SESSION_IDLE_MINUTES_STAFF", 120)
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES_STAFF * 60
SESSION_SAVE_EVERY_REQUEST = False  # IdleSessionMiddleware touches the session once a minute
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", IS_PROD)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_PROXY", False) else None
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache"
        if ENVIRONMENT == "test"
        else "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(DATA_DIR / "cache"),
    }
}

# --- i18n
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"
LANGUAGE_COOKIE_NAME = "shieldhub_language"

# --- files: static collected into the data dir and served by WhiteNoise; uploads never under the web root
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": DATA_DIR / "files"}},
    "staticfiles": {
        # production serves hashed, compressed files (run `shieldhub collectstatic`);
        # dev and test read the source folders through WhiteNoise's finders.
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if IS_PROD
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = ENVIRONMENT != "prod"
MEDIA_ROOT = DATA_DIR / "files"
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_MB", 20) * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = UPLOAD_MAX_BYTES
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_PERMISSIONS = 0o600
# Risk screening: declaration files (up to SCREENING_MAX_UPLOAD_MB) are screened by forked workers
# from SCREENING_PARALLEL_MIN_ROWS rows on.
SCREENING_MAX_UPLOAD_BYTES = env_int("SCREENING_MAX_UPLOAD_MB", 500) * 1024 * 1024
SCREENING_WORKERS = env_int("SCREENING_WORKERS", min(2, os.cpu_count() or 1))
SCREENING_PARALLEL_MIN_ROWS = env_int("SCREENING_PARALLEL_MIN_ROWS", 100_000)
# Exchange: a request for information is due this many working days after it is sent, unless its
# sender chose the deadline (`exchange.deadlines`).
RFI_DEFAULT_WORKING_DAYS = env_int("RFI_DEFAULT_WORKING_DAYS", 10)
# Exchange attachments: content-addressed files (mode 0600) outside the web root, served only through
# the access-checked views of `exchange.attachments`.
EXCHANGE_ATTACHMENTS_DIR = (
    Path(env_str("EXCHANGE_ATTACHMENTS_DIR", str(DATA_DIR / "attachments"))).expanduser().resolve()
)
# Photos and documents of seizure records, and shipment documents (same pipeline: core.files).
SEIZURE_ATTACHMENTS_DIR = (
    Path(env_str("SEIZURE_ATTACHMENTS_DIR", str(DATA_DIR / "seizure-attachments"))).expanduser().resolve()
)
SHIPMENT_DOCUMENTS_DIR = (
    Path(env_str("SHIPMENT_DOCUMENTS_DIR", str(DATA_DIR / "shipment-documents"))).expanduser().resolve()
)
# Events: passport details are deleted this many days after the event ends; nomination links last at
# least this many days; one reminder this many days before the reply-by date; letter templates' size;
# the name under the letters; the prefix of certificate numbers.
EVENTS_PASSPORT_RETENTION_DAYS = env_int("EVENTS_PASSPORT_RETENTION_DAYS", 90)
EVENTS_NOMINATION_LINK_DAYS = env_int("EVENTS_NOMINATION_LINK_DAYS", 60)
EVENTS_REMINDER_DAYS_BEFORE = env_int("EVENTS_REMINDER_DAYS_BEFORE", 7)
EVENTS_LETTER_TEMPLATE_MAX_BYTES = env_int("EVENTS_LETTER_TEMPLATE_MAX_MB", 5) * 1024 * 1024
EVENTS_LETTER_SIGNATORY = env_str("EVENTS_LETTER_SIGNATORY", "Global Shield Programme Manager")
EVENTS_CERTIFICATE_PREFIX = env_str("EVENTS_CERTIFICATE_PREFIX", "PGS")
# Open-source monitoring: per-request timeout (s) and size cap of a feed download; near-duplicates are
# looked for among the items of the last OSINT_GROUP_DAYS days, at a rapidfuzz token-set ratio threshold.
OSINT_FETCH_TIMEOUT = env_int("OSINT_FETCH_TIMEOUT", 10)
OSINT_FETCH_MAX_BYTES = env_int("OSINT_FETCH_MAX_MB", 5) * 1024 * 1024
OSINT_GROUP_DAYS = env_int("OSINT_GROUP_DAYS", 7)
OSINT_GROUP_THRESHOLD = env_int("OSINT_GROUP_THRESHOLD", 75)

# --- email: files in the data dir by default (the demo shows them), SMTP in production
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.locmem.EmailBackend"
    if ENVIRONMENT == "test"
    else "django.core.mail.backends.filebased.EmailBackend",
)
EMAIL_FILE_PATH = DATA_DIR / "mail"
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
# Exchange emails carry a message's body only at these TLP levels (AMBER+STRICT and RED never, in
# code, whatever this says); "amber" may be added where the NCPs' mailboxes are trusted.
EXCHANGE_EMAIL_BODY_TLPS = env_list("EXCHANGE_EMAIL_BODY_TLPS", ["clear", "green"])
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Global Shield Hub <no-reply@shieldhub.example>")

# --- background tasks: django-tasks with the database backend (no broker); immediate in tests
TASKS = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend"
        if ENVIRONMENT == "test"
        else "django_tasks_db.DatabaseBackend",
    }
}

# --- project settings
INVITATION_VALID_DAYS = env_int("INVITATION_VALID_DAYS", 7)
VERIFICATION_LINK_VALID_DAYS = env_int("VERIFICATION_LINK_VALID_DAYS", 30)
CONTACT_VERIFY_AFTER_DAYS = env_int("CONTACT_VERIFY_AFTER_DAYS", 365)
API_TOKEN_DEFAULT_DAYS = env_int("API_TOKEN_DEFAULT_DAYS", 90)
REFERENCE_DIR = Path(env_str("SHIELDHUB_REFERENCE_DIR", str(PACKAGE_DIR / "reference" / "data")))
DEMO_MODE = env_bool("SHIELDHUB_DEMO", False)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO" if not DEBUG else "DEBUG")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

MFA_TRUST_ENABLED = False

# django-countries: Kosovo (XK) is not in ISO 3166 but is a WCO member.
COUNTRIES_OVERRIDE = {"XK": _("Kosovo")}
COUNTRIES_FIRST_REPEAT = False
