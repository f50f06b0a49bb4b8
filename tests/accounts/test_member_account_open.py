"""One service makes a member account, for a registration and for an agent's approval: from the
registry row, with no usable password."""

import pytest

from accounts.models import User
from accounts.services import member_account_open
from identity import format_siret
from registry.digests import siret_digest
from tests.backoffice import factories

pytestmark = pytest.mark.django_db


def _open(**fields):
    values = {"email": "a@example.org", "mobile": "", "language": "", "channel": "post"}
    return member_account_open(**{**values, **fields})


def test_a_person_s_account_takes_the_registry_s_names_and_a_profile_it_gives(settings):
    person = factories.person(prenoms="Marie Hélène", nom="Questel", profils="particulier")
    account, created = _open(
        person=person, profile="exploitant", first_name="Typed", cgu_version="2026-01"
    )
    assert created and account.kind == User.Kind.MEMBER
    assert (account.login, account.identifier_masked) == (person.nir_digest, person.nir_masked)
    assert (account.first_name, account.last_name, account.profile) == ("Marie", "Questel", "")
    assert (account.language, account.email_confirmed, account.must_change_password) == (
        "fr",
        False,
        True,
    )
    assert not account.has_usable_password()
    assert account.cgu_version == "2026-01" and account.cgu_accepted_at is not None


def test_a_company_s_account_takes_the_typed_names_and_the_company_profile():
    company = factories.company()
    account, created = _open(
        company=company, profile="particulier", first_name="Paul", last_name="Lédée"
    )
    assert created
    assert (account.login, account.identifier_masked, account.profile) == (
        siret_digest(company.siret),
        format_siret(company.siret),
        "entreprise",
    )
    assert (account.first_name, account.last_name) == ("Paul", "Lédée")
    assert account.cgu_version == "" and account.cgu_accepted_at is None


def test_an_existing_account_is_given_back_untouched():
    member = factories.member(email="old@example.org")
    account, created = _open(person=member.person, email="new@example.org")
    assert (account, created) == (member, False)
    account.refresh_from_db()
    assert account.email == "old@example.org"
    assert User.objects.count() == 1
