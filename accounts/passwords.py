"""Temporary passwords: made at the moment they are sent, stored only as an argon2id hash.

A new one voids the previous ones, so that an account never has two valid (DESIGN §4).
"""

import secrets
from datetime import timedelta

from django.contrib.auth.hashers import check_password, make_password
from django.db import transaction
from django.utils import timezone

from .models import TemporaryPassword, User

# No look-alikes (0/O, 1/l/I, 5/S, 2/Z, 8/B): read from a letter and typed by hand.
ALPHABET = "ACDEFGHJKMNPQRTUVWXYabcdefghijkmnpqrstuvwxyz34679"
LENGTH = 12  # 49 symbols, 12 characters: about 67 bits
VALIDITY = {
    TemporaryPassword.Channel.EMAIL: timedelta(hours=72),
    TemporaryPassword.Channel.POST: timedelta(days=30),
}


def looks_temporary(password: str) -> bool:
    """Whether `password` has the shape of a temporary password (LENGTH symbols of ALPHABET)."""
    return len(password) == LENGTH and all(c in ALPHABET for c in password)


def generate_temporary_password() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


@transaction.atomic
def temporary_password_issue(*, user: User, channel: str) -> tuple[str, TemporaryPassword]:
    """Make a new temporary password for `user`, void the previous ones, return it in clear.

    The clear value lives only in the caller's memory, long enough to be emailed or printed.
    """
    return temporary_passwords_issue(users=[user], channel=channel)[0]


@transaction.atomic
def temporary_passwords_issue(
    *, users: list[User], channel: str
) -> list[tuple[str, TemporaryPassword]]:
    """``temporary_password_issue`` for several distinct accounts at once (an email batch):
    two statements in all, whatever their number."""
    clears = [generate_temporary_password() for _ in users]
    records = temporary_passwords_store(
        user_ids=[user.pk for user in users],
        channel=channel,
        password_hashes=(make_password(clear) for clear in clears),  # once the checks pass
    )
    return list(zip(clears, records, strict=True))


def temporary_passwords_store(
    *, user_ids: list[int], channel: str, password_hashes, at=None
) -> list[TemporaryPassword]:
    """Record the hashes of new temporary passwords, one per account, voiding the previous
    ones; for callers that make the passwords themselves (the letters hash them in threads
    while the pages are drawn). Two statements in all. Call it inside a transaction."""
    if len(set(user_ids)) != len(user_ids):
        raise ValueError("one temporary password per account at a time")
    now = at or timezone.now()
    temporary_passwords_void(users=user_ids, at=now)
    return TemporaryPassword.objects.bulk_create(
        TemporaryPassword(
            user_id=user_id,
            channel=channel,
            password_hash=password_hash,
            created_at=now,
            expires_at=now + VALIDITY[channel],
        )
        for user_id, password_hash in zip(user_ids, password_hashes, strict=True)
    )


def temporary_passwords_void(*, users: list[User] | list[int], at=None) -> int:
    """Void every temporary password of these accounts (or account ids) not used yet; return
    how many."""
    return TemporaryPassword.objects.filter(user__in=users, used_at=None, voided_at=None).update(
        voided_at=at or timezone.now()
    )


def temporary_password_void(*, temporary_password: TemporaryPassword) -> None:
    """Void one temporary password (a letter not posted, an email that failed for good)."""
    TemporaryPassword.objects.filter(pk=temporary_password.pk, voided_at=None).update(
        voided_at=timezone.now()
    )


def temporary_password_match(*, user: User, password: str) -> TemporaryPassword | None:
    """The account's valid temporary password that `password` matches, if any."""
    current = (
        TemporaryPassword.objects.filter(user=user, used_at=None, voided_at=None)
        .order_by("-created_at")
        .first()
    )
    if current is not None and check_password(password, current.password_hash):
        return current
    return None
