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
# Key of the keyed digests of NIR, Vitale serial, IBAN and employer account (DESIGN §5).
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
    "axes",
    "formtools",
    "django_tasks",
    "django_tasks_db",
    "core",
    "audit",
    "registry",
    "accounts",
    "delivery",
    "signup",
    "portal",
    "backoffice",
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
    # Last, as django-axes asks: it turns lockouts raised below into its response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": False,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.fund",
            ],
            # Cached loaders in every environment: pages must stay cheap (DESIGN §9).
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
# Django's database cache by default, Redis when CACHE_URL is set (DESIGN §9).
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
    }
}

# --- Users and passwords -----------------------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.MemberBackend",
    "accounts.backends.AgentBackend",
]
# argon2id parameters are set in one place: accounts.hashers (DESIGN §4).
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

# Database sessions (a member can end them from another device), without needless queries.
SESSION_ENGINE = "accounts.session_store"
SESSION_COOKIE_AGE = int(timedelta(hours=12).total_seconds())  # absolute ceiling
SESSION_IDLE_TIMEOUT = int(timedelta(minutes=30).total_seconds())
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SECURE = True
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# --- Brute force (django-axes) -----------------------------------------------------------------

# The rules are in accounts/lockout.py: an account locks after 5 consecutive failures, for a
# delay that grows with further failures; a client address is refused after many more.
AXES_ENABLED = True
AXES_HANDLER = "accounts.lockout.LockoutHandler"
AXES_FAILURE_LIMIT = 5
ACCOUNT_LOCKOUT_DELAYS = [timedelta(minutes=m) for m in (1, 5, 15, 60)]
LOGIN_CLIENT_FAILURE_LIMIT = env.int("LOGIN_CLIENT_FAILURE_LIMIT", default=100)
LOGIN_CLIENT_FAILURE_WINDOW = timedelta(hours=1)
# Counted by account (the digest) and by client address, each with its own threshold.
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
# How long failures are remembered after the last one ("consecutive" failures).
AXES_COOLOFF_TIME = timedelta(hours=24)
AXES_RESET_ON_SUCCESS = True
# Attempts refused during a lock are not counted and do not extend it.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_ENABLE_ACCESS_FAILURE_LOG = False
# The login history is the audit log's; axes's access log would only duplicate it.
AXES_DISABLE_ACCESS_LOG = True
AXES_SENSITIVE_PARAMETERS = ["password", "username", "identifier"]
AXES_USERNAME_FORM_FIELD = "username"
# Axes stores the digest the login form authenticates with, never the typed NIR.
AXES_USERNAME_CALLABLE = "accounts.lockout.axes_username"
# A locked account gets the same page as a wrong password.
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "core.clients.client_ip"

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
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

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

# --- The fund (DESIGN §1): name, look, contact; configurable per deployment ---------------------

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

# --- Logging: never a NIR, password, serial or IBAN (DESIGN §5) --------------------------------

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
# Number of reverse proxies in front of gunicorn whose X-Forwarded-For is trusted.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
