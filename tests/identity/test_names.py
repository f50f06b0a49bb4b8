"""Names as the registry compares them (docs/product.md §3): case, accents, hyphens, spaces
ignored."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from identity import first_given_name, normalize_name


@pytest.mark.parametrize(
    ("typed", "on_file"),
    [
        ("eloise", "Éloïse"),
        ("JEAN-PIERRE", "Jean Pierre"),
        ("d'arc", "D’ARC"),
        ("  Le   Gall ", "LE GALL"),
        ("Lamotte_Brun", "LAMOTTE-BRUN"),
        ("Loeuillet", "Lœuillet"),
        ("Strasse", "Straße"),
        ("Francois", "FRANÇOIS"),
    ],
)
def test_what_a_person_types_matches_the_civil_status_on_file(typed, on_file):
    assert normalize_name(typed) == normalize_name(on_file)


@pytest.mark.parametrize(("first", "second"), [("Martin", "Martine"), ("Lea", "Leo")])
def test_different_names_stay_different(first, second):
    assert normalize_name(first) != normalize_name(second)


def test_the_comparable_form():
    assert normalize_name("  Éloïse  D'Arc-Ôté ") == "eloise d arc ote"


@given(st.text())
def test_normalize_name_is_idempotent(name):
    assert normalize_name(normalize_name(name)) == normalize_name(name)


@given(st.text())
def test_normalized_names_have_no_accent_capital_or_doubled_space(name):
    normalized = normalize_name(name)

    assert normalized == normalized.strip()
    assert "  " not in normalized
    assert normalized == normalized.casefold()


@pytest.mark.parametrize(
    ("prenoms", "first"),
    [
        ("Marie", "Marie"),
        ("Marie Louise Jeanne", "Marie"),
        ("Marie, Louise, Jeanne", "Marie"),
        ("Marie,Louise", "Marie"),
        ("Jean-Pierre Paul", "Jean-Pierre"),
        ("  Jean-Pierre ,Paul", "Jean-Pierre"),
        (", Anne", "Anne"),
        ("", ""),
    ],
)
def test_the_first_given_name_is_the_one_people_type(prenoms, first):
    assert first_given_name(prenoms) == first
