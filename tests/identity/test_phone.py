"""What a person typing their mobile number sees, in Saint-Barthélemy or in mainland France."""

import pytest

from identity import IdentityError, format_phone_national, parse_mobile

NOT_MOBILE = "Ce numéro n'est pas celui d'un téléphone mobile : indiquez un numéro de mobile."
INVALID = (
    "Ce numéro de téléphone n'est pas valide : vérifiez le nombre de chiffres. "
    "Pour un numéro étranger, commencez par + et l'indicatif du pays."
)


@pytest.mark.parametrize(
    "typed",
    [
        "0690 12 34 56",
        "0690123456",
        "06.90.12.34.56",
        "+590 690 12 34 56",
        "00590690123456",
    ],
)
def test_a_saint_barthelemy_mobile(typed):
    assert parse_mobile(typed, region="BL") == "+590690123456"


def test_a_saint_barthelemy_landline_is_refused_as_not_a_mobile():
    with pytest.raises(IdentityError) as error:
        parse_mobile("0590 27 12 34", region="BL")

    assert (error.value.code, error.value.message) == ("phone_not_mobile", NOT_MOBILE)


def test_a_mainland_mobile_with_the_mainland_region():
    assert parse_mobile("06 12 34 56 78", region="FR") == "+33612345678"
    assert parse_mobile("07 81 23 45 67", region="FR") == "+33781234567"


def test_a_mainland_mobile_typed_in_saint_barthelemy_with_its_country_code():
    assert parse_mobile("+33 6 12 34 56 78", region="BL") == "+33612345678"


def test_a_mainland_landline_is_refused():
    with pytest.raises(IdentityError) as error:
        parse_mobile("01 42 34 56 78", region="FR")

    assert error.value.code == "phone_not_mobile"


@pytest.mark.parametrize("typed", ["0690 12 34", "12", "0690 CALL ME", "06 90 12 34 56 ext. 3"])
def test_an_invalid_number(typed):
    with pytest.raises(IdentityError) as error:
        parse_mobile(typed, region="BL")

    assert (error.value.code, error.value.message) == ("phone_invalid", INVALID)


def test_an_empty_field():
    with pytest.raises(IdentityError) as error:
        parse_mobile("  ", region="BL")

    assert error.value.code == "required"


def test_an_unknown_region_is_a_programming_error():
    with pytest.raises(ValueError, match="region"):
        parse_mobile("0690 12 34 56", region="XX")


@pytest.mark.parametrize(
    ("e164", "shown"),
    [
        ("+590690123456", "0690 12 34 56"),
        ("+33612345678", "06 12 34 56 78"),
        ("+32470123456", "+32 470 12 34 56"),
        ("not a number", "not a number"),
    ],
)
def test_numbers_are_shown_as_people_write_them(e164, shown):
    assert format_phone_national(e164) == shown
