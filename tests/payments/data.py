"""Payments and contributions written straight to the database, for the pages' tests."""

import datetime
from decimal import Decimal
from itertools import count

from payments.models import Contribution, Payment

_references = count(1)


def payment(person, *, on: datetime.date, amount: str = "812.40", **fields) -> Payment:
    values = {
        "nature": Payment.Nature.RETRAITE,
        "libelle": "Pension de retraite de base",
        "periode_debut": on.replace(day=1),
        "periode_fin": on.replace(day=28),
    }
    values.update(fields)
    return Payment.objects.create(
        person=person,
        reference=f"T-{next(_references):08d}",
        date_paiement=on,
        montant=Decimal(amount),
        **values,
    )


def contribution(*, person=None, company=None, due: datetime.date, **fields) -> Contribution:
    values = {
        "periode": f"{due.year}-T1",
        "montant_appele": Decimal("850.00"),
        "montant_paye": Decimal("0.00"),
        "statut": Contribution.Status.A_PAYER,
    }
    values.update(fields)
    return Contribution.objects.create(
        person=person,
        company=company,
        reference=f"C-{next(_references):08d}",
        date_echeance=due,
        **values,
    )
