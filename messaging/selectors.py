"""Reads of Ma messagerie: a member sees only their own threads, requests and files."""

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, Min, Prefetch, Q
from django.utils import timezone

from accounts.models import User

from .models import Attachment, ChangeRequest, Message, Thread


def member_threads(member: User):
    """The member's threads, latest activity first, with how many messages each holds."""
    return (
        Thread.objects.filter(member=member)
        .annotate(message_count=Count("messages"))
        .order_by("-last_message_at", "-pk")
    )


def member_replies_waiting(member: User) -> int:
    """How many of the member's open threads hold an answer they have not written back to."""
    return Thread.objects.filter(member=member, status=Thread.Status.ANSWERED).count()


def member_thread(member: User, pk: int) -> Thread | None:
    """One of the member's threads with its messages and files; None for anyone else's."""
    return (
        Thread.objects.filter(member=member, pk=pk)
        .prefetch_related(
            Prefetch(
                "messages",
                queryset=Message.objects.prefetch_related("attachments").order_by(
                    "created_at", "pk"
                ),
            )
        )
        .first()
    )


def member_attachment(member: User, pk: int) -> Attachment | None:
    """A file the member sent or received; None for anyone else's."""
    return Attachment.objects.filter(owner=member, pk=pk).first()


def member_change_requests(member: User):
    return (
        ChangeRequest.objects.filter(member=member)
        .prefetch_related("attachments")
        .order_by("-created_at", "-pk")
    )


def thread_with_messages(pk: int) -> Thread | None:
    """A thread as the agent reads it: the member, every message and file."""
    return (
        Thread.objects.filter(pk=pk)
        .select_related("member", "assigned_to")
        .prefetch_related(
            Prefetch(
                "messages",
                queryset=Message.objects.select_related("author")
                .prefetch_related("attachments")
                .order_by("created_at", "pk"),
            )
        )
        .first()
    )


def member_other_threads(thread: Thread, *, limit: int = 10) -> list[Thread]:
    """The member's other threads, latest first: what the agent answering this one should know."""
    return list(
        Thread.objects.filter(member_id=thread.member_id)
        .exclude(pk=thread.pk)
        .order_by("-last_message_at", "-pk")[:limit]
    )


@dataclass(frozen=True)
class Waiting:
    """The threads waiting for the fund, and how long the oldest has waited."""

    count: int
    oldest_since: object = None

    @property
    def oldest_age(self) -> timedelta | None:
        return timezone.now() - self.oldest_since if self.oldest_since else None


def threads_waiting() -> Waiting:
    """For the dashboard: one query on the (status, waiting_since) index."""
    row = Thread.objects.filter(
        status__in=[Thread.Status.NEW, Thread.Status.IN_PROGRESS]
    ).aggregate(count=Count("pk"), oldest=Min("waiting_since"))
    return Waiting(count=row["count"], oldest_since=row["oldest"])


def change_requests_pending_count() -> int:
    return ChangeRequest.objects.filter(status=ChangeRequest.Status.PENDING).count()


def queue_counts(agent: User) -> dict[str, int]:
    """How many threads each tab of the agents' queue holds, in one query."""
    waiting = [Thread.Status.NEW, Thread.Status.IN_PROGRESS]
    return Thread.objects.aggregate(
        new=Count("pk", filter=Q(status=Thread.Status.NEW, assigned_to=None)),
        mine=Count("pk", filter=Q(status__in=waiting, assigned_to=agent)),
        answered=Count("pk", filter=Q(status=Thread.Status.ANSWERED)),
        closed=Count("pk", filter=Q(status=Thread.Status.CLOSED)),
    )


# How far back an address change makes a bank-details change suspicious to the deciding agent.
RECENT_ADDRESS_CHANGE = timedelta(days=90)


def recent_address_changes(change: ChangeRequest) -> list[ChangeRequest]:
    """The member's address changes of the last 90 days (before ``change``), not refused."""
    return list(
        ChangeRequest.objects.filter(
            member_id=change.member_id,
            kind=ChangeRequest.Kind.ADDRESS,
            created_at__gte=change.created_at - RECENT_ADDRESS_CHANGE,
        )
        .exclude(status=ChangeRequest.Status.REFUSED)
        .order_by("-created_at")
    )
