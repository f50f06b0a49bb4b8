"""Authentication of members by their identifier (NIR or SIRET), and of agents by name.

The member login form calls ``authenticate(request, username=<digest>, password=...,
member=True)``; Django's admin calls it without ``member``. Each backend answers only its own
kind of call, so a member never logs in to the back-office and an agent never logs in as a
member, and a member's attempt costs exactly one argon2 computation whatever happens.
"""

import enum
from dataclasses import dataclass

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.hashers import make_password

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


@dataclass(frozen=True)
class LoginFinding:
    """What the member backend found, left on the request for the view and the audit log."""

    outcome: LoginOutcome
    user: User | None = None
    temporary_password: TemporaryPassword | None = None


class MemberBackend(ModelBackend):
    """Members log in with the digest of their identifier; agents never through here."""

    def authenticate(self, request, username=None, password=None, member=False, **kwargs):
        if not member or username is None or password is None:
            return None
        try:
            user = User.objects.only(*LOGIN_FIELDS).get(login=username, kind=User.Kind.MEMBER)
        except User.DoesNotExist:
            # The same argon2 work as for an account, so that timing tells nothing (#20760).
            make_password(password)
            return self._found(request, LoginOutcome.UNKNOWN_IDENTIFIER)
        # One argon2id computation per attempt, whichever password it is (accounts.passwords).
        attempt = temporary_password_use(user=user, code=password)
        if attempt.expired:
            return self._found(request, LoginOutcome.EXPIRED_TEMPORARY_PASSWORD, user)
        pending = attempt.temporary_password
        if pending is None and (attempt.spent or not user.check_password(password)):
            return self._found(request, LoginOutcome.WRONG_PASSWORD, user)
        if not self.user_can_authenticate(user):
            return self._found(request, LoginOutcome.INACTIVE, user)
        self._found(request, LoginOutcome.SUCCEEDED, user, pending)
        return user

    def user_can_authenticate(self, user):
        return super().user_can_authenticate(user) and user.is_member

    @staticmethod
    def _found(request, outcome, user=None, temporary_password=None) -> None:
        if request is not None:
            request.member_login = LoginFinding(outcome, user, temporary_password)


class AgentBackend(ModelBackend):
    """Agents of the fund log in to the back-office with their agent name; members never do."""

    def authenticate(self, request, username=None, password=None, member=False, **kwargs):
        if member:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)

    def user_can_authenticate(self, user):
        return super().user_can_authenticate(user) and not user.is_member
