"""How long personal data is kept, as the « Données personnelles » page promises (RGPD art. 5).

Each rule deletes what has outlived its purpose; `manage.py purge_expired` runs them all and is
meant for a daily scheduled run. The periods are those of the page's section 6: change both.
"""

from datetime import timedelta

from django.contrib.sessions.models import Session
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import TemporaryPassword, User
from audit.models import AuditEvent
from delivery.models import EmailDelivery, Letter
from signup.models import ProofFailure, SignupRequest

ONE_YEAR = timedelta(days=365)
# Accounts with no login for three years are deleted (the page: « après trois ans sans
# connexion »), members only: agents' accounts are managed by the supervisors.
DORMANT_ACCOUNT = timedelta(days=3 * 365)


@transaction.atomic
def retention_purge(*, now=None) -> dict[str, int]:
    """Delete everything past its retention period; return how many rows of each kind went."""
    now = now or timezone.now()
    year_ago = now - ONE_YEAR
    counts = {
        "sessions": Session.objects.filter(expire_date__lt=now).delete()[0],
        # Rows only: deleting an account below also deletes its own rows, not counted here.
        "temporary_passwords": TemporaryPassword.objects.filter(
            Q(used_at__isnull=False) | Q(voided_at__isnull=False) | Q(expires_at__lt=now)
        ).delete()[0],
        "proof_failures": ProofFailure.objects.filter(expires_at__lte=now).delete()[0],
        "signup_requests": SignupRequest.objects.filter(decided_at__lt=year_ago).delete()[0],
        "emails": EmailDelivery.objects.exclude(status=EmailDelivery.Status.QUEUED)
        .filter(created_at__lt=year_ago)
        .delete()[0],
        "letters": Letter.objects.filter(
            status__in=[Letter.Status.POSTED, Letter.Status.CANCELLED], created_at__lt=year_ago
        ).delete()[0],
        "audit_events": AuditEvent.objects.filter(at__lt=year_ago).delete()[0],
    }
    dormant = User.objects.filter(kind=User.Kind.MEMBER).filter(
        Q(last_login__lt=now - DORMANT_ACCOUNT)
        | Q(last_login__isnull=True, date_joined__lt=now - DORMANT_ACCOUNT)
    )
    counts["accounts"] = dormant.delete()[1].get(User._meta.label, 0)
    return counts
