"""Reads of the payments, contributions and attestations (docs/product.md §13): only ever the
logged-in member's own, reached through their account's registry Person or Company."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Max, Q, Sum
from django.db.models.functions import ExtractYear

from payments.models import Attestation, Contribution, Payment
from registry.digests import amount_digest
from registry.models import Profile

# The profiles that pay contributions (docs/product.md §13); an Entreprise always does.
CONTRIBUTING_PROFILES = frozenset(
    {Profile.EXPLOITANT, Profile.EMPLOYEUR_JARDINIER, Profile.COTISANT_SOLIDARITE}
)


def last_payment_digests(person) -> list[str]:
    """The keyed digests of the amounts step 4 accepts as « the last payment received ».

    From the payments extract when the fund sent it: the amounts paid (recoveries aside) on
    the latest day a payment was made, since two payments of one day are both « the last ».
    Otherwise the registry's own column. Never empty: [""] matches nothing.
    """
    received = Payment.objects.filter(person=person, montant__gt=0)
    latest = received.aggregate(day=Max("date_paiement"))["day"]
    if latest is None:
        return [person.last_payment_digest or ""]
    amounts = received.filter(date_paiement=latest).values_list("montant", flat=True)
    return [amount_digest(f"{amount:.2f}") for amount in amounts]


_PAYMENT_COLUMNS = (
    "reference",
    "date_paiement",
    "montant",
    "nature",
    "libelle",
    "periode_debut",
    "periode_fin",
)


def payments_of_year(person, year: int):
    """The payments of one year, newest first (the page and its CSV download)."""
    if person is None or not 1 <= year <= 9999:
        return Payment.objects.none()
    return (
        Payment.objects.filter(person=person, date_paiement__year=year)
        .order_by("-date_paiement", "-id")
        .only(*_PAYMENT_COLUMNS)
    )


def payments_between(person, start: datetime.date, end: datetime.date):
    """The payments of a period, oldest first (the attestation de paiements)."""
    if person is None:
        return Payment.objects.none()
    return (
        Payment.objects.filter(person=person, date_paiement__range=(start, end))
        .order_by("date_paiement", "id")
        .only(*_PAYMENT_COLUMNS)
    )


def pays_contributions(user) -> bool:
    """Whether « Mes cotisations » is for this account: a company, or a contributing profile."""
    if user.company_id is not None:
        return True
    person = user.person
    return person is not None and bool(CONTRIBUTING_PROFILES.intersection(person.profile_list))


def _holder(user) -> Q:
    if user.company_id is not None:
        return Q(company_id=user.company_id)
    if user.person_id is not None:
        return Q(person_id=user.person_id)
    return Q(pk__in=[])


@dataclass
class ContributionAccount:
    """What « Mes cotisations » shows: the calls, what remains due, and whether any is late."""

    contributions: list
    balance: Decimal
    due: list
    overdue: list

    @property
    def up_to_date(self) -> bool:
        return not self.overdue


def contribution_account(user, *, today: datetime.date) -> ContributionAccount:
    """The account's contributions, newest due date first; overdue: late by status or date."""
    contributions = list(
        Contribution.objects.filter(_holder(user)).order_by("-date_echeance", "-id")
    )
    open_ = [c for c in contributions if c.statut != Contribution.Status.PAYE and c.remaining]
    overdue = [
        c
        for c in open_
        if c.statut == Contribution.Status.EN_RETARD
        or (c.statut == Contribution.Status.A_PAYER and c.date_echeance < today)
    ]
    due = sorted(open_, key=lambda c: c.date_echeance)
    balance = sum((c.remaining for c in open_), Decimal("0.00"))
    return ContributionAccount(contributions, balance, due, overdue)


def attestation_find(code_digest: str) -> Attestation | None:
    return Attestation.objects.filter(code_digest=code_digest).first()


@dataclass(frozen=True)
class YearTotal:
    year: int
    total: Decimal
    count: int


def payment_year_totals(person) -> list[YearTotal]:
    """Each year holding payments, newest first, with its total: one grouped query."""
    if person is None:
        return []
    rows = (
        Payment.objects.filter(person=person)
        .annotate(year=ExtractYear("date_paiement"))
        .values("year")
        .annotate(total=Sum("montant"), count=Count("id"))
        .order_by("-year")
    )
    return [YearTotal(row["year"], row["total"], row["count"]) for row in rows]
