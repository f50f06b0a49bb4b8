"""The Vitale serial column: every form the contract lists finds the same person.

docs/product.md §6 and docs/decisions/vitale-serial.md: a photo card's number may be held whole (20
digits from 802500002) or as the 11 digits after that prefix, with or without spaces; a card
without photo by the number on its back. One canonical digest is stored whichever form the
file holds, and it is the one the registration computes whichever form the person types.
"""

import pytest

from identity import normalize_vitale_serial
from registry.digests import nir_digest, vitale_digest
from registry.models import Person, RegistryImport
from registry.services import registry_import
from tests.registry import factories

pytestmark = pytest.mark.django_db

SHORT = "31415926535"
HELD = {  # order in the extract: the form the fund's file holds
    1: ("photo", "802500002" + SHORT),
    2: ("photo", SHORT),
    3: ("photo", "80250 0002 3141 5926 535"),
    4: ("photo", "802500002 31415926535"),
    5: ("", "802500002" + SHORT),  # card type not given
    6: ("sans_photo", "2718 2818 28"),
}
TYPED_PHOTO = [SHORT, "802500002" + SHORT, "8025 0000 2314 1592 6535", "314 159 265 35"]


def imported(tmp_path):
    rows = [
        factories.person(order, carte_vitale=card, numero_serie_vitale=serial)
        for order, (card, serial) in HELD.items()
    ]
    record = registry_import(path=factories.extract(tmp_path / "p.csv", rows), kind="persons")
    assert (record.status, record.created, record.rejected) == (RegistryImport.Status.DONE, 6, 0)
    return {
        order: Person.objects.get(nir_digest=nir_digest(factories.nir(order)[:13]))
        for order in HELD
    }


def test_every_form_of_a_photo_card_in_the_file_stores_one_digest(tmp_path):
    persons = imported(tmp_path)

    digests = {persons[order].vitale_serial_digest for order in (1, 2, 3, 4, 5)}
    assert digests == {vitale_digest(SHORT)}
    assert persons[6].vitale_serial_digest == vitale_digest("2718281828")


@pytest.mark.parametrize("typed", TYPED_PHOTO)
def test_whatever_form_the_person_types_meets_whatever_form_the_file_holds(tmp_path, typed):
    persons = imported(tmp_path)
    # What step 4 stores for a person who said « avec photo » (verification.forms.VitaleSerialForm).
    typed_digest = vitale_digest(normalize_vitale_serial(typed, card="photo"))

    for order in (1, 2, 3, 4, 5):
        assert persons[order].vitale_serial_digest == typed_digest


def test_a_digest_an_earlier_import_stored_from_the_short_form_still_matches():
    # Before the full form was accepted, the registry could hold only the short form (8 to 12
    # digits): its digest is the canonical one, so such a registry needs no re-import.
    person = Person(vitale_serial_digest=vitale_digest(SHORT))
    for typed in TYPED_PHOTO:
        assert person.vitale_serial_digest == vitale_digest(
            normalize_vitale_serial(typed, card="photo")
        )


@pytest.mark.parametrize(
    ("card", "serial", "reason"),
    [
        ("photo", "100000001", "les 11 chiffres qui suivent 802500002"),
        ("photo", "90250000231415926535", "commence par 802500002"),
        ("sans_photo", "1234567", "de 8 à 12 chiffres"),
        ("", "1234567890123", "20 chiffres commençant par 802500002"),
    ],
)
def test_a_serial_in_no_form_of_its_card_is_rejected_without_being_quoted(
    tmp_path, card, serial, reason
):
    row = factories.person(3, carte_vitale=card, numero_serie_vitale=serial)
    record = registry_import(path=factories.extract(tmp_path / "p.csv", [row]), kind="persons")

    [entry] = record.rejected_lines
    assert (entry["line"], entry["column"]) == (2, "numero_serie_vitale")
    assert reason in entry["reason"]
    assert serial not in entry["reason"] and serial not in record.message
    assert not Person.objects.exists()


def test_the_next_import_re_reads_a_registry_imported_under_the_old_rule(tmp_path, monkeypatch):
    """The re-import path of docs/decisions/vitale-serial.md, with the old rule played back."""
    from registry import lines

    rows = [
        factories.person(1, numero_serie_vitale=SHORT),  # a short form: still the digest
        factories.person(2, numero_serie_vitale="100000002"),  # 9 digits on a photo card
    ]
    path = factories.extract(tmp_path / "p.csv", rows)
    with monkeypatch.context() as old:
        # Before: format 1, any 8 to 12 digits whatever the card.
        old.setattr(lines, "ROW_FORMAT", "1")
        old.setattr(lines, "normalize_vitale_serial", lambda raw, card=None: raw)
        assert registry_import(path=path, kind="persons").created == 2
    kept = Person.objects.get(nir_digest=nir_digest(factories.nir(1)[:13])).vitale_serial_digest

    record = registry_import(path=path, kind="persons")

    # Every line read again: the good one holds the same values (unchanged), the other is
    # reported.
    assert (record.updated, record.unchanged, record.rejected) == (0, 1, 1)
    [entry] = record.rejected_lines
    assert (entry["line"], entry["column"]) == (3, "numero_serie_vitale")
    assert "11 chiffres qui suivent 802500002" in entry["reason"]
    person = Person.objects.get(nir_digest=nir_digest(factories.nir(1)[:13]))
    assert person.vitale_serial_digest == kept == vitale_digest(SHORT)
