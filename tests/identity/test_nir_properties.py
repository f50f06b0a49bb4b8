"""Properties of every NIR the demo generator can make, and of every typo in one."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from identity import (
    IdentityError,
    make_nir,
    mask_nir,
    nir_key,
    normalize_nir,
    parse_nir,
)

MAINLAND = [f"{number:02d}" for number in range(1, 97)] + ["2A", "2B"]
OVERSEAS = [
    "971",
    "972",
    "973",
    "974",
    "975",
    "976",
    "977",
    "978",
    "984",
    "985",
    "986",
    "987",
]
OVERSEAS += ["988"]
MONTHS = [*range(1, 13), *range(20, 43), *range(50, 100)]


@st.composite
def nir_parts(draw):
    place = draw(st.sampled_from(["mainland", "overseas", "abroad"]))
    if place == "mainland":
        department = draw(st.sampled_from(MAINLAND))
        commune = f"{draw(st.integers(1, 999)):03d}"
    elif place == "overseas":
        department = draw(st.sampled_from(OVERSEAS))
        commune = f"{draw(st.integers(1, 99)):02d}"
    else:
        department = "99"
        commune = f"{draw(st.integers(1, 999)):03d}"
    return {
        "sex": draw(st.sampled_from([1, 2, 3, 4, 7, 8])),
        "year": draw(st.integers(1900, 2099)),
        "month": draw(st.sampled_from(MONTHS)),
        "department": department,
        "commune": commune,
        "order": draw(st.integers(1, 999)),
    }


keyed_nirs = nir_parts().map(lambda parts: make_nir(**parts))


@given(nir_parts())
def test_every_generated_nir_validates_with_its_parts(parts):
    full = make_nir(**parts)
    nir = parse_nir(full, key="required")

    assert len(full) == 15
    assert nir.full == full
    assert nir.sex == str(parts["sex"])
    assert nir.year == f"{parts['year'] % 100:02d}"
    assert nir.month == f"{parts['month']:02d}"
    assert nir.department == parts["department"]
    assert nir.commune == parts["commune"]
    assert nir.order == f"{parts['order']:03d}"


@given(keyed_nirs)
def test_the_13_first_characters_are_accepted_without_the_key(full):
    assert parse_nir(full[:13], key="forbidden").full == full


@given(keyed_nirs)
def test_the_key_is_between_01_and_97(full):
    assert 1 <= int(nir_key(full[:13])) <= 97


@given(keyed_nirs)
def test_mask_keeps_sex_year_and_month_and_hides_the_rest(full):
    masked = mask_nir(full[:13])

    assert masked.replace(" ", "") == full[:5] + "•" * 8
    assert [len(group) for group in masked.split(" ")] == [1, 2, 2, 2, 3, 3]


@given(keyed_nirs, st.data())
def test_every_single_digit_change_is_rejected(full, data):
    digit_positions = [index for index, char in enumerate(full) if char.isdigit()]
    position = data.draw(st.sampled_from(digit_positions), label="position")
    digit = data.draw(st.sampled_from("0123456789").filter(lambda d: d != full[position]))
    changed = full[:position] + digit + full[position + 1 :]

    with pytest.raises(IdentityError):
        parse_nir(changed, key="required")


@given(keyed_nirs)
def test_swapping_two_different_neighbouring_digits_of_the_body_is_rejected(full):
    for index in range(12):
        first, second = full[index], full[index + 1]
        if first != second and first.isdigit() and second.isdigit():
            swapped = full[:index] + second + first + full[index + 2 :]
            with pytest.raises(IdentityError):
                parse_nir(swapped, key="required")


separators = st.sampled_from([" ", ".", "-", "\u00a0", "\u202f", "\t"])


@given(keyed_nirs, st.lists(separators, min_size=15, max_size=15), st.booleans())
def test_a_nir_typed_with_separators_and_in_lower_case_reads_the_same(full, seps, lower):
    typed = "".join(char + sep for char, sep in zip(full, seps, strict=True))
    typed = typed.lower() if lower else typed

    assert normalize_nir(typed) == full
    assert parse_nir(typed).full == full


@given(st.text())
def test_normalize_is_idempotent(raw):
    assert normalize_nir(normalize_nir(raw)) == normalize_nir(raw)


@given(st.text())
def test_parse_either_returns_a_nir_or_raises_identity_error(raw):
    try:
        nir = parse_nir(raw)
    except IdentityError as error:
        assert error.code.startswith("nir_") or error.code == "required"
    else:
        assert len(nir.body) == 13


@pytest.mark.parametrize("full", ["185059770112329", "253072A07300443", "295109912611193"])
def test_every_single_digit_change_of_these_nirs_is_rejected(full):
    for position, char in enumerate(full):
        for digit in "0123456789":
            if char.isdigit() and digit != char:
                changed = full[:position] + digit + full[position + 1 :]
                with pytest.raises(IdentityError):
                    parse_nir(changed, key="required")
