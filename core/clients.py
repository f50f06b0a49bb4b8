"""Who is asking: the client address used by rate limits and the audit log (given to it as a
value, ``request_client``)."""

import ipaddress

from django.conf import settings

from audit.services import Client


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


def request_client(request) -> Client | None:
    """Who is asking, as the values the audit log keeps (audit.services.audit_record); None
    without a request."""
    if request is None:
        return None
    user = getattr(request, "user", None)
    return Client(
        ip=client_ip(request) or None,
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:200],
        user=user if user is not None and user.is_authenticated else None,
    )


# An IPv6 client usually holds a whole /64 (RFC 6177, the prefix a home or a phone is given) and
# may take any address in it: counting per address would give it 2^64 fresh counters.
IPV6_CLIENT_PREFIX = 64


def client_network(request) -> str:
    """The key that per-client limits count under: the IPv4 address, or the IPv6 /64 network.

    "" when the address is unknown (every unknown client then shares one counter).
    """
    return network_of(client_ip(request))


def network_of(address: str) -> str:
    """``address`` (as ``client_ip`` gives it) reduced to what one client holds."""
    if ":" not in address:
        return address
    ip = ipaddress.IPv6Address(address)
    if ip.ipv4_mapped is not None:  # an IPv4 client seen through an IPv6 socket
        return str(ip.ipv4_mapped)
    return str(ipaddress.IPv6Network((ip, IPV6_CLIENT_PREFIX), strict=False))


def _valid(address: str) -> str:
    """The address if it is one, else "": it is stored in IP address columns (PostgreSQL inet)."""
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return ""
