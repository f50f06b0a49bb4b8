"""The outcome of a registration (docs/product.md §3), the « Autre » contact request, and the
funnel."""

import hmac
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import User
from audit.models import AuditEvent
from audit.services import audit_record
from delivery.models import EmailDelivery, Letter
from delivery.services import email_enqueue
from identity import first_given_name, format_siret, mask_nir, normalize_name
from payments.selectors import last_payment_digests
from registry.digests import amount_digest, nir_digest, siret_digest

from . import selectors, throttle
from .models import FunnelCount, SignupRequest
from .registration import Proof, Registration, SignupProfile

# Completions (and « Autre » requests) per client address and hour: enough for a household
# behind one address, far too few to walk through the registry.
COMPLETIONS_PER_HOUR = 10
# Failed verifications per identity in any 24 h (signup.throttle.proof_place_take); after that
# only the letter is offered (docs/product.md §3).
FAILED_VERIFICATIONS_LIMIT = 3
FAILED_VERIFICATIONS_WINDOW = timedelta(hours=24)
# At most one « someone asked to register » notice a day (a day of the clock), so that nobody
# can flood a mailbox.
EXISTING_NOTICE_WINDOW = 24 * 3600


class TooManyCompletions(Exception):
    """This client has finished too many registrations in the last hour."""


def _completion_place_take(client: str) -> bool:
    """One of the client's completions this hour (``client``: core.clients.client_network).

    Open while the cache is down (docs/decisions/limits-when-the-cache-fails.md): the person
    finishing must not lose their registration to our outage, and what the limit slows down
    (walking through the registry) is held by the page 7 that tells nothing and by the failed
    proofs counted in the database.
    """
    return throttle.limit_take(
        f"signup:completions:{client}",
        limit=COMPLETIONS_PER_HOUR,
        window=3600,
        when_cache_fails=True,
    )


class Outcome(StrEnum):
    ACCOUNT_EMAIL = "account_email"
    ACCOUNT_POST = "account_post"
    REVIEW = "review"
    EXISTING = "existing"


class Page(StrEnum):
    """What page 7 says: the only thing the person learns."""

    EMAIL = "email"
    POST = "post"


@dataclass(frozen=True)
class Completion:
    outcome: Outcome
    page: Page


@dataclass(frozen=True)
class _Identity:
    """Who the registry says the identifier belongs to, and whether what was typed matches."""

    login: str
    masked: str
    person: object = None
    company: object = None
    matches: bool = False
    proof_matches: bool = False


@transaction.atomic
def registration_complete(*, registration: Registration, client: str, request=None) -> Completion:
    """Decide and record what a finished registration leads to, in one transaction.

    Raises ``TooManyCompletions`` when the client is over its hourly limit. Whatever the
    registry holds, the same lookups are made, so that the time taken tells nothing.
    """
    if not _completion_place_take(client):
        raise TooManyCompletions
    identity = (
        _company_identity(registration)
        if registration.is_company
        else _person_identity(registration)
    )
    account = selectors.account_find(login=identity.login)
    verified = _verification_passes(registration, identity)

    # An account already exists for that identifier: nothing is overwritten; its own address
    # is told, and the page says what the verification alone would have said.
    if account is not None:
        _existing_account_notify(account=account)
        outcome, page, subject = Outcome.EXISTING, Page.EMAIL if verified else Page.POST, account
    # Identity found and the chosen verification matches: the password goes by email.
    elif identity.matches and verified:
        subject = _account_create(registration, identity, channel=User.Channel.EMAIL)
        email_enqueue(
            kind=EmailDelivery.Kind.TEMPORARY_PASSWORD,
            user=subject,
            to_address=registration.email,
            language=registration.language,
        )
        outcome, page = Outcome.ACCOUNT_EMAIL, Page.EMAIL
    # Identity found, verification absent, wrong or over the limit: a letter to the address on
    # file, never to an address typed here.
    elif identity.matches:
        subject = _account_create(registration, identity, channel=User.Channel.POST)
        Letter.objects.create(
            user=subject, language=registration.language, reason=_letter_reason(registration)
        )
        outcome, page = Outcome.ACCOUNT_POST, Page.POST
    # Identity not found or not matching: the agents look at it; the page says « by post »,
    # the same as above, so that nobody learns whether the identifier exists.
    else:
        _review_request_create(registration, identity)
        outcome, page, subject = Outcome.REVIEW, Page.POST, None

    funnel_record(
        event=FunnelCount.Event.COMPLETE, profile=registration.profile, channel=_channel(outcome)
    )
    audit_record(
        AuditEvent.Type.SIGNUP_COMPLETED,
        request=request,
        subject=subject,
        outcome=outcome.value,
        profile=registration.profile,
        proof=registration.proof,
        verified=verified,
    )
    return Completion(outcome=outcome, page=page)


def _person_identity(registration: Registration) -> _Identity:
    digest = nir_digest(registration.nir_body)
    person = selectors.person_find(nir_digest=digest)
    # Compared even when nobody was found (against empty values): the same work either way.
    nom = person.nom if person else ""
    prenoms = person.prenoms if person else ""
    last_name_matches = normalize_name(registration.last_name) == normalize_name(nom)
    typed_first = normalize_name(registration.first_name)
    first_name_matches = typed_first in (
        normalize_name(first_given_name(prenoms)),
        normalize_name(prenoms.replace(",", " ")),
    )
    matches = (
        person is not None
        and last_name_matches
        and first_name_matches
        and person.date_naissance == registration.birth_date
        and registration.profile in person.profile_list
    )
    return _Identity(
        login=digest,
        masked=mask_nir(registration.nir_body),
        person=person,
        matches=matches,
        proof_matches=_person_proof_matches(registration, person),
    )


def _person_proof_matches(registration: Registration, person) -> bool:
    return person_proof_matches(
        person=person,
        proof=registration.proof,
        proof_digest=registration.proof_digest,
        amount=registration.amount,
    )


def person_proof_matches(*, person, proof: str, proof_digest: str = "", amount=None) -> bool:
    """Whether a proof of step 4 matches the registry's person (None: nobody, never matches).

    Also used by « Mot de passe oublié » (accounts), which asks the same questions.
    """
    if proof == Proof.AMOUNT:
        # Digests on both sides (docs/product.md §5): the payments extract's latest payments when
        # the fund sent it, else the registry's column.
        # The wizards give the typed amount's digest (the session never holds it in clear).
        typed = proof_digest or (
            amount_digest(f"{amount:.2f}") if amount is not None and amount >= 0 else ""
        )
        candidates = last_payment_digests(person) if person else [""]
        matches = False
        for on_file in candidates:
            matches |= _digests_equal(typed, on_file)
        return matches
    on_file = {
        Proof.VITALE: person.vitale_serial_digest if person else "",
        Proof.IBAN: person.iban_digest if person else "",
    }.get(proof, "")
    return _digests_equal(proof_digest, on_file)


def company_proof_matches(*, company, proof: str, proof_digest: str = "") -> bool:
    """Whether the employer account number matches the registry's company (None: never).

    Also used by « Mot de passe oublié » (accounts), which asks the same question.
    """
    on_file = company.employer_account_digest if company else ""
    return proof == Proof.EMPLOYER_ACCOUNT and _digests_equal(proof_digest, on_file)


def _company_identity(registration: Registration) -> _Identity:
    company = selectors.company_find(siret=registration.siret)
    return _Identity(
        login=siret_digest(registration.siret),
        masked=format_siret(registration.siret),
        company=company,
        matches=company is not None,
        proof_matches=company_proof_matches(
            company=company, proof=registration.proof, proof_digest=registration.proof_digest
        ),
    )


def _digests_equal(typed: str, on_file: str) -> bool:
    # Constant time, and an empty digest on file (no such proof known) never matches.
    return hmac.compare_digest(typed or "-", on_file or "")


def _verification_passes(registration: Registration, identity: _Identity) -> bool:
    return verification_passes(
        login=identity.login,
        proof=registration.proof,
        matches=identity.matches and identity.proof_matches,
    )


def verification_passes(*, login: str, proof: str, matches: bool) -> bool:
    """The proof matches, and this identity has not failed too often (then: post, silently).

    The failures are counted per identity (its login digest), registration and « Mot de passe
    oublié » (accounts) together.
    """
    if proof == Proof.NONE:
        return False
    # Every attempt holds a place while it is judged, so that attempts sent all at once cannot
    # step over the limit; a match gives its place back: only failures keep theirs. Counted
    # whether the identifier exists or not: the same work, and a guesser of serial numbers is
    # stopped after three tries on one identity.
    slot = throttle.proof_place_take(
        login, places=FAILED_VERIFICATIONS_LIMIT, window=FAILED_VERIFICATIONS_WINDOW
    )
    if slot is None:
        return False
    if matches:
        throttle.proof_place_release(login, slot)
    return matches


def _account_create(registration: Registration, identity: _Identity, *, channel: str) -> User:
    """A member account with no usable password: the email task or the letter batch makes one.

    The email is kept as typed and not yet confirmed: logging in with the password emailed to
    it proves it (accounts' login), and an account created by post confirms it by a link.
    """
    person, company = identity.person, identity.company
    if person is not None:
        names = {"last_name": person.nom, "first_name": first_given_name(person.prenoms)}
        identifier_type = User.IdentifierType.NIR
    else:
        names = {"last_name": registration.last_name, "first_name": registration.first_name}
        identifier_type = User.IdentifierType.SIRET
    return User.objects.create_user(
        identity.login,
        None,  # an unusable password, and no argon2 hash computed in the request
        kind=User.Kind.MEMBER,
        identifier_type=identifier_type,
        identifier_masked=identity.masked,
        profile=registration.profile,
        person=person,
        company=company,
        email=registration.email,
        email_confirmed=False,
        mobile=registration.mobile,
        language=registration.language,
        channel=channel,
        must_change_password=True,
        cgu_version=settings.CGU_VERSION,
        cgu_accepted_at=timezone.now(),
        **names,
    )


def _letter_reason(registration: Registration) -> str:
    if registration.proof == Proof.NONE:
        return "signup_no_proof"
    return "signup_proof_not_verified"


def _existing_account_notify(*, account: User) -> None:
    """Tell the account's own confirmed address that someone asked to register with its
    identifier.

    An address typed at a registration and never proven gets nothing (docs/product.md §3): whoever
    typed it may be a stranger holding someone else's identity, and the notice would tell them
    that the identifier is in the registry and has an account. Closed while the cache is down:
    a notice that is not sent harms nobody, a flood of them would.
    """
    if not (account.email and account.email_confirmed):
        return
    if not throttle.limit_take(
        f"signup:existing-notice:{account.pk}",
        limit=1,
        window=EXISTING_NOTICE_WINDOW,
        when_cache_fails=False,
    ):
        return
    email_enqueue(
        kind=EmailDelivery.Kind.EXISTING_ACCOUNT,
        user=account,
        to_address=account.email,
        language=account.language,
    )


def _review_request_create(registration: Registration, identity: _Identity) -> SignupRequest:
    return SignupRequest.objects.create(
        kind=SignupRequest.Kind.UNIDENTIFIED,
        profile=registration.profile,
        identifier_type=User.IdentifierType.SIRET
        if registration.is_company
        else User.IdentifierType.NIR,
        identifier_digest=identity.login,
        identifier_masked=identity.masked,
        last_name=registration.last_name,
        first_name=registration.first_name,
        birth_date=registration.birth_date,
        email=registration.email,
        mobile=registration.mobile,
        language=registration.language,
    )


def _channel(outcome: Outcome) -> str:
    return {
        Outcome.ACCOUNT_EMAIL: "email",
        Outcome.ACCOUNT_POST: "post",
        Outcome.REVIEW: "review",
        Outcome.EXISTING: "none",
    }[outcome]


@transaction.atomic
def other_request_create(
    *,
    function: str,
    last_name: str,
    first_name: str,
    email: str,
    mobile: str,
    organisation: str,
    message: str,
    language: str,
    client: str,
    request=None,
) -> SignupRequest:
    """Record an « Autre » contact request for the agents' review queue.

    Rate-limited with the registrations of the same client (``TooManyCompletions``).
    """
    if not _completion_place_take(client):
        raise TooManyCompletions
    signup_request = SignupRequest.objects.create(
        kind=SignupRequest.Kind.OTHER,
        profile=SignupProfile.AUTRE,
        function=function,
        last_name=last_name,
        first_name=first_name,
        email=email,
        mobile=mobile,
        organisation=organisation,
        message=message,
        language=language,
    )
    funnel_record(event=FunnelCount.Event.COMPLETE, profile=SignupProfile.AUTRE, channel="review")
    audit_record(
        AuditEvent.Type.SIGNUP_COMPLETED,
        request=request,
        outcome="other_request",
        profile=SignupProfile.AUTRE.value,
        function=function,
    )
    return signup_request


# One statement, on PostgreSQL and SQLite alike: it runs on every step a visitor reaches, and the
# ORM's update-then-create takes longer to build than the database takes to run this.
_FUNNEL_UPSERT = """
    INSERT INTO {table} (day, profile, event, step, channel, count)
    VALUES (%s, %s, %s, %s, %s, 1)
    ON CONFLICT (day, profile, event, step, channel) DO UPDATE SET count = {table}.count + 1
"""


def funnel_record(*, event: str, profile: str = "", step: int = 0, channel: str = "") -> None:
    """Count one step reached, abandon or completion for today's funnel (no personal data)."""
    with connection.cursor() as cursor:
        cursor.execute(
            _FUNNEL_UPSERT.format(table=connection.ops.quote_name(FunnelCount._meta.db_table)),
            [timezone.localdate(), profile or "", event, step, channel],
        )
