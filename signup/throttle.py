"""Counters in Django's shared cache: completions per client, failed verifications per identity.

The cache is the database cache by default and Redis when CACHE_URL is set (DESIGN §9): every
gunicorn worker and machine counts in the same place. A counter is a (count, window end) pair
written with an explicit timeout, because Django's generic ``incr`` resets the timeout to the
default on some backends (the database cache), which would shorten a 24-hour window to minutes.
Concurrent hits may occasionally count once instead of twice: a limit is reached a little
later, never sooner, which is acceptable for a brake on abuse.
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


def counter_value(key: str) -> int:
    """How many events ``key`` has counted in its current window."""
    value = cache.get(key)
    if value is None or value[1] <= time.time():
        return 0
    return value[0]
