"""Reads of the accounts domain."""

import enum
import time
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from .devices import describe_user_agent
from .models import EmailChange, User, UserSession
from .sessions import RECENT_LOGINS, expiry_reason
from .tokens import email_change_token_matches


@dataclass(frozen=True)
class RecentLogin:
    at: datetime
    device: str
    is_current: bool
    is_open: bool


def recent_logins(user: User, current_key: str | None) -> list[RecentLogin]:
    """The member's last RECENT_LOGINS logins, newest first, with an approximate device."""
    now = time.time()
    rows = UserSession.objects.filter(user=user).order_by("-created_at")[:RECENT_LOGINS]
    return [
        RecentLogin(
            at=row.created_at,
            device=describe_user_agent(row.user_agent),
            is_current=row.session_key == current_key,
            is_open=row.ended_at is None
            and expiry_reason(row.created_at.timestamp(), row.last_seen.timestamp(), now) is None,
        )
        for row in rows
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
