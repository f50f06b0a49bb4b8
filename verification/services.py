"""The limit on failed proofs of identity: three a day per identity, then only the letter.

Places of failed proofs are for a limit on guesses, which must hold when the guesses come all
at once and must not be evicted: rows of ``ProofFailure``, one per place, taken by one
statement each (``proof_place_take``) that the database runs atomically. The registration and
« Mot de passe oublié » count together (docs/product.md §3).
"""

from datetime import timedelta

from django.db import connection
from django.utils import timezone

from .models import Proof, ProofFailure

# Failed verifications per identity in any 24 h (``proof_place_take``); after that only the
# letter is offered (docs/product.md §3).
FAILED_VERIFICATIONS_LIMIT = 3
FAILED_VERIFICATIONS_WINDOW = timedelta(hours=24)


def verification_passes(*, login: str, proof: str, matches: bool) -> bool:
    """The proof matches, and this identity has not failed too often (then: post, silently).

    The failures are counted per identity (its login digest), registration and « Mot de passe
    oublié » together.
    """
    if proof == Proof.NONE:
        return False
    # Every attempt holds a place while it is judged, so that attempts sent all at once cannot
    # step over the limit; a match gives its place back: only failures keep theirs. Counted
    # whether the identifier exists or not: the same work, and a guesser of serial numbers is
    # stopped after three tries on one identity.
    slot = proof_place_take(
        login, places=FAILED_VERIFICATIONS_LIMIT, window=FAILED_VERIFICATIONS_WINDOW
    )
    if slot is None:
        return False
    if matches:
        proof_place_release(login, slot)
    return matches


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
