"""Accounts made directly, as the registration leaves them: a registry Person and a member User.

`make_member()` returns a Member holding what the person knows (the NIR they type, the
temporary password they received, their personal password if they chose one); the database
holds only digests and hashes, as in production.
"""

import itertools
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from accounts.models import TemporaryPassword, User
from accounts.passwords import temporary_password_issue
from identity import make_nir, mask_nir, normalize_vitale_serial, parse_iban
from registry.digests import amount_digest, iban_digest, nir_digest, siret_digest, vitale_digest
from registry.models import Company, Person

_order = itertools.count(1)

VITALE_SERIAL = "12345678901"  # the 11 digits after 802500002, as step 4 asks for them
IBAN = "FR76 3000 6000 0112 3456 7890 189"
LAST_PAYMENT = Decimal("123.45")
# A personal password that every rule accepts, for accounts that already chose theirs.
PERSONAL_PASSWORD = "cocotiers bleus sous la pluie"


@dataclass
class Member:
    user: User
    identifier: str  # as the person types it: the 13 characters of the NIR, or the SIRET
    temporary_password: str | None = None
    password: str | None = None

    @property
    def person(self) -> Person:
        return self.user.person


def make_person(
    *,
    nom: str = "DUPONT",
    prenoms: str = "MARIE, LOUISE",
    date_naissance: date = date(1985, 5, 12),
    sex: int = 2,
    affilie_sante: bool = True,
    vitale_serial: str | None = VITALE_SERIAL,
    iban: str | None = IBAN,
    dernier_paiement: Decimal | None = LAST_PAYMENT,
    department: str = "977",
    commune: str = "01",
    **fields,
) -> tuple[Person, str]:
    """A registry Person with a fresh valid NIR consistent with the birth date; and that NIR."""
    nir = make_nir(
        sex=sex,
        year=date_naissance.year,
        month=date_naissance.month,
        department=department,
        commune=commune,
        order=next(_order),
    )[:13]
    fields.setdefault("adresse_4", "12 RUE DU PORT")
    fields.setdefault("code_postal", "97133")
    fields.setdefault("commune", "SAINT-BARTHELEMY")
    person = Person.objects.create(
        nir_digest=nir_digest(nir),
        nir_masked=mask_nir(nir),
        nom=nom,
        prenoms=prenoms,
        date_naissance=date_naissance,
        affilie_sante=affilie_sante,
        carte_vitale=Person.VitaleCard.PHOTO if vitale_serial else Person.VitaleCard.NONE,
        vitale_serial_digest=vitale_digest(normalize_vitale_serial(vitale_serial))
        if vitale_serial
        else "",
        iban_digest=iban_digest(parse_iban(iban)) if iban else "",
        last_payment_digest=amount_digest(f"{dernier_paiement:.2f}") if dernier_paiement else "",
        profils="particulier",
        **fields,
    )
    return person, nir


def make_member(
    *,
    person: Person | None = None,
    nir: str | None = None,
    temporary: str | None = TemporaryPassword.Channel.EMAIL,
    password: str | None = None,
    email: str = "marie.dupont@example.org",
    email_confirmed: bool = True,
    **user_fields,
) -> Member:
    """A member account for `person` (a new one by default).

    `temporary`: the channel of a pending temporary password, or None; `password`: a personal
    password already chosen, or None (then the account has none, as after registration).
    """
    if person is None:
        person, nir = make_person()
    user = User(
        login=nir_digest(nir),
        kind=User.Kind.MEMBER,
        identifier_type=User.IdentifierType.NIR,
        identifier_masked=mask_nir(nir),
        profile="particulier",
        person=person,
        first_name=person.prenoms.split(",")[0].title(),
        last_name=person.nom.title(),
        email=email,
        email_confirmed=email_confirmed,
        channel=User.Channel.EMAIL if temporary != "post" else User.Channel.POST,
        **user_fields,
    )
    if password is None:
        user.set_unusable_password()
    else:
        user.set_password(password)
    user.save()
    clear = None
    if temporary is not None:
        clear, _record = temporary_password_issue(user=user, channel=temporary)
    return Member(user=user, identifier=nir, temporary_password=clear, password=password)


def make_company_member(*, siret: str = "73282932000074", password: str = PERSONAL_PASSWORD):
    """A company's account, identified by its SIRET, with a personal password."""
    company = Company.objects.create(
        siret=siret,
        raison_sociale="JARDINS DE GUSTAVIA",
        adresse_4="1 RUE DE LA REPUBLIQUE",
        code_postal="97133",
        commune="SAINT-BARTHELEMY",
    )
    user = User(
        login=siret_digest(siret),
        kind=User.Kind.MEMBER,
        identifier_type=User.IdentifierType.SIRET,
        identifier_masked=siret,
        profile="entreprise",
        company=company,
        first_name="Paul",
        last_name="Martin",
        email="paul.martin@example.org",
        email_confirmed=True,
    )
    user.set_password(password)
    user.save()
    return Member(user=user, identifier=siret, password=password)
