"""What a company typing its SIRET sees."""

import pytest

from identity import IdentityError, parse_siret


@pytest.mark.parametrize("typed", ["73282932000074", "732 829 320 00074", "732.829.320.00074"])
def test_a_valid_siret_is_accepted_with_spaces_or_dots(typed):
    assert parse_siret(typed) == "73282932000074"


def test_a_la_poste_establishment_is_accepted_although_its_luhn_check_fails():
    # La Poste (SIREN 356 000 000) numbers its establishments so that the digits add up
    # to a multiple of 5: 3+5+6+4+9+8+3+7 = 45. The Luhn sum of this SIRET is not a
    # multiple of 10.
    assert parse_siret("356 000 000 49837") == "35600000049837"


def test_a_la_poste_establishment_whose_digits_do_not_add_up_is_refused():
    with pytest.raises(IdentityError) as error:
        parse_siret("35600000049838")

    assert error.value.code == "siret_checksum"


def test_la_poste_head_office_follows_the_luhn_rule():
    assert parse_siret("35600000000048") == "35600000000048"


def test_a_typo_is_caught_by_the_luhn_check():
    with pytest.raises(IdentityError) as error:
        parse_siret("73282932000079")

    assert error.value.code == "siret_checksum"
    assert error.value.message == "Ce numéro SIRET n'est pas valide : vérifiez chaque chiffre."


@pytest.mark.parametrize(
    ("typed", "code", "message"),
    [
        ("", "required", "Renseigner cette information."),
        (
            "7328293200007A",
            "siret_chars",
            "Le numéro SIRET ne contient que des chiffres.",
        ),
        (
            "7328293200007",
            "siret_length",
            "Le numéro SIRET doit comporter 14 chiffres.",
        ),
        (
            "732829320000740",
            "siret_length",
            "Le numéro SIRET doit comporter 14 chiffres.",
        ),
        (
            "732 829 320",
            "siret_is_siren",
            (
                "Ce numéro de 9 chiffres est un SIREN : ajoutez les 5 chiffres de votre "
                "établissement pour obtenir le SIRET (14 chiffres)."
            ),
        ),
    ],
)
def test_each_rejection_has_its_message(typed, code, message):
    with pytest.raises(IdentityError) as error:
        parse_siret(typed)

    assert (error.value.code, error.value.message) == (code, message)


def test_a_siret_is_shown_grouped_as_documents_print_it():
    from identity import format_siret

    assert format_siret("73282932000074") == "732 829 320 00074"
