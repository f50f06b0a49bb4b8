"""The failed proofs moved from signup to verification without losing a row."""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from verification.models import ProofFailure

BEFORE = [("signup", "0003_proof_failures"), ("verification", None)]
AFTER = [("signup", "0004_proof_failures_to_verification")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


@pytest.mark.django_db(transaction=True)
def test_the_places_held_before_the_move_are_held_after_it():
    migrate(BEFORE)
    try:
        expires = timezone.now() + timedelta(hours=1)
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO signup_prooffailure (login, slot, expires_at) VALUES (%s, %s, %s)",
                ["d" * 64, 2, expires],
            )
    finally:
        migrate(AFTER)
    held = ProofFailure.objects.get()
    assert (held.login, held.slot, held.expires_at) == ("d" * 64, 2, expires)
