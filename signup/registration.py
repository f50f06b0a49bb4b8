"""What a finished registration hands to the outcome service: cleaned values, no secret in clear."""

import datetime
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from registry.models import Profile
from verification.models import Proof


class SignupProfile(models.TextChoices):
    """The six answers to « Vous êtes... », in the order of the fund's guide."""

    EXPLOITANT = Profile.EXPLOITANT.value, Profile.EXPLOITANT.label
    ENTREPRISE = "entreprise", _("Entreprise")
    PARTICULIER = Profile.PARTICULIER.value, Profile.PARTICULIER.label
    EMPLOYEUR_JARDINIER = Profile.EMPLOYEUR_JARDINIER.value, Profile.EMPLOYEUR_JARDINIER.label
    COTISANT_SOLIDARITE = Profile.COTISANT_SOLIDARITE.value, Profile.COTISANT_SOLIDARITE.label
    AUTRE = "autre", _("Autre ...")


@dataclass(frozen=True, repr=False)
class Registration:
    """The seven steps, checked: the NIR as its 13-character body, proofs as keyed digests.

    ``repr`` shows no identifier, so that a traceback never carries one into a log.
    """

    profile: str
    language: str
    last_name: str
    first_name: str
    email: str
    mobile: str = ""
    nir_body: str = ""
    birth_date: datetime.date | None = None
    siret: str = ""
    proof: str = Proof.NONE
    proof_digest: str = ""

    def __repr__(self) -> str:
        return f"Registration(profile={self.profile!r}, proof={self.proof!r})"

    @property
    def is_company(self) -> bool:
        return self.profile == SignupProfile.ENTREPRISE
