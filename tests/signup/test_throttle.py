"""The limits keep their whole window, in the database cache and Redis, and places hold when
taken all at once."""

import os
import threading
import time
from types import SimpleNamespace

import pytest
from django.core.cache import caches
from django.db import DatabaseError, connections

from signup import throttle

DAY = 86400


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
def test_a_counter_counts_within_its_window_and_starts_again_after(shared_cache, monkeypatch):
    key = "signup:test-counter"
    assert [throttle.counter_add(key, window=DAY) for _ in range(3)] == [1, 2, 3]
    now = time.time()
    # 23 hours later the three still count (a generic incr would have reset the entry's
    # lifetime to the cache's 5-minute default on some backends).
    monkeypatch.setattr(throttle, "time", clock(now + 23 * 3600))
    assert throttle.counter_add(key, window=DAY) == 4
    monkeypatch.setattr(throttle, "time", clock(now + 24 * 3600 + 1))
    assert throttle.counter_add(key, window=DAY) == 1


@pytest.mark.django_db
def test_places_run_out_and_a_given_back_place_is_free_again(shared_cache):
    key = "signup:test-places"
    taken = [throttle.place_take(key, places=3, window=DAY) for _ in range(3)]
    assert None not in taken and len(set(taken)) == 3
    assert throttle.place_take(key, places=3, window=DAY) is None
    throttle.place_release(taken[1])
    assert throttle.place_take(key, places=3, window=DAY) == taken[1]
    assert throttle.place_take(key, places=3, window=DAY) is None


@pytest.mark.django_db
def test_places_taken_late_in_a_day_still_hold_the_next_day(shared_cache, monkeypatch):
    key = "signup:test-places-days"
    late = 20_000 * DAY + DAY - 60  # a minute before the end of a period
    monkeypatch.setattr(throttle, "time", clock(late))
    assert all(throttle.place_take(key, places=3, window=DAY) for _ in range(3))
    # Two minutes later, in the next period: no fresh places (any 24 h hold three at most).
    monkeypatch.setattr(throttle, "time", clock(late + 120))
    assert throttle.place_take(key, places=3, window=DAY) is None
    # Once that next period is over too, they are free.
    monkeypatch.setattr(throttle, "time", clock(late + DAY + 120))
    assert throttle.place_take(key, places=3, window=DAY) is not None


@pytest.mark.django_db(transaction=True)
def test_places_taken_all_at_once_never_exceed_their_number(shared_cache):
    key = "signup:test-places-burst"
    barrier, taken = threading.Barrier(12), []

    def attempt():
        barrier.wait()
        try:
            place = throttle.place_take(key, places=3, window=DAY)
        except DatabaseError:
            place = None  # SQLite lets one writer at a time: the others meet its lock
        finally:
            connections.close_all()
        if place is not None:
            taken.append(place)

    threads = [threading.Thread(target=attempt) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert 1 <= len(taken) <= 3 and len(set(taken)) == len(taken)
    # What the burst left free, taken one after the other: three places in all.
    while (place := throttle.place_take(key, places=3, window=DAY)) is not None:
        taken.append(place)
    assert len(taken) == 3
