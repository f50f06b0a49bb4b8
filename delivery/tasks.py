"""The worker's task that sends the outbox's emails (run by `manage.py db_worker`)."""

import logging
import smtplib
import time
from datetime import timedelta
from traceback import format_exception

from django.conf import settings
from django.core.mail import get_connection
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django_tasks import TaskContext, TaskResult, TaskResultStatus, task
from django_tasks_db.models import DBTaskResult

from .emails import Secret, email_message, secrets_make
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
# While emails follow each other, the worker keeps its SMTP connection open: a relay's TLS
# handshake costs more than a message. It is dropped after this many idle seconds (well under
# the 5 minutes RFC 5321 asks servers to wait) and after any error.
SMTP_IDLE_SECONDS = 10
# Once its own email is sent, a task also sends up to this many emails whose tasks are waiting
# (see _send_waiting): a few hundred milliseconds of sending, never a long hold on the rows.
WAITING_BATCH = 20


@task(takes_context=True)
def email_send(context: TaskContext, delivery_id: int) -> str:
    """Send one outbox email; after a failure, try again later, then give up as FAILED.

    The argument is the outbox row's id and nothing else: the password is made here, at
    send time, and voided if the send fails, so that a retry never leaves two valid ones.
    Once sent, the task goes on with the emails whose tasks wait behind it (_send_waiting).
    """
    try:
        delivery = EmailDelivery.objects.select_related("user").get(
            pk=delivery_id, status=EmailDelivery.Status.QUEUED
        )
    except EmailDelivery.DoesNotExist:
        return "skipped"  # sent or given up meanwhile
    outcomes: dict = {}
    _deliver([delivery], outcomes)
    if outcomes[delivery.pk] == "sent":  # the SMTP server answers: worth going on
        _send_waiting(context.task_result)
    return outcomes[delivery.pk]


def _deliver(deliveries: list[EmailDelivery], outcomes: dict) -> None:
    """Send these queued emails (one account each) in turn; stop at the first that fails.

    What became of each email tried goes into ``outcomes`` (by id): "sent", "retry", "failed",
    or the exception raised while sending it, which is then raised; the others are left as
    they were.
    """
    # No lock: one task at a time per email (each task is claimed once, by db_worker or by
    # _claim_waiting; a retry is enqueued by the try that failed; email_resend leaves a queued
    # email alone). The secrets are committed (in their own transaction) before the first
    # send, so each is valid when its email arrives.
    secrets = secrets_make(deliveries)
    sent = []
    try:
        for delivery, secret in zip(deliveries, secrets, strict=True):
            delivery.attempts += 1
            try:
                _smtp_send(email_message(delivery, secret))
            except Exception as error:  # any failure to hand over the message is retried
                outcomes[delivery.pk] = _send_failed(delivery, secret, error)
                break
            sent.append(delivery.pk)
            outcomes[delivery.pk] = "sent"
    except BaseException as error:
        outcomes[delivery.pk] = "sent" if delivery.pk in sent else error
        raise
    finally:
        # A secret made for an email that was not sent is void: nobody will ever read it.
        for delivery, secret in zip(deliveries, secrets, strict=True):
            if outcomes.get(delivery.pk) not in ("sent", "retry", "failed"):
                secret.undo()
        if sent:
            EmailDelivery.objects.filter(pk__in=sent).update(
                status=EmailDelivery.Status.SENT,
                sent_at=timezone.now(),
                attempts=F("attempts") + 1,
                next_attempt_at=None,
                last_error="",
            )


def _send_waiting(own: TaskResult) -> None:
    """Send the emails of up to WAITING_BATCH other tasks of this queue that are due.

    Why: db_worker's own bookkeeping (find, claim, record each task: four queries) costs the
    worker about as much CPU as an email's whole work beside the password hash, and an
    email's own queries shrink when a batch shares them. Each of these tasks is claimed here
    as db_worker claims one (SELECT … FOR UPDATE SKIP LOCKED, then RUNNING with this worker's
    id), so a worker elsewhere never runs it too; it ends as db_worker would have ended it
    (SUCCESSFUL with the same return value, or FAILED with the exception), or goes back to
    READY, untouched, if this batch stops before it.
    """
    claimed = _claim_waiting(own, WAITING_BATCH)
    if not claimed:
        return
    found = EmailDelivery.objects.select_related("user").in_bulk(
        [delivery_id for _, delivery_id in claimed]
    )
    ended: dict = {}  # task id -> return value, or the exception that ended it
    batch: dict = {}  # task id -> email, one per account (secrets_make makes them together)
    for task_id, delivery_id in claimed:
        delivery = found.get(delivery_id)
        if delivery is None or delivery.status != EmailDelivery.Status.QUEUED:
            ended[task_id] = "skipped"
        elif delivery.user_id not in {other.user_id for other in batch.values()}:
            batch[task_id] = delivery  # another email to the same account waits its turn
    outcomes: dict = {}
    try:
        _deliver(list(batch.values()), outcomes)
    except Exception as error:  # recorded on its task; the emails after it wait for theirs
        logger.error("Email batch stopped by %s", type(error).__name__)
    finally:
        for task_id, delivery in batch.items():
            if delivery.pk in outcomes:
                ended[task_id] = outcomes[delivery.pk]
        _end_waiting(claimed, ended)
    logger.info("Email task %s also ran %s waiting email tasks", own.id, len(ended))


def _claim_waiting(own: TaskResult, limit: int) -> list[tuple[str, int]]:
    with transaction.atomic():
        rows = list(
            DBTaskResult.objects.ready()
            .filter(
                backend_name=own.backend,
                queue_name=own.task.queue_name,
                task_path=own.task.module_path,
            )
            .select_for_update(skip_locked=True)
            .values_list("id", "args_kwargs")[:limit]
        )
        DBTaskResult.objects.filter(id__in=[task_id for task_id, _ in rows]).update(
            status=TaskResultStatus.RUNNING,
            started_at=timezone.now(),
            worker_ids=own.worker_ids[-1:],
        )
    return [(task_id, _delivery_id(arguments)) for task_id, arguments in rows]


def _delivery_id(arguments: dict) -> int:
    args, kwargs = arguments["args"], arguments["kwargs"]
    return kwargs["delivery_id"] if "delivery_id" in kwargs else args[0]


def _end_waiting(claimed: list[tuple[str, int]], ended: dict) -> None:
    now = timezone.now()
    by_value: dict = {}
    for task_id, value in ended.items():
        if isinstance(value, BaseException):
            DBTaskResult.objects.filter(id=task_id).update(
                status=TaskResultStatus.FAILED,
                finished_at=now,
                return_value=None,
                exception_class_path=f"{type(value).__module__}.{type(value).__qualname__}",
                traceback="".join(format_exception(value)),
            )
        else:
            by_value.setdefault(value, []).append(task_id)
    for value, task_ids in by_value.items():
        DBTaskResult.objects.filter(id__in=task_ids).update(
            status=TaskResultStatus.SUCCESSFUL,
            finished_at=now,
            return_value=value,
            exception_class_path="",
            traceback="",
        )
    left = [task_id for task_id, _ in claimed if task_id not in ended]
    if left:
        DBTaskResult.objects.filter(id__in=left).update(
            status=TaskResultStatus.READY, started_at=None, worker_ids=[]
        )


_smtp = {"connection": None, "settings": None, "used_at": 0.0}


def _smtp_send(message) -> None:
    """Send through the kept connection; a connection the server dropped is reopened once."""
    for last_try in (False, True):
        connection, reused = _smtp_connection()
        try:
            connection.send_messages([message])
        except smtplib.SMTPServerDisconnected:
            _smtp_close()
            if last_try or not reused:
                raise
        except Exception:
            _smtp_close()
            raise
        else:
            _smtp["used_at"] = time.monotonic()
            return


def _smtp_connection():
    current = tuple(
        getattr(settings, name, None)
        for name in ("EMAIL_BACKEND", "EMAIL_HOST", "EMAIL_PORT", "EMAIL_HOST_USER")
    )
    idle = time.monotonic() - _smtp["used_at"]
    if _smtp["connection"] is not None and (
        _smtp["settings"] != current or idle > SMTP_IDLE_SECONDS
    ):
        _smtp_close()
    if _smtp["connection"] is not None:
        return _smtp["connection"], True
    connection = get_connection(fail_silently=False)
    connection.open()
    _smtp.update(connection=connection, settings=current)
    return connection, False


def _smtp_close() -> None:
    connection, _smtp["connection"] = _smtp["connection"], None
    if connection is not None:
        try:
            connection.close()
        except Exception:  # a connection already broken has nothing left to close
            logger.debug("SMTP connection closed with an error")


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
        delivery.next_attempt_at = None
        delivery.save(update_fields=["status", "attempts", "last_error", "next_attempt_at"])
        return "failed"
    delivery.next_attempt_at = timezone.now() + RETRY_DELAYS[delivery.attempts - 1]
    delivery.save(update_fields=["attempts", "last_error", "next_attempt_at"])
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
