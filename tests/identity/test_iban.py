"""What a person typing the IBAN of the account the fund pays into sees."""

import pytest

from identity import IdentityError, parse_iban

KEY_ERROR = "L'IBAN comporte une erreur : vérifiez chaque chiffre et chaque lettre."
FORMAT_ERROR = (
    "L'IBAN n'a pas le bon format : il commence par 2 lettres (FR pour la France) ; "
    "un IBAN français compte 27 caractères."
)


@pytest.mark.parametrize(
    "typed",
    [
        "FR76 3000 6000 0112 3456 7890 189",
        "fr7630006000011234567890189",
        "FR76-3000-6000-0112-3456-7890-189",
    ],
)
def test_a_valid_iban_is_returned_compact_and_upper_case(typed):
    assert parse_iban(typed) == "FR7630006000011234567890189"


def test_a_foreign_iban_is_accepted():
    assert parse_iban("BE31 4354 1116 1155") == "BE31435411161155"


@pytest.mark.parametrize(
    "typed",
    [
        "FR77 3000 6000 0112 3456 7890 189",  # wrong IBAN key
        "FR76 3000 6000 0112 3456 7890 188",  # one digit changed
        "FR76 3000 6000 0112 3456 7809 189",  # two digits swapped
    ],
)
def test_a_typo_is_a_key_error(typed):
    with pytest.raises(IdentityError) as error:
        parse_iban(typed)

    assert (error.value.code, error.value.message) == ("iban_key", KEY_ERROR)


@pytest.mark.parametrize(
    "typed",
    [
        "FR76 3000 6000 0112 3456 7890 18",  # a character missing
        "FR76 3000 6000 0112 3456 7890 1899",  # one too many
        "bonjour",
        "FR76 3000 6000 0112 3456 7890 18%",
        "7630006000011234567890189FR",
    ],
)
def test_a_wrong_format_is_not_reported_as_a_wrong_key(typed):
    with pytest.raises(IdentityError) as error:
        parse_iban(typed)

    assert (error.value.code, error.value.message) == ("iban_invalid", FORMAT_ERROR)


def test_an_unknown_country_is_named_as_such():
    with pytest.raises(IdentityError) as error:
        parse_iban("XX76 3000 6000 0112 3456 7890 189")

    assert error.value.code == "iban_country"
    assert error.value.message == (
        "Les 2 lettres au début de l'IBAN ne correspondent à aucun pays (FR pour la France)."
    )


def test_an_empty_field():
    with pytest.raises(IdentityError) as error:
        parse_iban(" ")

    assert error.value.code == "required"
