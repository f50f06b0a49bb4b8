"""Reads of the registration: who the registry knows, which account already exists."""

from accounts.models import User
from registry.models import Company, Person


def person_find(*, nir_digest: str) -> Person | None:
    """The registry's person with this NIR digest, if any."""
    return Person.objects.filter(nir_digest=nir_digest).first()


def company_find(*, siret: str) -> Company | None:
    """The registry's company with this SIRET, if any."""
    return Company.objects.filter(siret=siret).first()


def account_find(*, login: str) -> User | None:
    """The account whose login is this identifier digest, if any."""
    return User.objects.filter(login=login).first()
