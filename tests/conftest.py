"""Fixtures shared by every test."""

import pytest

# fresh_cache, unreachable_cache: for the tests of what lives in the shared cache.
pytest_plugins = ["tests.cache_fixtures"]


@pytest.fixture(autouse=True)
def _no_external_email(settings):
    # Tests never reach a real SMTP server unless they start their own (tests/smtp.py).
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def smtp_server(settings):
    """A real local SMTP server; Django's SMTP backend sends to it (see tests/smtp.py)."""
    from tests.smtp import SMTPServer

    server = SMTPServer()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    with server as mailbox:
        yield mailbox
