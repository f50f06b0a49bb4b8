"""Synthetic payments and contributions for the demo registry (registry.demo), the same for
the same seed and day: several years of payments of every nature, recoveries among them, and
contributions in every status for the contributors and the companies (docs/product.md §6).

The registry's « dernier paiement » of a person is their latest payment here too, so that the
demo identity verified by the last payment amount still verifies (step 4 takes the payments
extract's latest payment when there is one).
"""

import csv
import datetime
import random
from contextlib import contextmanager
from pathlib import Path

from payments.lines import CONTRIBUTIONS, PAYMENTS
from registry.lines import COLUMNS

YEARS = 4
CONTRIBUTING = {"exploitant", "employeur_jardinier", "cotisant_solidarite"}
_LABELS = {
    "retraite": ("Pension de retraite de base", "Retraite complémentaire"),
    "maladie": (
        "Remboursement consultation médecin généraliste",
        "Remboursement pharmacie",
        "Remboursement kinésithérapie",
        "Remboursement analyses de laboratoire",
        "Remboursement soins dentaires",
    ),
    "indemnites_journalieres": ("Indemnités journalières maladie",),
    "famille": ("Allocations familiales", "Allocation de rentrée scolaire"),
    "invalidite": ("Pension d'invalidité",),
    "accident_travail": ("Indemnités journalières accident du travail",),
    "autre": ("Prime d'activité", "Régularisation"),
}


def write(
    *,
    persons_path: Path,
    companies_path: Path | None,
    payments_path: Path,
    contributions_path: Path,
    seed: int = 977,
    today: datetime.date | None = None,
) -> tuple[int, int]:
    """Write both extracts from a demo registry's files; return (payments, contributions)."""
    today = today or datetime.date.today()
    rng = random.Random(seed)
    payments = contributions = 0
    with (
        _writer(payments_path, PAYMENTS) as payment_row,
        _writer(contributions_path, CONTRIBUTIONS) as contribution_row,
    ):
        for index, person in enumerate(_read(persons_path)):
            # The showcased identities (the first five) always have payments; others often.
            if index < 5 or rng.random() < 0.6:
                for row in person_payments(rng, person, index, today):
                    payment_row(row)
                    payments += 1
            if CONTRIBUTING.intersection(person["profils"].split(",")):
                for row in _contributions(
                    rng, person["nir"], f"P{index:07d}", today, late=index % 3 == 0
                ):
                    contribution_row(row)
                    contributions += 1
        if companies_path is not None:
            for index, company in enumerate(_read(companies_path)):
                # The first company, the demo's, is up to date; the second has a late call.
                for row in _contributions(
                    rng, company["siret"], f"E{index:07d}", today, late=index % 2 == 1
                ):
                    contribution_row(row)
                    contributions += 1
    return payments, contributions


def person_payments(rng, person: dict, index: int, today: datetime.date):
    """The payments of one person over ``YEARS`` years, oldest first, the latest last."""
    born = int(person["date_naissance"][:4])
    natures = ["maladie"]
    if today.year - born >= 62:
        natures.append("retraite")
    elif rng.random() < 0.3:
        natures.append("famille")
    natures += [
        n
        for n in ("indemnites_journalieres", "invalidite", "accident_travail", "autre")
        if rng.random() < 0.08
    ]
    start = datetime.date(today.year - YEARS + 1, 1, 1)
    lines, number = [], 0

    def add(on, amount, nature, label, period=None):
        nonlocal number
        number += 1
        debut, fin = period or ("", "")
        lines.append(
            {
                "nir": person["nir"],
                "reference": f"PAI-{index:07d}-{number:04d}",
                "date_paiement": on.isoformat(),
                "montant": f"{amount:.2f}".replace(".", ","),
                "nature": nature,
                "libelle": label,
                "periode_debut": debut,
                "periode_fin": fin,
            }
        )

    for nature in natures:
        monthly = nature in ("retraite", "famille", "invalidite")
        base = rng.uniform(350, 1600) if monthly else 0
        month = start
        while month < today.replace(day=1):
            following = (month + datetime.timedelta(days=32)).replace(day=1)
            end = following - datetime.timedelta(days=1)
            period = (month.isoformat(), end.isoformat())
            pay_day = min(following.replace(day=5 + rng.randint(0, 3)), today)
            if monthly:
                amount = round(base * (1 + 0.012 * (month.year - start.year)), 2)
                add(pay_day, amount, nature, rng.choice(_LABELS[nature]), period)
                if rng.random() < 0.02:  # an overpayment taken back
                    add(
                        min(pay_day + datetime.timedelta(days=2), today),
                        -round(rng.uniform(20, 200), 2),
                        nature,
                        "Récupération d'un trop-perçu",
                    )
            elif nature == "maladie" and rng.random() < 0.45:
                add(
                    month + datetime.timedelta(days=rng.randint(3, 25)),
                    round(rng.uniform(8, 180), 2),
                    nature,
                    rng.choice(_LABELS[nature]),
                )
            elif nature != "maladie" and rng.random() < 0.15:
                add(
                    pay_day,
                    round(rng.uniform(200, 900), 2),
                    nature,
                    rng.choice(_LABELS[nature]),
                    period,
                )
            month = following
    lines.sort(key=lambda line: line["date_paiement"])
    last = person.get("dernier_paiement", "").strip()
    if last:
        latest = max(
            [datetime.date.fromisoformat(line["date_paiement"]) for line in lines] or [today]
        )
        add(
            min(latest + datetime.timedelta(days=1), today),
            float(last.replace(",", ".")),
            natures[-1],
            rng.choice(_LABELS[natures[-1]]),
        )
        # Nothing else on that day: the printed amount is « the last payment ».
        lines = [
            line for line in lines[:-1] if line["date_paiement"] != lines[-1]["date_paiement"]
        ] + lines[-1:]
    return lines


def _contributions(rng, identifiant: str, prefix: str, today: datetime.date, *, late: bool):
    """Quarterly calls over two years: paid, then what is due, one late if ``late``, a
    payment plan (échéancier) now and then."""
    rows = []
    year = today.year - 1
    quarter_count = 4 + (today.month - 1) // 3 + 1
    for number in range(quarter_count):
        quarter_year, quarter = year + number // 4, number % 4 + 1
        due = datetime.date(quarter_year, quarter * 3, 1) + datetime.timedelta(days=45)
        called = round(rng.uniform(300, 2400), 2)
        if due >= today:
            status, paid = "a_payer", 0.0
        elif late and number == quarter_count - 2:
            status, paid = "en_retard", round(called * rng.choice((0, 0.5)), 2)
        elif number == quarter_count - 3 and rng.random() < 0.5:
            status, paid = "echeancier", round(called / 3, 2)
        else:
            status, paid = "paye", called
        rows.append(
            {
                "identifiant": identifiant,
                "reference": f"COT-{prefix}-{quarter_year}T{quarter}",
                "periode": f"{quarter_year}-T{quarter}",
                "date_echeance": due.isoformat(),
                "montant_appele": f"{called:.2f}".replace(".", ","),
                "montant_paye": f"{paid:.2f}".replace(".", ","),
                "statut": status,
            }
        )
    return rows


def _read(path: Path):
    with open(path, encoding="utf-8", newline="") as file:
        yield from csv.DictReader(file, delimiter=";")


@contextmanager
def _writer(path: Path, kind: str):
    columns = COLUMNS[kind]
    with open(path, "w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file, delimiter=";", lineterminator="\n")
        writer.writerow(columns)
        yield lambda row: writer.writerow([row[column] for column in columns])
