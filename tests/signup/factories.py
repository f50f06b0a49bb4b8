"""Registry rows made directly, for the registration's tests (no CSV import needed).

Each factory returns what a person would type: the NIR body and the secrets in clear, next to
the row that holds only their digests.
"""

import datetime
import itertools
from dataclasses import dataclass
from decimal import Decimal

from identity import (
    make_nir,
    mask_nir,
    normalize_employer_account,
    normalize_vitale_serial,
    parse_nir,
)
from registry.digests import (
    amount_digest,
    employer_account_digest,
    iban_digest,
    nir_digest,
    vitale_digest,
)
from registry.models import Company, Person

_orders = itertools.count(1)
_sirens = itertools.count(30_000_001)

IBAN = "FR7630006000011234567890189"
OTHER_IBAN = "FR1420041010050500013M02606"


@dataclass
class PersonCard:
    """A registry person and what they know about themselves."""

    person: Person
    nir: str  # the 13-character body, as typed at step 2
    nom: str
    prenom: str
    birth_date: datetime.date
    serial: str
    iban: str
    amount: str

    @property
    def birth_date_typed(self) -> str:
        return self.birth_date.strftime("%d/%m/%Y")


def person_create(
    *,
    nom: str = "Questel",
    prenoms: str = "Marie-Hélène, Louise",
    birth_date: datetime.date = datetime.date(1985, 5, 12),
    sex: int = 2,
    department: str = "977",
    commune: str = "01",
    profils: str = "particulier",
    affilie_sante: bool = True,
    carte_vitale: str = "photo",
    serial: str = "12345678901",  # the 11 digits after 802500002, as step 4 asks for them
    iban: str = IBAN,
    dernier_paiement: Decimal | None = Decimal("123.45"),
    email: str = "",
    order: int | None = None,
) -> PersonCard:
    full = make_nir(
        sex=sex,
        year=birth_date.year,
        month=birth_date.month,
        department=department,
        commune=commune,
        order=order or next(_orders),
    )
    body = parse_nir(full, key="required").body
    person = Person.objects.create(
        nir_digest=nir_digest(body),
        nir_masked=mask_nir(body),
        nom=nom,
        prenoms=prenoms,
        date_naissance=birth_date,
        email=email,
        affilie_sante=affilie_sante,
        carte_vitale=carte_vitale if affilie_sante else "",
        vitale_serial_digest=(
            vitale_digest(normalize_vitale_serial(serial, card=carte_vitale or None))
            if serial
            else ""
        ),
        iban_digest=iban_digest(iban) if iban else "",
        last_payment_digest=amount_digest(f"{dernier_paiement:.2f}") if dernier_paiement else "",
        profils=profils,
        adresse_4="12 rue du Roi Oscar II",
        code_postal="97133",
        commune="SAINT-BARTHELEMY",
    )
    return PersonCard(
        person=person,
        nir=body,
        nom=nom,
        prenom=prenoms.split(",")[0].strip(),
        birth_date=birth_date,
        serial=serial,
        iban=iban,
        amount=str(dernier_paiement).replace(".", ",") if dernier_paiement else "",
    )


def unknown_nir(*, birth_date: datetime.date = datetime.date(1985, 5, 12)) -> str:
    """A well-formed NIR body that no registry row has."""
    full = make_nir(
        sex=1,
        year=birth_date.year,
        month=birth_date.month,
        department="971",
        commune="23",
        order=900 + next(_orders) % 99,
    )
    return full[:13]


def siret_make() -> str:
    """A fresh SIRET that passes the Luhn checks (SIREN and SIRET)."""
    siren = _luhn_complete(str(next(_sirens)))
    return _luhn_complete(siren + "0001")


def _luhn_complete(digits: str) -> str:
    for last in "0123456789":
        candidate = digits + last
        total = 0
        for index, char in enumerate(reversed(candidate)):
            value = int(char) * (2 if index % 2 else 1)
            total += value - 9 if value > 9 else value
        if total % 10 == 0:
            return candidate
    raise AssertionError("unreachable")


@dataclass
class CompanyCard:
    company: Company
    siret: str
    employer_account: str


def company_create(*, employer_account: str = "EMP-4521-77", email: str = "") -> CompanyCard:
    siret = siret_make()
    company = Company.objects.create(
        siret=siret,
        raison_sociale="Jardins de Gustavia SARL",
        email=email,
        employer_account_digest=employer_account_digest(
            normalize_employer_account(employer_account)
        )
        if employer_account
        else "",
        adresse_4="3 rue de la République",
        code_postal="97133",
        commune="SAINT-BARTHELEMY",
    )
    return CompanyCard(company=company, siret=siret, employer_account=employer_account)
