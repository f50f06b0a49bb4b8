"""The review queue: oldest first, masked identifiers, approve (account + letter) or reject."""

import pytest
from django.utils import timezone

from accounts.models import User
from audit.models import AuditEvent
from delivery.models import Letter
from registry.digests import nir_digest
from signup.models import SignupRequest
from tests.backoffice import factories

pytestmark = pytest.mark.django_db

QUEUE = "/agents/signup/signuprequest/"


def test_queue_lists_pending_requests_oldest_first_with_masked_identifier(agent_client):
    now = timezone.now()
    newer = factories.signup_request(
        last_name="Récent", created_at=now, identifier_masked="2 90 03 •• ••• •••"
    )
    older = factories.signup_request(
        last_name="Ancien", created_at=now - timezone.timedelta(days=3)
    )
    factories.signup_request(last_name="Traité", status=SignupRequest.Status.REJECTED)
    page = agent_client.get(QUEUE).content.decode()
    assert page.index(older.last_name) < page.index(newer.last_name)
    assert "Traité" not in page
    assert "2 90 03 •• ••• •••" in page
    assert "Traité" in agent_client.get(QUEUE + "?statut=tout").content.decode()


def test_approve_links_to_the_registry_person_creates_the_account_and_a_letter(agent_client, agent):
    nir = factories.new_nir(sex=2, year=1990, month=3)
    person = factories.person(
        nir=nir, nom="Questel", prenoms="Anne", date_naissance=factories.datetime.date(1990, 3, 2)
    )
    request = factories.signup_request(language="en")
    page = agent_client.get(f"{QUEUE}{request.pk}/change/").content.decode()
    # Proposed by name and date of birth, shown masked.
    assert person.nir_masked in page and nir[:13] not in page
    response = agent_client.post(
        f"{QUEUE}{request.pk}/change/", {"approve": "1", "candidate": person.pk}
    )
    assert response.status_code == 302
    account = User.objects.get(login=nir_digest(nir[:13]))
    assert (account.kind, account.person, account.channel) == (
        User.Kind.MEMBER,
        person,
        User.Channel.REVIEW,
    )
    assert not account.has_usable_password()
    letter = Letter.objects.get(user=account)
    assert (letter.status, letter.language) == (Letter.Status.PENDING, "en")
    request.refresh_from_db()
    assert (request.status, request.decided_by, request.account) == (
        SignupRequest.Status.APPROVED,
        agent,
        account,
    )
    assert AuditEvent.objects.filter(
        type=AuditEvent.Type.REVIEW_DECISION,
        actor=agent,
        subject=account,
        data__decision="approved",
    ).exists()


def test_approve_with_a_typed_nir_uses_the_existing_account(agent_client):
    nir = factories.new_nir()
    member = factories.member(nir=nir)
    request = factories.signup_request(last_name="Autre-Nom")
    response = agent_client.post(
        f"{QUEUE}{request.pk}/change/", {"approve": "1", "identifier": nir}
    )
    assert response.status_code == 302
    assert User.objects.filter(kind=User.Kind.MEMBER).count() == 1
    assert Letter.objects.get().user == member


def test_approve_needs_a_registry_person(agent_client):
    request = factories.signup_request()
    nir = factories.new_nir()
    response = agent_client.post(
        f"{QUEUE}{request.pk}/change/", {"approve": "1", "identifier": nir}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Aucune fiche du registre ne porte ce numéro." in page
    assert nir not in page and nir[:13] not in page  # what the agent typed is not written back
    request.refresh_from_db()
    assert request.status == SignupRequest.Status.PENDING
    assert not User.objects.filter(kind=User.Kind.MEMBER).exists() and not Letter.objects.exists()


def test_reject_with_a_reason_keeps_the_request(agent_client, agent):
    request = factories.signup_request()
    response = agent_client.post(
        f"{QUEUE}{request.pk}/change/", {"reject": "1", "reason": "not_in_registry"}
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert (request.status, request.rejection_reason, request.decided_by) == (
        SignupRequest.Status.REJECTED,
        "not_in_registry",
        agent,
    )
    assert AuditEvent.objects.filter(
        type=AuditEvent.Type.REVIEW_DECISION, data__decision="rejected"
    ).exists()
    # Decided: no more decision forms, and no way to decide again.
    assert (
        "Refuser la demande"
        not in agent_client.get(f"{QUEUE}{request.pk}/change/").content.decode()
    )
    again = agent_client.post(
        f"{QUEUE}{request.pk}/change/", {"approve": "1", "identifier": factories.new_nir()}
    )
    assert again.status_code == 403


def test_reject_reason_must_come_from_the_list(agent_client):
    request = factories.signup_request()
    response = agent_client.post(
        f"{QUEUE}{request.pk}/change/", {"reject": "1", "reason": "parce que"}
    )
    assert response.status_code == 200
    request.refresh_from_db()
    assert request.status == SignupRequest.Status.PENDING


def test_other_request_can_be_approved_without_an_account(agent_client):
    request = factories.signup_request(
        kind=SignupRequest.Kind.OTHER, function="tiers déclarant", identifier_type=""
    )
    response = agent_client.post(f"{QUEUE}{request.pk}/change/", {"approve": "1"})
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == SignupRequest.Status.APPROVED and request.account is None


def test_nothing_is_deleted(agent_client):
    request = factories.signup_request()
    assert agent_client.get(f"{QUEUE}{request.pk}/delete/").status_code in (302, 403)
    assert SignupRequest.objects.filter(pk=request.pk).exists()


def test_company_request_approved_by_siret(agent_client):
    from registry.digests import siret_digest

    company = factories.company()
    request = factories.signup_request(
        profile="entreprise", identifier_type="siret", last_name="Lédée", first_name="Paul"
    )
    response = agent_client.post(
        f"{QUEUE}{request.pk}/change/", {"approve": "1", "identifier": "732 829 320 00074"}
    )
    assert response.status_code == 302
    account = User.objects.get(login=siret_digest(company.siret))
    assert (account.company, account.identifier_type) == (company, User.IdentifierType.SIRET)
    assert account.identifier_masked == "732 829 320 00074"
    assert Letter.objects.get().user == account


def test_a_request_address_that_is_not_a_number_is_not_found(agent_client):
    # E.g. a stylesheet's relative @import resolved against the page's address.
    request = factories.signup_request()
    response = agent_client.get(f"{QUEUE}{request.pk}/change/widgets.css/change/")
    assert response.status_code == 404


def test_an_approved_account_carries_the_registry_s_names_not_the_mistyped_ones(agent_client):
    nir = factories.new_nir(sex=2, year=1990, month=3)
    factories.person(
        nir=nir,
        nom="QUESTEL",
        prenoms="ANNE, MARIE",
        date_naissance=factories.datetime.date(1990, 3, 2),
    )
    request = factories.signup_request(last_name="Questelle", first_name="Ann")  # mistyped
    # Not proposed under the typed names: the agent finds the person by the NIR.
    response = agent_client.post(
        f"{QUEUE}{request.pk}/change/", {"approve": "1", "identifier": nir}
    )
    assert response.status_code == 302
    account = User.objects.get(login=nir_digest(nir[:13]))
    # The letter's address block and the greetings use these: the registry's spelling.
    assert (account.last_name, account.first_name) != ("Questelle", "Ann")
    assert account.last_name.upper() == "QUESTEL" and account.first_name.upper() == "ANNE"
