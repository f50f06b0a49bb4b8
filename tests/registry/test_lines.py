"""The line parser agrees with the models it fills."""

import hashlib

from registry.lines import (
    COMPANIES,
    FIELDS,
    MAX_LENGTHS,
    PERSONS,
    PROFILES,
    ROW_FORMAT,
    row_digest,
)
from registry.models import Company, Person, Profile


def test_the_length_limits_are_those_of_the_models():
    for model in (Person, Company):
        for field in model._meta.concrete_fields:
            if field.name in MAX_LENGTHS:
                assert MAX_LENGTHS[field.name] == field.max_length, field.name


def test_the_profiles_are_those_of_the_model():
    assert tuple(Profile.values) == PROFILES


def test_every_parsed_field_is_a_model_field():
    assert set(FIELDS[PERSONS]) <= {f.name for f in Person._meta.concrete_fields}
    assert set(FIELDS[COMPANIES]) <= {f.name for f in Company._meta.concrete_fields}


def test_the_row_digest_is_that_of_the_values_as_text_so_stored_rows_keep_theirs():
    # A change here would make the next import rewrite every row of the registry.
    values = ("Brin", True, None, "123.45", "")
    text = "\x1f".join([ROW_FORMAT, "Brin", "True", "", "123.45", ""])

    assert row_digest(values) == hashlib.sha256(text.encode()).hexdigest()
    # Text only, the usual row, is joined at once: the same digest.
    assert row_digest(("Brin", "True", "", "123.45", "")) == row_digest(values)
