"""What verification keeps and for how long (the « Données personnelles » page, section 6).

Registered with core.retention by VerificationConfig.ready; `manage.py purge_expired` runs it.
"""

from .models import ProofFailure


def verification_purge(*, now) -> dict[str, int]:
    """Failed proofs past their window."""
    # One statement of its own: an identity whose expired failure is being deleted waits for
    # this statement only, not for a long transaction.
    return {"proof_failures": ProofFailure.objects.filter(expires_at__lte=now).delete()[0]}
