"""How long personal data is kept, as the « Données personnelles » page promises (RGPD art. 5).

Each app deletes its own data that has outlived its purpose: its `AppConfig.ready` registers
its purger here (`purger_register`), and `manage.py purge_expired`, meant for a daily scheduled
run, asks each app in turn (docs/decisions/each-app-purges-its-own-data.md). The periods are
those of the page's section 6: change both. Core purges what it owns itself, the database
cache's expired rows, and registers the purge of `audit`, which sits below it.
"""

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache
from django.db import connection
from django.utils import timezone

logger = logging.getLogger(__name__)

# A purger deletes its app's expired rows as of `now` and returns how many of each kind went.
Purger = Callable[..., dict[str, int]]

# App label -> its purger, in the order the apps registered (their order in INSTALLED_APPS).
_purgers: dict[str, Purger] = {}


def purger_register(app_label: str, purger: Purger) -> None:
    """Register `purger(now=...)` as the purge of the app `app_label` (one per app)."""
    _purgers[app_label] = purger


def purgers() -> list[tuple[str, Purger]]:
    """The apps' purgers in the order they are asked: the reverse of INSTALLED_APPS.

    The apps above hold rows that point at the accounts below (messages, letters, requests):
    they purge what is theirs before `accounts` erases the dormant accounts, whose deletion
    takes their remaining rows by cascade, uncounted, as in any closing.
    """
    return list(reversed(_purgers.items()))


@dataclass(frozen=True)
class AppPurge:
    """What one app's purge did: how many rows of each kind went, or why it failed."""

    app_label: str
    counts: dict[str, int] = field(default_factory=dict)
    error: Exception | None = None


class PurgeFailed(Exception):
    """One app's purge or more failed; the others ran."""

    def __init__(self, failed: list[AppPurge]):
        self.failed = failed
        super().__init__(", ".join(f"{p.app_label}: {p.error!r}" for p in failed))


def retention_purge_by_app(*, now=None) -> Iterator[AppPurge]:
    """Ask each app to purge, in turn; a failing app is reported and the next one still runs.

    An app's failure leaves the others' data as it would be without it: each purger makes its
    own transactions, so what an app deleted before failing is either committed whole or not.
    """
    now = now or timezone.now()
    for app_label, purger in purgers():
        try:
            counts = purger(now=now)
        except Exception as error:  # noqa: BLE001 (reported, and the other apps still purge)
            logger.exception("The purge of expired data failed in %s", app_label)
            yield AppPurge(app_label, error=error)
        else:
            yield AppPurge(app_label, counts)


def retention_purge(*, now=None) -> dict[str, int]:
    """Delete everything past its retention period; return how many rows of each kind went.

    Raises PurgeFailed once every app has been asked, if any failed.
    """
    counts: dict[str, int] = {}
    failed = []
    for done in retention_purge_by_app(now=now):
        counts.update(done.counts)
        if done.error is not None:
            failed.append(done)
    if failed:
        raise PurgeFailed(failed) from failed[0].error
    return counts


def core_purge(*, now) -> dict[str, int]:
    """What core keeps: the database cache's counters (rate limits keyed by client address)."""
    return {"cache_entries": _cache_purge(now)}


def _cache_purge(now) -> int:
    """Expired rows of the database cache (rate-limit counters keyed by client address):
    Django deletes them only once the table is full, or when the same key is read again."""
    cache = caches["default"]
    if not isinstance(cache, DatabaseCache):
        return 0  # Redis forgets them itself
    table = connection.ops.quote_name(settings.CACHES["default"]["LOCATION"])
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {table} WHERE expires < %s",  # noqa: S608 (a setting, not input)
            [connection.ops.adapt_datetimefield_value(now)],
        )
        return cursor.rowcount
