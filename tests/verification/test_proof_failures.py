"""The places of failed proofs hold when taken all at once, and for their whole window."""

import threading
import time
from datetime import timedelta

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone

from verification import services as throttle
from verification.models import ProofFailure

LOGIN = "d" * 64  # an identity's login digest
WINDOW = timedelta(hours=24)


@pytest.mark.django_db
def test_places_run_out_and_a_given_back_place_is_free_again():
    assert [throttle.proof_place_take(LOGIN, places=3, window=WINDOW) for _ in range(3)] == [
        0,
        1,
        2,
    ]
    assert throttle.proof_place_take(LOGIN, places=3, window=WINDOW) is None
    assert throttle.proof_place_take("e" * 64, places=3, window=WINDOW) == 0  # another identity
    throttle.proof_place_release(LOGIN, 1)
    assert throttle.proof_place_take(LOGIN, places=3, window=WINDOW) == 1
    assert throttle.proof_place_take(LOGIN, places=3, window=WINDOW) is None


@pytest.mark.django_db
def test_a_place_is_held_for_its_whole_window_and_no_longer():
    assert throttle.proof_place_take(LOGIN, places=1, window=WINDOW) == 0
    held = ProofFailure.objects.get()
    assert held.expires_at - timezone.now() > WINDOW - timedelta(minutes=1)
    assert throttle.proof_place_take(LOGIN, places=1, window=WINDOW) is None
    # The day is over: the same place is taken again, for a new day.
    ProofFailure.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert throttle.proof_place_take(LOGIN, places=1, window=WINDOW) == 0
    assert ProofFailure.objects.get().expires_at > timezone.now() + WINDOW - timedelta(minutes=1)


@pytest.mark.django_db(transaction=True)
def test_places_taken_all_at_once_never_exceed_their_number():
    """Twelve attempts at once, each in its own transaction as in a registration."""
    if connection.vendor != "postgresql":
        # SQLite lets one writer at a time: a racy take would mostly pass here too.
        pytest.skip("concurrent transactions are tested on PostgreSQL (CI)")
    ProofFailure.objects.create(login=LOGIN, slot=1, expires_at=timezone.now())  # expired
    barrier, taken = threading.Barrier(12), []

    def attempt():
        barrier.wait()
        try:
            with transaction.atomic():
                slot = throttle.proof_place_take(LOGIN, places=3, window=WINDOW)
                time.sleep(0.05)  # the rest of the registration, its transaction still open
        finally:
            connections.close_all()
        if slot is not None:
            taken.append(slot)

    threads = [threading.Thread(target=attempt) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Three places went, each to one attempt, the expired one included; none is left.
    assert sorted(taken) == [0, 1, 2]
    assert throttle.proof_place_take(LOGIN, places=3, window=WINDOW) is None
    assert ProofFailure.objects.filter(login=LOGIN, expires_at__gt=timezone.now()).count() == 3
