"""Who is asking: the client address used by rate limits and the audit log."""

from django.conf import settings


def client_ip(request) -> str:
    """The client's address; behind N trusted proxies, the N-th address from the right.

    Trusting X-Forwarded-For blindly would let anyone choose the address their attempts are
    counted under, so the number of proxies in front of the web tier is configured
    (TRUSTED_PROXY_COUNT, 0 by default: REMOTE_ADDR only).
    """
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if proxies:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [a for a in forwarded if a]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "") or "unknown"
