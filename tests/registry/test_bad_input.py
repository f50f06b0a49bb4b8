"""Bad input: each case gives a clear French message; a refused file changes nothing."""

from unittest import mock

import pytest

from registry.digests import nir_digest
from registry.models import Person, RegistryImport
from registry.services import registry_import
from tests.registry import factories
from tests.registry.conftest import registry_state

pytestmark = pytest.mark.django_db


def run(path, kind="persons", **options):
    return registry_import(path=path, kind=kind, **options)


@pytest.fixture
def registry(tmp_path):
    """A registry holding persons 1 and 2; returns its state."""
    run(factories.extract(tmp_path / "previous.csv", [factories.person(1), factories.person(2)]))
    return registry_state()


def assert_refused(record, *fragments):
    assert record.status == RegistryImport.Status.REFUSED
    for fragment in fragments:
        assert fragment in record.message
    assert record.message.endswith("Le registre n'a pas changé.")
    assert (record.created, record.updated, record.rejected) == (0, 0, 0)


def only_rejection(record, line, column):
    """The single rejected line of an import whose other lines went in."""
    assert record.status == RegistryImport.Status.DONE
    assert record.rejected == 1
    [entry] = record.rejected_lines
    assert (entry["line"], entry["column"]) == (line, column)
    return entry["reason"]


# --- Lines rejected, the rest imported ------------------------------------------------------


def test_a_nir_with_a_wrong_key_is_rejected(tmp_path):
    wrong = factories.nir(3)[:13] + f"{(int(factories.nir(3)[13:]) + 1) % 97:02d}"
    path = factories.extract(
        tmp_path / "p.csv", [factories.person(1), factories.person(3, nir=wrong)]
    )
    record = run(path)
    reason = only_rejection(record, 3, "nir")
    assert reason.startswith("La clé (les 2 derniers chiffres) ne correspond pas")
    assert record.created == 1


def test_a_nir_of_14_characters_is_rejected(tmp_path):
    row = factories.person(3, nir=factories.nir(3)[:14])
    record = run(factories.extract(tmp_path / "p.csv", [factories.person(1), row]))
    reason = only_rejection(record, 3, "nir")
    assert reason == "Le numéro de Sécurité Sociale doit comporter 15 chiffres (avec la clé)."


def test_a_date_written_31_02_1980_is_rejected_for_its_format(tmp_path):
    row = factories.person(3, date_naissance="31/02/1980")
    record = run(factories.extract(tmp_path / "p.csv", [row, factories.person(1)]))
    reason = only_rejection(record, 2, "date_naissance")
    assert reason == (
        "La date « 31/02/1980 » n'est pas au format AAAA-MM-JJ (par exemple 1985-12-25)."
    )


def test_a_date_that_does_not_exist_is_rejected(tmp_path):
    row = factories.person(3, date_naissance="1985-02-31")
    record = run(factories.extract(tmp_path / "p.csv", [row]))
    reason = only_rejection(record, 2, "date_naissance")
    assert reason == "La date 1985-02-31 n'existe pas : vérifiez le jour et le mois."


def test_a_date_of_birth_other_than_the_nir_says_is_rejected(tmp_path):
    row = factories.person(3, date_naissance="1986-05-12")
    reason = only_rejection(run(factories.extract(tmp_path / "p.csv", [row])), 2, "date_naissance")
    assert "ne correspond pas à l'année et au mois de naissance" in reason


def test_an_unknown_profile_is_rejected_and_named(tmp_path):
    row = factories.person(3, profils="particulier,retraite")
    reason = only_rejection(run(factories.extract(tmp_path / "p.csv", [row])), 2, "profils")
    assert reason == (
        "Profil inconnu : « retraite ». Profils possibles : particulier, exploitant, "
        "employeur_jardinier, cotisant_solidarite."
    )


def test_a_duplicated_nir_rejects_both_lines_and_names_them(tmp_path, registry):
    rows = [
        factories.person(1, nom="Lédée"),
        factories.person(3),
        factories.person(1, nom="Questel"),
    ]
    record = run(factories.extract(tmp_path / "p.csv", rows))

    assert record.rejected == 2
    assert [(e["line"], e["column"]) for e in record.rejected_lines] == [(2, "nir"), (4, "nir")]
    for entry in record.rejected_lines:
        assert entry["reason"] == (
            "Identifiant en double dans le fichier (lignes 2 et 4) : aucune de ces lignes "
            "n'est importée."
        )
    # The person the registry held keeps what it held; the other line went in.
    assert Person.objects.get(nir_digest=nir_digest(factories.nir(1)[:13])).nom == "Gréaux"
    assert record.created == 1


def test_a_line_with_a_missing_column_is_rejected(tmp_path):
    fields = factories.line(factories.person(3)).split(";")
    short = ";".join(fields[:5] + fields[6:])
    record = run(factories.extract(tmp_path / "p.csv", [factories.person(1), short]))
    reason = only_rejection(record, 3, "")
    assert reason == (
        "La ligne compte 18 colonnes au lieu de 19 : une colonne manque ou un point-virgule "
        "est en trop."
    )


@pytest.mark.parametrize(
    ("column", "value", "reason"),
    [
        ("email", "marie@", "L'adresse email n'est pas valide."),
        ("mobile", "0590 27 60 60", "Ce numéro n'est pas celui d'un téléphone mobile"),
        ("iban", "FR7630006000010000000000541", "L'IBAN comporte une erreur"),
        ("dernier_paiement", "12,345", "2 chiffres après la virgule au plus"),
        ("numero_serie_vitale", "12AB", "ne contient que des chiffres"),
        ("affilie_sante", "peut-être", "« oui » ou « non »"),
        ("carte_vitale", "verte", "« photo », « sans_photo » ou vide"),
        ("code_postal", "9713", "5 chiffres"),
        ("nom", "", "Renseigner cette information."),
        ("nom", "Gré\x00aux", "caractère de contrôle"),
        ("adresse_4", "x" * 101, "101 caractères ; 100 au plus"),
        ("profils", "", "Aucun profil"),
    ],
)
def test_other_bad_values_are_rejected_with_their_reason(tmp_path, column, value, reason):
    row = factories.person(3, **{column: value})
    found = only_rejection(run(factories.extract(tmp_path / "p.csv", [row])), 2, column)
    assert reason in found


def test_an_unclosed_quote_is_rejected(tmp_path):
    row = factories.person(3, adresse_3='"Résidence A')
    reason = only_rejection(run(factories.extract(tmp_path / "p.csv", [row])), 2, "")
    assert reason.startswith("Guillemets mal placés")


# --- Files refused as a whole: the registry stays as it was ----------------------------------


def test_a_latin_1_file_is_refused_with_the_line_of_the_first_invalid_byte(tmp_path, registry):
    rows = [
        factories.person(3, nom="Martin", prenoms="Louise", adresse_3=""),
        factories.person(4, nom="Gréaux", prenoms="Louise"),
    ]
    path = factories.extract(tmp_path / "p.csv", rows, encoding="latin-1")

    record = run(path)

    assert_refused(
        record,
        "Le fichier n'est pas encodé en UTF-8 : octet invalide ligne 3, position 19.",
        "importez-le avec l'encodage latin-1",
    )
    assert registry_state() == registry


def test_a_latin_1_file_is_read_correctly_when_its_encoding_is_given(tmp_path):
    rows = [factories.person(3, nom="Gréaux", prenoms="Noël")]
    path = factories.extract(tmp_path / "p.csv", rows, encoding="latin-1")
    record = run(path, encoding="latin-1")
    assert record.created == 1
    assert (Person.objects.get().nom, Person.objects.get().prenoms) == ("Gréaux", "Noël")


def test_a_utf_8_file_imported_as_latin_1_is_refused(tmp_path, registry):
    path = factories.extract(tmp_path / "p.csv", [factories.person(3)])
    assert_refused(run(path, encoding="latin-1"), "semble encodé en UTF-8 (ligne 2)")
    assert registry_state() == registry


def test_a_utf_8_file_with_a_byte_order_mark_is_read_correctly(tmp_path):
    path = factories.extract(tmp_path / "p.csv", [factories.person(3)], encoding="utf-8-sig")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    record = run(path)
    assert (record.created, record.rejected) == (1, 0)
    assert Person.objects.get().nom == "Gréaux"


def test_a_file_separated_by_commas_is_refused_and_says_so(tmp_path, registry):
    path = tmp_path / "p.csv"
    path.write_text(factories.PERSON_HEADER.replace(";", ",") + "\n" + "x,y\n")
    assert_refused(run(path), "virgule (,) comme séparateur", "point-virgule (;)")
    assert registry_state() == registry


def test_an_empty_file_is_refused(tmp_path, registry):
    path = tmp_path / "p.csv"
    path.write_bytes(b"")
    assert_refused(run(path), "Le fichier est vide.")
    assert registry_state() == registry


def test_a_file_with_a_header_only_is_refused_as_nothing_to_import(tmp_path, registry):
    path = factories.extract(tmp_path / "p.csv", [])
    assert_refused(run(path), "ne contient que la ligne d'en-tête : aucune ligne à importer")
    assert registry_state() == registry


def test_a_wrong_header_names_the_missing_and_unknown_columns(tmp_path, registry):
    header = factories.PERSON_HEADER.replace("iban", "rib").replace(";profils", "")
    path = factories.extract(tmp_path / "p.csv", [], header=header)
    assert_refused(run(path), "Colonnes manquantes : iban, profils. Colonnes inconnues : rib.")
    assert registry_state() == registry


def test_a_companies_extract_given_as_persons_is_refused_with_the_right_option(tmp_path, registry):
    path = factories.extract(tmp_path / "c.csv", [factories.company(1)], kind="companies")
    assert_refused(run(path), "Ce fichier est l'extrait des entreprises", "--companies")
    assert registry_state() == registry


def test_a_header_with_a_repeated_column_is_refused(tmp_path, registry):
    path = factories.extract(tmp_path / "p.csv", [], header=factories.PERSON_HEADER + ";nom")
    assert_refused(run(path), "L'en-tête du fichier répète des colonnes : nom.")
    assert registry_state() == registry


def test_an_unreadable_file_is_refused(tmp_path, registry):
    assert_refused(run(tmp_path / "missing.csv"), "Impossible de lire le fichier")
    assert registry_state() == registry


# --- A file broken halfway, an import interrupted: nothing half-written -----------------------


def test_a_file_broken_halfway_changes_nothing(tmp_path, registry, monkeypatch):
    monkeypatch.setattr("registry.services.CHUNK_LINES", 2)
    monkeypatch.setattr("registry.services.BLOCK_BYTES", 256)
    rows = [factories.person(1, nom="Changé")] + [factories.person(i) for i in range(3, 9)]
    path = factories.extract(tmp_path / "p.csv", rows)
    path.write_bytes(path.read_bytes() + b"\xff\xfe broken\n")

    record = run(path)

    assert_refused(record, "octet invalide ligne 9")
    assert registry_state() == registry


def test_an_import_that_fails_while_merging_leaves_the_registry_as_it_was(tmp_path, registry):
    rows = [factories.person(1, nom="Changé"), factories.person(3)]
    path = factories.extract(tmp_path / "p.csv", rows)

    with (
        mock.patch("registry.staging.Staging.merge", side_effect=RuntimeError("disk full")),
        pytest.raises(RuntimeError),
    ):
        run(path)

    assert registry_state() == registry
    record = RegistryImport.objects.latest("pk")
    assert record.status == RegistryImport.Status.FAILED
    assert record.message == (
        "L'import s'est arrêté avant la fin (RuntimeError) : le registre n'a pas changé."
    )


def test_an_import_interrupted_at_a_later_batch_leaves_the_registry_as_it_was(
    tmp_path, registry, monkeypatch
):
    monkeypatch.setattr("registry.services.CHUNK_LINES", 2)
    monkeypatch.setattr("registry.services.BLOCK_BYTES", 256)
    rows = [factories.person(1, nom="Changé")] + [factories.person(i) for i in range(3, 9)]
    path = factories.extract(tmp_path / "p.csv", rows)
    from registry.staging import Staging

    write = Staging.write
    batches = []

    def write_then_stop(self, staged):
        batches.append(len(staged))
        if len(batches) == 3:
            raise KeyboardInterrupt
        write(self, staged)

    monkeypatch.setattr(Staging, "write", write_then_stop)
    with pytest.raises(KeyboardInterrupt):
        run(path)

    assert registry_state() == registry
    assert RegistryImport.objects.latest("pk").status == RegistryImport.Status.FAILED


@pytest.mark.parametrize("appended", [1, 100])
def test_a_file_modified_during_the_import_is_refused(tmp_path, registry, monkeypatch, appended):
    path = factories.extract(tmp_path / "p.csv", [factories.person(1, nom="Changé")])
    from registry.staging import Staging

    lines_to_parse = Staging.lines_to_parse

    def then_append(self):
        with open(path, "a", encoding="utf-8") as file:
            for order in range(4, 4 + appended):
                file.write(factories.line(factories.person(order)) + "\n")
        return lines_to_parse(self)

    monkeypatch.setattr(Staging, "lines_to_parse", then_append)
    assert_refused(run(path), "Le fichier a été modifié pendant l'import : relancez-le.")
    assert registry_state() == registry


def test_an_unexpected_error_on_a_line_is_reported_without_the_line(tmp_path, monkeypatch):
    row = factories.person(3)

    def broken(raw, **options):
        raise ValueError(f"cannot read {raw}")

    monkeypatch.setattr("registry.lines.parse_iban", broken)
    record = run(factories.extract(tmp_path / "p.csv", [row, factories.person(4, iban="")]))
    reason = only_rejection(record, 2, "")
    assert reason == "Erreur inattendue en lisant cette ligne (ValueError) : signalez-la."
    assert row["iban"] not in str(record.rejected_lines)
    assert record.created == 1


def test_a_file_without_its_header_is_refused_without_quoting_the_first_line(tmp_path, registry):
    row = factories.person(3)
    path = tmp_path / "p.csv"
    path.write_text(factories.line(row) + "\n", encoding="utf-8")
    record = run(path)
    assert_refused(record, "La première ligne n'est pas l'en-tête", "« nir;nom;prenoms;")
    assert row["nir"] not in record.message and row["iban"] not in record.message
    assert registry_state() == registry
