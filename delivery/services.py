"""The email outbox: every email the product sends is a row here, sent by the email worker.

Callers create the row with ``email_enqueue`` inside their own transaction, so the email goes
out if and only if what caused it is committed (docs/product.md §9); the row is the queue itself:
`manage.py email_worker` takes it from there (delivery.sender).
"""

from django.db import transaction
from django.utils import timezone

from audit.models import AuditEvent
from audit.services import audit_record
from core.clients import request_client

from .letters import letter_waiting_of_kind
from .models import EmailDelivery, Letter
from .selectors import letter_approvable_by


@transaction.atomic
def email_enqueue(
    *, kind: str, user, to_address: str, language: str, context=None
) -> EmailDelivery:
    """Queue one email of ``kind`` to ``to_address`` for ``user``; a worker sends it.

    ``context`` holds the message's non-secret parameters (JSON); anything secret (a temporary
    password, a link's token) is made by the worker at send time, never stored here.
    """
    return EmailDelivery.objects.create(
        kind=kind,
        user=user,
        to_address=to_address,
        language=language,
        context=context or {},
    )


@transaction.atomic
def email_resend(*, delivery: EmailDelivery) -> EmailDelivery:
    """Send an email again, from the first try, as soon as a worker is free (« Renvoyer »).

    A sent or failed email is queued again; a queued one waiting for its next try is due at
    once. One that a worker is sending right now is left to it: a second send would only void
    the first one's password. A temporary-password email gets a new password, which voids the
    previous one.
    """
    delivery = EmailDelivery.objects.select_for_update().get(pk=delivery.pk)
    if delivery.status == EmailDelivery.Status.QUEUED and delivery.is_being_sent():
        return delivery
    delivery.status = EmailDelivery.Status.QUEUED
    delivery.attempts = 0
    delivery.last_error = ""
    delivery.next_attempt_at = None
    delivery.lease_token = ""
    delivery.leased_by = ""
    delivery.save(
        update_fields=[
            "status",
            "attempts",
            "last_error",
            "next_attempt_at",
            "lease_token",
            "leased_by",
        ]
    )
    return delivery


def letter_queue(
    *, user, language: str, reason: str, requested_by=None, none_waiting: bool = False
) -> tuple[Letter, bool]:
    """Queue a letter to the postal address on file of ``user``; return it and True, or the
    letter of the same kind already waiting for a batch and False (nothing is queued then).

    The one rule of every caller (docs/decisions/one-letter-waiting.md): an account has at most
    one pending letter of a kind. The kinds are the letter with a temporary password, whatever
    asked for it (the password is made when the batch prints it: the letter waiting already
    carries the newest one), and each reason of a notice (delivery.letters.NOTICE_MAKERS).
    ``requested_by``: the agent who asks for it by hand, whom the four-eyes rule keeps from
    printing it (delivery.selectors.letter_held_back); a letter already waiting keeps its own.
    ``none_waiting``: the caller knows that no letter of the kind waits (an account created in
    its transaction, or a check it made itself), so nothing is read: a registration reads the
    same tables whatever the identifier typed (docs/decisions/no-hash-in-the-request.md). No
    savepoint of its own either: it runs in the caller's transaction, one statement or two.
    """
    if not none_waiting:
        letter = (
            Letter.objects.filter(user=user)
            .filter(letter_waiting_of_kind(reason))
            .order_by("-created_at", "-pk")
            .first()
        )
        if letter is not None:
            return letter, False
    letter = Letter.objects.create(
        user=user, language=language or "fr", reason=reason, requested_by=requested_by
    )
    return letter, True


@transaction.atomic
def letter_approve(*, letter, agent, request=None) -> bool:
    """A supervisor lets a letter another agent asked for be printed by any agent
    (docs/product.md §8).

    False when it cannot be approved: not asked for by hand, asked for by this supervisor, no
    longer waiting, already approved, or the agent is not a supervisor.
    """
    letter = Letter.objects.select_for_update().get(pk=letter.pk)
    if letter.status != Letter.Status.PENDING or not letter_approvable_by(
        letter=letter, agent=agent
    ):
        return False
    letter.approved_by = agent
    letter.approved_at = timezone.now()
    letter.save(update_fields=["approved_by", "approved_at"])
    audit_record(
        AuditEvent.Type.AGENT_ACTION,
        client=request_client(request),
        actor=agent,
        subject=letter.user,
        action="letter_approved",
        letter=letter.pk,
        requested_by=letter.requested_by_id,
    )
    return True
