"""What a person typing their mobile number sees, in Saint-Barthélemy or in mainland France."""

import phonenumbers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from identity import IdentityError, format_phone_national, parse_mobile

MOBILE_TYPES = {
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
}

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


# parse_mobile checks a number with number_type() alone when it is a mobile; these tests keep
# that equal to what the library's two checks, is_valid_number() then number_type(), decide.


def _parse_mobile_with_both_checks(raw: str, region: str) -> str:
    """The library's checks one after the other, as parse_mobile made them until it was sped up."""
    try:
        number = phonenumbers.parse(raw.strip(), region)
    except phonenumbers.NumberParseException:
        return "phone_invalid"
    if not phonenumbers.is_valid_number(number):
        return "phone_invalid"
    if phonenumbers.number_type(number) not in MOBILE_TYPES:
        return "phone_not_mobile"
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _outcome(raw: str, region: str) -> str:
    try:
        return parse_mobile(raw, region=region)
    except IdentityError as error:
        return error.code


def test_every_region_code_belongs_to_its_calling_code():
    # What makes a mobile number_type() a valid number: is_valid_number() adds only this.
    for code, regions in phonenumbers.COUNTRY_CODE_TO_REGION_CODE.items():
        for region in regions:
            if region != phonenumbers.REGION_CODE_FOR_NON_GEO_ENTITY:
                assert phonenumbers.country_code_for_valid_region(region) == code, region


@pytest.mark.parametrize("region", ["BL", "FR", "GP", "MF", "RE", "BE", "US"])
def test_the_example_numbers_of_every_region_and_type_as_before(region):
    for example_region in sorted(phonenumbers.SUPPORTED_REGIONS):
        for kind in phonenumbers.PhoneNumberType.values():
            example = phonenumbers.example_number_for_type(example_region, kind)
            if example is None:
                continue
            e164 = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164)
            national = str(example.national_number)
            for typed in (e164, national, "0" + national, national[:-1], national + "0"):
                assert _outcome(typed, region) == _parse_mobile_with_both_checks(typed, region)


# No deadline: the first number of a region loads its metadata, slowly on a busy machine.
@settings(max_examples=2000, deadline=None)
@given(
    region=st.sampled_from(["BL", "FR", "GP", "MF", "US"]),
    prefix=st.sampled_from(["", "0", "+", "00", "+590 ", "+33 ", "+1 ", "+800 ", "+882 "]),
    digits=st.text("0123456789", min_size=1, max_size=16),
)
def test_generated_numbers_as_before(region, prefix, digits):
    typed = prefix + digits
    assert _outcome(typed, region) == _parse_mobile_with_both_checks(typed, region)
