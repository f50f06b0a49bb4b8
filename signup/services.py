"""The outcome of a registration (docs/product.md §3), the « Autre » contact request, and the
funnel."""

from dataclasses import dataclass
from enum import StrEnum

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import User
from accounts.services import member_account_create
from audit.models import AuditEvent
from audit.services import audit_record
from core.clients import request_client
from core.throttle import limit_take
from delivery.models import EmailDelivery
from delivery.services import email_enqueue, letter_queue
from identity import first_given_name, format_siret, mask_nir, normalize_name
from registry.digests import nir_digest, siret_digest
from verification.models import Proof
from verification.selectors import company_proof_matches, person_proof_matches
from verification.services import verification_passes

from . import selectors
from .models import FunnelCount, SignupRequest
from .registration import Registration, SignupProfile

# Completions (and « Autre » requests) per client address and hour: enough for a household
# behind one address, far too few to walk through the registry.
COMPLETIONS_PER_HOUR = 10
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
    return limit_take(
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
        letter_queue(
            user=subject,
            language=registration.language,
            reason=_letter_reason(registration),
            none_waiting=True,  # the account was created just now
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
        client=request_client(request),
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
    )


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


def _verification_passes(registration: Registration, identity: _Identity) -> bool:
    return verification_passes(
        login=identity.login,
        proof=registration.proof,
        matches=identity.matches and identity.proof_matches,
    )


def _account_create(registration: Registration, identity: _Identity, *, channel: str) -> User:
    """The member account of the identity found (accounts.services.member_account_create).

    The same registration sent twice at once: the second's INSERT fails, nothing of it is
    kept, and signup.views tries it again, which finds the account.
    """
    return member_account_create(
        person=identity.person,
        company=identity.company,
        profile=registration.profile,
        first_name=registration.first_name,
        last_name=registration.last_name,
        email=registration.email,
        mobile=registration.mobile,
        language=registration.language,
        channel=channel,
        cgu_version=settings.CGU_VERSION,
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
    if not limit_take(
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
        client=request_client(request),
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
