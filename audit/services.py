"""Writing to the audit log: one function, called by every part of the domain."""

from core.clients import client_ip

from .models import AuditEvent

# Keys that must never reach the log, whatever a caller passes (docs/product.md §5).
FORBIDDEN_KEYS = {"nir", "password", "serial", "iban", "identifier", "token", "secret"}


def audit_record(event_type: str, *, request=None, actor=None, subject=None, **data) -> AuditEvent:
    """Record a security event, with the client's address and browser when there is a request."""
    leaked = FORBIDDEN_KEYS.intersection(k.lower() for k in data)
    if leaked:
        raise ValueError(f"audit_record refuses secret fields: {sorted(leaked)}")
    ip, agent = None, ""
    if request is not None:
        ip = client_ip(request) or None  # a valid address, or none known
        agent = request.META.get("HTTP_USER_AGENT", "")[:200]
        if actor is None and getattr(request, "user", None) is not None:
            actor = request.user if request.user.is_authenticated else None
    return AuditEvent.objects.create(
        type=event_type, actor=actor, subject=subject, client_ip=ip, user_agent=agent, data=data
    )
