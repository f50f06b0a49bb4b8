"""Step 4's questions: the order the answers lead through them and the proof they make, read
through the answers by question, whatever the pages that ask them."""

import pytest

from verification import steps
from verification.models import Proof
from verification.steps import ProofGiven, person_path, proof_given, serial_given


def answered(**by_name):
    """``answer(question)`` over answers keyed by the question's name."""
    return lambda question: by_name.get(question.name)


@pytest.mark.parametrize(
    ("answers", "questions", "complete"),
    [
        ({}, [steps.HEALTH], False),
        ({"health": {"affiliated": "oui"}}, [steps.HEALTH, steps.VITALE_CARD], False),
        (
            {"health": {"affiliated": "oui"}, "vitale_card": {"card": "photo"}},
            [steps.HEALTH, steps.VITALE_CARD, steps.VITALE_SERIAL],
            True,
        ),
        (
            {"health": {"affiliated": "oui"}, "vitale_card": {"card": "autre"}},
            [steps.HEALTH, steps.VITALE_CARD, steps.PROOF_CHOICE],
            False,
        ),
        (
            {"health": {"affiliated": "non"}, "proof_choice": {"proof": "iban"}},
            [steps.HEALTH, steps.PROOF_CHOICE, steps.IBAN],
            True,
        ),
        (
            {"health": {"affiliated": "non"}, "proof_choice": {"proof": "amount"}},
            [steps.HEALTH, steps.PROOF_CHOICE, steps.AMOUNT],
            True,
        ),
        (
            {"health": {"affiliated": "non"}, "proof_choice": {"proof": "none"}},
            [steps.HEALTH, steps.PROOF_CHOICE],
            True,
        ),
    ],
)
def test_the_answers_lead_through_the_guides_questions(answers, questions, complete):
    assert person_path(answered(**answers)) == (questions, complete)


def test_the_serial_is_given_the_card_chosen_and_nothing_else():
    assert serial_given(answered(vitale_card={"card": "sans_photo"})) == {"card": "sans_photo"}
    assert serial_given(answered()) == {"card": None}


def test_the_answers_make_one_proof_as_a_digest():
    assert proof_given(answered(vitale_serial={"serial_digest": "s" * 64})) == ProofGiven(
        Proof.VITALE, "s" * 64
    )
    assert proof_given(answered(iban={"iban_digest": "i" * 64})) == ProofGiven(Proof.IBAN, "i" * 64)
    assert proof_given(answered(amount={"amount_digest": "a" * 64})) == ProofGiven(
        Proof.AMOUNT, "a" * 64
    )
    assert proof_given(answered(employer_account={"account_digest": "e" * 64})) == ProofGiven(
        Proof.EMPLOYER_ACCOUNT, "e" * 64
    )
    # « Je ne l'ai pas », or no proof chosen: no proof, and nothing kept to compare.
    assert proof_given(answered(employer_account={"no_account": True})) == ProofGiven()
    assert proof_given(answered(proof_choice={"proof": "none"})) == ProofGiven(Proof.NONE)


def test_a_proof_given_shows_no_digest_in_its_repr():
    assert "s" * 64 not in repr(ProofGiven(Proof.VITALE, "s" * 64))
