"""Importing the payments' and contributions' extracts: stored, reported, idempotent."""

import datetime
from decimal import Decimal

import pytest

from payments.lines import CONTRIBUTIONS, PAYMENTS
from payments.models import Contribution, Payment
from registry.digests import nir_digest
from registry.models import Company, Person, RegistryImport
from registry.services import registry_import
from tests.payments import factories
from tests.registry import factories as registry_factories

pytestmark = pytest.mark.django_db


def run(path, kind=PAYMENTS, **options):
    return registry_import(path=path, kind=kind, **options)


def test_payments_are_stored_against_the_registry_person_and_reimported_unchanged(tmp_path):
    factories.registry_with(tmp_path, 1, 2)
    rows = [
        factories.payment(1),
        factories.payment(2, order=2, montant="-45.5", nature="maladie", libelle="Indu"),
        factories.payment(3, periode_debut="", periode_fin="", montant="1 234,50"),
    ]
    path = factories.extract(tmp_path / "payments.csv", rows)
    record = run(path)
    assert (record.status, record.created, record.rejected) == ("done", 3, 0)
    first = Payment.objects.get(reference="PAI-00000001")
    assert first.person == Person.objects.get(nir_masked__startswith="1 85 05", pk=first.person_id)
    assert (first.montant, first.nature, first.date_paiement) == (
        Decimal("1234.56"),
        "retraite",
        datetime.date(2025, 3, 5),
    )
    assert first.periode_debut == datetime.date(2025, 2, 1)
    recovery = Payment.objects.get(reference="PAI-00000002")
    assert recovery.montant == Decimal("-45.50")
    assert recovery.person != first.person
    assert Payment.objects.get(reference="PAI-00000003").periode_debut is None

    again = run(path)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    changed = factories.extract(
        tmp_path / "v2.csv", [factories.payment(1, libelle="Pension rectifiée"), *rows[1:]]
    )
    third = run(changed)
    assert (third.created, third.updated, third.unchanged) == (0, 1, 2)
    assert Payment.objects.get(reference="PAI-00000001").libelle == "Pension rectifiée"


@pytest.mark.parametrize(
    ("columns", "column", "reason"),
    [
        ({"nir": "185059770100199"}, "nir", "clé"),
        ({"reference": ""}, "reference", "Renseigner cette information."),
        ({"reference": "PAI 1"}, "reference", "40 caractères au plus"),
        ({"date_paiement": "05/03/2025"}, "date_paiement", "format AAAA-MM-JJ"),
        ({"date_paiement": "2025-02-30"}, "date_paiement", "n'existe pas"),
        ({"montant": "12,345"}, "montant", "2 chiffres après la virgule"),
        ({"montant": "douze"}, "montant", "en chiffres"),
        ({"nature": "loterie"}, "nature", "Valeur inconnue : « loterie »"),
        ({"libelle": ""}, "libelle", "Renseigner cette information."),
        ({"periode_fin": ""}, "periode_fin", "un début et une fin"),
        ({"periode_debut": "2025-03-01"}, "periode_fin", "précède son début"),
    ],
)
def test_a_bad_payment_line_is_rejected_with_its_column_and_reason(
    tmp_path, columns, column, reason
):
    factories.registry_with(tmp_path, 1)
    rows = [factories.payment(1), factories.payment(2, **columns)]
    record = run(factories.extract(tmp_path / "payments.csv", rows))
    assert (record.created, record.rejected) == (1, 1)
    (entry,) = record.rejected_lines
    assert (entry["line"], entry["column"]) == (3, column)
    assert reason in entry["reason"]
    assert not Payment.objects.filter(reference="PAI-00000002").exists()


def test_a_payment_of_a_nir_not_in_the_registry_is_rejected_without_quoting_it(tmp_path):
    factories.registry_with(tmp_path, 1)
    rows = [factories.payment(1), factories.payment(2, order=7)]
    record = run(factories.extract(tmp_path / "payments.csv", rows))
    assert (record.created, record.rejected) == (1, 1)
    (entry,) = record.rejected_lines
    assert (entry["line"], entry["column"]) == (3, "nir")
    assert "n'est pas dans le registre" in entry["reason"]
    assert registry_factories.nir(7) not in str(record.rejected_lines) + record.message


def test_a_reference_on_two_lines_rejects_both(tmp_path):
    factories.registry_with(tmp_path, 1)
    rows = [factories.payment(1), factories.payment(1, montant="2,00"), factories.payment(2)]
    record = run(factories.extract(tmp_path / "payments.csv", rows))
    assert (record.created, record.rejected) == (1, 2)
    assert {entry["line"] for entry in record.rejected_lines} == {2, 3}
    assert "double" in record.rejected_lines[0]["reason"]


def test_the_registry_extract_given_as_payments_is_refused_whole(tmp_path):
    path = registry_factories.extract(tmp_path / "x.csv", [registry_factories.person(1)])
    record = run(path)
    assert record.status == RegistryImport.Status.REFUSED
    assert "Colonnes manquantes" in record.message
    contributions = factories.extract(
        tmp_path / "c.csv", [factories.contribution(1)], kind=CONTRIBUTIONS
    )
    assert "import_contributions" in run(contributions).message
    assert not Payment.objects.exists()


def test_contributions_of_a_person_and_of_a_company(tmp_path):
    factories.registry_with(tmp_path, 1, companies=(1,))
    rows = [
        factories.contribution(1, statut="en_retard"),
        factories.contribution(
            2,
            identifiant=registry_factories.siret(1),
            periode="2025-03",
            montant_paye="850",
            statut="paye",
        ),
    ]
    record = run(factories.extract(tmp_path / "c.csv", rows, kind=CONTRIBUTIONS), CONTRIBUTIONS)
    assert (record.created, record.rejected) == (2, 0)
    mine = Contribution.objects.get(reference="COT-00000001")
    assert mine.person is not None and mine.company is None
    assert mine.statut == "en_retard" and mine.periode == "2025-T1"
    company = Contribution.objects.get(reference="COT-00000002")
    assert company.company == Company.objects.get() and company.person is None
    assert company.montant_paye == Decimal("850.00")


@pytest.mark.parametrize(
    ("columns", "column", "reason"),
    [
        ({"identifiant": "12345678901234"}, "identifiant", "SIRET"),
        ({"identifiant": registry_factories.siret(9)}, "identifiant", "pas dans le registre"),
        ({"periode": "2025-Q1"}, "periode", "AAAA-Tn"),
        ({"periode": "2025-13"}, "periode", "AAAA-MM"),
        ({"montant_appele": "-3"}, "montant_appele", "négatif"),
        ({"statut": "annule"}, "statut", "Valeur inconnue"),
        ({"date_echeance": ""}, "date_echeance", "Renseigner cette information."),
    ],
)
def test_a_bad_contribution_line_is_rejected(tmp_path, columns, column, reason):
    factories.registry_with(tmp_path, 1, companies=(1,))
    rows = [factories.contribution(1), factories.contribution(2, **columns)]
    path = factories.extract(tmp_path / "c.csv", rows, kind=CONTRIBUTIONS)
    record = run(path, CONTRIBUTIONS)
    assert (record.created, record.rejected) == (1, 1)
    (entry,) = record.rejected_lines
    assert (entry["line"], entry["column"]) == (3, column)
    assert reason in entry["reason"]


def test_an_import_that_fails_leaves_the_previous_payments_whole(tmp_path, monkeypatch):
    factories.registry_with(tmp_path, 1)
    run(factories.extract(tmp_path / "v1.csv", [factories.payment(1)]))
    before = list(Payment.objects.values_list())

    from registry.staging import Staging

    def broken(self, now, **options):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(Staging, "merge", broken)
    rows = [factories.payment(1, montant="1,00"), factories.payment(2)]
    with pytest.raises(RuntimeError):
        run(factories.extract(tmp_path / "v2.csv", rows))
    assert list(Payment.objects.values_list()) == before
    assert RegistryImport.objects.order_by("-pk").first().status == RegistryImport.Status.FAILED


def test_the_commands_print_the_report(tmp_path, capsys):
    from django.core.management import call_command

    factories.registry_with(tmp_path, 1)
    path = factories.extract(
        tmp_path / "p.csv", [factories.payment(1), factories.payment(2, nature="x")]
    )
    call_command("import_payments", str(path))
    out = capsys.readouterr().out
    assert "Ligne 3 [nature] : Valeur inconnue" in out
    assert "Import de l'extrait des paiements « p.csv » terminé" in out
    cpath = factories.extract(tmp_path / "c.csv", [factories.contribution(1)], kind=CONTRIBUTIONS)
    call_command("import_contributions", str(cpath))
    assert "Créés : 1" in capsys.readouterr().out


# --- A first import (into an empty table) is read once; the others twice -------------------


def stored_payments():
    return sorted(
        Payment.objects.values_list(
            "reference",
            "person_id",
            "date_paiement",
            "montant",
            "nature",
            "libelle",
            "periode_debut",
            "periode_fin",
            "line_digest",
        )
    )


def test_a_first_import_stores_and_reports_as_an_import_into_a_table_holding_payments(tmp_path):
    factories.registry_with(tmp_path, 1, 2)
    rows = [
        factories.payment(1),
        "",
        factories.payment(2, order=2, montant="-7", periode_debut="", periode_fin=""),
        factories.payment(3, nature="loterie"),
        "   ",
        factories.payment(4, order=9),
        factories.payment(5, libelle="  Pension   de réversion "),
    ]
    path = factories.extract(tmp_path / "payments.csv", rows)
    first = run(path)
    assert (first.created, first.rejected) == (3, 2)
    assert [entry["line"] for entry in first.rejected_lines] == [5, 7]
    held_alone = stored_payments()

    # The same file into a table that already holds another payment: read twice.
    Payment.objects.all().delete()
    run(factories.extract(tmp_path / "other.csv", [factories.payment(99)]))
    second = run(path)
    assert (second.created, second.rejected) == (3, 2)
    assert second.rejected_lines == first.rejected_lines
    assert [row for row in stored_payments() if row[0] != "PAI-00000099"] == held_alone
    assert run(path).unchanged == 3


def test_a_first_import_with_a_bad_byte_on_a_late_line_is_refused_whole(tmp_path):
    factories.registry_with(tmp_path, 1)
    path = factories.extract(tmp_path / "p.csv", [factories.payment(n) for n in range(1, 9)])
    path.write_bytes(path.read_bytes() + b"1850597701001;PAI-9;2025-03-05;1;autre;Caf\xe9;;\n")
    record = run(path)
    assert record.status == RegistryImport.Status.REFUSED
    assert "octet invalide ligne 10" in record.message
    assert not Payment.objects.exists()


def test_a_first_import_of_a_header_alone_is_refused(tmp_path):
    record = run(factories.extract(tmp_path / "p.csv", ["", " "]))
    assert record.status == RegistryImport.Status.REFUSED
    assert "ne contient que la ligne d'en-tête" in record.message


def test_a_first_import_interrupted_at_a_later_batch_leaves_the_table_empty(tmp_path, monkeypatch):
    factories.registry_with(tmp_path, 1)
    from registry.staging import Staging

    monkeypatch.setattr("registry.services.CHUNK_LINES", 2)
    monkeypatch.setattr("registry.services.BLOCK_BYTES", 256)
    write, batches = Staging.write, []

    def write_then_stop(self, staged):
        batches.append(staged)
        if len(batches) == 3:
            raise KeyboardInterrupt
        write(self, staged)

    monkeypatch.setattr(Staging, "write", write_then_stop)
    path = factories.extract(tmp_path / "p.csv", [factories.payment(n) for n in range(1, 9)])
    with pytest.raises(KeyboardInterrupt):
        run(path, workers=0)
    assert not Payment.objects.exists()
    assert RegistryImport.objects.latest("pk").status == RegistryImport.Status.FAILED


def test_a_first_import_refuses_a_byte_not_in_the_encoding_by_its_line_and_position(tmp_path):
    factories.registry_with(tmp_path, 1)
    rows = [factories.payment(n) for n in range(1, 6)]
    rows[2]["libelle"] = "Pension d\udce9c\udce8s"  # « décès » written in Latin-1, line 4
    path = tmp_path / "p.csv"
    lines = [factories.PAYMENT_HEADER] + [";".join(row.values()) for row in rows]
    path.write_bytes("\n".join(lines).encode("utf-8", "surrogateescape") + b"\n")
    position = len(";".join(list(rows[2].values())[:5])) + len(";Pension d") + 1

    record = run(path)

    assert record.status == RegistryImport.Status.REFUSED
    assert f"octet invalide ligne 4, position {position}." in record.message
    assert not Payment.objects.exists()


def test_a_first_import_as_latin_1_of_a_utf_8_file_is_refused(tmp_path):
    factories.registry_with(tmp_path, 1)
    rows = [factories.payment(1), factories.payment(2, libelle="Indemnités journalières")]
    record = run(factories.extract(tmp_path / "p.csv", rows), encoding="latin-1")
    assert record.status == RegistryImport.Status.REFUSED
    assert "semble encodé en UTF-8 (ligne 3)" in record.message
    assert not Payment.objects.exists()


def test_a_first_import_of_lines_ended_by_crlf_stores_them_as_lf_lines(tmp_path):
    factories.registry_with(tmp_path, 1)
    rows = [factories.payment(n) for n in range(1, 4)]
    path = factories.extract(tmp_path / "p.csv", rows)
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    assert run(path).created == 3
    stored = set(Payment.objects.values_list("line_digest", "reference", "montant", "periode_fin"))

    Payment.objects.all().delete()
    assert run(factories.extract(tmp_path / "lf.csv", rows)).created == 3
    again = Payment.objects.values_list("line_digest", "reference", "montant", "periode_fin")
    assert set(again) == stored


def test_a_first_import_of_one_line_without_a_line_end_imports_it(tmp_path):
    factories.registry_with(tmp_path, 1)
    path = factories.extract(tmp_path / "p.csv", [factories.payment(1)])
    path.write_text(path.read_text(encoding="utf-8").rstrip("\n"), encoding="utf-8")
    assert run(path).created == 1


# --- The messages name the payments or the contributions, not the registry -----------------


def test_the_messages_name_the_payments_or_the_contributions_not_the_registry(
    tmp_path, monkeypatch
):
    from django.core.management import CommandError, call_command

    from registry.services import registry_imports_interrupted_close

    factories.registry_with(tmp_path, 1)
    path = factories.extract(tmp_path / "p.csv", [factories.payment(1)])
    run(path)
    assert run(path).message.endswith("Rien n'a changé : les paiements étaient déjà à jour.")
    refused = run(factories.extract(tmp_path / "empty.csv", []))
    assert refused.message.endswith(". Les paiements n'ont pas changé.")
    contributions = factories.extract(tmp_path / "c.csv", [], kind=CONTRIBUTIONS)
    assert run(contributions, CONTRIBUTIONS).message.endswith("Les cotisations n'ont pas changé.")

    killed = RegistryImport.objects.create(kind=PAYMENTS, file_name="p.csv", pid=None)
    assert registry_imports_interrupted_close() == 1
    killed.refresh_from_db()
    assert killed.message.endswith("redémarrage du serveur). Les paiements n'ont pas changé.")

    from registry.staging import Staging

    def broken(self, now, **options):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(Staging, "merge", broken)
    with pytest.raises(RuntimeError):
        run(path)
    failed = RegistryImport.objects.latest("pk")
    assert failed.message == (
        "L'import s'est arrêté avant la fin (RuntimeError) : les paiements n'ont pas changé."
    )

    def interrupted(**options):
        raise KeyboardInterrupt

    monkeypatch.setattr("registry.command.registry_import", interrupted)
    with pytest.raises(CommandError, match="Import interrompu : les cotisations n'ont pas changé"):
        call_command("import_contributions", str(contributions))
    messages = RegistryImport.objects.values_list("message", flat=True)
    assert not any("registre n'a pas changé" in message for message in messages)


def test_a_reimport_updates_what_changed_even_a_null_or_the_person_and_nothing_else(tmp_path):
    factories.registry_with(tmp_path, 1, 2)
    rows = [factories.payment(n) for n in range(1, 5)]
    rows[0].update(periode_debut="", periode_fin="")
    assert run(factories.extract(tmp_path / "v1.csv", rows)).created == 4

    rows[0].update(periode_debut="2025-02-01", periode_fin="2025-02-28")  # a NULL given a value
    rows[1].update(nir=registry_factories.nir(2))  # paid to the other person
    rows[2].update(libelle="  Pension   de retraite de base ")  # the same value, written apart
    record = run(factories.extract(tmp_path / "v2.csv", rows))

    assert (record.created, record.updated, record.unchanged) == (0, 2, 2)
    first, second = (Payment.objects.get(reference=r["reference"]) for r in rows[:2])
    assert first.periode_debut == datetime.date(2025, 2, 1)
    assert second.person.nir_digest == nir_digest(registry_factories.nir(2)[:13])
    # The line written apart is remembered: the next import skips it as held.
    assert run(factories.extract(tmp_path / "v3.csv", rows)).unchanged == 4
