"""Step 4's questions, the order the answers lead through them, and the proof they give.

The registration (signup.steps) and « Mot de passe oublié » (accounts.reset) ask the same
questions, each on pages of its own (its own slugs, addresses and templates). A journey says
which of its pages asks each question, and reads here, through ``answer(question)`` (what that
page stored, None when not answered), which questions its answers lead to and what proof they
make. So neither journey depends on the other's slugs.
"""

from collections.abc import Callable
from dataclasses import dataclass

from core.wizard import StepForm

from . import forms
from .models import Proof


@dataclass(frozen=True)
class Question:
    name: str
    form_class: type[StepForm]


HEALTH = Question("health", forms.HealthForm)
VITALE_CARD = Question("vitale_card", forms.VitaleCardForm)
VITALE_SERIAL = Question("vitale_serial", forms.VitaleSerialForm)
PROOF_CHOICE = Question("proof_choice", forms.ProofChoiceForm)
IBAN = Question("iban", forms.IbanForm)
AMOUNT = Question("amount", forms.AmountForm)
EMPLOYER_ACCOUNT = Question("employer_account", forms.EmployerAccountForm)

Answer = Callable[[Question], dict | None]


def _value(answer: Answer, question: Question, name: str):
    return (answer(question) or {}).get(name)


def person_path(answer: Answer) -> tuple[list[Question], bool]:
    """A person's questions the answers lead through, and whether step 4 is answered to its
    end (docs/product.md §2): the health affiliation and the Vitale card decide the proof."""
    questions = [HEALTH]
    affiliated = _value(answer, HEALTH, "affiliated")
    if affiliated is None:
        return questions, False
    card = None
    if affiliated == "oui":
        questions.append(VITALE_CARD)
        card = _value(answer, VITALE_CARD, "card")
        if card is None:
            return questions, False
        if card != "autre":
            questions.append(VITALE_SERIAL)
    if affiliated == "non" or card == "autre":
        questions.append(PROOF_CHOICE)
        proof = _value(answer, PROOF_CHOICE, "proof")
        if proof is None:
            return questions, False
        if proof == "iban":
            questions.append(IBAN)
        elif proof == "amount":
            questions.append(AMOUNT)
    return questions, True


def serial_given(answer: Answer) -> dict:
    """What the serial's form takes from the earlier answers: the card chosen."""
    return {"card": _value(answer, VITALE_CARD, "card")}


@dataclass(frozen=True, repr=False)
class ProofGiven:
    """The proof step 4's answers make: which one, as a keyed digest (never in clear)."""

    proof: str = Proof.NONE
    digest: str = ""

    def __repr__(self) -> str:
        return f"ProofGiven({self.proof!r})"


def proof_given(answer: Answer) -> ProofGiven:
    """The proof of complete answers (a company's employer account, or a person's)."""
    if (account := answer(EMPLOYER_ACCOUNT)) is not None:
        # Either the number's digest, or « Je ne l'ai pas » (no digest): no proof.
        digest = account.get("account_digest", "")
        return ProofGiven(Proof.EMPLOYER_ACCOUNT if digest else Proof.NONE, digest)
    if (serial := answer(VITALE_SERIAL)) is not None:
        return ProofGiven(Proof.VITALE, serial["serial_digest"])
    if (iban := answer(IBAN)) is not None:
        return ProofGiven(Proof.IBAN, iban["iban_digest"])
    if (amount := answer(AMOUNT)) is not None:
        return ProofGiven(Proof.AMOUNT, amount.get("amount_digest", ""))
    return ProofGiven()
