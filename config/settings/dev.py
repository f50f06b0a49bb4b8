"""Development: the product on one machine, SQLite, the mailbox page instead of SMTP."""

import os
from pathlib import Path

import environ

_BASE_DIR = Path(__file__).resolve().parent.parent.parent
# `make run` writes .env once with generated keys; the environment wins over it.
environ.Env.read_env(_BASE_DIR / ".env")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{_BASE_DIR / 'var' / 'db.sqlite3'}")
os.environ.setdefault("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
os.environ.setdefault("SITE_URL", "http://localhost:8000")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("SECURE_HSTS_SECONDS", "0")
# A .env written before bank-details changes existed has no key of its own for them.
os.environ.setdefault("BANK_DETAILS_KEY", "dev-bank-details-" + os.environ.get("SECRET_KEY", ""))

from .base import *  # noqa: E402,F403
from .base import BASE_DIR, env  # noqa: E402

DEBUG = True

# Served over http: no Secure cookie, so no __Host- prefix either (browsers would drop them).
SESSION_COOKIE_NAME = "sessionid"
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_NAME = "csrftoken"
CSRF_COOKIE_SECURE = False
LANGUAGE_COOKIE_NAME = "django_language"
LANGUAGE_COOKIE_SECURE = False

# Mail lands in var/mailbox/, read at /dev/mailbox/ (docs/product.md §9), unless EMAIL_URL says
# otherwise.
DEV_MAILBOX = not env.str("EMAIL_URL", default="")
if DEV_MAILBOX:
    EMAIL_BACKEND = "core.mailbox.MailboxBackend"
    EMAIL_FILE_PATH = BASE_DIR / "var" / "mailbox"

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # The web server and the worker write to the same file: wait for the lock, don't fail.
    DATABASES["default"].setdefault("OPTIONS", {}).update(  # noqa: F405
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )
