"""What a person typing the serial number of their carte Vitale sees, and what is compared.

Every form a number is held in gives one canonical form (docs/decisions/vitale-serial.md): the
whole number printed on a photo card, the 11 digits after its prefix, with or without spaces,
all give the same digits, so that the registry and a form meet on one digest.
"""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from identity import IdentityError, normalize_vitale_serial

SHORT = "12345678901"  # the 11 digits after 802500002
FULL = "802500002" + SHORT  # the whole number printed on the front of a photo card


@pytest.mark.parametrize(
    "typed",
    [
        SHORT,
        FULL,
        "80250 0002 1234 5678 901",
        "802500002 12345678901",
        " 1234 5678 901 ",
        "802.500.002-123.456.789.01",
        "802\u00a0500\u00a0002\u00a012345678901",  # a paste from a PDF: non-breaking spaces
    ],
)
@pytest.mark.parametrize("card", ["photo", None])
def test_every_form_of_a_photo_card_number_gives_the_same_digits(typed, card):
    assert normalize_vitale_serial(typed, card=card) == SHORT


@given(st.from_regex(r"[0-9]{11}", fullmatch=True))
def test_typing_the_prefix_or_not_never_changes_the_result(short):
    assert normalize_vitale_serial("802500002" + short, card="photo") == short
    assert normalize_vitale_serial(short, card="photo") == short
    assert normalize_vitale_serial("802500002" + short) == short


@pytest.mark.parametrize("typed", ["12345678", "1234 5678 90", " 123456789012 "])
@pytest.mark.parametrize("card", ["sans_photo", None])
def test_a_card_without_photo_keeps_its_digits_as_printed(typed, card):
    assert normalize_vitale_serial(typed, card=card) == typed.replace(" ", "")


PHOTO_LENGTH = (
    "Sur une carte avec photo, saisissez les 11 chiffres qui suivent 802500002 : ils sont "
    "imprimés au recto de la carte, à droite de votre photo."
)
PHOTO_PREFIX = (
    "Sur une carte avec photo, le numéro imprimé au recto, à droite de votre photo, compte 20 "
    "chiffres et commence par 802500002 : vérifiez-le, ou saisissez seulement les 11 chiffres "
    "qui suivent 802500002."
)
NO_PHOTO_LENGTH = (
    "Sur une carte sans photo, le numéro de série compte de 8 à 12 chiffres : il est imprimé "
    "au verso de la carte."
)
ANY_LENGTH = (
    "Le numéro de série de la carte Vitale compte 20 chiffres commençant par 802500002 sur "
    "une carte avec photo (ou les 11 chiffres qui suivent 802500002), et de 8 à 12 chiffres "
    "sur une carte sans photo."
)


@pytest.mark.parametrize(
    ("typed", "card", "code", "message"),
    [
        ("", "photo", "required", "Renseigner cette information."),
        (
            "1234 567B",
            "photo",
            "serial_chars",
            "Le numéro de série de la carte Vitale ne contient que des chiffres.",
        ),
        ("1234567890", "photo", "serial_photo_length", PHOTO_LENGTH),  # a digit missing
        ("123456789012", "photo", "serial_photo_length", PHOTO_LENGTH),  # one too many
        ("1850597701123", "photo", "serial_photo_length", PHOTO_LENGTH),  # the NIR instead
        ("802500002", "photo", "serial_photo_prefix", PHOTO_PREFIX),  # the prefix alone
        ("80250000212345678", "photo", "serial_photo_prefix", PHOTO_PREFIX),  # cut short
        ("90250000212345678901", "photo", "serial_photo_prefix", PHOTO_PREFIX),  # misread
        ("1234567", "sans_photo", "serial_no_photo_length", NO_PHOTO_LENGTH),
        ("1234567890123", "sans_photo", "serial_no_photo_length", NO_PHOTO_LENGTH),
        ("1234567", None, "serial_length", ANY_LENGTH),
        ("90250000212345678901", None, "serial_length", ANY_LENGTH),
    ],
)
def test_each_rejection_says_how_many_digits_and_where(typed, card, code, message):
    with pytest.raises(IdentityError) as error:
        normalize_vitale_serial(typed, card=card)

    assert (error.value.code, error.value.message) == (code, message)


def test_a_full_photo_number_typed_under_the_other_card_is_still_understood():
    # Someone who picked « sans photo » by mistake and typed the 20 digits of their photo card.
    assert normalize_vitale_serial(FULL, card="sans_photo") == SHORT
