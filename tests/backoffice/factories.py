"""Small factories for the back-office tests: rows made directly, as the other parts would."""

import datetime
import importlib
import itertools

from django.contrib.auth.models import Group, Permission
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from delivery.models import EmailDelivery, Letter
from identity import make_nir, mask_nir
from registry.digests import nir_digest, siret_digest
from registry.models import Company, Person
from signup.models import SignupRequest

AGENT_PASSWORD = "mot-de-passe-agent-solide-2026"
_orders = itertools.count(101)


def new_nir(*, sex: int = 1, year: int = 1985, month: int = 5) -> str:
    """A valid NIR (15 characters) that no other call returns."""
    return make_nir(
        sex=sex, year=year, month=month, department="97", commune="701", order=next(_orders)
    )


# A registry person's fields but the NIR's.
PERSON_FIELDS = {
    "nom": "Greaux",
    "prenoms": "Marie Louise",
    "date_naissance": datetime.date(1985, 5, 14),
    "adresse_4": "12 rue Samuel Fahlberg",
    "adresse_5": "Lieu-dit Lorient",
    "code_postal": "97133",
    "commune": "Saint-Barthélemy",
    "profils": "particulier",
}


def person(*, nir: str | None = None, **fields) -> Person:
    nir = nir or new_nir()
    values = {
        "nir_digest": nir_digest(nir[:13]),
        "nir_masked": mask_nir(nir[:13]),
        **PERSON_FIELDS,
    }
    values.update(fields)
    return Person.objects.create(**values)


def company(*, siret: str = "73282932000074", **fields) -> Company:
    values = {
        "siret": siret,
        "raison_sociale": "Boulangerie de Gustavia",
        "adresse_4": "3 rue de la République",
        "code_postal": "97133",
        "commune": "Saint-Barthélemy",
    }
    values.update(fields)
    return Company.objects.create(**values)


def member(*, person: Person | None = None, nir: str | None = None, **fields) -> User:
    """A member account linked to a registry person (made if not given)."""
    if person is None:
        person = globals()["person"](nir=nir)
    values = {
        "kind": User.Kind.MEMBER,
        "identifier_type": User.IdentifierType.NIR,
        "identifier_masked": person.nir_masked,
        "person": person,
        "first_name": person.prenoms.split()[0],
        "last_name": person.nom,
        "channel": User.Channel.POST,
        "must_change_password": True,
    }
    values.update(fields)
    return User.objects.create_user(person.nir_digest, None, **values)


def company_member(*, company: Company, **fields) -> User:
    values = {
        "kind": User.Kind.MEMBER,
        "identifier_type": User.IdentifierType.SIRET,
        "identifier_masked": company.siret,
        "company": company,
        "first_name": "Paul",
        "last_name": "Lédée",
        "channel": User.Channel.POST,
    }
    values.update(fields)
    return User.objects.create_user(siret_digest(company.siret), None, **values)


def agent_groups() -> dict[str, Group]:
    """The groups the data migration made; made again after a transactional test's flush."""
    migration = importlib.import_module("backoffice.migrations.0002_agent_groups")
    closing = importlib.import_module("backoffice.migrations.0003_supervisors_close_accounts")
    messaging = importlib.import_module("messaging.migrations.0002_agents_answer_messages")
    separation = importlib.import_module(
        "backoffice.migrations.0004_supervisors_upload_and_approve"
    )
    supervisor = (
        migration.SUPERVISOR + closing.SUPERVISOR + separation.SUPERVISOR_GAINS + messaging.AGENT
    )
    agent = [p for p in migration.AGENT if p not in separation.AGENT_LOSES] + messaging.AGENT
    groups = {}
    for name, wanted in (("agent", agent), ("superviseur", supervisor)):
        group, created = Group.objects.get_or_create(name=name)
        if created:
            group.permissions.set(
                Permission.objects.get(content_type__app_label=app, codename=codename)
                for app, codename in wanted
            )
        groups[name] = group
    return groups


def agent(*, login: str = "agent.durand", groups=("agent",), totp: bool = True, **fields) -> User:
    """An agent in the given groups, with a confirmed TOTP device unless `totp` is False."""
    values = {
        "kind": User.Kind.AGENT,
        "is_staff": True,
        "first_name": "Lise",
        "last_name": "Durand",
    }
    values.update(fields)
    user = User.objects.create_user(login, AGENT_PASSWORD, **values)
    existing = agent_groups()
    for name in groups:
        user.groups.add(existing[name])
    if totp:
        TOTPDevice.objects.create(user=user, name="default", confirmed=True)
    return user


def letter(*, user: User | None = None, **fields) -> Letter:
    return Letter.objects.create(
        user=user or member(), reason=fields.pop("reason", "signup"), **fields
    )


def signup_request(**fields) -> SignupRequest:
    values = {
        "kind": SignupRequest.Kind.UNIDENTIFIED,
        "profile": "particulier",
        "identifier_type": "nir",
        "last_name": "Questel",
        "first_name": "Anne",
        "birth_date": datetime.date(1990, 3, 2),
        "email": "anne.questel@example.org",
        "mobile": "+590690001122",
    }
    values.update(fields)
    return SignupRequest.objects.create(**values)


def email_delivery(*, user: User | None = None, **fields) -> EmailDelivery:
    user = user or member(email="marie@example.org")
    values = {
        "kind": EmailDelivery.Kind.TEMPORARY_PASSWORD,
        "to_address": user.email or "marie@example.org",
        "status": EmailDelivery.Status.FAILED,
        "attempts": 3,
        "last_error": "451 4.3.0 Mailbox temporarily unavailable",
    }
    values.update(fields)
    return EmailDelivery.objects.create(user=user, **values)
