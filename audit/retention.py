"""What the audit log keeps and for how long (the « Données personnelles » page, section 6).

Registered with core.retention by CoreConfig.ready (core may import audit, not the reverse);
`manage.py purge_expired` runs it.
"""

from datetime import timedelta

from .models import AuditEvent

# Security events are kept a year.
KEPT = timedelta(days=365)


def audit_purge(*, now) -> dict[str, int]:
    """Security events over a year old."""
    return {"audit_events": AuditEvent.objects.filter(at__lt=now - KEPT).delete()[0]}
