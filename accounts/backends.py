"""Authentication of members by their identifier (NIR or SIRET), and of agents by name.

The member login form calls ``member_authenticate``, which says what it found; the
private space's « current password » calls ``authenticate(request, username=<digest>,
password=..., member=True)``; Django's admin calls it without ``member``. Each backend answers
only its own kind of call, so a member never logs in to the back-office and an agent never logs
in as a member, and a member's attempt costs exactly one argon2 computation whatever happens.
Every attempt goes through the brute-force counters first (accounts.lockout).
"""

import enum
from dataclasses import dataclass

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.hashers import make_password

from . import lockout
from .models import TemporaryPassword, User
from .passwords import temporary_password_use

# What logging in reads of an account; the rest of the row is left in the database (the login
# path is measured against one argon2 hash: bench/login_load.py).
LOGIN_FIELDS = (
    "login",
    "kind",
    "password",
    "session_salt",
    "must_change_password",
    "email_confirmed",
    "is_active",
    "last_login",
)


class LoginOutcome(enum.StrEnum):
    SUCCEEDED = "succeeded"
    UNKNOWN_IDENTIFIER = "unknown_identifier"
    WRONG_PASSWORD = "wrong_password"
    EXPIRED_TEMPORARY_PASSWORD = "expired_temporary_password"
    INACTIVE = "inactive"
    # Refused by the counters of accounts.lockout: this browser's door to the account is
    # locked (only a temporary password is checked), or the client network is over its limit.
    LOCKED = "locked"
    CLIENT_BLOCKED = "client_blocked"


@dataclass(frozen=True)
class LoginFinding:
    """What a login attempt found, for the view and the audit log."""

    outcome: LoginOutcome
    user: User | None = None
    temporary_password: TemporaryPassword | None = None

    @property
    def succeeded(self) -> bool:
        return self.outcome == LoginOutcome.SUCCEEDED


def member_authenticate(*, request, login: str, password: str) -> LoginFinding:
    """A member's login attempt with the digest of their identifier, behind the counters."""
    return lockout.login_guarded(
        request=request,
        key=login,
        check=lambda locked: MemberBackend.check(login, password, locked=locked),
        locked_out=lambda: LoginFinding(LoginOutcome.CLIENT_BLOCKED),
    )


class MemberBackend(ModelBackend):
    """Members log in with the digest of their identifier; agents never through here."""

    def authenticate(self, request, username=None, password=None, member=False, **kwargs):
        if not member or username is None or password is None or request is None:
            return None
        finding = member_authenticate(request=request, login=username, password=password)
        return finding.user if finding.succeeded else None

    @classmethod
    def check(cls, login: str, password: str, *, locked: bool) -> LoginFinding:
        """Check a member's password; when `locked`, only a pending temporary password."""
        try:
            user = User.objects.only(*LOGIN_FIELDS).get(login=login, kind=User.Kind.MEMBER)
        except User.DoesNotExist:
            # The same argon2 work as for an account, so that timing tells nothing
            # (Django ticket #20760).
            make_password(password)
            return LoginFinding(LoginOutcome.LOCKED if locked else LoginOutcome.UNKNOWN_IDENTIFIER)
        # One argon2id computation per attempt, whichever password it is (accounts.passwords):
        # a valid temporary password opens the account even behind a lock (and clears it).
        attempt = temporary_password_use(user=user, code=password)
        if attempt.expired:
            return LoginFinding(LoginOutcome.EXPIRED_TEMPORARY_PASSWORD, user)
        pending = attempt.temporary_password
        if pending is None:
            if attempt.spent:  # shaped like the pending code, and not it
                return LoginFinding(LoginOutcome.WRONG_PASSWORD, user)
            if locked:
                # A locked door opens only to a temporary password; the same argon2 work all
                # the same, so that time tells nothing about the lock.
                make_password(password)
                return LoginFinding(LoginOutcome.LOCKED, user)
            if not user.check_password(password):
                return LoginFinding(LoginOutcome.WRONG_PASSWORD, user)
        if not cls().user_can_authenticate(user):
            return LoginFinding(LoginOutcome.INACTIVE, user)
        return LoginFinding(LoginOutcome.SUCCEEDED, user, pending)

    def user_can_authenticate(self, user):
        return super().user_can_authenticate(user) and user.is_member


class AgentBackend(ModelBackend):
    """Agents of the fund log in to the back-office with their agent name; members never do."""

    def authenticate(self, request, username=None, password=None, member=False, **kwargs):
        if member or username is None or password is None or request is None:
            return None
        finding = lockout.login_guarded(
            request=request,
            key=lockout.agent_key(username),
            check=lambda locked: self._check(request, username, password, locked=locked),
            locked_out=lambda: LoginFinding(LoginOutcome.CLIENT_BLOCKED),
        )
        return finding.user if finding.succeeded else None

    def _check(self, request, username, password, *, locked: bool) -> LoginFinding:
        if locked:
            make_password(password)  # the same work as a check: time tells nothing
            return LoginFinding(LoginOutcome.LOCKED)
        user = super().authenticate(request, username=username, password=password)
        if user is None:
            return LoginFinding(LoginOutcome.WRONG_PASSWORD)
        return LoginFinding(LoginOutcome.SUCCEEDED, user)

    def user_can_authenticate(self, user):
        return super().user_can_authenticate(user) and not user.is_member
