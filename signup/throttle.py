"""Limits: brakes on requests per client in the shared cache, failed proofs in the database.

- A counter, in Django's shared cache (the database cache by default, Redis when CACHE_URL is
  set, DESIGN §9: every gunicorn worker and machine counts in the same place), is a (count,
  window end) pair written with an explicit timeout, because Django's generic ``incr`` resets
  the timeout to the default on some backends (the database cache), which would shorten a
  24-hour window to minutes. Concurrent hits may occasionally count once instead of twice: a
  limit is reached a little later, never sooner. That is enough for a brake on abuse.
- Places are for a limit on guesses, which must hold when the guesses come all at once and
  must not be evicted: rows of ``ProofFailure``, one per place, taken by one statement each
  (``proof_place_take``) that the database runs atomically.
"""

import math
import time
from datetime import timedelta

from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from .models import ProofFailure


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
