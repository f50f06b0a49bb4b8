"""The limits per client keep their whole window, in the database cache and Redis, and hold when
taken all at once."""

import os
import threading
import time
from types import SimpleNamespace

import pytest
from django.core.cache import caches
from django.db import connection, connections, transaction

from core import throttle

DAY = 86400
# The limits live in the shared cache: each test starts from zero (tests/cache_fixtures.py).
pytestmark = pytest.mark.usefixtures("fresh_cache")


def clock(at: float) -> SimpleNamespace:
    """The time as throttle reads it (the cache itself keeps the real time)."""
    return SimpleNamespace(time=lambda: at)


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


@pytest.mark.django_db
def test_a_limit_holds_its_places_for_the_window_and_frees_them_in_the_next(
    shared_cache, monkeypatch
):
    key = "signup:test-limit"
    now = time.time()
    start = now - now % DAY  # the start of this window of the clock
    monkeypatch.setattr(throttle, "time", clock(start + 60))
    taken = [throttle.limit_take(key, limit=3, window=DAY, when_cache_fails=True) for _ in range(4)]
    assert taken == [True, True, True, False]
    # 23 hours later the three places are still held (a generic incr would have reset the
    # entry's lifetime to the cache's 5-minute default on some backends).
    monkeypatch.setattr(throttle, "time", clock(start + 23 * 3600))
    assert throttle.limit_take(key, limit=3, window=DAY, when_cache_fails=True) is False
    assert throttle.limit_take("signup:other", limit=3, window=DAY, when_cache_fails=True)
    monkeypatch.setattr(throttle, "time", clock(start + DAY + 1))
    assert throttle.limit_take(key, limit=3, window=DAY, when_cache_fails=True) is True


@pytest.mark.django_db(transaction=True)
def test_a_burst_sent_all_at_once_never_takes_more_places_than_the_limit(shared_cache):
    """Twelve requests at once, each in its own transaction as a registration's completion."""
    if connection.vendor != "postgresql":
        pytest.skip("concurrent transactions are tested on PostgreSQL (CI)")
    barrier, results = threading.Barrier(12), []

    def attempt():
        barrier.wait()
        try:
            with transaction.atomic():
                took = throttle.limit_take(
                    "signup:burst", limit=3, window=3600, when_cache_fails=True
                )
                time.sleep(0.05)  # the rest of the completion, its transaction still open
        finally:
            connections.close_all()
        results.append(took)

    threads = [threading.Thread(target=attempt) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False] * 9 + [True] * 3
    assert throttle.limit_take("signup:burst", limit=3, window=3600, when_cache_fails=True) is False


@pytest.mark.django_db
@pytest.mark.parametrize("when_cache_fails", [True, False])
def test_a_cache_outage_gives_the_decided_answer_and_is_logged(
    unreachable_cache, caplog, when_cache_fails
):
    took = throttle.limit_take(
        "signup:completions:10.0.0.1", limit=3, window=3600, when_cache_fails=when_cache_fails
    )
    assert took is when_cache_fails
    [record] = [r for r in caplog.records if r.name == "core.throttle"]
    assert record.levelname == "ERROR"
    assert "signup:completions" in record.getMessage()
    assert ("OPEN" if when_cache_fails else "CLOSED") in record.getMessage()
    assert "10.0.0.1" not in record.getMessage()
