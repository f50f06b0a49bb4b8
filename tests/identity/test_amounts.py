"""What a person typing the amount of the last payment received from the fund sees."""

from decimal import Decimal

import pytest

from identity import IdentityError, parse_amount


@pytest.mark.parametrize(
    ("typed", "amount"),
    [
        ("123,45", "123.45"),
        ("123.45", "123.45"),
        ("1 234,50", "1234.50"),
        ("1\u202f234,50\u00a0€", "1234.50"),
        ("€12", "12.00"),
        ("12 euros", "12.00"),
        ("0,5", "0.50"),
        ("1.234,50", "1234.50"),
        ("1,234.50", "1234.50"),
    ],
)
def test_amounts_as_people_write_them(typed, amount):
    parsed = parse_amount(typed)

    assert parsed == Decimal(amount)
    assert str(parsed) == amount


@pytest.mark.parametrize("typed", ["123,456", "1.234", "12.001"])
def test_more_than_two_decimals_is_refused(typed):
    with pytest.raises(IdentityError) as error:
        parse_amount(typed)

    assert error.value.code == "amount_decimals"
    assert error.value.message == (
        "Indiquez le montant avec 2 chiffres après la virgule au plus, par exemple 123,45."
    )


@pytest.mark.parametrize(
    "typed", ["-12,00", "douze", "12,3,4", "1e3", "12,", ",50", "1.234.567", "1" * 13]
)
def test_negative_amounts_and_garbage_are_refused(typed):
    with pytest.raises(IdentityError) as error:
        parse_amount(typed)

    assert error.value.code == "amount_invalid"
    assert error.value.message == "Indiquez un montant en euros, en chiffres, par exemple 123,45."


def test_an_empty_field():
    with pytest.raises(IdentityError) as error:
        parse_amount(" € ")

    assert error.value.code == "required"
