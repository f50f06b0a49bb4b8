"""What a person typing the IBAN of the account the fund pays into sees."""

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum import exceptions as stdnum_exceptions
from stdnum import iban as stdnum_iban

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


# parse_iban accepts a valid IBAN after one python-stdnum check; these tests keep every
# answer equal to the full sequence of checks, which it still runs for anything else.


def _parse_iban_with_every_check(iban: str) -> str:
    """The checks parse_iban made on every IBAN until it was sped up (compact input)."""
    if not re.fullmatch(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{8,30}", iban):
        return "iban_invalid"
    with_right_key = iban[:2] + stdnum_iban.calc_check_digits(iban) + iban[4:]
    try:
        stdnum_iban.validate(with_right_key)
    except stdnum_exceptions.InvalidComponent:
        return "iban_country"
    except stdnum_exceptions.InvalidChecksum:
        return "iban_key"
    except stdnum_exceptions.ValidationError:
        return "iban_invalid"
    return iban if with_right_key == iban else "iban_key"


def _outcome(iban: str) -> str:
    try:
        return parse_iban(iban)
    except IdentityError as error:
        return error.code


def _with_key(rest: str, key: int) -> str:
    return f"{rest[:2]}{key:02d}{rest[2:]}"


@pytest.mark.parametrize("key", range(100))
def test_every_key_of_a_valid_iban_as_before(key):
    # 00, 01 and 99 pass the mod-97 check when 97, 98 or 02 is the key: they are refused.
    for rest in ("FR30006000011234567890189", "BE435411161155", "DE370400440532013000"):
        iban = _with_key(rest, key)
        assert _outcome(iban) == _parse_iban_with_every_check(iban)


@pytest.mark.parametrize(("right_key", "twin"), [(2, 99), (97, 0), (98, 1)])
def test_a_key_outside_02_to_98_is_refused_although_mod_97_accepts_it(right_key, twin):
    rest = next(
        rest
        for rest in (f"DE{account:018d}" for account in range(1000))
        if stdnum_iban.calc_check_digits(_with_key(rest, 0)) == f"{right_key:02d}"
    )
    iban = _with_key(rest, twin)
    assert stdnum_iban.is_valid(iban)  # k and k ± 97 pass the same mod-97 check

    with pytest.raises(IdentityError) as error:
        parse_iban(iban)

    assert (error.value.code, error.value.message) == ("iban_key", KEY_ERROR)


@settings(max_examples=2000, deadline=None)
@given(
    country=st.sampled_from(["FR", "BE", "DE", "ES", "IT", "MC", "GB", "XX", "NL"]),
    key=st.integers(0, 99),
    bban=st.text("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=6, max_size=32),
)
def test_generated_ibans_as_before(country, key, bban):
    iban = f"{country}{key:02d}{bban}"
    assert _outcome(iban) == _parse_iban_with_every_check(iban)


@settings(max_examples=1000, deadline=None)
@given(
    country=st.sampled_from(["FR", "BE", "DE", "ES", "IT", "MC", "NL"]),
    bban=st.text("0123456789", min_size=10, max_size=30),
    key_offset=st.sampled_from([0, 97, -97]),
)
def test_ibans_with_the_right_key_or_its_twins_as_before(country, bban, key_offset):
    # Random IBANs almost always fail the mod-97 check: these pass it, or nearly.
    key = int(stdnum_iban.calc_check_digits(f"{country}00{bban}")) + key_offset
    if 0 <= key <= 99:
        iban = _with_key(country + bban, key)
        assert _outcome(iban) == _parse_iban_with_every_check(iban)
