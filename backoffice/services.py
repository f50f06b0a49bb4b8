"""The back-office's writes: agents' second factor, members' accounts, review decisions.

Every agent action is recorded in the audit log (docs/product.md §5), without secrets.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.lockout import account_unlock, agent_key
from accounts.models import User
from accounts.services import accounts_erase, member_account_open
from audit.models import AuditEvent
from audit.services import audit_record
from core.clients import request_client
from delivery.services import letter_queue
from signup.models import SignupRequest

TOTP_DEVICE_NAME = "Application d'authentification"


def agent_totp_device(*, user: User) -> TOTPDevice | None:
    """The agent's confirmed authenticator, if enrolled."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def agent_has_totp(*, user: User) -> bool:
    """Whether the agent has enrolled an authenticator app."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def agent_enrolment_deadline(*, user: User) -> datetime:
    """Until when the agent may enrol an authenticator: AGENT_ENROLMENT_DAYS after the account
    was made or their second factor was last reset by a supervisor, whichever is later."""
    last_reset = (
        AuditEvent.objects.filter(
            type=AuditEvent.Type.AGENT_ACTION, subject=user, data__action="totp_reset"
        )
        .order_by("-at")
        .values_list("at", flat=True)
        .first()
    )
    opened = max(user.date_joined, last_reset) if last_reset else user.date_joined
    return opened + timedelta(days=settings.AGENT_ENROLMENT_DAYS)


def agent_enrolment_open(*, user: User) -> bool:
    """Whether the agent may still enrol an authenticator (see agent_enrolment_deadline)."""
    return timezone.now() < agent_enrolment_deadline(user=user)


@transaction.atomic
def agent_totp_enrolment_device(*, user: User) -> TOTPDevice:
    """The unconfirmed device being enrolled, made on the first visit and kept until confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    return device


@transaction.atomic
def agent_totp_confirm(*, device: TOTPDevice, request=None) -> None:
    """Confirm an enrolment once the agent typed a valid first code."""
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=device.user, confirmed=False).delete()
    audit_record(
        AuditEvent.Type.AGENT_ACTION,
        client=request_client(request),
        actor=device.user,
        subject=device.user,
        action="totp_enrolled",
    )


@transaction.atomic
def agent_totp_reset(
    *, agent: User, actor: User | None, request=None, origin: str = "back-office"
) -> int:
    """Remove an agent's authenticator (lost phone): they enrol a new one at next sign-in.

    ``origin`` is « back-office » (a supervisor's action) or « command »
    (`manage.py agent_second_factor_reset`, with no actor).
    """
    count, _detail = TOTPDevice.objects.filter(user=agent).delete()
    audit_record(
        AuditEvent.Type.AGENT_ACTION,
        client=request_client(request),
        actor=actor,
        subject=agent,
        action="totp_reset",
        origin=origin,
    )
    return count


@transaction.atomic
def agent_unblock(*, agent: User, actor: User, request=None) -> int:
    """Forget an agent's failed sign-ins, on every browser (accounts.lockout)."""
    cleared = account_unlock(agent_key(agent.login))
    audit_record(
        AuditEvent.Type.ACCOUNT_UNLOCKED,
        client=request_client(request),
        actor=actor,
        subject=agent,
        by="supervisor",
        failures_cleared=cleared,
    )
    return cleared


def agent_login_succeeded(*, request, user: User, device: TOTPDevice) -> None:
    """Mark the session verified by the second factor and record the sign-in."""
    otp_login(request, device)
    audit_record(
        AuditEvent.Type.LOGIN_SUCCEEDED,
        client=request_client(request),
        actor=user,
        subject=user,
        area="back-office",
    )


def agent_login_failed(*, request, reason: str, subject: User | None = None) -> None:
    """Record a refused back-office sign-in; what was typed is never recorded."""
    audit_record(
        AuditEvent.Type.LOGIN_FAILED,
        client=request_client(request),
        actor=None,
        subject=subject,
        area="back-office",
        reason=reason,
    )


REJECTION_REASONS = [
    ("not_in_registry", _("Personne ou entreprise absente du registre")),
    ("mismatch", _("Les informations ne correspondent pas au registre")),
    ("duplicate", _("Demande en double")),
    ("account_exists", _("Un compte existe déjà : la personne a été contactée")),
    ("out_of_scope", _("Hors du champ de la caisse")),
    ("contacted", _("Demande traitée par téléphone ou par courrier")),
]


# --- Members' accounts ---------------------------------------------------------------------------


@transaction.atomic
def member_lock(*, user: User, agent: User, request=None) -> bool:
    """Lock a member's account: no login, open sessions end (inactive users are logged out)."""
    if not user.is_active:
        return False
    user.is_active = False
    user.save(update_fields=["is_active"])
    audit_record(
        AuditEvent.Type.ACCOUNT_LOCKED,
        client=request_client(request),
        actor=agent,
        subject=user,
        by="agent",
    )
    return True


@transaction.atomic
def member_close(*, user: User, agent: User, request=None) -> bool:
    """Close a member's account at their request (« Données personnelles »: their right to
    erasure, the space being optional): the account and what hangs on it go now. False when
    it was gone already (closed meanwhile) or is not a member's.

    Gone with it: its temporary passwords, its letters and emails (sent or waiting), its email
    changes, the login failures counted under its login; its sessions no longer
    open anything. The registry's record stays (the fund's own file), and so do the review
    requests, for their year. The audit log keeps the closing, by whom, with the masked
    identifier only; earlier events keep no link to the account.
    """
    if not accounts_erase(User.objects.filter(pk=user.pk, kind=User.Kind.MEMBER)):
        return False
    audit_record(
        AuditEvent.Type.ACCOUNT_CLOSED,
        client=request_client(request),
        actor=agent,
        subject=None,
        account=user.pk,
        masked=user.identifier_masked,
    )
    return True


@transaction.atomic
def member_unlock(*, user: User, agent: User, request=None) -> None:
    """Unlock a member's account: its login failures are forgotten, and the account is active."""
    # Members log in with their identifier's digest, which is what failures are counted under.
    failures_cleared = account_unlock(user.login)
    user.is_active = True
    user.save(update_fields=["is_active"])
    audit_record(
        AuditEvent.Type.ACCOUNT_UNLOCKED,
        client=request_client(request),
        actor=agent,
        subject=user,
        by="agent",
        failures_cleared=failures_cleared,
    )


@transaction.atomic
def member_letter_request(*, user: User, agent: User | None, request=None, reason="agent_request"):
    """Queue a letter with a new temporary password (made when the batch is printed).

    Returns the letter, or None when one is already waiting to be printed.
    """
    letter, queued = letter_queue(
        user=user, language=user.language, reason=reason, requested_by=agent
    )
    if not queued:
        return None
    audit_record(
        AuditEvent.Type.AGENT_ACTION,
        client=request_client(request),
        actor=agent,
        subject=user,
        action="letter_requested",
        letter=letter.pk,
    )
    return letter


# --- Review queue ---------------------------------------------------------------------------


class DecisionError(Exception):
    """A decision that cannot be taken (already decided, nothing to link to)."""


@transaction.atomic
def signup_request_approve(*, signup_request, agent: User, person=None, company=None, request=None):
    """Approve a request: link it to the registry, create the account if none, queue a letter.

    An « Autre » request may be approved without a link (the agent took care of it); it then
    gets no account. Returns the account, or None.
    """
    locked = SignupRequest.objects.select_for_update().get(pk=signup_request.pk)
    if locked.status != SignupRequest.Status.PENDING:
        raise DecisionError("already decided")
    if person is None and company is None and locked.kind != SignupRequest.Kind.OTHER:
        raise DecisionError("nothing to link")
    account, created = None, False
    if person is not None or company is not None:
        # A person's account takes the registry's names, as a registration that matched gets: a
        # request often lands here because of a typing mistake in them.
        account, created = member_account_open(
            person=person,
            company=company,
            profile=locked.profile,
            first_name=locked.first_name,
            last_name=locked.last_name,
            email=locked.email,
            mobile=locked.mobile,
            language=locked.language,
            channel=User.Channel.REVIEW,
        )
        if account.kind != User.Kind.MEMBER:
            raise DecisionError("not a member account")
        # Asked for by this agent's decision: another agent prints it (docs/product.md §8).
        letter_queue(
            user=account, language=locked.language, reason="review_approved", requested_by=agent
        )
    locked.status = SignupRequest.Status.APPROVED
    locked.decided_at = timezone.now()
    locked.decided_by = agent
    locked.account = account
    locked.save(update_fields=["status", "decided_at", "decided_by", "account"])
    audit_record(
        AuditEvent.Type.REVIEW_DECISION,
        client=request_client(request),
        actor=agent,
        subject=account,
        decision="approved",
        signup_request=locked.pk,
        account_created=created,
    )
    return account


@transaction.atomic
def signup_request_reject(*, signup_request, agent: User, reason: str, request=None) -> None:
    """Reject a request with one of REJECTION_REASONS; the request itself is kept."""
    if reason not in dict(REJECTION_REASONS):
        raise DecisionError("unknown reason")
    locked = SignupRequest.objects.select_for_update().get(pk=signup_request.pk)
    if locked.status != SignupRequest.Status.PENDING:
        raise DecisionError("already decided")
    locked.status = SignupRequest.Status.REJECTED
    locked.rejection_reason = reason
    locked.decided_at = timezone.now()
    locked.decided_by = agent
    locked.save(update_fields=["status", "rejection_reason", "decided_at", "decided_by"])
    audit_record(
        AuditEvent.Type.REVIEW_DECISION,
        client=request_client(request),
        actor=agent,
        decision="rejected",
        signup_request=locked.pk,
        reason=reason,
    )
