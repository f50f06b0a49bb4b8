"""The email outbox: every email the product sends is a row here, sent by the email worker.

Callers create the row with ``email_enqueue`` inside their own transaction, so the email goes
out if and only if what caused it is committed (DESIGN §9); the row is the queue itself:
`manage.py email_worker` takes it from there (delivery.sender).
"""

from django.db import transaction

from .models import EmailDelivery


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
