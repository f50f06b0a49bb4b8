"""The shared cache's fixtures, for the tests of what lives in it (the limits per client, the
failure counts); a plugin of tests/conftest.py, so every test module may ask for them."""

import pytest
from django.core.cache import cache
from django.test import override_settings


@pytest.fixture
def fresh_cache():
    # Rate limits and failure counts live in the shared cache: each test starts from zero.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def unreachable_cache(fresh_cache):
    """A Redis that is not there: every cache call fails, as in an outage (restored before the
    cache is cleared after the test)."""
    from tests.smtp import free_port

    outage = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    with override_settings(CACHES=outage):
        yield
