"""The production settings refuse to start without their secrets (DESIGN §10)."""

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
