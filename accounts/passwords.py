"""Temporary passwords, their whole life in one place: issued, voided, looked up, used up.

A temporary password is a one-time code made by the machine (docs/product.md §4): 12 characters of
an alphabet without look-alikes, about 67 bits, sent by email or printed on a letter, good for
one login before an expiry. It is stored as a keyed digest, HMAC-SHA256 under the
deployment's IDENTITY_HMAC_KEY with a purpose of its own and bound to its account, and compared
in constant time: like Django's reset tokens, a machine-made secret with the entropy of a token
needs no slow hash, so an email or a letter costs no argon2id
(docs/decisions/temporary-passwords-as-keyed-digests.md). Codes issued before that decision
are argon2id hashes (Django's encoded form); they keep working until they expire.

Every other part of the product goes through the functions below: the email task and the
letter batch issue codes, a cancelled letter voids its code, a new personal password voids
them all, and the login uses one up, atomically, so that two logins with the same code at the
same instant cannot both succeed.
"""

import functools
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth.hashers import check_password, make_password
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from identity import keyed_digester
from registry.digests import identity_key

from .models import TemporaryPassword, User

# No look-alikes (0/O, 1/l/I, 5/S, 2/Z, 8/B): read from a letter and typed by hand.
ALPHABET = "ACDEFGHJKMNPQRTUVWXYabcdefghijkmnpqrstuvwxyz34679"
LENGTH = 12  # 49 symbols, 12 characters: about 67 bits
VALIDITY = {
    TemporaryPassword.Channel.EMAIL: timedelta(hours=72),
    TemporaryPassword.Channel.POST: timedelta(days=30),
}
# What a stored keyed digest begins with; anything else in the column is a Django encoded hash
# (argon2id) of a code issued before codes were digested.
DIGEST_PREFIX = "hmac-sha256$"


def looks_temporary(password: str) -> bool:
    """Whether `password` has the shape of a temporary password (LENGTH symbols of ALPHABET)."""
    return len(password) == LENGTH and all(c in ALPHABET for c in password)


def generate_temporary_password() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def code_digest(*, user_id: int, code: str) -> str:
    """The stored form of `code` for one account: a keyed digest, never the code.

    The account's id is part of the digested value, so that someone able to write to the
    database cannot move a digest whose code they know onto another account.
    """
    return DIGEST_PREFIX + _digester(identity_key())(f"{user_id}:{code}")


@functools.lru_cache(maxsize=4)
def _digester(key: bytes):
    return keyed_digester(key, "temporary_password")


# --- Issued and voided ----------------------------------------------------------------------


@transaction.atomic
def temporary_password_issue(*, user: User, channel: str) -> tuple[str, TemporaryPassword]:
    """Make a new temporary password for `user`, void the previous ones, return it in clear.

    The clear value lives only in the caller's memory, long enough to be emailed or printed.
    """
    return temporary_passwords_issue(users=[user], channel=channel)[0]


@transaction.atomic
def temporary_passwords_issue(
    *, users: list[User] | list[int], channel: str, at=None
) -> list[tuple[str, TemporaryPassword]]:
    """``temporary_password_issue`` for several distinct accounts (or account ids) at once, an
    email batch or a chunk of letters: two statements in all, whatever their number."""
    user_ids = [getattr(user, "pk", user) for user in users]
    if len(set(user_ids)) != len(user_ids):
        raise ValueError("one temporary password per account at a time")
    now = at or timezone.now()
    clears = [generate_temporary_password() for _ in user_ids]
    temporary_passwords_void(users=user_ids, at=now)
    records = TemporaryPassword.objects.bulk_create(
        TemporaryPassword(
            user_id=user_id,
            channel=channel,
            password_hash=code_digest(user_id=user_id, code=clear),
            created_at=now,
            expires_at=now + VALIDITY[channel],
        )
        for user_id, clear in zip(user_ids, clears, strict=True)
    )
    return list(zip(clears, records, strict=True))


def temporary_passwords_void(
    *, users: list[User] | list[int], channel: str | None = None, at=None
) -> int:
    """Void every temporary password of these accounts (or account ids) not used yet, or only
    those of one channel (a letter cancelled after printing); return how many."""
    pending = TemporaryPassword.objects.filter(user__in=users, used_at=None, voided_at=None)
    if channel is not None:
        pending = pending.filter(channel=channel)
    return pending.update(voided_at=at or timezone.now())


def temporary_password_void(*, temporary_password: TemporaryPassword) -> None:
    """Void one temporary password (an email that failed for good)."""
    TemporaryPassword.objects.filter(pk=temporary_password.pk, voided_at=None).update(
        voided_at=timezone.now()
    )


def temporary_passwords_purge(*, at) -> int:
    """Delete the temporary passwords that can no longer open anything (used, voided or
    expired before `at`); return how many went."""
    return TemporaryPassword.objects.filter(
        Q(used_at__isnull=False) | Q(voided_at__isnull=False) | Q(expires_at__lt=at)
    ).delete()[0]


# --- Looked up and used up ------------------------------------------------------------------


@dataclass(frozen=True)
class CodeAttempt:
    """What a login's password turned out to be for the account's temporary password.

    ``spent``: the attempt's one argon2id computation was made here (the login makes no
    other). When it is False, the password is not the account's temporary password and the
    login checks it as the personal password: that check is then the one computation.
    """

    spent: bool = False
    # The account's temporary password that the password matched, used up by this attempt
    # (left for later on an account an agent made inactive: that login is refused anyway).
    temporary_password: TemporaryPassword | None = None
    expired: bool = False  # it matched the account's temporary password, out of date


def temporary_password_use(*, user: User, code: str) -> CodeAttempt:
    """Look `code` up among the account's temporary passwords and use it up if it matches.

    Exactly one argon2id computation when the code is the account's pending temporary
    password (a dummy one for a keyed digest, the real one for a code issued as an argon2id
    hash), none otherwise: with the login's check of the personal password, every attempt
    costs one, whichever path it takes, so that time tells nothing. The use is one
    conditional UPDATE: of two logins with the same code at the same instant, one wins.
    """
    if not looks_temporary(code):
        return CodeAttempt()
    pending = (
        TemporaryPassword.objects.filter(user=user, used_at=None, voided_at=None)
        .order_by("-created_at")
        .first()
    )
    if pending is None:
        return CodeAttempt()
    if pending.password_hash.startswith(DIGEST_PREFIX):
        if not hmac.compare_digest(pending.password_hash, code_digest(user_id=user.pk, code=code)):
            return CodeAttempt()  # the login checks the personal password: its one hash
        # The time of the personal password's check, which this path does not make.
        make_password(code)
    elif not check_password(code, pending.password_hash):
        # A code issued as an argon2id hash: a password shaped like one is taken as the code
        # (checking the personal password too would cost a second hash).
        return CodeAttempt(spent=True)
    now = timezone.now()
    if pending.expires_at <= now:
        return CodeAttempt(spent=True, expired=True)
    if not user.is_active:
        return CodeAttempt(spent=True, temporary_password=pending)
    won = TemporaryPassword.objects.filter(
        pk=pending.pk, used_at=None, voided_at=None, expires_at__gt=now
    ).update(used_at=now)
    if not won:
        return CodeAttempt(spent=True)  # another login used it, or a new one voided it, first
    pending.used_at = now
    return CodeAttempt(spent=True, temporary_password=pending)


def temporary_password_match(*, user: User, password: str) -> TemporaryPassword | None:
    """The account's valid temporary password that `password` matches, if any (a read)."""
    current = (
        TemporaryPassword.objects.filter(user=user, used_at=None, voided_at=None)
        .order_by("-created_at")
        .first()
    )
    if current is not None and current.is_valid() and _matches(current, password):
        return current
    return None


def temporary_password_is_latest(*, user: User, password: str) -> bool:
    """Whether `password` is the latest temporary password sent to the account, used or not
    (it must not become the personal password: it went by email or by post)."""
    if not looks_temporary(password):
        return False
    latest = TemporaryPassword.objects.filter(user=user).order_by("-created_at").first()
    return latest is not None and _matches(latest, password)


def _matches(record: TemporaryPassword, code: str) -> bool:
    if record.password_hash.startswith(DIGEST_PREFIX):
        return looks_temporary(code) and hmac.compare_digest(
            record.password_hash, code_digest(user_id=record.user_id, code=code)
        )
    return check_password(code, record.password_hash)
