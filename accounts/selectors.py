"""Reads of the accounts domain."""

import enum
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from audit.models import AuditEvent
from registry.digests import TypedIdentifier, typed_identifier

from .devices import describe_user_agent
from .models import EmailChange, User
from .tokens import email_change_token_matches

RECENT_LOGINS = 10


def identifier_read(raw: str, *, by_agent: bool = False) -> TypedIdentifier:
    """The NIR or SIRET someone typed (spaces and dots allowed), as the keyed digest accounts are
    found by and its masked form; raise identity.IdentityError, which says what is wrong.

    A member types the NIR's 13 characters without its key, as the login page asks (a key
    typed there is refused, so that the guide and the form agree); an agent searching the
    back-office may type the key or not.
    """
    return typed_identifier(raw, nir_key="optional" if by_agent else "forbidden")


@dataclass(frozen=True)
class RecentLogin:
    at: datetime
    device: str
    is_current: bool


def recent_logins(user: User, current_event: int | None) -> list[RecentLogin]:
    """The member's last RECENT_LOGINS logins, newest first, with an approximate device.

    Read from the audit log, which records every login with its time and browser.
    """
    events = AuditEvent.objects.filter(subject=user, type=AuditEvent.Type.LOGIN_SUCCEEDED).order_by(
        "-at"
    )[:RECENT_LOGINS]
    return [
        RecentLogin(
            at=event.at,
            device=describe_user_agent(event.user_agent),
            is_current=event.pk == current_event,
        )
        for event in events
    ]


class LinkStatus(enum.StrEnum):
    VALID = "valid"
    WRONG = "wrong"
    EXPIRED = "expired"
    USED = "used"
    OTHER_ACCOUNT = "other_account"


def email_change_for_link(pk: int, token: str, user: User) -> tuple[LinkStatus, EmailChange | None]:
    """What a confirmation link points to, for the member who follows it."""
    change = EmailChange.objects.select_related("user").filter(pk=pk).first()
    if change is None or not email_change_token_matches(change, token):
        return LinkStatus.WRONG, None
    if change.user_id != user.pk:
        return LinkStatus.OTHER_ACCOUNT, None
    if change.used_at is not None:
        return LinkStatus.USED, change
    if change.voided_at is not None or change.expires_at <= timezone.now():
        return LinkStatus.EXPIRED, change
    return LinkStatus.VALID, change
