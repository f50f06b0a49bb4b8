"""Reads of the private space: what the fund knows of the member, as it is shown to them."""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from delivery.models import EmailDelivery
from identity import first_given_name, format_phone_national


@dataclass(frozen=True)
class MemberFile:
    """Identity and postal address on file (read-only for the member), and contact details."""

    first_name: str
    identity: list[tuple[str, str]] = field(default_factory=list)
    birth_date: object = None
    address_lines: list[str] = field(default_factory=list)
    mobile_display: str = ""


def member_file(user) -> MemberFile:
    """What the private space shows of `user`, from the registry's Person or Company."""
    person, company = user.person, user.company
    first_name = user.first_name or (first_given_name(person.prenoms).title() if person else "")
    identity, birth_date, address = [], None, []
    if person is not None:
        identity = [
            (_("Nom"), person.nom),
            (_("Prénoms"), person.prenoms),
            (_("Numéro de Sécurité Sociale"), user.identifier_masked or person.nir_masked),
        ]
        birth_date = person.date_naissance
        address = person.address_lines()
    elif company is not None:
        identity = [
            (_("Raison sociale"), company.raison_sociale),
            (_("SIRET"), company.siret),
            (_("Personne qui gère l'espace"), f"{user.first_name} {user.last_name}".strip()),
        ]
        address = company.address_lines()
    return MemberFile(
        first_name=first_name,
        identity=identity,
        birth_date=birth_date,
        address_lines=address,
        mobile_display=format_phone_national(user.mobile) if user.mobile else "",
    )


def email_refused(user):
    """The latest email the member's current address refused for good, its password sent by
    post instead (delivery.sender), or None: the private space says so until the address
    changes."""
    if not user.email:
        return None
    return (
        EmailDelivery.objects.filter(
            user=user,
            to_address=user.email,
            status=EmailDelivery.Status.FAILED,
            fallback_letter__isnull=False,
        )
        .order_by("-created_at")
        .first()
    )
