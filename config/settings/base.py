"""Settings shared by every environment; on their own they are the production settings.

Everything comes from the environment (and from `.env` in development). The other
modules only relax what is below, on purpose: safe by default.
"""

import re
from datetime import date, timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_noop

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()


def required(name: str) -> str:
    """Return an environment variable, or stop the process with a message naming it."""
    value = env.str(name, default="").strip()
    if not value:
        raise ImproperlyConfigured(
            f"The environment variable {name} is required and is not set. "
            "See the README, section 'Deploying', for what each variable means."
        )
    return value


# --- Secrets -----------------------------------------------------------------------------------

SECRET_KEY = required("SECRET_KEY")
# Key that seals a new IBAN until the fund's core system has it (change requests; see
# docs/decisions/change-requests-bank-details.md). Unset, bank-details changes are not taken.
BANK_DETAILS_KEY = env.str("BANK_DETAILS_KEY", default="")
# Key of the keyed digests of NIR, Vitale serial, IBAN and employer account (docs/product.md §5).
# Deliberately distinct from SECRET_KEY: rotating one must not touch the other.
IDENTITY_HMAC_KEY = required("IDENTITY_HMAC_KEY")
if IDENTITY_HMAC_KEY == SECRET_KEY:
    raise ImproperlyConfigured("IDENTITY_HMAC_KEY must differ from SECRET_KEY.")

DEBUG = False
ALLOWED_HOSTS = [h.strip() for h in required("ALLOWED_HOSTS").split(",") if h.strip()]
SITE_URL = env.str("SITE_URL", default=f"https://{ALLOWED_HOSTS[0]}").rstrip("/")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[SITE_URL])

# --- Applications ------------------------------------------------------------------------------

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_tasks",
    "django_tasks_db",
    "core",
    "audit",
    "registry",
    "accounts",
    "delivery",
    "verification",
    "signup",
    "payments",
    "portal",
    "messaging",
    "backoffice",
    "demo",
    # After backoffice: its admin/ templates (the agents' look) override the admin's own.
    "backoffice.adminconfig.AgentAdminConfig",
    # Last: the project's form templates (core) override Django's own.
    "django.forms",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Idle and absolute session timeouts; then nothing but « Choisir mon mot de passe » after a
    # login with a temporary password (accounts/middleware.py).
    "accounts.middleware.SessionTimeoutMiddleware",
    "accounts.middleware.PasswordChoiceRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "core.middleware.SecurityHeadersMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": False,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.fund",
            ],
            # Cached loaders in every environment: pages must stay cheap (docs/product.md §9).
            "loaders": [
                (
                    "django.template.loaders.cached.Loader",
                    [
                        "django.template.loaders.filesystem.Loader",
                        "django.template.loaders.app_directories.Loader",
                    ],
                )
            ],
        },
    },
]
# The project's own form templates (core/templates/django/forms/) render every {{ form }}.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

# --- Database, cache, tasks --------------------------------------------------------------------

DATABASES = {"default": env.db_url_config(required("DATABASE_URL"))}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A runaway query must not hold a web worker forever.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c statement_timeout=30000"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# One cache shared by every process and machine, so that rate limits count every attempt:
# Django's database cache by default, Redis when CACHE_URL is set (docs/product.md §9).
if env.str("CACHE_URL", default=""):
    CACHES = {"default": env.cache_url("CACHE_URL")}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "cache_table",
            # Past MAX_ENTRIES rows, every write deletes the expired ones and then a third of
            # the live ones: with Django's default (300) the counters of an ordinary day would
            # be forgotten. A day's counters fit in this; beyond, CACHE_URL (Redis).
            "OPTIONS": {"MAX_ENTRIES": 100_000},
        }
    }

TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        # « default »: the emails; « registry »: the back-office's uploaded extracts, long runs
        # that must not delay an email (registry.tasks).
        "QUEUES": ["default", "registry"],
    }
}
# Where an extract uploaded in the back-office waits for its import (registry.tasks): private
# to the service's user, and shared with the machine that runs the « registry » worker.
REGISTRY_UPLOAD_DIR = env.path("REGISTRY_UPLOAD_DIR", default=BASE_DIR / "var" / "imports")
# The largest extract the back-office accepts (bytes); larger ones go through the command
# `import_registry` on the server. Set the reverse proxy's own limit to the same value.
REGISTRY_UPLOAD_MAX_BYTES = env.int("REGISTRY_UPLOAD_MAX_BYTES", default=1024**3)

# --- Users and passwords -----------------------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "accounts.backends.MemberBackend",
    "accounts.backends.AgentBackend",
]
# argon2id parameters are set in one place: accounts.hashers (docs/product.md §4).
PASSWORD_HASHERS = ["accounts.hashers.Argon2idHasher"]
# OWASP ASVS 2.1 / ANSSI: length, not common, not personal; no composition rule.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "accounts.validators.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "accounts.validators.CommonPasswordValidator"},
    {"NAME": "accounts.validators.PersonalDataValidator"},
    {"NAME": "accounts.validators.NotTemporaryPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "core:home"

# --- Sessions and cookies ----------------------------------------------------------------------

# Database sessions (a member can end them from another device); a cookie no key could be is
# no session (accounts/session_store.py).
SESSION_ENGINE = "accounts.session_store"
SESSION_COOKIE_AGE = int(timedelta(hours=12).total_seconds())  # absolute ceiling
SESSION_IDLE_TIMEOUT = int(timedelta(minutes=30).total_seconds())
# The __Host- prefix (OWASP ASVS 3.4.4): browsers keep such a cookie only if it is Secure, for
# the whole site and without a Domain, so that no neighbouring subdomain can set or shadow it.
# Plain names where the site runs over http (development, tests), where browsers refuse it.
SESSION_COOKIE_NAME = "__Host-sessionid"
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_NAME = "__Host-csrftoken"
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_NAME = "__Host-django_language"
LANGUAGE_COOKIE_SECURE = True
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"

# Number of reverse proxies in front of gunicorn whose X-Forwarded-For and X-Forwarded-Proto
# are trusted (core.clients). With none, both headers come from the client itself: trusting
# X-Forwarded-Proto then would let a plain-HTTP request pass for HTTPS.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
if TRUSTED_PROXY_COUNT:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# --- Brute force (accounts/lockout.py, OWASP « device cookies ») --------------------------------

# Failures are counted per (account, known device) and per account for unknown browsers: 5 in a
# row lock that door, for 1, 5, 15 then 60 minutes; a temporary password always opens it.
LOGIN_FAILURE_LIMIT = 5
LOGIN_LOCK_DELAYS = [timedelta(minutes=m) for m in (1, 5, 15, 60)]
# How long failures are remembered after the last one ("consecutive" failures).
LOGIN_FAILURE_MEMORY = timedelta(hours=24)
# A client network (IPv4 address, IPv6 /64) is refused after this many failures in the window.
LOGIN_CLIENT_FAILURE_LIMIT = env.int("LOGIN_CLIENT_FAILURE_LIMIT", default=100)
LOGIN_CLIENT_FAILURE_WINDOW = timedelta(hours=1)

# --- Internationalization ----------------------------------------------------------------------

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="America/St_Barthelemy")
USE_I18N = True
USE_TZ = True

# --- Static files ------------------------------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Members' attachments (docs/product.md §13): outside the web root and the static files, served only
# by the views that check who asks. ATTACHMENTS_ROOT points elsewhere (a mounted volume); an
# S3-type backend can replace this alias without touching the code.
ATTACHMENTS_ROOT = env.path("ATTACHMENTS_ROOT", default=BASE_DIR / "var" / "attachments")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    "attachments": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(ATTACHMENTS_ROOT), "base_url": None},
    },
}
# An upload above this stays in a temporary file, not in memory (attachments are 10 MB at most).
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# A form takes 5 files at most: a request with many more is refused before they are written.
DATA_UPLOAD_MAX_NUMBER_FILES = 10

# --- Email -------------------------------------------------------------------------------------

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="smtp://127.0.0.1:25")
vars().update(EMAIL_CONFIG)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
# How long a worker holds an email it took (delivery.sender): if it dies, another worker takes
# the email once this has passed. Far above one SMTP conversation (EMAIL_TIMEOUT per step).
EMAIL_LEASE_SECONDS = env.int("EMAIL_LEASE_SECONDS", default=120)
# Seconds before each new try of an email that failed: 5 tries over about 2 h 40 min, enough for
# an SMTP server's restart or a full mailbox to clear, short enough for a 72-hour password.
EMAIL_RETRY_SECONDS = [
    int(seconds)
    for seconds in env.list("EMAIL_RETRY_SECONDS", default=["60", "300", "1800", "7200"])
]
DEFAULT_FROM_EMAIL = env.str(
    "DEFAULT_FROM_EMAIL", default="Mon espace privé <ne-pas-repondre@localhost>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- The fund (docs/product.md §1): name, look, contact; configurable per deployment --------------

FUND = {
    "name": env.str("FUND_NAME", default="CPS Saint-Barthélemy"),
    "long_name": env.str(
        "FUND_LONG_NAME", default="Caisse de Prévoyance Sociale de Saint-Barthélemy"
    ),
    "parent": env.str("FUND_PARENT", default="MSA"),
    "address_lines": env.list(
        "FUND_ADDRESS", default=["Rue Samuel Fahlberg", "Gustavia", "97133 SAINT-BARTHELEMY"]
    ),
    "phone": env.str("FUND_PHONE", default="05 90 27 60 60"),
    "email": env.str("FUND_EMAIL", default="contact@cps-stbarth.example"),
    # The data protection officer's address (RGPD art. 37-39); the fund's own address if unset.
    "dpo_email": env.str("FUND_DPO_EMAIL", default=""),
    # Marked for translation: the pages show it in the reader's language (core.context_processors).
    "hours": env.str(
        "FUND_HOURS",
        default=gettext_noop("du lundi au vendredi, de 7 h 30 à 12 h et de 13 h 30 à 15 h 30"),
    ),
    "colour_primary": env.str("FUND_COLOUR_PRIMARY", default="#0b5e5a"),
    "colour_accent": env.str("FUND_COLOUR_ACCENT", default="#b5451b"),
    "logo": env.str("FUND_LOGO", default="core/logo.svg"),
}
FUND["dpo_email"] = FUND["dpo_email"] or FUND["email"]
for _key in ("colour_primary", "colour_accent"):
    if not re.fullmatch(r"#[0-9a-fA-F]{3}(?:[0-9a-fA-F]{3})?", FUND[_key]):
        raise ImproperlyConfigured(f"FUND_{_key.upper()} must be a colour like #0b5e5a.")
PHONE_DEFAULT_REGION = env.str("PHONE_DEFAULT_REGION", default="BL")
# The terms of use (CGU): a new version is accepted at the next login. Change both together.
CGU_VERSION = "2026-11"
CGU_DATE = date(2026, 11, 27)
# The host that the mentions légales must name (LCEN art. 6 III): set per deployment. Unset, the
# page says the fund gives the host's details on request.
HOSTING = {
    "name": env.str("HOSTING_NAME", default=""),
    "address_lines": env.list("HOSTING_ADDRESS", default=[]),
    "phone": env.str("HOSTING_PHONE", default=""),
}

# --- Logging: never a NIR, password, serial or IBAN (docs/product.md §5) --------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "core.logging.RedactSecretsFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["redact"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
    },
}

ADMIN_URL = env.str("ADMIN_URL", default="agents/")
OTP_TOTP_ISSUER = FUND["name"]
# An agent enrols their authenticator app within this many days of their account's creation or
# of the reset of their second factor; later, a supervisor resets it again. It keeps the window
# in which someone holding only the first password could enrol their own phone short.
AGENT_ENROLMENT_DAYS = env.int("AGENT_ENROLMENT_DAYS", default=7)
# Supervisors see on the back-office home every agent who, in one day, asked for this many
# letters by hand (approved review requests included) or unlocked this many accounts
# (docs/product.md §8).
AGENT_DAILY_LETTERS_ALERT = env.int("AGENT_DAILY_LETTERS_ALERT", default=10)
AGENT_DAILY_UNLOCKS_ALERT = env.int("AGENT_DAILY_UNLOCKS_ALERT", default=10)
