"""Importing the extract of companies (`import_registry --companies`)."""

import pytest

from identity import normalize_employer_account
from registry.digests import employer_account_digest
from registry.models import Company, RegistryImport
from registry.services import registry_import
from tests.registry import factories
from tests.registry.conftest import registry_state

pytestmark = pytest.mark.django_db


def run(path, **options):
    return registry_import(path=path, kind="companies", **options)


def test_each_line_becomes_a_company_with_its_employer_account_digested(tmp_path):
    rows = [factories.company(1), factories.company(2, numero_compte_employeur="", email="")]
    record = run(factories.extract(tmp_path / "c.csv", rows, kind="companies"))

    assert (record.created, record.rejected) == (2, 0)
    company = Company.objects.get(siret=factories.siret(1))
    assert company.raison_sociale == "SARL L'Anse des Cayes"
    assert (company.adresse_4, company.adresse_5) == ("12 rue du Roi Oscar II", "Gustavia")
    assert company.employer_account_digest == employer_account_digest(
        normalize_employer_account("9770000001")
    )
    stored = " ".join(str(value) for value in Company.objects.values_list().get(pk=company.pk))
    assert "9770000001" not in stored
    assert Company.objects.get(siret=factories.siret(2)).employer_account_digest == ""


def test_a_second_import_changes_nothing_and_an_update_changes_what_changed(tmp_path):
    rows = [factories.company(1), factories.company(2)]
    path = factories.extract(tmp_path / "c.csv", rows, kind="companies")
    run(path)
    before = registry_state()
    again = run(path)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert registry_state() == before

    rows[0] = factories.company(1, raison_sociale="SAS L'Anse des Cayes")
    changed = run(factories.extract(tmp_path / "c2.csv", rows, kind="companies"))
    assert (changed.created, changed.updated, changed.unchanged) == (0, 1, 1)
    assert Company.objects.get(siret=factories.siret(1)).raison_sociale.startswith("SAS")


def test_a_siret_failing_its_check_is_rejected(tmp_path):
    bad = factories.siret(3)[:-1] + str((int(factories.siret(3)[-1]) + 1) % 10)
    rows = [factories.company(1), factories.company(3, siret=bad)]
    record = run(factories.extract(tmp_path / "c.csv", rows, kind="companies"))
    assert record.created == 1
    assert record.rejected_lines == [
        {
            "line": 3,
            "column": "siret",
            "reason": "Ce numéro SIRET n'est pas valide : vérifiez chaque chiffre.",
        }
    ]


def test_a_duplicated_siret_rejects_both_lines(tmp_path):
    rows = [factories.company(1), factories.company(2), factories.company(1)]
    record = run(factories.extract(tmp_path / "c.csv", rows, kind="companies"))
    assert [(e["line"], e["column"]) for e in record.rejected_lines] == [(2, "siret"), (4, "siret")]
    assert "(lignes 2 et 4)" in record.rejected_lines[0]["reason"]
    assert Company.objects.count() == 1


def test_a_persons_extract_given_as_companies_is_refused(tmp_path):
    path = factories.extract(tmp_path / "p.csv", [factories.person(1)])
    record = run(path)
    assert record.status == RegistryImport.Status.REFUSED
    assert "Ce fichier est l'extrait des personnes" in record.message
    assert not Company.objects.exists()
