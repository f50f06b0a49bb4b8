"""Who is asking: the client address used by rate limits and the audit log."""

import ipaddress

from django.conf import settings


def client_ip(request) -> str:
    """The client's address ("" if unknown); behind N trusted proxies, the N-th from the right.

    Trusting X-Forwarded-For blindly would let anyone choose the address their attempts are
    counted under, so the number of proxies in front of the web tier is configured
    (TRUSTED_PROXY_COUNT, 0 by default: REMOTE_ADDR only).
    """
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    address = request.META.get("REMOTE_ADDR", "")
    if proxies:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [a for a in forwarded if a]
        if len(forwarded) >= proxies:
            address = forwarded[-proxies]
    return _valid(address)


def _valid(address: str) -> str:
    """The address if it is one, else "": it is stored in IP address columns (PostgreSQL inet)."""
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return ""
