"""The line parser agrees with the models it fills."""

from registry.lines import (
    COMPANIES,
    FIELDS,
    MAX_LENGTHS,
    PERSONS,
    PROFILES,
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
