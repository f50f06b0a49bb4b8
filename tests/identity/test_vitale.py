"""What a person typing the serial number of their carte Vitale sees."""

import pytest

from identity import IdentityError, normalize_vitale_serial


@pytest.mark.parametrize(
    ("typed", "serial"),
    [
        ("12345678", "12345678"),
        ("1234 5678 90", "1234567890"),
        (" 123456789012 ", "123456789012"),
    ],
)
def test_spaces_are_tolerated(typed, serial):
    assert normalize_vitale_serial(typed) == serial


@pytest.mark.parametrize(
    ("typed", "code", "message"),
    [
        ("", "required", "Renseigner cette information."),
        (
            "1234 567B",
            "serial_chars",
            "Le numéro de série de la carte Vitale ne contient que des chiffres.",
        ),
        (
            "1234567",
            "serial_length",
            "Le numéro de série de la carte Vitale comporte de 8 à 12 chiffres.",
        ),
        (
            "1234567890123",
            "serial_length",
            "Le numéro de série de la carte Vitale comporte de 8 à 12 chiffres.",
        ),
    ],
)
def test_each_rejection_has_its_message(typed, code, message):
    with pytest.raises(IdentityError) as error:
        normalize_vitale_serial(typed)

    assert (error.value.code, error.value.message) == (code, message)
