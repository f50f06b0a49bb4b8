"""The pages of the registration and the order the answers lead through them (docs/product.md §2).

Each page is a ``Step`` with its own address. ``path(answers)`` is the list of pages the
answers given so far lead through: the profile decides between NIR and SIRET, the health
affiliation and the Vitale card between the proofs of step 4. A page is open only when every
page before it on that path has been answered; anything else is a skipped or forged step.
"""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from . import forms
from .registration import SignupProfile

TOTAL_STEPS = 7


@dataclass(frozen=True)
class Step:
    slug: str
    url: str
    number: int  # in « Étape N sur 7 »; step 4 has several pages
    form_class: type[forms.StepForm]
    title: Promise
    template: str = "signup/step.html"
    stepper: bool = True

    @property
    def url_name(self) -> str:
        return self.slug.replace("-", "_")


VERIFICATION = _("Vérification de votre identité")

PROFILE = Step("profil", "", 1, forms.ProfileForm, _("Créer mon espace privé"))
NIR = Step(
    "identifiant", "identifiant/", 2, forms.NirForm, _("Votre identifiant"), "signup/nir.html"
)
CONTACT = Step("coordonnees", "coordonnees/", 3, forms.ContactForm, _("Vos coordonnées"))
HEALTH = Step("verification", "verification/", 4, forms.HealthForm, VERIFICATION)
VITALE_CARD = Step(
    "carte-vitale",
    "verification/carte-vitale/",
    4,
    forms.VitaleCardForm,
    VERIFICATION,
    "signup/card.html",
)
VITALE_SERIAL = Step(
    "numero-de-serie",
    "verification/numero-de-serie/",
    4,
    forms.VitaleSerialForm,
    VERIFICATION,
    "signup/serial.html",
)
PROOF_CHOICE = Step(
    "autre-information", "verification/autre-information/", 4, forms.ProofChoiceForm, VERIFICATION
)
IBAN = Step("iban", "verification/iban/", 4, forms.IbanForm, VERIFICATION, "signup/secret.html")
AMOUNT = Step("montant", "verification/montant/", 4, forms.AmountForm, VERIFICATION)
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
    forms.EmployerAccountForm,
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


def verification_path(answers: dict) -> tuple[list[Step], bool]:
    """Step 4's pages the answers lead through, and whether step 4 is answered to its end.

    Also the verification of « Mot de passe oublié » (accounts.reset), on the same slugs.
    """
    steps = [HEALTH]
    affiliated = _answer(answers, HEALTH, "affiliated")
    if affiliated is None:
        return steps, False
    card = None
    if affiliated == "oui":
        steps.append(VITALE_CARD)
        card = _answer(answers, VITALE_CARD, "card")
        if card is None:
            return steps, False
        if card != "autre":
            steps.append(VITALE_SERIAL)
    if affiliated == "non" or card == "autre":
        steps.append(PROOF_CHOICE)
        proof = _answer(answers, PROOF_CHOICE, "proof")
        if proof is None:
            return steps, False
        if proof == "iban":
            steps.append(IBAN)
        elif proof == "amount":
            steps.append(AMOUNT)
    return steps, True


# Moving along a path of pages. ``path_of`` gives the pages some answers lead through: the
# registration's (``path``) by default, « Mot de passe oublié »'s for accounts.reset, whose
# pages (accounts.reset.Page) are typed as Step here: they have its ``slug``, under which
# their answer is kept.


def first_open(answers: dict, *, path_of=path) -> Step:
    """The first page of the path that has no answer yet (the last one never has)."""
    pages = path_of(answers)
    return next((page for page in pages if page.slug not in answers), pages[-1])


def is_open(answers: dict, page, *, path_of=path) -> bool:
    """Whether the page may be shown or posted: on the path, every page before it answered."""
    pages = path_of(answers)
    if page not in pages:
        return False
    return all(earlier.slug in answers for earlier in pages[: pages.index(page)])


def previous(answers: dict, page, *, path_of=path) -> Step | None:
    """The page before this one on the path; None for the first."""
    pages = path_of(answers)
    index = pages.index(page)
    return pages[index - 1] if index else None


def following(answers: dict, page, *, path_of=path) -> Step | None:
    """The page after this one once it is answered; None when the answers are complete."""
    pages = path_of(answers)
    index = pages.index(page)
    return pages[index + 1] if index + 1 < len(pages) else None
