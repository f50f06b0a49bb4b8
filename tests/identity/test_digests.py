"""Keyed digests, the only form in which NIRs and proofs of identity are stored (§5)."""

import hashlib
import hmac

import pytest
from hypothesis import given
from hypothesis import strategies as st

from identity import PURPOSES, keyed_digest, keyed_digester, parse_iban, parse_nir

KEY = b"k" * 32


def test_the_digest_is_hmac_sha256_of_purpose_nul_value():
    expected = hmac.new(KEY, b"nir\x001850597701123", hashlib.sha256).hexdigest()

    assert keyed_digest(KEY, "nir", "1850597701123") == expected


def test_the_same_nir_typed_two_ways_has_the_same_digest():
    from_the_form = parse_nir("1 85 05 977 01 123", key="forbidden").body
    from_the_registry = parse_nir("185059770112329", key="required").body

    assert keyed_digest(KEY, "nir", from_the_form) == keyed_digest(KEY, "nir", from_the_registry)


def test_another_key_gives_another_digest():
    assert keyed_digest(KEY, "nir", "1850597701123") != keyed_digest(
        b"x" * 32, "nir", "1850597701123"
    )


def test_one_value_under_two_purposes_gives_two_digests():
    assert keyed_digest(KEY, "siret", "73282932000074") != keyed_digest(
        KEY, "employer_account", "73282932000074"
    )
    assert keyed_digest(KEY, "vitale", "12345678") != keyed_digest(
        KEY, "employer_account", "12345678"
    )


def test_the_digest_does_not_contain_the_value():
    iban = parse_iban("FR76 3000 6000 0112 3456 7890 189")
    digest = keyed_digest(KEY, "iban", iban)

    assert len(digest) == 64
    assert iban not in digest


@pytest.mark.parametrize(
    ("purpose", "value"),
    [
        ("nir", "185059770112329"),  # with its key: the form's digest would never match
        ("nir", "1 85 05 977 01 123"),
        ("nir", "253072a073004"),
        ("siret", "732 829 320 00074"),
        ("iban", "fr7630006000011234567890189"),
        ("vitale", "1234 5678"),
        ("vitale", "80250000212345678901"),  # a photo card's whole number: not canonical
        ("employer_account", "977-123"),
    ],
)
def test_a_value_that_was_not_normalized_is_refused_without_being_echoed(purpose, value):
    with pytest.raises(ValueError) as error:
        keyed_digest(KEY, purpose, value)

    assert value not in str(error.value)


def test_unknown_purposes_and_empty_keys_are_programming_errors():
    assert set(PURPOSES) == {
        "nir",
        "siret",
        "vitale",
        "iban",
        "employer_account",
        "temporary_password",
        "amount",
    }
    with pytest.raises(ValueError, match="purpose"):
        keyed_digest(KEY, "email", "a@example.org")
    with pytest.raises(ValueError, match="key"):
        keyed_digest(b"", "nir", "1850597701123")
    with pytest.raises(ValueError, match="key"):
        keyed_digest("not bytes", "nir", "1850597701123")


@given(
    values=st.lists(st.text("0123456789", min_size=8, max_size=12), min_size=1, max_size=5),
    key=st.binary(min_size=1, max_size=100),
)
def test_a_digester_gives_each_value_its_hmac_whatever_came_before(values, key):
    digest = keyed_digester(key, "vitale")

    for value in values:
        expected = hmac.new(key, b"vitale\x00" + value.encode(), hashlib.sha256).hexdigest()
        assert digest(value) == expected == keyed_digest(key, "vitale", value)


def test_a_digester_refuses_what_keyed_digest_refuses():
    digest = keyed_digester(KEY, "nir")

    with pytest.raises(ValueError) as error:
        digest("185059770112329")
    assert "185059770112329" not in str(error.value)
    with pytest.raises(ValueError, match="purpose"):
        keyed_digester(KEY, "email")
    with pytest.raises(ValueError, match="key"):
        keyed_digester(b"", "nir")
