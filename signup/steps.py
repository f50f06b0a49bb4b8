"""The pages of the registration and the order the answers lead through them (docs/product.md §2).

Each page is a ``Step`` with its own address. ``path(answers)`` is the list of pages the
answers given so far lead through: the profile decides between NIR and SIRET, the health
affiliation and the Vitale card between the proofs of step 4 (verification.steps). A page is
open only when every page before it on that path has been answered; anything else is a skipped
or forged step. A step gives its form what it needs of the earlier answers (``given``).
"""

import functools
from collections.abc import Callable
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from core import wizard
from core.wizard import StepForm, nothing_given
from verification import forms as verification_forms
from verification import steps as verification_steps
from verification.steps import Question

from . import forms
from .registration import SignupProfile

TOTAL_STEPS = 7


@dataclass(frozen=True)
class Step:
    slug: str
    url: str
    number: int  # in « Étape N sur 7 »; step 4 has several pages
    form_class: type[StepForm]
    title: Promise
    template: str = "signup/step.html"
    stepper: bool = True
    # The keyword arguments its form takes from the earlier answers (core.wizard).
    given: Callable[[dict], dict] = nothing_given

    @property
    def url_name(self) -> str:
        return self.slug.replace("-", "_")


VERIFICATION = _("Vérification de votre identité")

PROFILE = Step("profil", "", 1, forms.ProfileForm, _("Créer mon espace privé"))
NIR = Step(
    "identifiant", "identifiant/", 2, forms.NirForm, _("Votre identifiant"), "signup/nir.html"
)
CONTACT = Step(
    "coordonnees",
    "coordonnees/",
    3,
    forms.ContactForm,
    _("Vos coordonnées"),
    given=lambda answers: {"nir": _answer(answers, NIR, "nir")},
)
HEALTH = Step("verification", "verification/", 4, verification_forms.HealthForm, VERIFICATION)
VITALE_CARD = Step(
    "carte-vitale",
    "verification/carte-vitale/",
    4,
    verification_forms.VitaleCardForm,
    VERIFICATION,
    "signup/card.html",
)
VITALE_SERIAL = Step(
    "numero-de-serie",
    "verification/numero-de-serie/",
    4,
    verification_forms.VitaleSerialForm,
    VERIFICATION,
    "signup/serial.html",
    given=lambda answers: verification_steps.serial_given(verification_answer(answers)),
)
PROOF_CHOICE = Step(
    "autre-information",
    "verification/autre-information/",
    4,
    verification_forms.ProofChoiceForm,
    VERIFICATION,
)
IBAN = Step(
    "iban", "verification/iban/", 4, verification_forms.IbanForm, VERIFICATION, "signup/secret.html"
)
AMOUNT = Step("montant", "verification/montant/", 4, verification_forms.AmountForm, VERIFICATION)
SIRET = Step(
    "entreprise-identifiant",
    "entreprise/identifiant/",
    2,
    forms.SiretForm,
    _("Votre identifiant"),
    "signup/siret.html",
)
COMPANY_CONTACT = Step(
    "entreprise-coordonnees",
    "entreprise/coordonnees/",
    3,
    forms.CompanyContactForm,
    _("Vos coordonnées"),
    "signup/company_contact.html",
)
EMPLOYER_ACCOUNT = Step(
    "entreprise-verification",
    "entreprise/verification/",
    4,
    verification_forms.EmployerAccountForm,
    VERIFICATION,
    "signup/employer_account.html",
)
DELIVERY = Step(
    "reception",
    "reception/",
    5,
    forms.ConfirmForm,
    _("Recevoir votre mot de passe"),
    "signup/delivery.html",
)
CGU = Step(
    "conditions",
    "conditions/",
    6,
    forms.ConfirmForm,
    _("Accepter les conditions générales d'utilisation"),
    "signup/cgu.html",
)
OTHER_FUNCTION = Step(
    "autre-fonction",
    "autre/",
    2,
    forms.OtherFunctionForm,
    _("Créer mon espace privé"),
    stepper=False,
)
OTHER_REQUEST = Step(
    "autre-demande",
    "autre/demande/",
    3,
    forms.OtherRequestForm,
    _("Comment obtenir votre accès"),
    "signup/other_request.html",
    stepper=False,
)

STEPS = [
    PROFILE,
    NIR,
    CONTACT,
    HEALTH,
    VITALE_CARD,
    VITALE_SERIAL,
    PROOF_CHOICE,
    IBAN,
    AMOUNT,
    SIRET,
    COMPANY_CONTACT,
    EMPLOYER_ACCOUNT,
    DELIVERY,
    CGU,
    OTHER_FUNCTION,
    OTHER_REQUEST,
]
BY_SLUG = {step.slug: step for step in STEPS}
# The pages whose « Suivant » finishes: the outcome is decided there.
FINAL_STEPS = (CGU, OTHER_REQUEST)
# The page of each of step 4's questions.
STEP_OF_QUESTION = {
    verification_steps.HEALTH: HEALTH,
    verification_steps.VITALE_CARD: VITALE_CARD,
    verification_steps.VITALE_SERIAL: VITALE_SERIAL,
    verification_steps.PROOF_CHOICE: PROOF_CHOICE,
    verification_steps.IBAN: IBAN,
    verification_steps.AMOUNT: AMOUNT,
    verification_steps.EMPLOYER_ACCOUNT: EMPLOYER_ACCOUNT,
}


def _answer(answers: dict, step: Step, name: str):
    return answers.get(step.slug, {}).get(name)


def path(answers: dict) -> list[Step]:
    """The pages the answers lead through, up to the first one whose answer decides the rest."""
    steps = [PROFILE]
    profile = _answer(answers, PROFILE, "profile")
    if profile is None:
        return steps
    if profile == SignupProfile.AUTRE:
        return [*steps, OTHER_FUNCTION, OTHER_REQUEST]
    if profile == SignupProfile.ENTREPRISE:
        return [*steps, SIRET, COMPANY_CONTACT, EMPLOYER_ACCOUNT, DELIVERY, CGU]
    steps += [NIR, CONTACT]
    verification, complete = verification_path(answers)
    steps += verification
    if not complete:
        return steps
    return [*steps, DELIVERY, CGU]


def verification_answer(answers: dict) -> Callable[[Question], dict | None]:
    """Step 4's answers as verification.steps reads them: what each question's page stored."""
    return lambda question: answers.get(STEP_OF_QUESTION[question].slug)


def verification_path(answers: dict) -> tuple[list[Step], bool]:
    """Step 4's pages the answers lead through, and whether step 4 is answered to its end."""
    questions, complete = verification_steps.person_path(verification_answer(answers))
    return [STEP_OF_QUESTION[question] for question in questions], complete


# Moving along the registration's path (core.wizard).
is_open = functools.partial(wizard.is_open, path_of=path)
first_open = functools.partial(wizard.first_open, path_of=path)
previous = functools.partial(wizard.previous, path_of=path)
following = functools.partial(wizard.following, path_of=path)
