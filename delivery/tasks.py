"""The worker's task that sends the outbox's emails (run by `manage.py db_worker`)."""

import logging
import smtplib
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from .emails import Secret, email_message, secret_make
from .models import EmailDelivery

logger = logging.getLogger(__name__)

# Delay before each new try after a failed one: 5 tries over about 2 h 40 min, enough for an
# SMTP server's restart or a full mailbox to clear, short enough for a 72-hour password.
RETRY_DELAYS = [
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
]
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
ERROR_MAX_CHARS = 1000


@task()
def email_send(delivery_id: int) -> str:
    """Send one outbox email; after a failure, try again later, then give up as FAILED.

    The argument is the outbox row's id and nothing else: the password is made here, at
    send time, and voided if the send fails, so that a retry never leaves two valid ones.
    """
    with transaction.atomic():
        delivery = (
            EmailDelivery.objects.select_for_update()
            .select_related("user")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None or delivery.status != EmailDelivery.Status.QUEUED:
            return "skipped"
        delivery.attempts += 1
        delivery.next_attempt_at = None
        delivery.save(update_fields=["attempts", "next_attempt_at"])
        # Committed before the send: the password must be valid when the email arrives.
        secret = secret_make(delivery)
    try:
        email_message(delivery, secret).send()
    except Exception as error:  # any failure to hand over the message is retried
        return _send_failed(delivery, secret, error)
    EmailDelivery.objects.filter(pk=delivery.pk).update(
        status=EmailDelivery.Status.SENT, sent_at=timezone.now(), last_error=""
    )
    return "sent"


@transaction.atomic
def _send_failed(delivery: EmailDelivery, secret: Secret, error: Exception) -> str:
    secret.undo()
    delivery.last_error = _describe(error)[:ERROR_MAX_CHARS]
    # The delivery's id and the error's class only: the message may quote the address.
    logger.warning(
        "Email %s failed on attempt %s: %s", delivery.pk, delivery.attempts, type(error).__name__
    )
    if delivery.attempts >= MAX_ATTEMPTS or _is_permanent(error):
        delivery.status = EmailDelivery.Status.FAILED
        delivery.save(update_fields=["status", "last_error"])
        return "failed"
    delivery.next_attempt_at = timezone.now() + RETRY_DELAYS[delivery.attempts - 1]
    delivery.save(update_fields=["last_error", "next_attempt_at"])
    email_send.using(run_after=delivery.next_attempt_at).enqueue(delivery.pk)
    return "retry"


def _describe(error: Exception) -> str:
    """The error as an agent can read it in the back-office: "451 4.3.0 Mailbox …"."""
    name = type(error).__name__
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        replies = "; ".join(
            f"{address}: {code} {_text(reply)}"
            for address, (code, reply) in error.recipients.items()
        )
        return f"{name}: {replies}"
    if isinstance(error, smtplib.SMTPResponseException):
        return f"{name}: {error.smtp_code} {_text(error.smtp_error)}"
    return f"{name}: {error}"


def _text(reply) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)


def _is_permanent(error: Exception) -> bool:
    """A recipient refused with a 5xx code will be refused again: no point retrying."""
    if isinstance(error, smtplib.SMTPRecipientsRefused) and error.recipients:
        return all(code >= 500 for code, _message in error.recipients.values())
    return False
