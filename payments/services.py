"""Writes of the private space's payments part: attestations issued (docs/product.md §13).

An attestation is a PDF drawn at the moment it is asked for and streamed, never stored; the
record kept is what « Vérifier une attestation » shows (kind, date, period, total, holder's
initials) and the digest of its verification code: it is also the trace of who asked when.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from identity import first_given_name
from payments.codes import code_digest, code_new
from payments.models import Attestation


@dataclass(frozen=True)
class Issued:
    """An attestation just recorded, and its code in clear, to print once."""

    attestation: Attestation
    code: str


def holder_initials(user) -> str:
    """« M. G. »: the first given name's and the surname's initials, or a company's words'."""
    if user.person is not None:
        words = [first_given_name(user.person.prenoms), user.person.nom]
    elif user.company is not None:
        words = user.company.raison_sociale.split()[:4]
    else:
        words = [user.first_name, user.last_name]
    letters = [word.strip("'’-\"")[:1].upper() for word in words if word.strip("'’-\"")]
    return " ".join(f"{letter}." for letter in letters)[:12]


@transaction.atomic
def attestation_issue(
    *,
    user,
    kind: str,
    period_start: datetime.date | None = None,
    period_end: datetime.date | None = None,
    total: Decimal | None = None,
) -> Issued:
    """Record an attestation about to be drawn for ``user``; return it with its new code."""
    code = code_new()
    attestation = Attestation.objects.create(
        kind=kind,
        code_digest=code_digest(code.replace("-", "")),
        user=user,
        holder_initials=holder_initials(user),
        issued_at=timezone.now(),
        period_start=period_start,
        period_end=period_end,
        total=total,
    )
    return Issued(attestation=attestation, code=code)
