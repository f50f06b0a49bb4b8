"""The production settings refuse to start without their secrets (docs/product.md §10)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "SECRET_KEY": "a-production-like-secret-key-that-is-long-enough-0123456789-abcdef",
    "IDENTITY_HMAC_KEY": "a-different-identity-key-0123456789",
    "DATABASE_URL": "sqlite:///:memory:",
    "ALLOWED_HOSTS": "espace-prive.example",
}


def run_check(env: dict) -> subprocess.CompletedProcess:
    # Only what a shell gives: nothing of the test settings' own defaults leaks in.
    base = {k: os.environ[k] for k in ("PATH", "HOME", "LANG") if k in os.environ}
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_settings_pass_the_deployment_checklist():
    result = run_check(PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    "missing", ["SECRET_KEY", "IDENTITY_HMAC_KEY", "DATABASE_URL", "ALLOWED_HOSTS"]
)
def test_production_refuses_to_start_without_a_secret(missing):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != missing}
    result = run_check(env)
    assert result.returncode != 0
    assert f"The environment variable {missing} is required" in result.stderr


def test_the_digest_key_must_differ_from_the_django_key():
    result = run_check({**PRODUCTION_ENV, "IDENTITY_HMAC_KEY": PRODUCTION_ENV["SECRET_KEY"]})
    assert result.returncode != 0
    assert "IDENTITY_HMAC_KEY must differ from SECRET_KEY" in result.stderr


def shell_env(**extra) -> dict:
    base = {k: os.environ[k] for k in ("PATH", "HOME", "LANG") if k in os.environ}
    return {**base, **extra}


@pytest.mark.parametrize(
    "arguments",
    [
        ["-c", "import config.wsgi"],  # gunicorn config.wsgi
        ["manage.py", "check"],  # a command run by hand on the server
    ],
)
def test_a_server_started_without_settings_gets_production_and_refuses_without_secrets(arguments):
    """No DJANGO_SETTINGS_MODULE: the production settings, not development's DEBUG and mailbox."""
    result = subprocess.run(
        [sys.executable, *arguments],
        cwd=ROOT,
        env=shell_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "The environment variable SECRET_KEY is required" in result.stderr


def settings_value(env: dict, expression: str) -> str:
    code = f"import django; django.setup(); from django.conf import settings; print({expression})"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=shell_env(**env),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_production_cookies_carry_the_host_prefix():
    names = settings_value(
        PRODUCTION_ENV,
        "settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME, settings.LANGUAGE_COOKIE_NAME",
    )
    assert names == "__Host-sessionid __Host-csrftoken __Host-django_language"


@pytest.mark.parametrize(
    "proxies, header",
    [("", "None"), ("0", "None"), ("1", "('HTTP_X_FORWARDED_PROTO', 'https')")],
)
def test_x_forwarded_proto_is_trusted_only_behind_a_configured_proxy(proxies, header):
    env = {**PRODUCTION_ENV, **({"TRUSTED_PROXY_COUNT": proxies} if proxies else {})}
    assert settings_value(env, "settings.SECURE_PROXY_SSL_HEADER") == header
