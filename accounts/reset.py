"""« Mot de passe oublié »: who asks, then the verification of registration step 4.

The pages and the order the answers lead through them, and the state in the server-side
session. The verification pages are the registration's own forms (signup.forms), so the person
meets the same questions, and their answers are kept the same way: the identifier and the
proofs (Vitale serial, IBAN, employer account) only as keyed digests, never in clear.
"""

import functools
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from signup import forms as signup_forms
from signup import steps as signup_steps
from signup.registration import Proof
from signup.wizard import SessionAnswers

from .forms import PasswordResetIdentityForm
from .models import User

SESSION_KEY = "password_reset"
DONE_KEY = "password_reset_done"

VERIFICATION = _("Vérification de votre identité")


@dataclass(frozen=True)
class Page:
    slug: str
    url: str
    form_class: type
    title: Promise
    template: str = "accounts/reset_step.html"

    @property
    def url_name(self) -> str:
        return "password_reset" if not self.url else "password_reset_" + self.slug.replace("-", "_")


# The verification pages keep the registration's slugs: its forms read each other's answers
# by them (the serial's hint depends on the card chosen), and its order of pages
# (signup.steps.verification_path) is followed by slug.
IDENTITY = Page(
    "identite",
    "",
    PasswordResetIdentityForm,
    _("Mot de passe oublié"),
    "accounts/reset_identity.html",
)
HEALTH = Page("verification", "verification/", signup_forms.HealthForm, VERIFICATION)
VITALE_CARD = Page(
    "carte-vitale",
    "verification/carte-vitale/",
    signup_forms.VitaleCardForm,
    VERIFICATION,
    "accounts/reset_card.html",
)
VITALE_SERIAL = Page(
    "numero-de-serie",
    "verification/numero-de-serie/",
    signup_forms.VitaleSerialForm,
    VERIFICATION,
    "accounts/reset_serial.html",
)
PROOF_CHOICE = Page(
    "autre-information",
    "verification/autre-information/",
    signup_forms.ProofChoiceForm,
    VERIFICATION,
)
IBAN = Page("iban", "verification/iban/", signup_forms.IbanForm, VERIFICATION)
AMOUNT = Page("montant", "verification/montant/", signup_forms.AmountForm, VERIFICATION)
EMPLOYER_ACCOUNT = Page(
    "entreprise-verification",
    "verification/entreprise/",
    signup_forms.EmployerAccountForm,
    VERIFICATION,
)
PAGES = [IDENTITY, HEALTH, VITALE_CARD, VITALE_SERIAL, PROOF_CHOICE, IBAN, AMOUNT, EMPLOYER_ACCOUNT]
BY_SLUG = {page.slug: page for page in PAGES}


def _answer(answers: dict, page: Page, name: str):
    return answers.get(page.slug, {}).get(name)


def path(answers: dict) -> list[Page]:
    """The pages the answers lead through, up to the first one whose answer decides the rest."""
    pages = [IDENTITY]
    kind = _answer(answers, IDENTITY, "type")
    if kind is None:
        return pages
    if kind == User.IdentifierType.SIRET:
        return [*pages, EMPLOYER_ACCOUNT]
    verification, _complete = signup_steps.verification_path(answers)
    return [*pages, *(BY_SLUG[step.slug] for step in verification)]


# Moving along the path: the registration's way (signup.steps), on these pages.
is_open = functools.partial(signup_steps.is_open, path_of=path)
first_open = functools.partial(signup_steps.first_open, path_of=path)
previous = functools.partial(signup_steps.previous, path_of=path)
following = functools.partial(signup_steps.following, path_of=path)


@dataclass(frozen=True, repr=False)
class ResetRequest:
    """A finished « Mot de passe oublié »: digests and cleaned values, nothing in clear."""

    identifier_type: str
    login: str
    birth_date: date | None
    proof: str
    proof_digest: str = ""
    amount: Decimal | None = None

    def __repr__(self) -> str:
        return f"ResetRequest({self.identifier_type!r}, proof={self.proof!r})"


def reset_request(answers: dict) -> ResetRequest:
    """The complete answers as one request for accounts.services.password_reset_request."""
    identity = answers[IDENTITY.slug]
    birth_date = date.fromisoformat(identity["birth_date"]) if identity["birth_date"] else None
    proof, digest = Proof.NONE, ""
    if EMPLOYER_ACCOUNT.slug in answers:
        digest = answers[EMPLOYER_ACCOUNT.slug].get("account_digest", "")
        proof = Proof.EMPLOYER_ACCOUNT if digest else Proof.NONE
    elif VITALE_SERIAL.slug in answers:
        proof, digest = Proof.VITALE, answers[VITALE_SERIAL.slug]["serial_digest"]
    elif IBAN.slug in answers:
        proof, digest = Proof.IBAN, answers[IBAN.slug]["iban_digest"]
    elif AMOUNT.slug in answers:
        proof, digest = Proof.AMOUNT, answers[AMOUNT.slug].get("amount_digest", "")
    return ResetRequest(identity["type"], identity["login"], birth_date, proof, digest)


class ResetState(SessionAnswers):
    """The request being filled in, in the server-side session (as the registration's)."""

    session_key = SESSION_KEY
    path_of = staticmethod(path)
    done_key = DONE_KEY

    def store(self, page: Page, stored: dict) -> None:
        # Saved at once: nothing else is written between two pages (the registration saves
        # after counting the step reached in its funnel).
        super().store(page, stored)
        self.save()
