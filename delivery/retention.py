"""What delivery keeps and for how long (the « Données personnelles » page, section 6).

Registered with core.retention by DeliveryConfig.ready; `manage.py purge_expired` runs it.
"""

from datetime import timedelta

from django.db import transaction

from .models import EmailDelivery, Letter

# Emails sent or failed, and letters posted or cancelled, are kept a year.
KEPT = timedelta(days=365)


@transaction.atomic
def delivery_purge(*, now) -> dict[str, int]:
    """Emails and letters done with for a year; those still waiting stay."""
    year_ago = now - KEPT
    return {
        "emails": EmailDelivery.objects.exclude(status=EmailDelivery.Status.QUEUED)
        .filter(created_at__lt=year_ago)
        .delete()[0],
        "letters": Letter.objects.filter(
            status__in=[Letter.Status.POSTED, Letter.Status.CANCELLED], created_at__lt=year_ago
        ).delete()[0],
    }
