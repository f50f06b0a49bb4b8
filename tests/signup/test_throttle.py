"""The counters behind the rate limits keep their whole window, in the database cache and Redis."""

import os
import time

import pytest
from django.core.cache import caches

from signup import throttle

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["database", "redis"])
def shared_cache(request, settings):
    if request.param == "redis":
        url = os.environ.get("REDIS_TEST_URL")
        if not url:
            pytest.skip("REDIS_TEST_URL is not set")
        settings.CACHES = {
            "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
        }
    cache = caches["default"]
    cache.clear()
    yield cache
    cache.clear()


def test_a_counter_counts_within_its_window_and_starts_again_after(shared_cache, monkeypatch):
    key = "signup:test-counter"
    assert throttle.counter_value(key) == 0
    assert [throttle.counter_add(key, window=86400) for _ in range(3)] == [1, 2, 3]
    now = time.time()
    # 23 hours later the three failures still count (a generic incr would have reset the
    # entry's lifetime to the cache's 5-minute default on some backends).
    monkeypatch.setattr(throttle.time, "time", lambda: now + 23 * 3600)
    assert throttle.counter_value(key) == 3
    monkeypatch.setattr(throttle.time, "time", lambda: now + 24 * 3600 + 1)
    assert throttle.counter_value(key) == 0
    assert throttle.counter_add(key, window=86400) == 1
