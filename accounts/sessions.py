"""A member's sessions: the idle and absolute timeouts (docs/product.md §4, OWASP ASVS 3.3).

Django gives the session a new key at login, and ends every session signed with another
value of the account's session salt (accounts.models.User). On top of that, a session ends
after SESSION_IDLE_TIMEOUT without a request, and SESSION_COOKIE_AGE after the login however
active it is. The clocks are two stamps in the session itself: no query is needed to read them.
"""

import enum

from django.conf import settings

LOGIN_AT = "_login_at"
LAST_SEEN = "_last_seen"
# The last-seen stamp is written at most this often: one session write a minute, not one a
# request, is precise enough for a 30-minute timeout.
TOUCH_EVERY = 60


class Expiry(enum.StrEnum):
    IDLE = "idle"
    ABSOLUTE = "absolute"


def session_expiry(session, now: float) -> Expiry | None:
    """Why a logged-in session must end now, or None."""
    login_at, last_seen = session.get(LOGIN_AT), session.get(LAST_SEEN)
    if login_at is None or last_seen is None:
        return None
    if now - login_at >= settings.SESSION_COOKIE_AGE:
        return Expiry.ABSOLUTE
    if now - last_seen >= settings.SESSION_IDLE_TIMEOUT:
        return Expiry.IDLE
    return None


def session_stamp(session, now: float) -> None:
    """Start the clocks of a session that has just logged in."""
    session[LOGIN_AT] = session[LAST_SEEN] = int(now)


def session_touch(session, now: float) -> None:
    """Move the idle clock on, at most once every TOUCH_EVERY seconds."""
    if LOGIN_AT not in session:
        # A session opened by another login (the back-office's): its clocks start now.
        session_stamp(session, now)
    elif now - session[LAST_SEEN] >= TOUCH_EVERY:
        session[LAST_SEEN] = int(now)
