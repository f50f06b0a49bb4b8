"""Brute-force protection (OWASP ASVS 2.2, ANSSI; DESIGN §4), on top of django-axes.

django-axes records the failed attempts, refuses a locked login before any password is hashed,
and offers its admin and its reset commands. This module decides what « locked » means:

- an ACCOUNT (its login: the digest of the identifier, never the typed NIR) is locked after
  AXES_FAILURE_LIMIT consecutive failures, for a delay that grows with every further failure
  (ACCOUNT_LOCKOUT_DELAYS: 1, 5, 15, then 60 minutes); a success resets the count, and failures
  are forgotten AXES_COOLOFF_TIME after the last one;
- a CLIENT (its address) is refused after LOGIN_CLIENT_FAILURE_LIMIT failures within
  LOGIN_CLIENT_FAILURE_WINDOW, a threshold far above one person's typing errors, so that an
  office behind one address is not locked out by one of its members.

Unknown identifiers are counted and locked like known ones: the lock tells nothing about
whether an account exists. Axes's own handler also keeps the GET and POST data of every
failure; this one keeps neither.
"""

import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

log = logging.getLogger(__name__)

# An agent who types a long number into the back-office login (their NIR, by mistake) must
# not have it stored: such names are kept with the digits masked.
_LONG_DIGITS = re.compile(r"\d{8,}")


@dataclass(frozen=True)
class AccountLock:
    """The lock state of one login: how many consecutive failures, locked until when."""

    failures: int
    locked_until: datetime | None

    def is_locked(self, at: datetime | None = None) -> bool:
        return self.locked_until is not None and (at or timezone.now()) < self.locked_until


def lock_delay(failures: int) -> timedelta | None:
    """How long `failures` consecutive failures lock an account (None: not locked).

    Every failure from the limit on locks again, for longer as the failures pile up:
    limit → limit*2-1 failures: the first delay; the next `limit` failures: the second...
    Deriving the delay from the count (not from a « lock number » kept elsewhere) means that
    concurrent attempts cannot step over a lock.
    """
    limit = settings.AXES_FAILURE_LIMIT
    if failures < limit:
        return None
    delays = settings.ACCOUNT_LOCKOUT_DELAYS
    return delays[min(failures // limit - 1, len(delays) - 1)]


def _lock(failures: int, last: datetime | None) -> AccountLock:
    delay = lock_delay(failures)
    return AccountLock(failures, last + delay if delay else None)


# The lock state of an account and of a client, in one query written out: the ORM takes longer
# to build this conditional aggregate than the database takes to run it, and it runs before
# every login (issue 4).
_GATE_SQL = """
    SELECT
        SUM(CASE WHEN username = %(login)s AND attempt_time >= %(account_since)s
            THEN failures_since_start ELSE 0 END),
        MAX(CASE WHEN username = %(login)s AND attempt_time >= %(account_since)s
            THEN attempt_time END),
        SUM(CASE WHEN ip_address = %(ip)s AND attempt_time >= %(client_since)s
            THEN failures_since_start ELSE 0 END)
    FROM {table}
    WHERE (username = %(login)s AND attempt_time >= %(account_since)s)
       OR (ip_address = %(ip)s AND attempt_time >= %(client_since)s)
"""


def login_gate(login: str | None, ip: str | None) -> tuple[AccountLock, int]:
    """The lock state of an account login (a digest), and the client's failures in its window.

    Failures count while they are younger than AXES_COOLOFF_TIME for the account, and
    LOGIN_CLIENT_FAILURE_WINDOW for the client address.
    """
    at = timezone.now()
    params = {
        "login": login,
        "ip": ip,
        "account_since": at - settings.AXES_COOLOFF_TIME,
        "client_since": at - settings.LOGIN_CLIENT_FAILURE_WINDOW,
    }
    with connection.cursor() as cursor:
        cursor.execute(_GATE_SQL.format(table=AccessAttempt._meta.db_table), params)
        failures, last, client = cursor.fetchone()
    if isinstance(last, str):  # SQLite gives the MAX of a CASE back as text
        last = datetime.fromisoformat(last)
        last = last if timezone.is_aware(last) else timezone.make_aware(last, UTC)
    return _lock(failures or 0, last), client or 0


def account_unlock(login: str) -> int:
    """Forget the failures of one account login; return how many records went."""
    return accounts_unlock([login])


def accounts_unlock(logins) -> int:
    """Forget the failures of these account logins (a list, or a query of them)."""
    deleted, _ = AccessAttempt.objects.filter(username__in=logins).delete()
    return deleted


def axes_username(request, credentials) -> str | None:
    """AXES_USERNAME_CALLABLE: what axes stores as « username ».

    The member login form gives authenticate() the digest of the identifier, never what was
    typed, so that is what axes sees. For the agents' back-office login, the agent name,
    with any long run of digits masked.
    """
    credentials = credentials or {}
    username = credentials.get("username")
    if username is None:
        # Axes falls back to the POSTed field when it has no credentials: that field may be
        # a typed NIR, which must never be stored. There is then no username to count.
        return None
    if credentials.get("member"):
        return username
    return _LONG_DIGITS.sub("[masqué]", username)


def lockout_response(request, original_response, credentials=None):
    """AXES_LOCKOUT_CALLABLE: a locked account gets the very page a wrong password gets."""
    return original_response


def _client_address(request) -> str | None:
    """The client address axes read (AXES_CLIENT_IP_CALLABLE: valid, or "" when unknown)."""
    return request.axes_ip_address or None


class LockoutHandler(AxesDatabaseHandler):
    """Axes's database handler with the account and client rules of this module."""

    def is_locked(self, request, credentials=None) -> bool:
        username = get_client_username(request, credentials)
        lock, client = login_gate(username, _client_address(request))
        # Remembered for what follows: a success resets nothing when there was no failure, and
        # a refusal is recorded without asking the database again (accounts.services).
        request.login_lock = lock
        return lock.is_locked() or client >= settings.LOGIN_CLIENT_FAILURE_LIMIT

    def get_failures(self, request, credentials=None) -> int:
        return login_gate(get_client_username(request, credentials), None)[0].failures

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        if request is None:
            return
        self.clean_expired_user_attempts(request, credentials)
        if request.axes_locked_out:
            # Refused by the lock itself: not a new guess, and it must not push the lock on.
            return
        username = get_client_username(request, credentials)
        ip = _client_address(request)
        with transaction.atomic():
            attempt, created = AccessAttempt.objects.select_for_update().get_or_create(
                username=username,
                ip_address=ip,
                user_agent=request.axes_user_agent,
                defaults={
                    # Axes keeps the request's GET and POST data here; they are not needed
                    # and the POST holds the typed identifier.
                    "get_data": "",
                    "post_data": "",
                    "http_accept": request.axes_http_accept,
                    "path_info": request.axes_path_info,
                    "failures_since_start": 1,
                    "attempt_time": request.axes_attempt_time,
                },
            )
            if not created:
                attempt.failures_since_start = F("failures_since_start") + 1
                attempt.attempt_time = request.axes_attempt_time
                attempt.save(update_fields=["failures_since_start", "attempt_time"])
        lock, client = login_gate(username, ip)
        request.axes_failures_since_start = lock.failures
        if lock.failures % settings.AXES_FAILURE_LIMIT == 0 and lock.locked_until is not None:
            # A new, longer lock level begins: recorded once per level, not per failure.
            from accounts.services import account_locked

            account_locked(login=username, lock=lock, request=request)
        if client == settings.LOGIN_CLIENT_FAILURE_LIMIT:
            log.warning("Login failures from client %s reached the limit; refused for now.", ip)

    def user_logged_in(self, sender, request, user, **kwargs):
        # A success resets the account's count only: resetting the client's too would let
        # anyone with one valid account clear the failures of their address.
        lock = getattr(request, "login_lock", None)  # None: a login outside the form
        if settings.AXES_RESET_ON_SUCCESS and (lock is None or lock.failures):
            account_unlock(user.get_username())

    def user_logged_out(self, sender, request, user, **kwargs):
        # The login history is the audit log's (AXES_DISABLE_ACCESS_LOG).
        pass
