"""Importing the extract of persons: what is stored, what is reported, what changes."""

import datetime

import pytest

from audit.models import AuditEvent
from identity import parse_iban
from registry.digests import amount_digest, iban_digest, nir_digest, vitale_digest
from registry.models import Person, RegistryImport
from registry.services import registry_import
from tests.registry import factories
from tests.registry.conftest import registry_state

pytestmark = pytest.mark.django_db


def run(path, **options):
    return registry_import(path=path, kind="persons", **options)


def test_each_line_becomes_a_person_with_normalized_values(tmp_path):
    rows = [factories.person(1), factories.person(2, mobile="", email="", iban="")]
    record = run(factories.extract(tmp_path / "persons.csv", rows))

    assert record.status == RegistryImport.Status.DONE
    assert (record.created, record.updated, record.unchanged, record.rejected) == (2, 0, 0, 0)
    person = Person.objects.get(nir_digest=nir_digest(factories.nir(1)[:13]))
    assert person.nir_masked == "1 85 05 •• ••• •••"
    assert (person.nom, person.prenoms) == ("Gréaux", "Marie-Hélène, Louise")
    assert person.date_naissance == datetime.date(1985, 5, 12)
    assert (person.adresse_3, person.adresse_5) == ("Villa Les Alizés", "Lorient")
    assert (person.code_postal, person.commune, person.pays) == ("97133", "SAINT-BARTHELEMY", "")
    assert person.email == "marie1@example.org"
    assert person.mobile == "+590690123456"
    assert person.affilie_sante is True
    assert person.carte_vitale == "photo"
    assert person.vitale_serial_digest == vitale_digest("00000000001")  # the prefix dropped
    assert person.iban_digest == iban_digest(parse_iban(factories.iban(1)))
    assert person.last_payment_digest == amount_digest("123.45")
    assert person.profile_list == ["particulier"]
    other = Person.objects.get(nir_digest=nir_digest(factories.nir(2)[:13]))
    assert (other.mobile, other.email, other.iban_digest) == ("", "", "")


def test_identifiers_are_stored_only_as_digests_and_a_mask(tmp_path):
    row = factories.person(7, carte_vitale="sans_photo", numero_serie_vitale="1234 5678 90")
    bad = factories.person(8, nir=factories.nir(8)[:13] + "00")  # wrong key: rejected
    run(factories.extract(tmp_path / "persons.csv", [row, bad]))

    secrets = [row["nir"], row["nir"][:13], "1234567890", row["iban"], bad["nir"][:13]]
    stored = " ".join(str(value) for value in Person.objects.values_list().get())
    record = RegistryImport.objects.get()
    report = f"{record.rejected_lines} {record.message}"
    audit = str(list(AuditEvent.objects.values_list("data", flat=True)))
    for secret in secrets:
        assert secret not in stored
        assert secret not in report
        assert secret not in audit
    assert record.rejected_lines[0]["line"] == 3


def test_a_second_import_of_the_same_file_changes_nothing_and_says_so(tmp_path):
    path = factories.extract(tmp_path / "persons.csv", [factories.person(i) for i in (1, 2, 3)])
    run(path)
    before = registry_state()

    record = run(path)

    assert (record.created, record.updated, record.unchanged, record.rejected) == (0, 0, 3, 0)
    assert "Rien n'a changé" in record.message
    assert registry_state() == before  # updated_at included: not even rewritten


def test_a_changed_line_updates_what_changed_and_nothing_else(tmp_path):
    rows = [factories.person(i) for i in (1, 2, 3)]
    run(factories.extract(tmp_path / "v1.csv", rows))
    others = Person.objects.exclude(nir_digest=nir_digest(factories.nir(2)[:13]))
    others_before = list(others.order_by("pk").values_list())

    rows[1] = factories.person(2, adresse_5="Gustavia", iban=factories.iban(99))
    record = run(factories.extract(tmp_path / "v2.csv", rows))

    assert (record.created, record.updated, record.unchanged) == (0, 1, 2)
    second = Person.objects.get(nir_digest=nir_digest(factories.nir(2)[:13]))
    assert second.adresse_5 == "Gustavia"
    assert second.iban_digest == iban_digest(factories.iban(99))
    assert second.adresse_3 == "Villa Les Alizés"
    assert second.updated_at > second.created_at
    assert list(others.order_by("pk").values_list()) == others_before


def test_the_same_values_written_differently_are_not_a_change(tmp_path):
    run(factories.extract(tmp_path / "v1.csv", [factories.person(1)]))
    same = factories.person(
        1,
        nom="  Gréaux ",
        affilie_sante="OUI",
        mobile="+590 690 12 34 56",
        profils="particulier,particulier",
        dernier_paiement="123.45",
    )
    record = run(factories.extract(tmp_path / "v2.csv", [same]))
    assert (record.created, record.updated, record.unchanged) == (0, 0, 1)


def test_profiles_are_stored_in_a_fixed_order(tmp_path):
    row = factories.person(1, profils="cotisant_solidarite, Exploitant")
    run(factories.extract(tmp_path / "persons.csv", [row]))
    assert Person.objects.get().profile_list == ["exploitant", "cotisant_solidarite"]


def test_a_person_absent_from_a_new_extract_stays(tmp_path):
    run(factories.extract(tmp_path / "v1.csv", [factories.person(1), factories.person(2)]))
    record = run(factories.extract(tmp_path / "v2.csv", [factories.person(1)]))
    assert record.unchanged == 1
    assert Person.objects.count() == 2


def test_columns_may_come_in_another_order(tmp_path):
    from registry.lines import COLUMNS

    columns = list(reversed(COLUMNS["persons"]))
    row = factories.person(1)
    path = tmp_path / "persons.csv"
    path.write_text(";".join(columns) + "\n" + ";".join(row[c] for c in columns) + "\n")
    assert run(path).created == 1
    assert Person.objects.get().nom == "Gréaux"


def test_a_field_between_double_quotes_may_hold_a_semicolon(tmp_path):
    row = factories.person(1, adresse_3='"Résidence A; bâtiment B"')
    run(factories.extract(tmp_path / "persons.csv", [row]))
    assert Person.objects.get().adresse_3 == "Résidence A; bâtiment B"


def test_blank_lines_are_skipped_and_numbers_stay_those_of_the_file(tmp_path):
    rows = [factories.person(1), "", factories.person(2, date_naissance="1985-02-31")]
    record = run(factories.extract(tmp_path / "persons.csv", rows))
    assert (record.created, record.rejected) == (1, 1)
    assert record.rejected_lines[0]["line"] == 4


def test_each_import_is_recorded_with_an_audit_event(tmp_path, django_user_model):
    agent = django_user_model.objects.create_user("agent.dupont", password="x" * 16)
    path = factories.extract(tmp_path / "persons.csv", [factories.person(1), "x;y"])
    record = run(path, agent=agent)

    assert record.file_name == "persons.csv"
    assert record.finished_at is not None
    event = AuditEvent.objects.get(type=AuditEvent.Type.REGISTRY_IMPORT)
    assert event.actor == agent
    assert event.data == {
        "import_id": record.pk,
        "kind": "persons",
        "file_name": "persons.csv",
        "status": "done",
        "created": 1,
        "updated": 0,
        "unchanged": 0,
        "rejected": 1,
    }


def test_the_report_keeps_the_first_rejected_lines_and_counts_them_all(tmp_path, monkeypatch):
    monkeypatch.setattr("registry.services.REJECTED_LINES_KEPT", 3)
    rows = [factories.person(i, profils="retraite") for i in range(1, 7)]
    record = run(factories.extract(tmp_path / "persons.csv", rows))
    assert record.rejected == 6
    assert [entry["line"] for entry in record.rejected_lines] == [2, 3, 4]
    assert "3 premières" in record.message


def test_progress_is_reported_up_to_the_whole_file(tmp_path):
    path = factories.extract(tmp_path / "persons.csv", [factories.person(i) for i in (1, 2)])
    calls = []
    run(path, progress=lambda done, total: calls.append((done, total)))
    assert calls[-1] == (path.stat().st_size, path.stat().st_size)


def test_parsing_processes_give_the_same_result(tmp_path, monkeypatch):
    monkeypatch.setattr("registry.services.CHUNK_LINES", 3)
    monkeypatch.setattr("registry.services.BLOCK_BYTES", 256)
    rows = [factories.person(i) for i in range(1, 11)]
    rows[4] = factories.person(5, nir=factories.nir(5)[:14])
    rows[8] = factories.person(2)  # the same NIR as line 3
    path = factories.extract(tmp_path / "persons.csv", rows)

    record = run(path, workers=2)
    stored = stored_values()

    assert (record.created, record.rejected) == (7, 3)
    assert [entry["line"] for entry in record.rejected_lines] == [3, 6, 10]
    Person.objects.all().delete()
    again = run(path, workers=0)
    assert again.rejected_lines == record.rejected_lines
    assert stored_values() == stored


def stored_values():
    ignored = {"id", "created_at", "updated_at"}
    fields = [f.name for f in Person._meta.concrete_fields if f.name not in ignored]
    return sorted(Person.objects.values_list(*fields))


def test_the_report_is_written_in_the_site_language_whoever_starts_it(tmp_path):
    from django.utils import translation

    path = factories.extract(tmp_path / "persons.csv", [factories.person(1, profils="")])
    with translation.override("en"):
        record = run(path)
    assert record.rejected_lines[0]["reason"] == "Aucun profil : indiquez-en au moins un."
    assert record.message.startswith("Créés : 0 ;")


def test_lines_the_registry_already_holds_are_not_parsed_again(tmp_path, monkeypatch):
    import registry.services

    parsed = []
    parse_block = registry.services.parse_block

    def counting(*args, **kwargs):
        rows, rejects, lines_parsed = parse_block(*args, **kwargs)
        parsed.extend([None] * lines_parsed)
        return rows, rejects, lines_parsed

    # Few lines: parsed in this process.
    monkeypatch.setattr(registry.services, "parse_block", counting)
    rows = [factories.person(i) for i in (1, 2, 3)]
    run(factories.extract(tmp_path / "v1.csv", rows))
    assert len(parsed) == 3

    rows[2] = factories.person(3, nom="  GRÉAUX")  # another spelling, the same person
    parsed.clear()
    record = run(factories.extract(tmp_path / "v2.csv", rows))
    assert len(parsed) == 1
    assert (record.updated, record.unchanged) == (1, 2)

    parsed.clear()
    again = run(factories.extract(tmp_path / "v3.csv", rows))
    assert parsed == []
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
