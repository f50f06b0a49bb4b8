"""What payments keeps and for how long (the « Données personnelles » page, section 6).

Registered with core.retention by PaymentsConfig.ready; `manage.py purge_expired` runs it.
"""

from datetime import timedelta

from django.db import transaction

from .models import Attestation, Contribution, Payment

# The fund's payments shown for twenty years (a pension's history), its calls for
# contributions for ten; an attestation's verification answers for five years after issue.
PAYMENTS_KEPT = timedelta(days=20 * 365 + 5)
CONTRIBUTIONS_KEPT = timedelta(days=10 * 365 + 3)
ATTESTATIONS_KEPT = timedelta(days=5 * 365 + 2)


@transaction.atomic
def payments_purge(*, now) -> dict[str, int]:
    """Payments, calls for contributions and attestations' records past their period."""
    return {
        "payments": Payment.objects.filter(date_paiement__lt=(now - PAYMENTS_KEPT).date()).delete()[
            0
        ],
        "contributions": Contribution.objects.filter(
            date_echeance__lt=(now - CONTRIBUTIONS_KEPT).date()
        ).delete()[0],
        "attestations": Attestation.objects.filter(issued_at__lt=now - ATTESTATIONS_KEPT).delete()[
            0
        ],
    }
