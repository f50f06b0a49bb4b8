"""Device cookies: a browser that logged in to an account is known to it (docs/product.md §4).

OWASP « Slow Down Online Guessing Attacks with Device Cookies»
(docs/decisions/login-device-cookies.md): after a successful login the browser receives a
cookie naming a random device for that account, signed under SECRET_KEY with the account's
key in the salt, so that it proves nothing for another account and cannot be forged. Its
failures are then counted apart from those of every browser the account does not know: a
stranger who locks the unknown browsers out does not lock out the owner's own devices.

One cookie per account a browser logged in to; its name is a keyed digest of the account's
key (the cookie neither names nor reveals the account). The value holds no personal data. A
device is known while its counter exists (accounts.lockout): each login gives the browser a
new device id and moves the counter to it, so that a cookie copied earlier stops counting as
the owner's device.
"""

import secrets
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.utils import timezone
from django.utils.crypto import salted_hmac

from .models import LoginCounter

# A device stays known for a year after its last login.
DEVICE_COOKIE_AGE = timedelta(days=365)


def _prefix() -> str:
    # The __Host- prefix binds the cookie to this host, over HTTPS only (OWASP ASVS 3.4.4);
    # development over plain HTTP cannot use it.
    return ("__Host-" if settings.SESSION_COOKIE_SECURE else "") + "appareil-"


def _name(key: str) -> str:
    digest = salted_hmac("accounts.device_cookies.name", key, algorithm="sha256").hexdigest()
    return _prefix() + digest[:16]


def device_cookie_names() -> str:
    """How the device cookies' names read, for the « Données personnelles » page."""
    return _prefix() + "…"


def _signer(key: str) -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=f"accounts.device_cookies:{key}")


def device_read(request, *, key: str) -> str | None:
    """The device this browser is for the account `key`, or None (an unknown browser)."""
    value = request.COOKIES.get(_name(key))
    if not value:
        return None
    try:
        return _signer(key).unsign(value, max_age=DEVICE_COOKIE_AGE)
    except signing.BadSignature:
        return None


def device_remember(request, response, *, key: str) -> None:
    """After a successful login: this browser is a known device of the account.

    A new device id at each login, as OWASP recommends: a cookie copied from the browser
    earlier stops counting as the owner's device once the owner logs in again. The device's
    failure counter follows it to its new id.
    """
    device = secrets.token_urlsafe(16)  # 128 bits
    previous = device_read(request, key=key)
    # The device is known while its counter exists (accounts.lockout); it keeps its failures.
    moved = previous is not None and LoginCounter.objects.filter(
        scope=LoginCounter.Scope.DEVICE, key=key, device=previous
    ).update(device=device, last_failure_at=timezone.now())
    if not moved:
        LoginCounter.objects.create(scope=LoginCounter.Scope.DEVICE, key=key, device=device)
    response.set_cookie(
        _name(key),
        _signer(key).sign(device),
        max_age=int(DEVICE_COOKIE_AGE.total_seconds()),
        path="/",
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
