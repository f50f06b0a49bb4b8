"""Limits per client: brakes on requests, in the shared cache.

A limit (``limit_take``) is a number of places per window of the clock (an hour, a day), in
Django's shared cache (the database cache by default, Redis when CACHE_URL is set, docs/product.md
§9: every gunicorn worker and machine counts in the same place). Each event takes one place with
the cache's ``add``, which only one caller can win for a key (Redis SET NX; the database cache's
INSERT under its primary key), so that a burst of requests sent at once cannot take more places
than there are. A read-then-write counter could be passed by such a burst. Each window has keys of
its own, so that a place is never taken over from an expired entry (the database cache's ``add``
over an expired row is not atomic). A burst straddling the end of a window may get the places of
both windows: at most twice the limit, never more.

When the cache cannot be reached, a limit neither raises nor decides silently: the caller says
whether its limit then lets the event through or not (docs/decisions/
limits-when-the-cache-fails.md), and the outage is logged as an error.

No part of one journey: the registration, « Mot de passe oublié », the attestations' pages
take their limits here. The limit on failed proofs of identity, which must not be evicted, is
kept in the database by verification.services (docs/architecture.md).
"""

import logging
import math
import time

from django.core.cache import cache

logger = logging.getLogger(__name__)


def limit_take(key: str, *, limit: int, window: int, when_cache_fails: bool) -> bool:
    """Take one of ``limit`` places under ``key`` for the current window of ``window`` seconds.

    False when every place is held. When the cache fails, returns ``when_cache_fails`` (True:
    the limit is open during the outage; False: closed) after logging the failure.
    """
    now = time.time()
    window_index = int(now // window)
    # A second past the window's end: the database cache keeps whole seconds, and an entry that
    # expired before its window ended could be taken again (its add is not atomic then).
    timeout = math.ceil((window_index + 1) * window - now) + 1
    keys = [f"{key}:{window_index}:{place}" for place in range(limit)]
    try:
        held = cache.get_many(keys)
        return any(k not in held and cache.add(k, 1, timeout=timeout) for k in keys)
    except Exception:
        # Any failure of the cache backend (Redis down, a timeout): never a 500 for it.
        logger.exception(
            "Rate limit %s: the cache is unreachable; the limit is %s until it is back.",
            ":".join(key.split(":")[:2]),
            "OPEN" if when_cache_fails else "CLOSED",
        )
        return when_cache_fails
