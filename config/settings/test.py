"""Tests: fixed throwaway keys, SQLite unless DATABASE_URL says PostgreSQL, real hashing."""

import os

os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production-" + "x" * 20)
os.environ.setdefault("IDENTITY_HMAC_KEY", "test-identity-hmac-key-not-for-production")
os.environ.setdefault("BANK_DETAILS_KEY", "test-bank-details-key-not-for-production")
os.environ.setdefault("DATABASE_URL", "sqlite:///test.sqlite3")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("SITE_URL", "http://testserver")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("SECURE_HSTS_SECONDS", "0")
# The tests that check email run their own SMTP server; the others use the in-memory outbox.
os.environ.setdefault("EMAIL_URL", "smtp://127.0.0.1:1")

from .base import *  # noqa: E402,F403

DEBUG = False
DEV_MAILBOX = False
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Served over http: no Secure cookie, so no __Host- prefix either (browsers would drop them).
SESSION_COOKIE_NAME = "sessionid"
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_NAME = "csrftoken"
CSRF_COOKIE_SECURE = False
LANGUAGE_COOKIE_NAME = "django_language"
LANGUAGE_COOKIE_SECURE = False
# Static files served from the app directories, no manifest to build before each run.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
