"""What accounts purges (accounts/retention.py): the temporary passwords no longer valid, and
the members' accounts dormant for three years, as the « Données personnelles » page says."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import LoginCounter, TemporaryPassword, User
from accounts.passwords import temporary_password_issue
from accounts.retention import accounts_purge

pytestmark = pytest.mark.django_db

NOW = timezone.now()


def member(login: str, **fields) -> User:
    return User.objects.create(login=login, kind=User.Kind.MEMBER, **fields)


def test_only_the_valid_temporary_password_is_kept():
    user = member("digest-temp")
    _, first = temporary_password_issue(user=user, channel="email")
    _, second = temporary_password_issue(user=user, channel="email")  # voids the first

    accounts_purge(now=NOW)

    assert list(TemporaryPassword.objects.values_list("pk", flat=True)) == [second.pk]


def test_accounts_dormant_for_three_years_are_deleted_members_only():
    four_years_ago = NOW - timedelta(days=4 * 365)
    member("digest-dormant", last_login=four_years_ago)
    member("digest-never", date_joined=four_years_ago)
    member("digest-recent", last_login=NOW - timedelta(days=30))
    User.objects.create(
        login="agent.ancien", kind=User.Kind.AGENT, is_staff=True, last_login=four_years_ago
    )
    for login in ("digest-dormant", "digest-recent"):  # a failed login an hour ago
        LoginCounter.objects.create(
            scope=LoginCounter.Scope.UNKNOWN_BROWSERS, key=login, failures=1
        )

    counts = accounts_purge(now=NOW)

    assert counts["accounts"] == 2
    assert set(User.objects.values_list("login", flat=True)) == {"digest-recent", "agent.ancien"}
    # The failures counted under a deleted account's login go with it.
    assert list(LoginCounter.objects.values_list("key", flat=True)) == ["digest-recent"]
