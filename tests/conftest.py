"""Fixtures shared by every test."""

import pytest


@pytest.fixture(autouse=True)
def _no_external_email(settings):
    # Tests never reach a real SMTP server unless they start their own (tests/smtp.py).
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
