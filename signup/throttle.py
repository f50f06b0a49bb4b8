"""Limits kept in Django's shared cache: completions per client, failed verifications per identity.

The cache is the database cache by default and Redis when CACHE_URL is set (DESIGN §9): every
gunicorn worker and machine counts in the same place.

- A counter is a (count, window end) pair written with an explicit timeout, because Django's
  generic ``incr`` resets the timeout to the default on some backends (the database cache),
  which would shorten a 24-hour window to minutes. Concurrent hits may occasionally count once
  instead of twice: a limit is reached a little later, never sooner. That is enough for a
  brake on abuse (requests per client), not for a limit on guesses.
- Places are for a limit on guesses, which must hold when the guesses come all at once: each
  is taken with the cache's ``add``, which stores a key only when it is absent (Redis's SET
  NX, the database cache's unique key), so two takers never get the same place.
"""

import math
import time

from django.core.cache import cache


def counter_add(key: str, *, window: int) -> int:
    """Count one event under ``key`` in a window of ``window`` seconds; return the new count."""
    now = time.time()
    value = cache.get(key)
    if value is None or value[1] <= now:
        count, ends = 0, now + window
    else:
        count, ends = value
    count += 1
    cache.set(key, (count, ends), timeout=max(1, math.ceil(ends - now)))
    return count


def place_take(key: str, *, places: int, window: int) -> str | None:
    """Take one of ``places`` places under ``key``; None when none is free.

    Time is cut into fixed periods of ``window`` seconds. A place is taken in the current
    period and held until the end of the next one, and the current period offers only the
    places the previous one left free: any ``window`` seconds hold at most ``places`` places.
    The previous period is closed (nobody takes a place in it any more), so reading it cannot
    race; the current one's keys are new, never an expired entry that two takers could both
    overwrite.
    """
    now = time.time()
    period = int(now // window)
    held_before = len(cache.get_many([f"{key}:{period - 1}:{n}" for n in range(places)]))
    timeout = max(1, math.ceil((period + 2) * window - now))
    for n in range(places - held_before):
        place = f"{key}:{period}:{n}"
        if cache.add(place, 1, timeout=timeout):
            return place
    return None


def place_release(place: str) -> None:
    """Give back a place taken by ``place_take``."""
    cache.delete(place)
