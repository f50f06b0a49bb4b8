"""A typed NIR or SIRET, reduced to its kind, keyed digest and masked form (registry.digests)."""

import pytest

from identity import IdentityError, make_nir
from registry.demo import grouped_nir
from registry.digests import nir_digest, siret_digest, typed_identifier

NIR = make_nir(sex=2, year=1985, month=5, department="977", commune="01", order=42)


def test_a_nir_typed_with_spaces_gives_the_digest_of_its_body_and_its_mask():
    typed = grouped_nir(NIR)  # as printed on a carte Vitale
    found = typed_identifier(typed, nir_key="forbidden")
    assert (found.kind, found.digest) == ("nir", nir_digest(NIR[:13]))
    assert found.masked.startswith(f"{NIR[0]} {NIR[1:3]} {NIR[3:5]} ") and "•" in found.masked
    assert NIR[:13] not in repr(found) and NIR[7:13] not in repr(found)


def test_the_key_is_refused_where_forbidden_and_taken_where_optional():
    with pytest.raises(IdentityError):
        typed_identifier(NIR, nir_key="forbidden")
    assert typed_identifier(NIR, nir_key="optional").digest == nir_digest(NIR[:13])


def test_fourteen_digits_are_a_siret_shown_whole_and_grouped():
    found = typed_identifier("732 829 320 00074", nir_key="forbidden")
    assert (found.kind, found.digest) == ("siret", siret_digest("73282932000074"))
    assert found.masked == "732 829 320 00074"
    with pytest.raises(IdentityError):
        typed_identifier("73282932000075", nir_key="optional")  # a wrong check digit
