"""The demo's payments and contributions: every nature and status, importable, and the demo
identity verified by the last payment still verifies."""

import csv
import datetime
from decimal import Decimal

import pytest
from django.core.management import call_command

from identity import parse_amount, parse_nir
from payments import demo as payments_demo
from payments.models import Contribution, Payment
from registry import demo as registry_demo
from registry.digests import amount_digest, nir_digest
from registry.models import Person
from verification.models import Proof
from verification.selectors import person_proof_matches

pytestmark = pytest.mark.django_db


def rows(path):
    with open(path, encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file, delimiter=";"))


def test_the_demo_extracts_cover_every_case_and_import_whole(tmp_path):
    persons, companies = tmp_path / "persons.csv", tmp_path / "companies.csv"
    registry = registry_demo.write(
        count=300, seed=5, persons_path=persons, companies_path=companies
    )
    payments, contributions = tmp_path / "payments.csv", tmp_path / "contributions.csv"
    today = datetime.date(2026, 12, 6)
    payments_demo.write(
        persons_path=persons,
        companies_path=companies,
        payments_path=payments,
        contributions_path=contributions,
        seed=5,
        today=today,
    )
    paid_rows, called_rows = rows(payments), rows(contributions)
    assert {row["nature"] for row in paid_rows} == set(Payment.Nature.values)
    assert any(row["montant"].startswith("-") for row in paid_rows)
    assert {row["statut"] for row in called_rows} == set(Contribution.Status.values)
    years = {row["date_paiement"][:4] for row in paid_rows}
    assert len(years) >= 3 and max(row["date_paiement"] for row in paid_rows) <= today.isoformat()

    call_command("import_registry", str(persons))
    call_command("import_registry", companies=str(companies))
    call_command("import_payments", str(payments))
    call_command("import_contributions", str(contributions))
    assert Payment.objects.count() == len(paid_rows)
    assert Contribution.objects.count() == len(called_rows)
    assert Contribution.objects.filter(company__isnull=False).exists()

    _first, _iban, paid, *_rest = registry.showcase
    person = Person.objects.get(nir_digest=nir_digest(parse_nir(paid["nir"]).body))
    printed = parse_amount(paid["dernier_paiement"])
    assert Payment.objects.filter(person=person).latest("date_paiement").montant == printed
    assert person_proof_matches(
        person=person, proof=Proof.AMOUNT, proof_digest=amount_digest(str(printed))
    )
    assert not person_proof_matches(
        person=person,
        proof=Proof.AMOUNT,
        proof_digest=amount_digest(str(printed + Decimal("0.01"))),
    )
