"""Writes of Ma messagerie and of the change requests (docs/product.md §13).

Every write is audited without its content (docs/product.md §5): who, which thread or request, how
many files; never a message's words, a file's name or an IBAN.
"""

import csv
import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from audit.models import AuditEvent
from audit.services import audit_record
from core.clients import request_client
from delivery.models import EmailDelivery
from delivery.postal import plain_capitals
from delivery.services import email_enqueue, letter_queue
from registry.digests import iban_digest

from .attachments import CheckedFile
from .models import Attachment, ChangeRequest, Message, Thread, attachments_storage
from .sealing import iban_mask, iban_open, iban_seal

# Abuse limits (docs/product.md §13): a member who writes more than this in a day is asked to wait;
# the fund answers each message by hand.
MESSAGES_PER_DAY = 10
REQUESTS_PER_DAY = 3
# What a member's attachments may take in all: 20 full-size files.
QUOTA_BYTES = 200 * 1024 * 1024
BANK_LETTER_REASON = "bank_details_changed"


class LimitReached(Exception):
    """The member reached a daily limit or their quota; the message says which."""


class DecisionError(Exception):
    """The thread or request is no longer in a state that allows this."""


# --- Limits ------------------------------------------------------------------------------------


def _day_start():
    return timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)


def _limits_check(*, member: User, files: list[CheckedFile], request_kind: bool) -> None:
    if request_kind:
        made = ChangeRequest.objects.filter(member=member, created_at__gte=_day_start()).count()
        if made >= REQUESTS_PER_DAY:
            raise LimitReached(
                _("Vous avez déjà fait %(count)s demandes aujourd'hui : réessayez demain.")
                % {"count": REQUESTS_PER_DAY}
            )
    else:
        sent = Message.objects.filter(
            author=member, from_fund=False, created_at__gte=_day_start()
        ).count()
        if sent >= MESSAGES_PER_DAY:
            raise LimitReached(
                _(
                    "Vous avez déjà envoyé %(count)s messages aujourd'hui : réessayez demain, "
                    "ou appelez la caisse si c'est urgent."
                )
                % {"count": MESSAGES_PER_DAY}
            )
    if files:
        used = Attachment.objects.filter(owner=member).aggregate(total=Sum("size"))["total"] or 0
        if used + sum(f.size for f in files) > QUOTA_BYTES:
            raise LimitReached(
                _(
                    "Vos documents déjà envoyés occupent presque toute la place disponible "
                    "(%(quota)s Mo) : envoyez moins de documents, ou plus légers."
                )
                % {"quota": QUOTA_BYTES // (1024 * 1024)}
            )


# --- Attachments -------------------------------------------------------------------------------


@dataclass
class _Stored:
    names: list[str]

    def remove(self) -> None:
        storage = attachments_storage()
        for name in self.names:
            storage.delete(name)


def _attachments_store(
    files: list[CheckedFile], *, owner: User, message=None, change_request=None, stored: _Stored
) -> None:
    storage = attachments_storage()
    for checked in files:
        # A random name: nothing of the member's file name reaches the disk or a URL.
        path = f"{owner.pk}/{uuid.uuid4().hex}.{checked.name.rsplit('.', 1)[-1]}"
        path = storage.save(path, ContentFile(checked.content))
        stored.names.append(path)
        Attachment.objects.create(
            owner=owner,
            message=message,
            change_request=change_request,
            file=path,
            name=checked.name,
            content_type=checked.content_type,
            size=checked.size,
        )


def _with_files(work):
    """Run ``work(stored)`` in a transaction; on any failure the files written are removed,
    so that nothing half-written stays (a row without its file, or a file without its row)."""
    stored = _Stored(names=[])
    try:
        with transaction.atomic():
            return work(stored)
    except BaseException:
        stored.remove()
        raise


def attachments_delete(attachments) -> int:
    """Delete these attachments (a queryset); their files go once committed (models.py)."""
    return attachments.delete()[1].get(Attachment._meta.label, 0)


# --- The member's side -------------------------------------------------------------------------


def thread_create(
    *, member: User, subject: str, body: str, files: list[CheckedFile], request=None
) -> Thread:
    """Open a thread with its first message; LimitReached past the day's limit or the quota."""
    _limits_check(member=member, files=files, request_kind=False)

    def work(stored):
        now = timezone.now()
        thread = Thread.objects.create(
            member=member, subject=subject, created_at=now, last_message_at=now, waiting_since=now
        )
        message = Message.objects.create(thread=thread, author=member, body=body, created_at=now)
        _attachments_store(files, owner=member, message=message, stored=stored)
        audit_record(
            AuditEvent.Type.MESSAGE_SENT,
            client=request_client(request),
            actor=member,
            subject=member,
            thread=thread.pk,
            files=len(files),
        )
        return thread

    return _with_files(work)


def thread_message_add(
    *, thread: Thread, member: User, body: str, files: list[CheckedFile], request=None
) -> Message:
    """The member writes again in an open thread: it goes back to the fund's queue."""
    if thread.member_id != member.pk:
        raise PermissionError("not the member's thread")
    _limits_check(member=member, files=files, request_kind=False)

    def work(stored):
        locked = Thread.objects.select_for_update().get(pk=thread.pk)
        if not locked.is_open:
            raise DecisionError("closed thread")
        now = timezone.now()
        message = Message.objects.create(thread=locked, author=member, body=body, created_at=now)
        _attachments_store(files, owner=member, message=message, stored=stored)
        locked.status = Thread.Status.IN_PROGRESS if locked.assigned_to_id else Thread.Status.NEW
        locked.last_message_at = now
        locked.waiting_since = locked.waiting_since or now
        locked.save(update_fields=["status", "last_message_at", "waiting_since"])
        audit_record(
            AuditEvent.Type.MESSAGE_SENT,
            client=request_client(request),
            actor=member,
            subject=member,
            thread=locked.pk,
            files=len(files),
        )
        return message

    return _with_files(work)


# --- The agents' side --------------------------------------------------------------------------


def _agent_audit(request, agent, thread_or_request, action, **data):
    key = "thread" if isinstance(thread_or_request, Thread) else "change_request"
    audit_record(
        AuditEvent.Type.AGENT_ACTION,
        client=request_client(request),
        actor=agent,
        subject=thread_or_request.member,
        action=action,
        **{key: thread_or_request.pk},
        **data,
    )


@transaction.atomic
def thread_assign(*, thread: Thread, agent: User, request=None) -> Thread:
    """« M'attribuer »: the agent takes the thread; an open thread only."""
    thread = (
        Thread.objects.select_for_update(of=("self",)).select_related("member").get(pk=thread.pk)
    )
    if not thread.is_open:
        raise DecisionError("closed thread")
    thread.assigned_to = agent
    if thread.status == Thread.Status.NEW:
        thread.status = Thread.Status.IN_PROGRESS
    thread.save(update_fields=["assigned_to", "status"])
    _agent_audit(request, agent, thread, "thread_assigned")
    return thread


def thread_reply(
    *, thread: Thread, agent: User, body: str, files: list[CheckedFile], request=None
) -> Message:
    """The fund answers: the member is told by email that a reply waits (never its content)."""

    def work(stored):
        locked = (
            Thread.objects.select_for_update(of=("self",))
            .select_related("member")
            .get(pk=thread.pk)
        )
        if not locked.is_open:
            raise DecisionError("closed thread")
        now = timezone.now()
        message = Message.objects.create(
            thread=locked, author=agent, from_fund=True, body=body, created_at=now
        )
        _attachments_store(files, owner=locked.member, message=message, stored=stored)
        locked.status = Thread.Status.ANSWERED
        locked.assigned_to = locked.assigned_to or agent
        locked.last_message_at = now
        locked.waiting_since = None
        locked.save(update_fields=["status", "assigned_to", "last_message_at", "waiting_since"])
        _reply_notify(locked.member, about="thread")
        _agent_audit(request, agent, locked, "thread_replied", files=len(files))
        return message

    return _with_files(work)


def _reply_notify(member: User, *, about: str) -> None:
    # To a confirmed address only: an unconfirmed one may be someone else's (docs/product.md §4).
    if member.email and member.email_confirmed and member.is_active:
        email_enqueue(
            kind=EmailDelivery.Kind.REPLY_WAITING,
            user=member,
            to_address=member.email,
            language=member.language or "fr",
            context={"about": about},
        )


@transaction.atomic
def thread_close(*, thread: Thread, agent: User, request=None) -> Thread:
    thread = (
        Thread.objects.select_for_update(of=("self",)).select_related("member").get(pk=thread.pk)
    )
    if not thread.is_open:
        raise DecisionError("already closed")
    thread.status = Thread.Status.CLOSED
    thread.closed_at = timezone.now()
    thread.waiting_since = None
    thread.save(update_fields=["status", "closed_at", "waiting_since"])
    _agent_audit(request, agent, thread, "thread_closed")
    return thread


@transaction.atomic
def thread_reopen(*, thread: Thread, agent: User, request=None) -> Thread:
    """A closed thread goes back to the agent who reopens it, as work in progress."""
    thread = (
        Thread.objects.select_for_update(of=("self",)).select_related("member").get(pk=thread.pk)
    )
    if thread.is_open:
        raise DecisionError("not closed")
    thread.status = Thread.Status.IN_PROGRESS
    thread.assigned_to = agent
    thread.closed_at = None
    thread.waiting_since = timezone.now()
    thread.save(update_fields=["status", "assigned_to", "closed_at", "waiting_since"])
    _agent_audit(request, agent, thread, "thread_reopened")
    return thread


# --- Change requests ---------------------------------------------------------------------------


def address_change_request(*, member: User, address: dict, request=None) -> ChangeRequest:
    """« Changer mon adresse »: a request with the new address, for an agent to decide."""
    _limits_check(member=member, files=[], request_kind=True)
    with transaction.atomic():
        change = ChangeRequest.objects.create(
            member=member, kind=ChangeRequest.Kind.ADDRESS, address=address
        )
        audit_record(
            AuditEvent.Type.CHANGE_REQUESTED,
            client=request_client(request),
            actor=member,
            subject=member,
            change_request=change.pk,
            kind=change.kind,
        )
    return change


def bank_details_change_request(
    *, member: User, iban: str, statement: CheckedFile, request=None
) -> ChangeRequest:
    """« Changer mes coordonnées bancaires »: the IBAN (checked, compact) is sealed at once."""
    _limits_check(member=member, files=[statement], request_kind=True)

    def work(stored):
        change = ChangeRequest.objects.create(
            member=member,
            kind=ChangeRequest.Kind.BANK_DETAILS,
            iban_sealed=iban_seal(iban),
            iban_digest=iban_digest(iban),
            iban_masked=iban_mask(iban),
        )
        _attachments_store([statement], owner=member, change_request=change, stored=stored)
        audit_record(
            AuditEvent.Type.CHANGE_REQUESTED,
            client=request_client(request),
            actor=member,
            subject=member,
            change_request=change.pk,
            kind=change.kind,
            files=1,
        )
        return change

    return _with_files(work)


@transaction.atomic
def change_request_accept(*, change: ChangeRequest, agent: User, request=None) -> ChangeRequest:
    """Accept: listed in the next export; a bank-details change is confirmed by a letter to
    the address on file, so that whoever took over the account cannot divert payments
    silently (docs/product.md §13)."""
    change = _pending(change)
    change.status = ChangeRequest.Status.ACCEPTED
    change.decided_at = timezone.now()
    change.decided_by = agent
    change.save(update_fields=["status", "decided_at", "decided_by"])
    if change.kind == ChangeRequest.Kind.BANK_DETAILS:
        letter_queue(user=change.member, language=change.member.language, reason=BANK_LETTER_REASON)
    _reply_notify(change.member, about="request")
    _agent_audit(request, agent, change, "change_request_accepted", kind=change.kind)
    return change


@transaction.atomic
def change_request_refuse(
    *, change: ChangeRequest, agent: User, reason: str, request=None
) -> ChangeRequest:
    """Refuse with a reason the member reads; a refused IBAN and its statement go at once."""
    change = _pending(change)
    change.status = ChangeRequest.Status.REFUSED
    change.decided_at = timezone.now()
    change.decided_by = agent
    change.refusal_reason = reason
    change.iban_sealed = ""
    change.save(
        update_fields=["status", "decided_at", "decided_by", "refusal_reason", "iban_sealed"]
    )
    attachments_delete(change.attachments.all())
    _reply_notify(change.member, about="request")
    _agent_audit(request, agent, change, "change_request_refused", kind=change.kind)
    return change


def _pending(change: ChangeRequest) -> ChangeRequest:
    change = (
        ChangeRequest.objects.select_for_update(of=("self",))
        .select_related("member")
        .get(pk=change.pk)
    )
    if change.status != ChangeRequest.Status.PENDING:
        raise DecisionError("already decided")
    return change


EXPORT_COLUMNS = [
    "reference",
    "type",
    "date_decision",
    "identifiant_masque",
    "empreinte_identifiant",
    "siret",
    "nom",
    "prenoms",
    "date_naissance",
    "adresse_2",
    "adresse_3",
    "adresse_4",
    "adresse_5",
    "code_postal",
    "commune",
    "pays",
    "iban",
]


@transaction.atomic
def change_requests_export(*, day, out) -> int:
    """Write the changes accepted on ``day`` as CSV (`;`, UTF-8) to ``out`` (a text file) for
    the fund's core system; return how many. Each is marked exported."""
    changes = list(
        # Only the requests' rows: the member's person or company may be absent (outer join).
        ChangeRequest.objects.select_for_update(of=("self",))
        .filter(status=ChangeRequest.Status.ACCEPTED, decided_at__date=day)
        .select_related("member__person", "member__company")
        .order_by("decided_at", "pk")
    )
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerow(EXPORT_COLUMNS)
    for change in changes:
        writer.writerow(_export_row(change))
    ChangeRequest.objects.filter(pk__in=[c.pk for c in changes], exported_at=None).update(
        exported_at=timezone.now()
    )
    audit_record(AuditEvent.Type.CHANGES_EXPORTED, day=day.isoformat(), changes=len(changes))
    return len(changes)


def _export_row(change: ChangeRequest) -> list[str]:
    member, person, company = change.member, change.member.person, change.member.company
    address = change.address or {}
    return [
        str(change.pk),
        "adresse" if change.kind == ChangeRequest.Kind.ADDRESS else "iban",
        timezone.localtime(change.decided_at).strftime("%Y-%m-%d"),
        member.identifier_masked,
        member.login,
        company.siret if company else "",
        person.nom if person else member.last_name,
        person.prenoms if person else member.first_name,
        person.date_naissance.isoformat() if person else "",
        *(address.get(key, "") for key in ADDRESS_KEYS),
        iban_open(change.iban_sealed) if change.iban_sealed else "",
    ]


ADDRESS_KEYS = ["line_2", "line_3", "line_4", "line_5", "postcode", "locality", "country"]
REGISTRY_ADDRESS = dict(
    zip(
        ADDRESS_KEYS,
        ["adresse_2", "adresse_3", "adresse_4", "adresse_5", "code_postal", "commune", "pays"],
        strict=True,
    )
)


def _plain(text: str) -> str:
    return " ".join(plain_capitals(text or "").split())


def _registry_shows(change: ChangeRequest) -> bool:
    record = change.member.person or change.member.company
    if record is None:
        return False
    if change.kind == ChangeRequest.Kind.BANK_DETAILS:
        return bool(change.iban_digest) and getattr(record, "iban_digest", "") == change.iban_digest
    return all(
        _plain(change.address.get(key, "")) == _plain(getattr(record, field))
        for key, field in REGISTRY_ADDRESS.items()
    )


@transaction.atomic
def change_requests_settle() -> int:
    """Mark settled the accepted requests that the registry now shows; the sealed IBAN, no
    longer needed, is erased with its statement. Run after each registry import."""
    settled = []
    for change in (
        ChangeRequest.objects.select_for_update(of=("self",))
        .filter(status=ChangeRequest.Status.ACCEPTED)
        .select_related("member__person", "member__company")
    ):
        if _registry_shows(change):
            settled.append(change.pk)
    if settled:
        ChangeRequest.objects.filter(pk__in=settled).update(
            status=ChangeRequest.Status.SETTLED, settled_at=timezone.now(), iban_sealed=""
        )
        attachments_delete(Attachment.objects.filter(change_request_id__in=settled))
    return len(settled)


# --- Retention ---------------------------------------------------------------------------------

# The periods of « Données personnelles » (section 6): change both together.
CLOSED_THREAD_RETENTION = timedelta(days=2 * 365)
DECIDED_REQUEST_RETENTION = timedelta(days=365)
# A sealed IBAN accepted but never seen in the registry is erased after this: the export had
# it, and the fund's core system is the master (docs/decisions/change-requests-bank-details.md).
SEALED_IBAN_RETENTION = timedelta(days=90)


def messaging_purge(*, now) -> dict[str, int]:
    """Delete the threads and requests past their retention, files included."""
    threads = Thread.objects.filter(
        status=Thread.Status.CLOSED, last_message_at__lt=now - CLOSED_THREAD_RETENTION
    )
    requests = ChangeRequest.objects.filter(
        decided_at__lt=now - DECIDED_REQUEST_RETENTION,
        status__in=[
            ChangeRequest.Status.REFUSED,
            ChangeRequest.Status.SETTLED,
            ChangeRequest.Status.ACCEPTED,
        ],
    )
    with transaction.atomic():
        files = attachments_delete(
            Attachment.objects.filter(message__thread__in=threads)
            | Attachment.objects.filter(change_request__in=requests)
        )
        sealed = (
            ChangeRequest.objects.exclude(iban_sealed="")
            .filter(decided_at__lt=now - SEALED_IBAN_RETENTION)
            .update(iban_sealed="")
        )
        counts = {
            "threads": threads.delete()[1].get("messaging.Thread", 0),
            "change_requests": requests.delete()[0],
        }
    counts.update({"attachments": files, "sealed_ibans": sealed})
    return counts
