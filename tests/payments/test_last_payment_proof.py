"""Step 4's « montant du dernier paiement »: compared through keyed digests, against the
payments extract's latest payment when the fund sent it, the registry's column otherwise."""

import datetime
from decimal import Decimal

import pytest

from registry.digests import amount_digest
from registry.models import Person
from tests.accounts.factories import make_person
from tests.payments import data
from verification.models import Proof
from verification.selectors import person_proof_matches

pytestmark = pytest.mark.django_db


def matches(person, amount: str) -> bool:
    """As the page keeps the typed amount: its keyed digest (verification.forms.AmountForm)."""
    typed = amount_digest(str(Decimal(amount).quantize(Decimal("0.01"))))
    return person_proof_matches(person=person, proof=Proof.AMOUNT, proof_digest=typed)


def test_without_payments_the_registry_digest_is_the_proof():
    person, _nir = make_person(dernier_paiement=Decimal("123.45"))
    assert person.last_payment_digest == amount_digest("123.45")
    assert matches(person, "123.45")
    assert not matches(person, "123.46")
    assert not matches(None, "123.45")
    nothing, _nir = make_person(dernier_paiement=None)
    assert not matches(nothing, "0.00")


def test_the_latest_payment_of_the_extract_wins_over_the_registry_column():
    person, _nir = make_person(dernier_paiement=Decimal("123.45"))
    data.payment(person, on=datetime.date(2025, 1, 6), amount="700.00")
    data.payment(person, on=datetime.date(2025, 2, 5), amount="812.40")
    data.payment(person, on=datetime.date(2025, 2, 5), amount="56.10", nature="maladie")
    # A recovery is money taken back, not a payment received: it is never « the last ».
    data.payment(person, on=datetime.date(2025, 2, 20), amount="-30.00")
    assert matches(person, "812.40")
    assert matches(person, "56.10")  # paid the same day: both are « the last »
    assert not matches(person, "700.00")
    assert not matches(person, "123.45")
    assert not matches(person, "30.00")  # the recovery, as a member might type it


def test_the_amount_is_nowhere_in_clear_in_the_registry():
    person, _nir = make_person(dernier_paiement=Decimal("123.45"))
    stored = str(list(Person.objects.filter(pk=person.pk).values_list()))
    assert "123.45" not in stored and "123,45" not in stored


@pytest.mark.django_db(transaction=True)
def test_the_migration_digests_the_amounts_already_held():
    """The way for a deployment whose registry holds amounts in clear: migrate, nothing else."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before = [("registry", "0006_import_queued")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps.get_model("registry", "Person")
    for number, amount in enumerate([Decimal("123.45"), None, Decimal("7")]):
        old.objects.create(
            nir_digest=f"digest-{number}",
            nir_masked="1 85 05 •• ••• •••",
            nom="GREAUX",
            prenoms="ODILE",
            date_naissance=datetime.date(1985, 5, 12),
            dernier_paiement=amount,
            profils="particulier",
            line_digest="l",
        )
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    digests = dict(Person.objects.values_list("nir_digest", "last_payment_digest"))
    assert digests == {
        "digest-0": amount_digest("123.45"),
        "digest-1": "",
        "digest-2": amount_digest("7.00"),
    }
    # The next import parses these lines again, the stored values having changed form.
    assert set(Person.objects.values_list("line_digest", flat=True)) == {"", "l"}
