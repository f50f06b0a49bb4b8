"""The email worker's work: take the due emails of the outbox, send each, record each.

The outbox (delivery.EmailDelivery) is its own queue: a worker takes a few due emails at once
with one UPDATE that moves them a lease ahead (SELECT … FOR UPDATE SKIP LOCKED inside it, so
that workers on several machines never take the same email), makes their secrets, sends them
one by one over one SMTP connection, on a thread of its own so that the server's replies are
awaited while the next email is built, and writes « envoyé » on those the server accepted,
a few at a time (every RECORD_SECONDS), in one statement. Whatever dies
at whatever instant (the worker, its database connection, the SMTP server), an email is either
recorded as sent or still queued, due again when its lease ends: another worker takes it then,
and the new temporary password it makes voids the one a dead worker may have sent
(docs/decisions/email-delivery-crash-safety.md).
"""

import logging
import smtplib
import threading
import time
import uuid
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.mail import get_connection
from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import DateTimeField, DurationField, ExpressionWrapper, F, Q, Value
from django.db.models.functions import Now
from django.utils import timezone

from .emails import Secret, email_message, secrets_make
from .models import EmailDelivery, Letter
from .services import letter_queue

logger = logging.getLogger(__name__)

# Tries of an email before it is given up: the first, then one after each delay of
# EMAIL_RETRY_SECONDS (1 min, 5 min, 30 min, 2 h by default).
MAX_ATTEMPTS = 5
# An email whose every taking ended with its worker's death (the lease ran out, nothing was
# recorded) is given up after this many: an email that kills its worker must not do it forever.
MAX_TAKINGS = 2 * MAX_ATTEMPTS
ERROR_MAX_CHARS = 1000
# Emails taken at once: their secrets cost a few statements together; sent in a fraction of a
# second, well inside the lease.
BATCH_SIZE = 50
# While emails follow each other the worker keeps its SMTP connection open: a relay's TLS
# handshake costs more than a message. It is dropped after this many idle seconds (well under
# the 5 minutes RFC 5321 asks servers to wait) and after any error.
SMTP_IDLE_SECONDS = 10
# The SMTP conversation runs on its own thread: this many emails wait for the wire, built, behind
# the one being sent, while the next is built and what was accepted is recorded.
WIRE_AHEAD = 2
# « Envoyé » is written at most this often, in one statement for every email the SMTP server
# accepted since: 2 or 3 emails a statement at 250 a second, one each when the server is slow.
# A worker killed in between leaves those few emails queued; after the lease they go again with
# a new password, the first one void (docs/decisions/email-delivery-crash-safety.md).
RECORD_SECONDS = 0.01
# A lost database connection while recording « envoyé »: reconnect and write it again, so that
# an email the SMTP server took is not sent a second time for want of a record.
RECORD_TRIES = 4

DATABASE_GONE = (OperationalError, InterfaceError)


@dataclass
class Taken:
    """One email this worker holds, with the secret made for it."""

    delivery: EmailDelivery
    secret: Secret


@dataclass
class Round:
    """What one round of a worker did: emails taken, and whether the SMTP server failed."""

    taken: int = 0
    server_failed: bool = False


def emails_send_due(*, worker: str, limit: int = BATCH_SIZE, stopping=lambda: False) -> Round:
    """Take up to ``limit`` due emails, send them, record them.

    The SMTP conversation runs on a thread of its own, with up to WIRE_AHEAD built emails
    waiting behind the one on the wire, so that the server's replies are awaited while the next
    email is built and the records written; « envoyé » is written every RECORD_SECONDS for the
    emails the server accepted since, together (docs/decisions/email-delivery-crash-safety.md).
    ``stopping`` is asked between two emails: when it says so (the worker was told to stop),
    the emails not yet on the wire are handed back at once, untouched; so are they when the
    SMTP server fails (it would fail them too).
    """
    token = uuid.uuid4().hex
    taken = _take(token=token, worker=worker, limit=limit)
    done = Round(taken=len(taken))
    if not taken:
        return done
    halt = threading.Event()  # set by the wire when the server fails, or when this round ends
    on_wire: deque[tuple[Taken, Future]] = deque()
    accepted: list[Taken] = []
    untried: list[Taken] = []
    renewed = recorded = time.monotonic()

    def keep_lease() -> None:
        # A slow SMTP server: the lease of the emails still to send is renewed long before it
        # ends, so that no other worker takes them while this one is alive.
        nonlocal renewed
        if time.monotonic() - renewed > settings.EMAIL_LEASE_SECONDS / 3:
            _lease_renew(token)
            renewed = time.monotonic()

    def settle(item: Taken, sending: Future) -> None:
        try:
            sending.result()
        except NotTried:
            untried.append(item)
        except Exception as error:  # any failure to hand the message over
            _failed(item, token=token, error=error)
            done.server_failed |= not _concerns_this_message_only(error)
        else:
            accepted.append(item)

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="smtp") as wire:
        try:
            for index, item in enumerate(taken):
                if stopping() or halt.is_set():
                    halt.set()  # the email on the wire is finished; those behind it wait
                    untried.extend(taken[index:])
                    break
                keep_lease()
                try:
                    message = email_message(item.delivery, item.secret)
                except DATABASE_GONE:
                    raise  # building the message read the database: the lease brings it back
                except Exception as error:  # this email's own fault (its template, its context)
                    _failed(item, token=token, error=error)
                    continue
                on_wire.append((item, wire.submit(_wire_send, message, halt)))
                while on_wire and (len(on_wire) > WIRE_AHEAD or on_wire[0][1].done()):
                    settle(*on_wire.popleft())
                if accepted and time.monotonic() - recorded >= RECORD_SECONDS:
                    _record_sent(accepted, token=token)
                    accepted.clear()
                    recorded = time.monotonic()
            while on_wire:
                keep_lease()
                settle(*on_wire.popleft())
        finally:
            halt.set()  # whatever ends the round, nothing more goes on the wire
    _record_sent(accepted, token=token)
    _hand_back(untried, token=token)
    return done


class NotTried(Exception):
    """An email that was still waiting for the wire when the round ended."""


def _wire_send(message, halt: threading.Event) -> None:
    """On the wire's thread: send ``message``, unless the round ended or the server failed."""
    if halt.is_set():
        raise NotTried
    try:
        _smtp_send(message)
    except Exception as error:
        if not _concerns_this_message_only(error):
            halt.set()  # the next emails would fail the same way: they are handed back
        raise


# --- Taking emails ------------------------------------------------------------------------------


def _due() -> Q:
    """Queued, and its time has come: never tried, a retry's delay passed, or a lease ended."""
    return Q(status=EmailDelivery.Status.QUEUED) & (
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=Now())
    )


def _lease_end():
    # The database's clock, not the worker's: workers on several machines judge a lease alike.
    return ExpressionWrapper(
        Now() + Value(timedelta(seconds=settings.EMAIL_LEASE_SECONDS), DurationField()),
        output_field=DateTimeField(),
    )


def _take(*, token: str, worker: str, limit: int) -> list[Taken]:
    """Lease up to ``limit`` due emails, one per account, and make their secrets, in one
    transaction: the secrets exist if and only if the lease does.

    A secret that cannot be made (its maker raised) counts as a failed try of that email only.
    """
    with transaction.atomic():
        candidates = (
            EmailDelivery.objects.filter(_due())
            .order_by("created_at", "pk")
            .select_for_update(skip_locked=True)
        )
        # Two statements, not one UPDATE … WHERE id IN (SELECT … LIMIT … SKIP LOCKED):
        # PostgreSQL may run such a subquery again for each row and take more than the limit.
        # The due condition is checked again as the rows are written (SQLite locks nothing).
        ids = list(candidates.values_list("pk", flat=True)[:limit])
        if not ids:
            return []
        EmailDelivery.objects.filter(_due(), pk__in=ids).update(
            lease_token=token, leased_by=worker[:100], next_attempt_at=_lease_end()
        )
        rows = list(
            EmailDelivery.objects.select_related("user")
            .filter(lease_token=token, status=EmailDelivery.Status.QUEUED)
            .order_by("created_at", "pk")
        )
        # Two emails to one account in one go would make two secrets, the second voiding the
        # first: the later email waits for the next round.
        kept, later, accounts = [], [], set()
        for row in rows:
            (later if row.user_id in accounts else kept).append(row)
            accounts.add(row.user_id)
        if later:
            EmailDelivery.objects.filter(pk__in=[row.pk for row in later]).update(
                lease_token="", leased_by="", next_attempt_at=None
            )
        if not kept:
            return []
        EmailDelivery.objects.filter(pk__in=[row.pk for row in kept]).update(
            attempts=F("attempts") + 1
        )
        for row in kept:
            row.attempts += 1
        worn = [row for row in kept if row.attempts > MAX_TAKINGS]
        if worn:
            logger.error("Emails %s given up: their workers died each time", [r.pk for r in worn])
            EmailDelivery.objects.filter(pk__in=[row.pk for row in worn]).update(
                status=EmailDelivery.Status.FAILED,
                lease_token="",
                next_attempt_at=None,
                last_error=f"Abandonné : {MAX_TAKINGS} prises sans résultat (worker arrêté).",
            )
            kept = [row for row in kept if row not in worn]
        secrets = _secrets_for(kept, token=token)
        # The lease runs from now: making the secrets may have taken a while, and until this
        # commits the rows are locked, not leased, for the other workers.
        _lease_renew(token)
    return [Taken(row, secret) for row, secret in zip(kept, secrets, strict=True) if secret]


def _secrets_for(rows: list[EmailDelivery], *, token: str) -> list[Secret | None]:
    try:
        with transaction.atomic():
            return secrets_make(rows)
    except DATABASE_GONE:
        raise
    except Exception:  # one maker failed: find which, the others go on
        logger.warning("Secrets of %s emails failed together; made one by one", len(rows))
    made: list[Secret | None] = []
    for row in rows:
        try:
            with transaction.atomic():
                made.append(secrets_make([row])[0])
        except DATABASE_GONE:
            raise
        except Exception as error:
            made.append(None)
            _failed(Taken(row, Secret()), token=token, error=error)
    return made


def _lease_renew(token: str) -> None:
    EmailDelivery.objects.filter(lease_token=token, status=EmailDelivery.Status.QUEUED).update(
        next_attempt_at=_lease_end()
    )


def _hand_back(items: list[Taken], *, token: str) -> None:
    """Give back emails taken but not tried: their secrets void, due again at once."""
    if not items:
        return
    with transaction.atomic():
        for item in items:
            item.secret.undo()
        EmailDelivery.objects.filter(
            pk__in=[item.delivery.pk for item in items], lease_token=token
        ).update(lease_token="", leased_by="", next_attempt_at=None, attempts=F("attempts") - 1)


# --- Recording what happened --------------------------------------------------------------------


def _record_sent(items: list[Taken], *, token: str) -> None:
    """Write « envoyé » on emails the SMTP server accepted, in one statement.

    Only under this worker's lease: if the lease ended and another worker took an email over,
    that worker's send counts (its secret voided the one sent here) and nothing is written.
    """
    if not items:
        return
    pks = [item.delivery.pk for item in items]
    for attempt in range(1, RECORD_TRIES + 1):
        try:
            recorded = EmailDelivery.objects.filter(
                pk__in=pks, lease_token=token, status=EmailDelivery.Status.QUEUED
            ).update(
                status=EmailDelivery.Status.SENT,
                sent_at=timezone.now(),
                next_attempt_at=None,
                lease_token="",
                last_error="",
            )
        except DATABASE_GONE:
            if attempt == RECORD_TRIES:
                raise
            logger.warning("Database lost while recording %s emails as sent; again", len(pks))
            connection.close()
            time.sleep(0.2 * 2**attempt)
            continue
        if recorded < len(pks):
            logger.warning(
                "%s of emails %s were taken over by another worker meanwhile",
                len(pks) - recorded,
                pks,
            )
        return


def _failed(item: Taken, *, token: str, error: Exception) -> None:
    """A try that failed: void its secret, keep the error, try again later or give up."""
    delivery = item.delivery
    failure = _classify(error)
    # The delivery's id and the error's class only: the message may quote the address.
    logger.warning(
        "Email %s failed on attempt %s (%s): %s",
        delivery.pk,
        delivery.attempts,
        failure,
        type(error).__name__,
    )
    with transaction.atomic():
        item.secret.undo()
        ours = EmailDelivery.objects.select_for_update().filter(pk=delivery.pk, lease_token=token)
        if not ours.exists():
            return  # taken over meanwhile: the other worker decides
        fields = {"last_error": _describe(error)[:ERROR_MAX_CHARS], "lease_token": ""}
        if failure == "temporary" and delivery.attempts < MAX_ATTEMPTS:
            fields["next_attempt_at"] = timezone.now() + _retry_delay(delivery.attempts)
            ours.update(**fields)
            return
        fields.update(status=EmailDelivery.Status.FAILED, next_attempt_at=None)
        if failure == "refused" and delivery.kind == EmailDelivery.Kind.TEMPORARY_PASSWORD:
            fields["fallback_letter"] = _fallback_letter(delivery)
        ours.update(**fields)


def _retry_delay(attempts: int) -> timedelta:
    delays = settings.EMAIL_RETRY_SECONDS
    return timedelta(seconds=delays[min(attempts, len(delays)) - 1])


def _fallback_letter(delivery: EmailDelivery) -> Letter:
    """The temporary password goes by post to the address on file (docs/product.md §3), since the
    recipient's server refused the email for good: a letter already waiting serves
    (delivery.services.letter_queue), for every email it replaces."""
    letter, _queued = letter_queue(
        user=delivery.user, language=delivery.language, reason="email_refused"
    )
    return letter


def _classify(error: Exception) -> str:
    """« refused »: this mailbox refuses this email for good (5xx to RCPT TO or after DATA);
    « permanent »: the server refuses it for good for another reason (5xx to MAIL FROM);
    « temporary »: anything else (4xx, no answer, lost connection), tried again later."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _message in error.recipients.values()]
        return "refused" if codes and all(code >= 500 for code in codes) else "temporary"
    if isinstance(error, smtplib.SMTPDataError):
        return "refused" if error.smtp_code >= 500 else "temporary"
    if isinstance(error, smtplib.SMTPSenderRefused):
        return "permanent" if error.smtp_code >= 500 else "temporary"
    return "temporary"


def _concerns_this_message_only(error: Exception) -> bool:
    """A refusal of one recipient or one message leaves the next emails worth trying; a server
    that refuses the sender, or cannot be reached, would refuse them too."""
    return isinstance(error, smtplib.SMTPRecipientsRefused | smtplib.SMTPDataError)


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


# --- The SMTP connection, kept between emails ---------------------------------------------------

_smtp = {"connection": None, "settings": None, "used_at": 0.0}


def _smtp_send(message) -> None:
    """Send through the kept connection; a connection the server dropped is reopened once."""
    for last_try in (False, True):
        smtp, reused = _smtp_connection()
        try:
            smtp.send_messages([message])
        except smtplib.SMTPServerDisconnected:
            smtp_close()
            if last_try or not reused:
                raise
        except Exception:
            smtp_close()
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
        smtp_close()
    if _smtp["connection"] is not None:
        return _smtp["connection"], True
    smtp = get_connection(fail_silently=False)
    smtp.open()
    _smtp.update(connection=smtp, settings=current)
    return smtp, False


def smtp_close() -> None:
    """Close the kept SMTP connection (a worker that stops, a test whose server stops)."""
    smtp, _smtp["connection"] = _smtp["connection"], None
    if smtp is not None:
        try:
            smtp.close()
        except Exception:  # a connection already broken has nothing left to close
            logger.debug("SMTP connection closed with an error")
