"""Writes of the accounts domain: login, passwords, sessions, contact details (docs/product.md §4).

Every security event goes to the audit log with the client's address and browser, and
never a secret: no identifier as typed, no password, no token.
"""

import enum
import time
from datetime import timedelta

from django.contrib.auth import login, logout, update_session_auth_hash
from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.models import AuditEvent
from audit.services import audit_record
from core.clients import request_client
from core.throttle import limit_take
from delivery.letters import letter_waiting_or_recent
from delivery.models import EmailDelivery, Letter
from delivery.services import email_enqueue, letter_queue
from identity import first_given_name, format_siret
from registry.digests import siret_digest
from verification.selectors import company_proof_matches, person_proof_matches
from verification.services import verification_passes

from . import lockout
from .backends import LoginFinding
from .emails import account_notify
from .models import EmailChange, TemporaryPassword, User
from .passwords import temporary_passwords_void
from .reset import ResetRequest
from .sessions import session_stamp

MEMBER_BACKEND = "accounts.backends.MemberBackend"
# The audit event of the login that opened the session: « Cette session » in the history.
LOGIN_EVENT = "_login_event"
# A confirmation link is good for a day: long enough to reach a mailbox read once a day.
EMAIL_CHANGE_VALIDITY = timedelta(hours=24)
DAY = 24 * 3600
# Confirmation links per account and day: a typo or two, not a way to mail any address at will.
EMAIL_CHANGES_PER_DAY = 3


class TooManyEmailChanges(Exception):
    """This account has asked for too many address changes today."""


def member_login(*, request, user: User, temporary_password: TemporaryPassword | None) -> None:
    """Open a new session for a member the backend accepted, and record it.

    A temporary password was used up by the backend (single use, docs/product.md §4); with it goes
    the previous personal password: the member must now choose a new one before anything else.
    """
    if temporary_password is not None:
        _temporary_password_use(user=user, temporary_password=temporary_password)
    # A new session key (no fixation) and a new CSRF token.
    login(request, user, backend=MEMBER_BACKEND)
    session_stamp(request.session, time.time())
    # The audit log is also the member's login history (accounts.selectors.recent_logins).
    event = audit_record(
        AuditEvent.Type.LOGIN_SUCCEEDED,
        client=request_client(request),
        actor=user,
        subject=user,
        method="temporary_password" if temporary_password else "personal_password",
    )
    request.session[LOGIN_EVENT] = event.pk


@transaction.atomic
def _temporary_password_use(*, user: User, temporary_password: TemporaryPassword) -> None:
    # Also ends every session opened with the old password.
    user.set_unusable_password()
    user.must_change_password = True
    fields = ["password", "session_salt", "must_change_password"]
    if temporary_password.channel == TemporaryPassword.Channel.EMAIL and not user.email_confirmed:
        # The password was read from that mailbox: the address is its owner's.
        user.email_confirmed = True
        fields.append("email_confirmed")
    user.save(update_fields=fields)


def login_failure_record(*, request, finding: LoginFinding) -> None:
    """Audit a refused member login.

    A failure on an unknown identifier is recorded without anything derived from what was
    typed: the digest would single out a person (often a real one, mistyped), and the client
    address is what an agent needs to see an attack.
    """
    audit_record(
        AuditEvent.Type.LOGIN_FAILED,
        client=request_client(request),
        actor=None,
        subject=finding.user,
        reason=str(finding.outcome),
    )


# The profile of every company's account (« Vous êtes... une entreprise »).
COMPANY_PROFILE = "entreprise"


def member_account_create(
    *,
    person=None,
    company=None,
    profile: str = "",
    first_name: str = "",
    last_name: str = "",
    email: str,
    mobile: str,
    language: str,
    channel: str,
    cgu_version: str = "",
) -> User:
    """The member account of a registry person or company; IntegrityError if it has one.

    The account is made from the registry row: its login is the identifier's keyed digest, its
    identifier shown masked; a person's account takes the registry's names and ``profile`` if
    the registry gives the person that profile, a company's the names typed (its contact) and
    COMPANY_PROFILE. No usable password: the email worker or the letter batch makes a temporary
    one, and the member must then choose theirs. The email is kept as typed and not confirmed:
    logging in with the password emailed to it proves it, and an account created by post
    confirms it by a link. ``cgu_version``: the terms the member accepted now, if they did.

    One INSERT and nothing else, no savepoint: a registration makes the same statements
    whatever the identifier typed (docs/decisions/no-hash-in-the-request.md), and the same
    registration sent twice at once fails whole, to be tried again (signup.views).
    """
    login, fields = _member_account_fields(
        person=person,
        company=company,
        profile=profile,
        first_name=first_name,
        last_name=last_name,
    )
    if cgu_version:
        fields.update(cgu_version=cgu_version, cgu_accepted_at=timezone.now())
    return User.objects.create_user(
        login,
        None,  # an unusable password, and no argon2 hash computed in the request
        kind=User.Kind.MEMBER,
        email=email,
        email_confirmed=False,
        mobile=mobile,
        language=language or "fr",
        channel=channel,
        must_change_password=True,
        **fields,
    )


def member_account_open(*, person=None, company=None, **values) -> tuple[User, bool]:
    """The member account of a registry person or company, created as member_account_create
    does if it has none; and whether it was created now (an agent's approval of a request)."""
    try:
        with transaction.atomic():
            return member_account_create(person=person, company=company, **values), True
    except IntegrityError:
        login, _fields = _member_account_fields(person=person, company=company)
        account = User.objects.filter(login=login).first()
        if account is None:
            raise
        return account, False


def _member_account_fields(
    *, person=None, company=None, profile: str = "", first_name: str = "", last_name: str = ""
) -> tuple[str, dict]:
    """The login and the fields a member account takes from its registry row."""
    if person is None and company is None:
        raise ValueError("a person or a company")
    if person is not None:
        return person.nir_digest, {
            "identifier_type": User.IdentifierType.NIR,
            "identifier_masked": person.nir_masked,
            "person": person,
            "profile": profile if profile in person.profile_list else "",
            "first_name": first_given_name(person.prenoms),
            "last_name": person.nom,
        }
    return siret_digest(company.siret), {
        "identifier_type": User.IdentifierType.SIRET,
        "identifier_masked": format_siret(company.siret),
        "company": company,
        "profile": COMPANY_PROFILE,
        "first_name": first_name,
        "last_name": last_name,
    }


@transaction.atomic
def accounts_erase(accounts) -> int:
    """Delete these accounts (a queryset) and what hangs on them; return how many went.

    For a member's closing (backoffice) and the dormant accounts (accounts.retention). Their
    letters are locked first, as a letter batch locks them before it makes their passwords
    (delivery.letters): an erasing and a batch wait for each other in that order, never each
    for the other. The login failures counted under their logins go too; the
    rest (temporary passwords, letters, emails, email changes) goes by cascade.
    """
    list(Letter.objects.select_for_update().filter(user__in=accounts).values_list("pk"))
    lockout.accounts_forget(accounts.values("login"))
    return accounts.delete()[1].get(User._meta.label, 0)


def _password_set(*, request, user: User, password: str, end_other_sessions: bool) -> None:
    """Store a new personal password; the current session stays open, the others may not.

    A temporary password still waiting in a mailbox or a letter is void from now on: whoever
    finds it later cannot take over the account.
    """
    temporary_passwords_void(users=[user])
    salt = user.session_salt
    user.set_password(password)
    if not end_other_sessions:
        user.session_salt = salt
    user.must_change_password = False
    user.save(update_fields=["password", "session_salt", "must_change_password"])
    # This session is signed anew (and gets a new key).
    update_session_auth_hash(request, user)


@transaction.atomic
def password_choose(*, request, user: User, password: str) -> None:
    """The first personal password, after a login with a temporary one."""
    _password_set(request=request, user=user, password=password, end_other_sessions=True)
    audit_record(
        AuditEvent.Type.PASSWORD_CHANGED,
        client=request_client(request),
        subject=user,
        how="first_choice",
    )
    account_notify(user, EmailDelivery.Kind.PASSWORD_CHANGED)


@transaction.atomic
def password_change(*, request, user: User, password: str, end_other_sessions: bool) -> None:
    """A new personal password from the private space.

    The member chooses whether their other sessions end (OWASP ASVS 3.3.3); Django would end
    them all.
    """
    _password_set(
        request=request, user=user, password=password, end_other_sessions=end_other_sessions
    )
    if end_other_sessions:
        audit_record(AuditEvent.Type.SESSIONS_ENDED, client=request_client(request), subject=user)
    audit_record(
        AuditEvent.Type.PASSWORD_CHANGED, client=request_client(request), subject=user, how="change"
    )
    account_notify(user, EmailDelivery.Kind.PASSWORD_CHANGED)


@transaction.atomic
def sessions_end_others(*, request, user: User) -> None:
    """End every other session of the member (« Ce n'était pas moi ? »)."""
    user.sessions_renew()
    user.save(update_fields=["session_salt"])
    update_session_auth_hash(request, user)
    audit_record(AuditEvent.Type.SESSIONS_ENDED, client=request_client(request), subject=user)


def member_logout(*, request) -> None:
    """End the current session."""
    user = request.user
    if user.is_authenticated:
        audit_record(AuditEvent.Type.LOGOUT, client=request_client(request), subject=user)
    logout(request)


@transaction.atomic
def email_change_request(*, user: User, new_email: str) -> EmailChange:
    """Send a confirmation link to `new_email`; the address changes when it is followed.

    A newer request replaces the pending one. The email carries the link; the outbox keeps
    only the request's id (accounts.tokens rebuilds the token). Raises TooManyEmailChanges
    past EMAIL_CHANGES_PER_DAY (closed while the cache is down: the portal's own address
    must not become a way to mail any address at will).
    """
    if not limit_take(
        f"accounts:email-change:{user.pk}",
        limit=EMAIL_CHANGES_PER_DAY,
        window=DAY,
        when_cache_fails=False,
    ):
        raise TooManyEmailChanges
    now = timezone.now()
    EmailChange.objects.filter(user=user, used_at=None, voided_at=None).update(voided_at=now)
    change = EmailChange.objects.create(
        user=user, new_email=new_email, created_at=now, expires_at=now + EMAIL_CHANGE_VALIDITY
    )
    email_enqueue(
        kind=EmailDelivery.Kind.EMAIL_CONFIRMATION,
        user=user,
        to_address=new_email,
        language=user.language,
        context={"email_change_id": change.pk},
    )
    return change


@transaction.atomic
def email_change_confirm(*, request, change: EmailChange) -> None:
    """Make the confirmed address the account's contact address.

    The address it replaces, if it was confirmed, is told (OWASP ASVS 2.2.3's spirit): whoever
    took over the session cannot move the account's mail away silently.
    """
    user = change.user
    previous = user.email if user.email_confirmed else ""
    if previous and previous.lower() != change.new_email.lower():
        account_notify(user, EmailDelivery.Kind.EMAIL_CHANGED)
    user.email = change.new_email
    user.email_confirmed = True
    user.save(update_fields=["email", "email_confirmed"])
    change.used_at = timezone.now()
    change.save(update_fields=["used_at"])
    audit_record(AuditEvent.Type.EMAIL_CHANGED, client=request_client(request), subject=user)


def mobile_update(*, user: User, mobile: str) -> None:
    """Store the member's mobile number (E.164, from identity.parse_mobile), or remove it."""
    user.mobile = mobile
    user.save(update_fields=["mobile"])


# --- « Mot de passe oublié » ----------------------------------------------------------------


class ResetPage(enum.StrEnum):
    """What the last page says: the only thing the person learns (docs/product.md §3)."""

    EMAIL = "email"
    POST = "post"


class TooManyResets(Exception):
    """This client has asked too often in the last hour."""


# Requests per client address and hour: a household or an office behind one address, not a
# walk through the registry.
RESETS_PER_CLIENT_HOUR = 10
# New temporary passwords by email per account and day: enough for a lost email, too few to
# flood a mailbox.
RESET_EMAILS_PER_DAY = 3


@transaction.atomic
def password_reset_request(*, reset: ResetRequest, client: str, request=None) -> ResetPage:
    """Decide and record what a « Mot de passe oublié » leads to, by the rules of
    docs/product.md §3.

    - identity found (account, date of birth) and the chosen verification matches: a new
      temporary password by email, to the account's confirmed address (none confirmed: post);
    - identity found, verification absent, wrong, or failed too often (3 a day per identity,
      counted with the registration's): a letter to the postal address on file;
    - no such account, or not matching: nothing; the page says « by post » all the same.
    The current password keeps working until the new temporary one is used (accounts.backends).
    Raises TooManyResets when the client is over its hourly limit.
    """
    # Open while the cache is down (docs/decisions/limits-when-the-cache-fails.md): the failed
    # proofs are counted in the database, and a letter is sent at most once a day per account.
    if not limit_take(
        f"accounts:password-reset:{client}",
        limit=RESETS_PER_CLIENT_HOUR,
        window=3600,
        when_cache_fails=True,
    ):
        raise TooManyResets
    user = (
        User.objects.filter(login=reset.login, kind=User.Kind.MEMBER, is_active=True)
        .select_related("person", "company")
        .first()
    )
    person = user.person if user else None
    company = user.company if user else None
    if reset.identifier_type == User.IdentifierType.SIRET:
        identity_matches = company is not None
        proof_matches = company_proof_matches(
            company=company, proof=reset.proof, proof_digest=reset.proof_digest
        )
    else:
        identity_matches = person is not None and person.date_naissance == reset.birth_date
        proof_matches = person_proof_matches(
            person=person, proof=reset.proof, proof_digest=reset.proof_digest
        )
    # Counted whether the account exists or not, like the registration does.
    verified = verification_passes(
        login=reset.login, proof=reset.proof, matches=identity_matches and proof_matches
    )

    outcome, page = "none", ResetPage.POST
    if user is not None and identity_matches:
        if verified and user.email and user.email_confirmed:
            page = ResetPage.EMAIL
            outcome = "email" if _reset_email(user) else "email_limit"
        else:
            outcome = "post" if _reset_letter(user) else "post_pending"
    audit_record(
        AuditEvent.Type.PASSWORD_RESET_REQUESTED,
        client=request_client(request),
        actor=None,
        subject=user if identity_matches else None,
        outcome=outcome,
        proof=reset.proof,
        verified=verified,
    )
    return page


def _reset_email(user: User) -> bool:
    """Queue an email with a new temporary password (made by the task); False over the limit."""
    # Closed while the cache is down: nobody may flood a mailbox during the outage.
    if not limit_take(
        f"accounts:reset-email:{user.pk}",
        limit=RESET_EMAILS_PER_DAY,
        window=DAY,
        when_cache_fails=False,
    ):
        return False
    email_enqueue(
        kind=EmailDelivery.Kind.TEMPORARY_PASSWORD,
        user=user,
        to_address=user.email,
        language=user.language,
        context={"reason": "password_reset"},
    )
    return True


def _reset_letter(user: User) -> bool:
    """Queue a letter with a new temporary password (made when the batch is printed).

    At most one a day, and none while one is waiting: a letter costs the fund postage.
    """
    since = timezone.now() - timedelta(days=1)
    if letter_waiting_or_recent(user=user, reason="password_reset", since=since):
        return False
    letter_queue(user=user, language=user.language, reason="password_reset", none_waiting=True)
    return True
