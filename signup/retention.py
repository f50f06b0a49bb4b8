"""What signup keeps and for how long (the « Données personnelles » page, section 6).

Registered with core.retention by SignupConfig.ready; `manage.py purge_expired` runs it.
"""

from datetime import timedelta

from .models import SignupRequest

# A review request is kept a year after the fund's decision.
DECIDED_REQUEST_KEPT = timedelta(days=365)


def signup_purge(*, now) -> dict[str, int]:
    """Review requests decided over a year ago."""
    return {
        "signup_requests": SignupRequest.objects.filter(
            decided_at__lt=now - DECIDED_REQUEST_KEPT
        ).delete()[0],
    }
