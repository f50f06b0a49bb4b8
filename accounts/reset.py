"""« Mot de passe oublié »: who asks, then the verification of step 4 (verification).

The pages and the order the answers lead through them, and the state in the server-side
session (core.wizard, as the registration's). The verification pages ask step 4's questions
with its forms (verification.forms), so the person meets the same questions as at the
registration, and their answers are kept the same way: the identifier and the proofs (Vitale
serial, IBAN, employer account) only as keyed digests, never in clear.
"""

import functools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from core import wizard
from core.wizard import SessionAnswers, nothing_given
from verification import forms as verification_forms
from verification import steps as verification_steps
from verification.steps import Question, proof_given

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
    # The keyword arguments its form takes from the earlier answers (core.wizard).
    given: Callable[[dict], dict] = nothing_given

    @property
    def url_name(self) -> str:
        return "password_reset" if not self.url else "password_reset_" + self.slug.replace("-", "_")


# The slugs and addresses are this journey's own. They are those of the registration's pages,
# kept so that no address changes; nothing ties the two journeys' slugs any more.
IDENTITY = Page(
    "identite",
    "",
    PasswordResetIdentityForm,
    _("Mot de passe oublié"),
    "accounts/reset_identity.html",
)
HEALTH = Page("verification", "verification/", verification_forms.HealthForm, VERIFICATION)
VITALE_CARD = Page(
    "carte-vitale",
    "verification/carte-vitale/",
    verification_forms.VitaleCardForm,
    VERIFICATION,
    "accounts/reset_card.html",
)
VITALE_SERIAL = Page(
    "numero-de-serie",
    "verification/numero-de-serie/",
    verification_forms.VitaleSerialForm,
    VERIFICATION,
    "accounts/reset_serial.html",
    given=lambda answers: verification_steps.serial_given(verification_answer(answers)),
)
PROOF_CHOICE = Page(
    "autre-information",
    "verification/autre-information/",
    verification_forms.ProofChoiceForm,
    VERIFICATION,
)
IBAN = Page("iban", "verification/iban/", verification_forms.IbanForm, VERIFICATION)
AMOUNT = Page("montant", "verification/montant/", verification_forms.AmountForm, VERIFICATION)
EMPLOYER_ACCOUNT = Page(
    "entreprise-verification",
    "verification/entreprise/",
    verification_forms.EmployerAccountForm,
    VERIFICATION,
)
PAGES = [IDENTITY, HEALTH, VITALE_CARD, VITALE_SERIAL, PROOF_CHOICE, IBAN, AMOUNT, EMPLOYER_ACCOUNT]
BY_SLUG = {page.slug: page for page in PAGES}
# The page of each of step 4's questions.
PAGE_OF_QUESTION = {
    verification_steps.HEALTH: HEALTH,
    verification_steps.VITALE_CARD: VITALE_CARD,
    verification_steps.VITALE_SERIAL: VITALE_SERIAL,
    verification_steps.PROOF_CHOICE: PROOF_CHOICE,
    verification_steps.IBAN: IBAN,
    verification_steps.AMOUNT: AMOUNT,
    verification_steps.EMPLOYER_ACCOUNT: EMPLOYER_ACCOUNT,
}


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
    questions, _complete = verification_steps.person_path(verification_answer(answers))
    return [*pages, *(PAGE_OF_QUESTION[question] for question in questions)]


def verification_answer(answers: dict) -> Callable[[Question], dict | None]:
    """Step 4's answers as verification.steps reads them: what each question's page stored."""
    return lambda question: answers.get(PAGE_OF_QUESTION[question].slug)


# Moving along the path (core.wizard), on these pages.
is_open = functools.partial(wizard.is_open, path_of=path)
first_open = functools.partial(wizard.first_open, path_of=path)
previous = functools.partial(wizard.previous, path_of=path)
following = functools.partial(wizard.following, path_of=path)


@dataclass(frozen=True, repr=False)
class ResetRequest:
    """A finished « Mot de passe oublié »: digests and cleaned values, nothing in clear."""

    identifier_type: str
    login: str
    birth_date: date | None
    proof: str
    proof_digest: str = ""

    def __repr__(self) -> str:
        return f"ResetRequest({self.identifier_type!r}, proof={self.proof!r})"


def reset_request(answers: dict) -> ResetRequest:
    """The complete answers as one request for accounts.services.password_reset_request."""
    identity = answers[IDENTITY.slug]
    birth_date = date.fromisoformat(identity["birth_date"]) if identity["birth_date"] else None
    given = proof_given(verification_answer(answers))
    return ResetRequest(identity["type"], identity["login"], birth_date, given.proof, given.digest)


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
