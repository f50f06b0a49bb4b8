"""Limits: brakes on requests per client in the shared cache, failed proofs in the database.

- A limit (``limit_take``) is a number of places per window of the clock (an hour, a day), in
  Django's shared cache (the database cache by default, Redis when CACHE_URL is set, docs/product.md
  §9: every gunicorn worker and machine counts in the same place). Each event takes one place with
  the cache's ``add``, which only one caller can win for a key (Redis SET NX; the database cache's
  INSERT under its primary key), so that a burst of requests sent at once cannot take more places
  than there are. A read-then-write counter could be passed by such a burst. Each window has keys of
  its own, so that a place is never taken over from an expired entry (the database cache's ``add``
  over an expired row is not atomic). A burst straddling the end of a window may get the places of
  both windows: at most twice the limit, never more.
- When the cache cannot be reached, a limit neither raises nor decides silently: the caller
  says whether its limit then lets the event through or not (docs/decisions/
  limits-when-the-cache-fails.md), and the outage is logged as an error.
- Places of failed proofs are for a limit on guesses, which must hold when the guesses come all
  at once and must not be evicted: rows of ``ProofFailure``, one per place, taken by one
  statement each (``proof_place_take``) that the database runs atomically.
"""

import logging
import math
import time
from datetime import timedelta

from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from .models import ProofFailure

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


# A place is free when it has no row or its row has expired; the database decides it for each
# place in one statement (PostgreSQL and SQLite alike), so two takers never get the same one:
# the second waits for the first's transaction, then finds the place held.
_PLACE_TAKE = """
    INSERT INTO {table} (login, slot, expires_at) VALUES (%s, %s, %s)
    ON CONFLICT (login, slot) DO UPDATE SET expires_at = excluded.expires_at
    WHERE {table}.expires_at <= %s
"""


def proof_place_take(login: str, *, places: int, window: timedelta) -> int | None:
    """Take one of the identity's ``places`` places for ``window``; None when none is free."""
    now = timezone.now()
    ops = connection.ops
    table = ops.quote_name(ProofFailure._meta.db_table)
    params = [ops.adapt_datetimefield_value(now + window), ops.adapt_datetimefield_value(now)]
    with connection.cursor() as cursor:
        for slot in range(places):
            cursor.execute(_PLACE_TAKE.format(table=table), [login, slot, *params])
            if cursor.rowcount == 1:
                return slot
    return None


def proof_place_release(login: str, slot: int) -> None:
    """Give back a place taken by ``proof_place_take`` (the proof matched after all)."""
    ProofFailure.objects.filter(login=login, slot=slot).delete()
