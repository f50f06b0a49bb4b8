"""How long personal data is kept, as the « Données personnelles » page promises (RGPD art. 5).

Each rule deletes what has outlived its purpose; `manage.py purge_expired` runs them all and is
meant for a daily scheduled run. The periods are those of the page's section 6: change both.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from accounts.lockout import counters_purge
from accounts.models import User
from accounts.passwords import temporary_passwords_purge
from accounts.services import accounts_erase
from audit.models import AuditEvent
from delivery.models import EmailDelivery, Letter
from messaging.services import messaging_purge
from payments.models import Attestation, Contribution, Payment
from signup.models import SignupRequest
from verification.models import ProofFailure

ONE_YEAR = timedelta(days=365)
# Accounts with no login for three years are deleted (the page: « après trois ans sans
# connexion »), members only: agents' accounts are managed by the supervisors.
DORMANT_ACCOUNT = timedelta(days=3 * 365)
# The fund's payments shown for twenty years (a pension's history), its calls for
# contributions for ten; an attestation's verification answers for five years after issue.
PAYMENTS_KEPT = timedelta(days=20 * 365 + 5)
CONTRIBUTIONS_KEPT = timedelta(days=10 * 365 + 3)
ATTESTATIONS_KEPT = timedelta(days=5 * 365 + 2)


def retention_purge(*, now=None) -> dict[str, int]:
    """Delete everything past its retention period; return how many rows of each kind went."""
    now = now or timezone.now()
    # Each on its own, before the long transaction below: an identity whose expired failure
    # is being deleted waits for this statement only, not for the whole purge.
    counts = {
        "proof_failures": ProofFailure.objects.filter(expires_at__lte=now).delete()[0],
        # Failed-login counters a day after their last failure, once no lock holds.
        "login_failures": counters_purge(now=now),
        "cache_entries": _cache_purge(now),
    }
    # Messages, requests and their files (each file goes once its row's deletion is committed).
    counts.update(messaging_purge(now=now))
    counts.update(_purge(now))
    return counts


def _cache_purge(now) -> int:
    """Expired rows of the database cache (rate-limit counters keyed by client address):
    Django deletes them only once the table is full, or when the same key is read again."""
    cache = caches["default"]
    if not isinstance(cache, DatabaseCache):
        return 0  # Redis forgets them itself
    table = connection.ops.quote_name(settings.CACHES["default"]["LOCATION"])
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {table} WHERE expires < %s",  # noqa: S608 (a setting, not input)
            [connection.ops.adapt_datetimefield_value(now)],
        )
        return cursor.rowcount


@transaction.atomic
def _purge(now) -> dict[str, int]:
    year_ago = now - ONE_YEAR
    counts = {
        "sessions": Session.objects.filter(expire_date__lt=now).delete()[0],
        # Rows only: deleting an account below also deletes its own rows, not counted here.
        "temporary_passwords": temporary_passwords_purge(at=now),
        "signup_requests": SignupRequest.objects.filter(decided_at__lt=year_ago).delete()[0],
        "emails": EmailDelivery.objects.exclude(status=EmailDelivery.Status.QUEUED)
        .filter(created_at__lt=year_ago)
        .delete()[0],
        "letters": Letter.objects.filter(
            status__in=[Letter.Status.POSTED, Letter.Status.CANCELLED], created_at__lt=year_ago
        ).delete()[0],
        "audit_events": AuditEvent.objects.filter(at__lt=year_ago).delete()[0],
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
    dormant = User.objects.filter(kind=User.Kind.MEMBER).filter(
        Q(last_login__lt=now - DORMANT_ACCOUNT)
        | Q(last_login__isnull=True, date_joined__lt=now - DORMANT_ACCOUNT)
    )
    counts["accounts"] = accounts_erase(dormant)
    return counts
