"""Brute-force protection without a way to lock the owner out (docs/product.md §4, OWASP ASVS 2.2).

OWASP « device cookies » (docs/decisions/login-device-cookies.md): failures are counted per
(account, device) for a browser that logged in to the account before (accounts.device_cookies),
and per account for every other browser together. LOGIN_FAILURE_LIMIT consecutive failures
lock that counter, for a delay that grows with each further round (LOGIN_LOCK_DELAYS: 1, 5,
15, then 60 minutes); a success resets it; failures are forgotten LOGIN_FAILURE_MEMORY after
the last. A locked counter still lets a valid temporary password in (letter, email, « Mot de
passe oublié »): the backend then checks nothing else, and that success clears every counter
of the account. A client network (an IPv4 address, an IPv6 /64) is refused after
LOGIN_CLIENT_FAILURE_LIMIT failures within LOGIN_CLIENT_FAILURE_WINDOW, whatever the accounts.

Every attempt is counted as a failure BEFORE its password is hashed, in one transaction that
locks the counters' rows, and given back when it succeeds: concurrent guesses wait for each
other there, so that no more than LOGIN_FAILURE_LIMIT of them reach the hash in one window.
Unknown identifiers are counted and locked like known ones: nothing tells whether an account
exists.
"""

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from audit.models import AuditEvent
from audit.services import audit_record
from core.clients import client_network, request_client
from delivery.models import EmailDelivery

from .device_cookies import DEVICE_COOKIE_AGE, device_read
from .emails import account_notify
from .models import LoginCounter, User

log = logging.getLogger(__name__)
Scope = LoginCounter.Scope
# An agent who types a long number into the back-office login (their NIR, by mistake) must
# not have it stored.
_LONG_DIGITS = re.compile(r"\d{8,}")
AGENT_KEY_PREFIX = "agent:"


def lock_delay(failures: int) -> timedelta | None:
    """How long a counter is locked once it reaches `failures` (None: it does not lock).

    Each round of LOGIN_FAILURE_LIMIT consecutive failures locks it, for the next delay.
    """
    limit = settings.LOGIN_FAILURE_LIMIT
    if failures < limit or failures % limit:
        return None
    delays = settings.LOGIN_LOCK_DELAYS
    return delays[min(failures // limit - 1, len(delays) - 1)]


@dataclass(frozen=True)
class Reservation:
    """An attempt counted before its password is checked."""

    key: str
    device: str  # "" for an unknown browser
    locked: bool  # the account's counter for this browser is locked: a temporary password only
    client_blocked: bool  # the client network is over its limit: nothing is checked
    failures: int  # the account counter's failures, this attempt included
    counter_ids: tuple[int, int] | None = None  # the account's door's counter, the client's

    @property
    def scope(self) -> str:
        return Scope.DEVICE if self.device else Scope.UNKNOWN_BROWSERS


def _expired(counter: LoginCounter, now: datetime, memory: timedelta) -> bool:
    return counter.last_failure_at < now - memory and not (
        counter.locked_until and counter.locked_until > now
    )


@transaction.atomic
def attempt_reserve(*, key: str, device: str | None, network: str) -> Reservation:
    """Count an attempt on the account `key` from this device (None: an unknown browser) and
    client network, before anything is checked; say whether it may go on."""
    now = timezone.now()
    unknown = (Scope.UNKNOWN_BROWSERS, key, "")
    known = (Scope.DEVICE, key, device) if device else None
    client_door = (Scope.CLIENT, network, "")
    wanted = Q(scope=Scope.UNKNOWN_BROWSERS, key=key, device="") | Q(
        scope=Scope.CLIENT, key=network, device=""
    )
    if known:
        wanted |= Q(scope=Scope.DEVICE, key=key, device=device)
    # Locked for the rest of the transaction: every attempt on the same counters waits here
    # for the one before it to be counted.
    counters = {
        (c.scope, c.key, c.device): c
        for c in LoginCounter.objects.select_for_update().filter(wanted)
    }
    # A device is known while its counter exists (made at its login, accounts.device_cookies):
    # a cookie whose device id was replaced since, or forgotten, is an unknown browser.
    door = known if known in counters else unknown
    device = door[2]
    doors = [door, client_door]
    if any(d not in counters for d in doors):
        # Created first; a concurrent attempt may create them at the same time: the database
        # keeps one.
        LoginCounter.objects.bulk_create(
            [
                LoginCounter(scope=s, key=k, device=d, first_failure_at=now, last_failure_at=now)
                for s, k, d in doors
                if (s, k, d) not in counters
            ],
            ignore_conflicts=True,
        )
        counters = {
            (c.scope, c.key, c.device): c
            for c in LoginCounter.objects.select_for_update().filter(wanted)
        }
    account, client = counters[doors[0]], counters[doors[1]]

    if _expired(client, now, settings.LOGIN_CLIENT_FAILURE_WINDOW) or (
        client.first_failure_at < now - settings.LOGIN_CLIENT_FAILURE_WINDOW
    ):
        client.failures, client.first_failure_at = 0, now
    if client.failures >= settings.LOGIN_CLIENT_FAILURE_LIMIT:
        return Reservation(key, device, False, True, account.failures, (account.pk, client.pk))
    client.failures += 1
    client.last_failure_at = now

    if _expired(account, now, settings.LOGIN_FAILURE_MEMORY):
        account.failures, account.locked_until = 0, None
    locked = account.locked_until is not None and account.locked_until > now
    if not locked:
        # Attempts refused by a lock neither count nor push it on.
        account.failures += 1
        account.last_failure_at = now
        delay = lock_delay(account.failures)
        if delay is not None:
            account.locked_until = now + delay
    for counter in (account, client):
        LoginCounter.objects.filter(pk=counter.pk).update(
            failures=counter.failures,
            first_failure_at=counter.first_failure_at,
            last_failure_at=counter.last_failure_at,
            locked_until=counter.locked_until,
        )
    if client.failures == settings.LOGIN_CLIENT_FAILURE_LIMIT:
        log.warning("Login failures from client %s reached the limit; refused for now.", network)
    return Reservation(key, device, locked, False, account.failures, (account.pk, client.pk))


def attempt_succeeded(reservation: Reservation, *, every_door: bool) -> None:
    """Give back what the reservation counted: the attempt was no failure.

    The account's counter starts again from zero; the client's gives back this attempt.
    `every_door`: a valid temporary password clears every counter of the account, locked or
    not, known devices' and unknown browsers' alike.
    """
    account_id, client_id = reservation.counter_ids
    if every_door:
        account = LoginCounter.objects.filter(key=reservation.key).exclude(scope=Scope.CLIENT)
    else:
        account = LoginCounter.objects.filter(pk=account_id)
    account.update(failures=0, locked_until=None)
    LoginCounter.objects.filter(pk=client_id, failures__gt=0).update(failures=F("failures") - 1)


def login_guarded(*, request, key: str, check: Callable, locked_out: Callable):
    """Reserve an attempt on the account `key`, run `check(locked)`, settle the counters.

    `check(locked)` verifies the password (only a temporary one when `locked`) and returns a
    finding (accounts.backends.LoginFinding); `locked_out()` is the finding of an attempt
    refused before any check (the client network over its limit). A failure that starts a
    lock is recorded, and the owner told when it is the first of their unknown browsers.
    """
    network = client_network(request)
    reservation = attempt_reserve(key=key, device=device_read(request, key=key), network=network)
    if reservation.client_blocked:
        return locked_out()
    finding = check(reservation.locked)
    if finding.succeeded:
        attempt_succeeded(reservation, every_door=finding.temporary_password is not None)
    elif not reservation.locked and lock_delay(reservation.failures) is not None:
        account_locked(
            user=finding.user,
            key=key,
            failures=reservation.failures,
            scope=reservation.scope,
            request=request,
        )
    return finding


def account_locked(*, user: User | None, key: str, failures: int, scope: str, request=None) -> None:
    """A door of an account has just been locked: audit it, and tell the owner's confirmed
    address the first time in a row that it is their unknown browsers'."""
    if user is None and key.startswith(AGENT_KEY_PREFIX):
        name = key.removeprefix(AGENT_KEY_PREFIX)
        user = User.objects.filter(login=name, kind=User.Kind.AGENT).first()
    if user is None:
        return  # an unknown identifier is locked all the same, silently
    minutes = int(lock_delay(failures).total_seconds() // 60)
    audit_record(
        AuditEvent.Type.ACCOUNT_LOCKED,
        client=request_client(request),
        actor=None,
        subject=user,
        failures=failures,
        minutes=minutes,
        browsers="unknown" if scope == Scope.UNKNOWN_BROWSERS else "device",
    )
    if scope == Scope.UNKNOWN_BROWSERS and failures == settings.LOGIN_FAILURE_LIMIT:
        account_notify(user, EmailDelivery.Kind.ACCOUNT_LOCKED, {"minutes": minutes})


def account_unlock(key: str) -> int:
    """Lift every lock of one account (its known devices stay known); return how many doors
    were counting."""
    return (
        LoginCounter.objects.filter(key=key, failures__gt=0)
        .exclude(scope=Scope.CLIENT)
        .update(failures=0, locked_until=None)
    )


def accounts_forget(keys) -> int:
    """Delete the counters of these accounts (a list of keys, or a query of them): they are
    being deleted."""
    deleted, _ = LoginCounter.objects.filter(key__in=keys).exclude(scope=Scope.CLIENT).delete()
    return deleted


def counters_purge(*, now: datetime) -> int:
    """Delete the counters nothing remembers any more (purge_expired): a day after their last
    attempt, a known device's a year after its last login or attempt."""
    memory = max(settings.LOGIN_FAILURE_MEMORY, settings.LOGIN_CLIENT_FAILURE_WINDOW)
    stale = Q(last_failure_at__lt=now - memory) & ~Q(scope=Scope.DEVICE)
    stale |= Q(scope=Scope.DEVICE, last_failure_at__lt=now - DEVICE_COOKIE_AGE)
    deleted, _ = (
        LoginCounter.objects.filter(stale)
        .filter(Q(locked_until=None) | Q(locked_until__lt=now))
        .delete()
    )
    return deleted


def blocked_until(*, key: str) -> datetime | None:
    """Until when the account's unknown browsers are locked out, or None."""
    return (
        LoginCounter.objects.filter(
            scope=Scope.UNKNOWN_BROWSERS, key=key, locked_until__gt=timezone.now()
        )
        .values_list("locked_until", flat=True)
        .first()
    )


def agent_key(name: str) -> str:
    """The counters' key for an agent name typed at the back-office's door (digits masked)."""
    return AGENT_KEY_PREFIX + _LONG_DIGITS.sub("[masqué]", name)[:150]
