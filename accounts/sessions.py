"""A member's sessions: stamps for the idle and absolute timeouts, and the UserSession rows.

Django gives a new session key at login and ends a session whose password hash no longer
matches. On top of that (DESIGN §4, OWASP ASVS 3.3): a session ends after
SESSION_IDLE_TIMEOUT without a request and SESSION_COOKIE_AGE after the login however active
it is, and a member can end their other sessions.
"""

import ipaddress
import time
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.base import SessionBase
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import import_string

from core.clients import client_ip

from .models import User, UserSession

LOGIN_AT = "_login_at"
LAST_SEEN = "_last_seen"
# The last-seen stamp is written at most this often: one session write a minute, not one a
# request, is precise enough for a 30-minute timeout.
TOUCH_EVERY = 60
# Login history shown to the member; older rows that can no longer be active are deleted.
RECENT_LOGINS = 10


def _session_store(session_key: str) -> SessionBase:
    return import_string(settings.SESSION_ENGINE + ".SessionStore")(session_key=session_key)


def expiry_reason(login_at: float, last_seen: float, now: float) -> str | None:
    """Why a session opened at `login_at` and last used at `last_seen` is over, or None."""
    if now - login_at >= settings.SESSION_COOKIE_AGE:
        return UserSession.EndReason.EXPIRED
    if now - last_seen >= settings.SESSION_IDLE_TIMEOUT:
        return UserSession.EndReason.IDLE
    return None


def session_expiry_reason(session, now: float) -> str | None:
    """Why a logged-in session must end now (UserSession.EndReason), or None."""
    login_at, last_seen = session.get(LOGIN_AT), session.get(LAST_SEEN)
    if login_at is None or last_seen is None:
        return None
    return expiry_reason(login_at, last_seen, now)


def session_stamp(session, now: float | None = None) -> None:
    """Start the timeout clocks of a session that has just logged in."""
    now = int(now or time.time())
    session[LOGIN_AT] = now
    session[LAST_SEEN] = now


def session_touch(session, now: float) -> bool:
    """Move the idle clock on, at most once every TOUCH_EVERY seconds; True if it moved."""
    if LOGIN_AT not in session:
        # A session opened elsewhere (the back-office login): its clocks start now.
        session_stamp(session, now)
        return True
    if now - session[LAST_SEEN] < TOUCH_EVERY:
        return False
    session[LAST_SEEN] = int(now)
    if session.session_key:
        UserSession.objects.filter(session_key=session.session_key, ended_at=None).update(
            last_seen=timezone.now()
        )
    return True


def session_record(request, user: User) -> UserSession:
    """Record the login that just opened `request.session`, and forget old history."""
    try:
        ip = str(ipaddress.ip_address(client_ip(request)))
    except ValueError:
        ip = None
    record = UserSession.objects.create(
        user=user,
        session_key=request.session.session_key,
        ip=ip,
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:200],
    )
    # History beyond the last RECENT_LOGINS goes, unless the session may still be open.
    recent = list(
        UserSession.objects.filter(user=user)
        .order_by("-created_at")
        .values_list("pk", flat=True)[:RECENT_LOGINS]
    )
    UserSession.objects.filter(user=user).exclude(pk__in=recent).filter(
        Q(ended_at__isnull=False) | Q(created_at__lt=_open_horizon())
    ).delete()
    return record


def _open_horizon():
    """Sessions opened before this have reached the absolute timeout."""
    return timezone.now() - timedelta(seconds=settings.SESSION_COOKIE_AGE)


def session_ended(session_key: str | None, reason: str) -> None:
    """Mark the UserSession of a session that ends (logout, timeout) as ended."""
    if session_key:
        UserSession.objects.filter(session_key=session_key, ended_at=None).update(
            ended_at=timezone.now(), end_reason=reason
        )


def session_rekeyed(old_key: str | None, new_key: str | None) -> None:
    """Follow a session whose key changed (Django cycles it when the password changes)."""
    if old_key and new_key and old_key != new_key:
        UserSession.objects.filter(session_key=old_key, ended_at=None).update(session_key=new_key)


def other_sessions(user: User, current_key: str | None) -> list[UserSession]:
    """The member's sessions other than the current one that may still be open."""
    return list(
        UserSession.objects.filter(user=user, ended_at=None, created_at__gte=_open_horizon())
        .exclude(session_key=current_key or "")
        .order_by("-created_at")
    )


def sessions_end(user: User, records: list[UserSession], reason: str) -> int:
    """End these sessions of `user` for good: their Django sessions are deleted; return how many
    were still open."""
    count = 0
    for record in records:
        store = _session_store(record.session_key)
        if store.get(SESSION_KEY) == str(user.pk):
            store.delete()
            count += 1
    UserSession.objects.filter(pk__in=[r.pk for r in records]).update(
        ended_at=timezone.now(), end_reason=reason
    )
    return count


def sessions_keep(user: User, records: list[UserSession]) -> None:
    """Keep `sessions` of `user` open across a password change, by the member's choice.

    Django ends every session whose stored password hash differs from the account's; these
    get the new one.
    """
    new_hash = user.get_session_auth_hash()
    for record in records:
        store = _session_store(record.session_key)
        if store.get(SESSION_KEY) == str(user.pk):
            store[HASH_SESSION_KEY] = new_hash
            store.save()
