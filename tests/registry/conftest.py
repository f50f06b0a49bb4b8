"""Helpers shared by the registry tests."""

import pytest
from django.utils import translation

from registry.models import Company, Person, RegistryImport


def registry_state():
    """Every stored value of every person and company, to compare before and after."""
    persons = list(Person.objects.order_by("nir_digest").values_list())
    companies = list(Company.objects.order_by("siret").values_list())
    return persons, companies


@pytest.fixture
def last_import():
    return lambda: RegistryImport.objects.order_by("-pk").first()


@pytest.fixture(autouse=True)
def _french():
    """The operator's commands speak the site's language, whatever a previous test activated."""
    with translation.override("fr"):
        yield
