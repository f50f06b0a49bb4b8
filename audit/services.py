"""Writing to the audit log: one function, called by every part of the domain."""

from dataclasses import dataclass

from .models import AuditEvent

# Keys that must never reach the log, whatever a caller passes (docs/product.md §5).
FORBIDDEN_KEYS = {"nir", "password", "serial", "iban", "identifier", "token", "secret"}


@dataclass(frozen=True)
class Client:
    """Who is asking, as values taken from the request by the caller (core.clients.request_client):
    the client address ("" or None when unknown), the browser, the account logged in if any."""

    ip: str | None = None
    user_agent: str = ""
    user: object = None


def audit_record(
    event_type: str, *, client: Client | None = None, actor=None, subject=None, **data
) -> AuditEvent:
    """Record a security event, with the client's address and browser when there is a client.

    The actor defaults to the client's logged-in account.
    """
    leaked = FORBIDDEN_KEYS.intersection(k.lower() for k in data)
    if leaked:
        raise ValueError(f"audit_record refuses secret fields: {sorted(leaked)}")
    ip, agent = None, ""
    if client is not None:
        ip = client.ip or None  # a valid address, or none known
        agent = client.user_agent[:200]
        if actor is None:
            actor = client.user
    return AuditEvent.objects.create(
        type=event_type, actor=actor, subject=subject, client_ip=ip, user_agent=agent, data=data
    )
