"""What a finished registration leads to (docs/product.md §3), seen from the pages and the
database."""

import datetime
from collections import Counter

import pytest
from django.conf import settings
from django.db import DatabaseError, connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import TemporaryPassword, User
from audit.models import AuditEvent
from delivery.models import EmailDelivery, Letter
from registry.digests import nir_digest
from signup import selectors
from signup.models import FunnelCount, SignupRequest
from signup.registration import Registration
from signup.services import registration_complete
from verification.models import ProofFailure

from .factories import OTHER_IBAN, company_create, person_create, unknown_nir
from .walk import answer, person_pages, register_company, register_person
from .walk import url as walk_url


def person_pages_of(card, proof="vitale"):
    return person_pages(
        nir=card.nir,
        nom=card.nom,
        prenom=card.prenom,
        birth_date=card.birth_date_typed,
        proof=proof,
        secret=card.serial,
    )


pytestmark = pytest.mark.django_db

EMAIL_SENTENCE = "Vous allez recevoir dans quelques instants un email de confirmation"
POST_SENTENCE = "Vous allez recevoir par courrier"


def page7(client) -> str:
    response = client.get(reverse("signup:done"))
    assert response.status_code == 200
    return response.content.decode()


# --- Identity found and verification matches: account, password by email -------------------


@pytest.mark.parametrize("proof", ["vitale", "iban", "amount"])
def test_a_verified_person_gets_an_account_and_an_email(client, proof):
    card = person_create()
    response = register_person(client, card, proof=proof, email="Marie.Q@Example.org")
    assert response.headers["Location"] == reverse("signup:done")
    html = page7(client)
    assert "Inscription terminée" in html
    assert EMAIL_SENTENCE in html
    assert POST_SENTENCE not in html

    account = User.objects.get()
    assert account.login == nir_digest(card.nir)
    assert card.nir not in account.identifier_masked
    assert account.identifier_masked == "2 85 05 •• ••• •••"
    assert account.person == card.person
    assert account.kind == User.Kind.MEMBER and not account.is_staff
    assert (account.last_name, account.first_name) == ("Questel", "Marie-Hélène")
    assert account.email == "Marie.Q@Example.org"
    assert account.email_confirmed is False
    assert account.mobile == "+590690123456"
    assert account.channel == User.Channel.EMAIL
    assert account.must_change_password is True
    assert not account.has_usable_password()
    assert account.cgu_version == settings.CGU_VERSION
    assert account.cgu_accepted_at is not None
    # No temporary password yet: the task makes it when it sends.
    assert not TemporaryPassword.objects.exists()

    delivery = EmailDelivery.objects.get()
    assert delivery.kind == EmailDelivery.Kind.TEMPORARY_PASSWORD
    assert delivery.to_address == "Marie.Q@Example.org"
    assert delivery.status == EmailDelivery.Status.QUEUED
    assert delivery.context == {}
    assert (delivery.attempts, delivery.next_attempt_at) == (0, None)  # due for a worker
    assert not Letter.objects.exists()
    assert not SignupRequest.objects.exists()


def test_names_compare_without_case_accents_hyphens_or_extra_spaces(client):
    card = person_create(nom="N'Guyen-Lefèvre", prenoms="Éloïse Marie")
    register_person(client, card, nom="  n’GUYEN   lefevre ", prenom="eloise")
    account = User.objects.get()
    assert account.channel == User.Channel.EMAIL
    assert account.last_name == "N'Guyen-Lefèvre"  # the registry's spelling is kept


def test_the_first_given_name_or_all_of_them_are_accepted(client):
    card = person_create(prenoms="Jean-Pierre, Louis")
    register_person(client, card, prenom="Jean Pierre Louis")
    assert User.objects.get().channel == User.Channel.EMAIL


# --- Identity found, verification absent or wrong: account, letter to the address on file --


def test_a_wrong_serial_number_leads_to_a_letter(client):
    card = person_create()
    register_person(client, card, secret="12345678902")
    assert POST_SENTENCE in page7(client)
    account = User.objects.get()
    assert account.channel == User.Channel.POST
    letter = Letter.objects.get()
    assert (letter.user, letter.status) == (account, Letter.Status.PENDING)
    assert letter.reason == "signup_proof_not_verified"
    assert not EmailDelivery.objects.exists()


def test_a_wrong_iban_with_a_valid_key_leads_to_a_letter(client):
    card = person_create()
    register_person(client, card, proof="iban", secret=OTHER_IBAN)
    assert User.objects.get().channel == User.Channel.POST


def test_a_wrong_amount_leads_to_a_letter(client):
    card = person_create()
    register_person(client, card, proof="amount", secret="123,46")
    assert User.objects.get().channel == User.Channel.POST


def test_no_proof_at_all_leads_to_a_letter(client):
    card = person_create()
    register_person(client, card, proof="none")
    assert POST_SENTENCE in page7(client)
    assert Letter.objects.get().reason == "signup_no_proof"
    assert not EmailDelivery.objects.exists()


def test_a_proof_the_registry_does_not_hold_cannot_match(client):
    card = person_create(iban="", serial="")
    register_person(client, card, proof="iban", secret=OTHER_IBAN)
    assert User.objects.get().channel == User.Channel.POST


def test_after_three_failed_verifications_only_the_letter_is_offered_silently(
    client, django_user_model
):
    card = person_create()
    for attempt in range(3):
        other = person_create(nom=f"Autre{'x' * attempt}")  # noqa: F841 (registry noise)
        register_person(client, card, secret="99999999999")
        User.objects.all().delete()
        Letter.objects.all().delete()
    # The right serial number now: still by post, and the page does not say why.
    register_person(client, card)
    html = page7(client)
    assert POST_SENTENCE in html
    assert User.objects.get().channel == User.Channel.POST


def test_failures_on_one_identity_do_not_affect_another(client):
    card, other = person_create(), person_create()
    for _attempt in range(3):
        register_person(client, card, secret="99999999999")
        User.objects.all().delete()
    register_person(client, other)
    assert User.objects.get(person=other.person).channel == User.Channel.EMAIL


def test_proofs_that_match_leave_no_failure_behind(client):
    card = person_create()
    for _attempt in range(4):  # more than the limit, all right
        register_person(client, card)
        assert User.objects.get().channel == User.Channel.EMAIL
        User.objects.all().delete()
    assert not ProofFailure.objects.exists()


# --- Identity not found or not matching: no account, the agents' review queue ---------------


def test_an_unknown_nir_goes_to_the_review_queue(client):
    nir = unknown_nir()
    register_person(
        client, nir=nir, nom="Inconnu", prenom="Paul", birth_date="12/05/1985", secret="12345678901"
    )
    assert POST_SENTENCE in page7(client)
    assert not User.objects.exists()
    request = SignupRequest.objects.get()
    assert request.kind == SignupRequest.Kind.UNIDENTIFIED
    assert request.status == SignupRequest.Status.PENDING
    assert request.identifier_digest == nir_digest(nir)
    assert request.identifier_masked == "1 85 05 •• ••• •••"
    assert (request.last_name, request.first_name) == ("Inconnu", "Paul")
    assert request.birth_date == datetime.date(1985, 5, 12)
    assert request.email == "marie.questel@example.org"
    assert nir not in str(SignupRequest.objects.values().get())


@pytest.mark.parametrize(
    "change",
    [
        {"nom": "Questelle"},
        {"prenom": "Louise"},  # the second given name alone
        {"birth_date": "13/05/1985"},
        {"profile": "exploitant"},  # a profile the registry does not give this person
    ],
)
def test_an_identity_that_does_not_match_goes_to_the_review_queue(client, change):
    card = person_create(profils="particulier,cotisant_solidarite")
    register_person(client, card, **change)
    assert POST_SENTENCE in page7(client)
    assert not User.objects.exists()
    assert SignupRequest.objects.get().kind == SignupRequest.Kind.UNIDENTIFIED


def test_a_profile_the_person_holds_among_several_is_accepted(client):
    card = person_create(profils="particulier,cotisant_solidarite")
    register_person(client, card, profile="cotisant_solidarite")
    assert User.objects.get().profile == "cotisant_solidarite"


# --- An account already exists: nothing overwritten, a notice to its own address -----------


def _existing_account(card, **fields):
    return User.objects.create_user(
        nir_digest(card.nir),
        None,
        identifier_type=User.IdentifierType.NIR,
        identifier_masked="2 85 05 •• ••• •••",
        person=card.person,
        email="owner@example.org",
        mobile="+590690999999",
        channel=User.Channel.EMAIL,
        **fields,
    )


@pytest.mark.parametrize("proof, sentence", [("vitale", EMAIL_SENTENCE), ("none", POST_SENTENCE)])
def test_an_existing_account_is_never_overwritten_and_its_owner_is_told(client, proof, sentence):
    card = person_create()
    owner = _existing_account(card, email_confirmed=True)
    register_person(client, card, proof=proof, email="intruder@example.org", mobile="0690 11 11 11")
    assert sentence in page7(client)
    owner.refresh_from_db()
    assert User.objects.count() == 1
    assert (owner.email, owner.mobile) == ("owner@example.org", "+590690999999")
    notice = EmailDelivery.objects.get()
    assert notice.kind == EmailDelivery.Kind.EXISTING_ACCOUNT
    assert (notice.user, notice.to_address) == (owner, "owner@example.org")
    assert not TemporaryPassword.objects.exists()
    assert not Letter.objects.exists()
    assert not SignupRequest.objects.exists()


def test_the_existing_account_notice_goes_at_most_once_a_day(client):
    card = person_create()
    _existing_account(card, email_confirmed=True)
    register_person(client, card)
    register_person(client, card)
    assert EmailDelivery.objects.count() == 1


# --- Companies -------------------------------------------------------------------------------


def test_a_company_with_its_employer_account_gets_an_email(client):
    company = company_create()
    register_company(client, siret=company.siret, account="emp 4521 77")
    assert EMAIL_SENTENCE in page7(client)
    account = User.objects.get()
    assert account.company == company.company
    assert account.identifier_type == User.IdentifierType.SIRET
    assert account.profile == "entreprise"
    assert (account.last_name, account.first_name) == ("Gréaux", "Jean")
    assert EmailDelivery.objects.get().to_address == "gerant@jardins.example"


@pytest.mark.parametrize("account", ["EMP-0000-00", ""])
def test_a_company_without_the_right_employer_account_gets_a_letter(client, account):
    company = company_create()
    register_company(client, siret=company.siret, account=account)
    assert POST_SENTENCE in page7(client)
    assert User.objects.get().channel == User.Channel.POST
    assert Letter.objects.count() == 1


def test_an_unknown_company_goes_to_the_review_queue(client):
    company = company_create()
    company.company.delete()
    register_company(client, siret=company.siret, account=company.employer_account)
    assert POST_SENTENCE in page7(client)
    request = SignupRequest.objects.get()
    assert request.identifier_type == "siret"
    assert not User.objects.exists()


# --- What is recorded: audit and funnel, without secrets ------------------------------------


def test_the_outcome_is_audited_without_any_secret(client):
    card = person_create()
    register_person(client, card, proof="iban")
    event = AuditEvent.objects.get(type=AuditEvent.Type.SIGNUP_COMPLETED)
    assert event.data == {
        "outcome": "account_email",
        "profile": "particulier",
        "proof": "iban",
        "verified": True,
    }
    assert event.subject == User.objects.get()
    assert event.client_ip == "127.0.0.1"
    flat = str(event.data)
    for secret in (card.nir, card.iban, card.serial):
        assert secret not in flat


def test_completions_are_counted_by_channel(client):
    card = person_create()
    register_person(client, card)
    register_person(
        client,
        nir=unknown_nir(),
        nom="X",
        prenom="Y",
        birth_date="12/05/1985",
        secret="12345678901",
    )
    counts = {
        f.channel: f.count for f in FunnelCount.objects.filter(event=FunnelCount.Event.COMPLETE)
    }
    assert counts == {"email": 1, "review": 1}


# --- Rate limit per client ------------------------------------------------------------------


def test_completions_are_limited_per_client(client):
    for _index in range(10):
        register_person(
            client, nir=unknown_nir(), nom="X", prenom="Y", birth_date="12/05/1985", proof="none"
        )
    card = person_create()
    from .walk import person_pages, url

    pages = person_pages(
        nir=card.nir,
        nom=card.nom,
        prenom=card.prenom,
        birth_date=card.birth_date_typed,
        secret=card.serial,
    )
    for slug, data in pages[:-1]:
        answer(client, slug, data)
    response = client.post(url("conditions"))
    assert response.status_code == 429
    assert "<h1>Trop de demandes d'inscription</h1>" in response.content.decode()
    assert not User.objects.exists()
    # Another client is not affected.
    other = client.__class__(REMOTE_ADDR="10.0.0.2")
    register_person(other, card)
    assert User.objects.get().channel == User.Channel.EMAIL


def test_an_ipv6_client_cannot_step_around_the_limit_by_changing_address_in_its_64():
    """An IPv6 client holds a whole /64: each registration from a new address in it still
    counts for the same client (core.clients.client_network)."""
    for index in range(10):
        register_person(
            Client(REMOTE_ADDR=f"2001:db8:5:6::{index + 1:x}"),
            nir=unknown_nir(),
            nom="X",
            prenom="Y",
            birth_date="12/05/1985",
            proof="none",
        )
    card = person_create()
    rotated = Client(REMOTE_ADDR="2001:db8:5:6:ffff:1:2:3")
    pages = person_pages_of(card)
    for slug, data in pages[:-1]:
        answer(rotated, slug, data)
    assert rotated.post(walk_url("conditions")).status_code == 429
    # The next /64 is another client.
    register_person(Client(REMOTE_ADDR="2001:db8:5:7::1"), card)
    assert User.objects.get().channel == User.Channel.EMAIL


# --- Anti-enumeration -----------------------------------------------------------------------


def test_page_7_is_the_same_bytes_for_unknown_failed_and_existing(client_factory):
    known = person_create()
    existing = person_create()
    _existing_account(existing)
    pages = []
    for values in (
        {
            "nir": unknown_nir(),
            "nom": "Questel",
            "prenom": "Marie",
            "birth_date": "12/05/1985",
            "secret": "12345678901",
        },
        {"card": known, "secret": "99999999999"},
        {"card": existing, "proof": "none"},
        {"card": known, "proof": "none"},
    ):
        browser = client_factory()
        card = values.pop("card", None)
        register_person(browser, card, **values)
        pages.append(browser.get(reverse("signup:done")).content)
        User.objects.filter(person=known.person).delete()
    assert pages[0] == pages[1] == pages[2] == pages[3]
    assert b"csrfmiddlewaretoken" not in pages[0]


@pytest.fixture
def client_factory():
    from django.test import Client

    return lambda: Client(REMOTE_ADDR="10.9.8.7")


def _wrong_serial(nir: str) -> Registration:
    """A registration with the NIR ``nir`` whose names and date of birth are those of
    person_create's, and whose Vitale serial is wrong."""
    return Registration(
        profile="particulier",
        language="fr",
        last_name="Questel",
        first_name="Marie-Hélène",
        email="m@example.org",
        nir_body=nir,
        birth_date=datetime.date(1985, 5, 12),
        proof="vitale",
        proof_digest="0" * 64,
    )


def _reads(registration):
    with CaptureQueriesContext(connection) as queries:
        registration_complete(registration=registration, client="10.1.1.1")
    return [
        q["sql"].split(" FROM ")[1].split()[0]
        for q in queries.captured_queries
        if q["sql"].startswith("SELECT") and " FROM " in q["sql"]
    ]


def test_the_same_reads_are_made_whether_the_nir_exists_or_not():
    known = person_create()

    assert _reads(_wrong_serial(unknown_nir())) == _reads(_wrong_serial(known.nir))


def _statements(registration) -> Counter:
    with CaptureQueriesContext(connection) as queries:
        registration_complete(registration=registration, client="10.1.1.1")
    return Counter(q["sql"].split()[0].upper() for q in queries.captured_queries)


def test_a_known_identity_costs_the_round_trips_of_an_unknown_one_and_one_insert():
    """What a stranger can time: an identity the fund covers, whose proof is wrong, costs the
    database round trips an unknown one costs, and the one more INSERT (the account and its
    letter, against the review request): no savepoint, no read of its own."""
    known = person_create()

    unknown, covered = (
        _statements(_wrong_serial(unknown_nir())),
        _statements(_wrong_serial(known.nir)),
    )
    assert covered - unknown == Counter({"INSERT": 1}), (covered, unknown)
    assert unknown - covered == Counter()


@pytest.mark.parametrize(
    "profile", ["particulier", "exploitant", "employeur_jardinier", "cotisant_solidarite"]
)
def test_every_nir_profile_registers_when_the_registry_gives_it(client, profile):
    card = person_create(profils=profile)
    register_person(client, card, profile=profile)
    account = User.objects.get()
    assert (account.profile, account.channel) == (profile, User.Channel.EMAIL)


def test_nothing_is_half_written_when_the_outcome_fails(client, monkeypatch):
    card = person_create()

    def broken(**kwargs):
        raise RuntimeError("outbox down")

    monkeypatch.setattr("signup.services.email_enqueue", broken)
    with pytest.raises(RuntimeError):
        register_person(client, card)
    assert not User.objects.exists()
    assert not EmailDelivery.objects.exists()
    assert not AuditEvent.objects.exists()
    assert not FunnelCount.objects.filter(event="complete").exists()
    # What was entered is still there: « Finaliser » can be pressed again.
    monkeypatch.undo()
    answer(client, "conditions")
    assert User.objects.get().channel == User.Channel.EMAIL


def test_a_registration_finished_twice_at_once_creates_one_account(client, monkeypatch):
    card = person_create()
    first = _existing_account(card)  # what the other, simultaneous request has just created
    real_find = selectors.account_find
    calls = []

    def not_yet_visible(*, login):
        calls.append(login)
        return None if len(calls) == 1 else real_find(login=login)

    monkeypatch.setattr("signup.selectors.account_find", not_yet_visible)
    register_person(client, card)
    assert User.objects.get() == first
    assert EMAIL_SENTENCE in page7(client)


def test_a_registration_completes_while_the_cache_is_down(client, unreachable_cache, caplog):
    """The completions limit is open during a cache outage
    (docs/decisions/limits-when-the-cache-fails.md): no error page, and it is logged."""
    card = person_create()
    response = register_person(client, card)
    assert response.headers["Location"] == reverse("signup:done")
    assert EMAIL_SENTENCE in page7(client)
    assert User.objects.get().channel == User.Channel.EMAIL
    assert any(
        r.levelname == "ERROR" and "signup:completions" in r.getMessage() for r in caplog.records
    )


def test_page_7_is_shown_when_the_session_cannot_be_written_after_the_commit(client, monkeypatch):
    card = person_create()
    pages = list(person_pages_of(card))
    for slug, data in pages[:-1]:
        answer(client, slug, data)

    def lost(self, must_create=False):
        raise DatabaseError("connection lost")

    monkeypatch.setattr("accounts.session_store.SessionStore.save", lost)
    slug, data = pages[-1]
    response = client.post(walk_url(slug), data)
    assert response.status_code == 200
    assert "Inscription terminée" in response.content.decode()
    assert EMAIL_SENTENCE in response.content.decode()
    assert User.objects.get().channel == User.Channel.EMAIL
