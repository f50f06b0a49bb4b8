"""What accounts keeps and for how long (the « Données personnelles » page, section 6).

Registered with core.retention by AccountsConfig.ready; `manage.py purge_expired` runs it.
"""

from datetime import timedelta

from django.contrib.sessions.models import Session
from django.db import transaction
from django.db.models import Q

from .lockout import counters_purge
from .models import User
from .passwords import temporary_passwords_purge
from .services import accounts_erase

# Accounts with no login for three years are deleted (the page: « après trois ans sans
# connexion »), members only: agents' accounts are managed by the supervisors.
DORMANT_ACCOUNT = timedelta(days=3 * 365)


def accounts_purge(*, now) -> dict[str, int]:
    """Expired sessions, login failures and temporary passwords, and dormant members' accounts."""
    # On its own, before the transaction below: a login whose counter is being deleted waits
    # for this statement only. Counters go a day after their last failure, once no lock holds.
    counts = {"login_failures": counters_purge(now=now)}
    counts.update(_purge(now))
    return counts


@transaction.atomic
def _purge(now) -> dict[str, int]:
    counts = {
        "sessions": Session.objects.filter(expire_date__lt=now).delete()[0],
        # Rows only: deleting an account below also deletes its own rows, not counted here.
        "temporary_passwords": temporary_passwords_purge(at=now),
    }
    dormant = User.objects.filter(kind=User.Kind.MEMBER).filter(
        Q(last_login__lt=now - DORMANT_ACCOUNT)
        | Q(last_login__isnull=True, date_joined__lt=now - DORMANT_ACCOUNT)
    )
    counts["accounts"] = accounts_erase(dormant)
    return counts
