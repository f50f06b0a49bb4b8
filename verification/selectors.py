"""Whether a proof of step 4 matches what the fund holds (docs/product.md §3 and §5).

The registration (signup.services) and « Mot de passe oublié » (accounts.services) ask the same
questions and compare the answers here, keyed digest against keyed digest, in constant time.
"""

import hmac

from payments.selectors import last_payment_digests

from .models import Proof


def person_proof_matches(*, person, proof: str, proof_digest: str = "") -> bool:
    """Whether a proof of step 4 matches the registry's person (None: nobody, never matches)."""
    if proof == Proof.AMOUNT:
        # Digests on both sides (docs/product.md §5): the typed amount's, as its page kept it
        # (the session never holds it in clear), against the payments extract's latest payments
        # when the fund sent it, else the registry's column.
        candidates = last_payment_digests(person) if person else [""]
        matches = False
        for on_file in candidates:
            matches |= _digests_equal(proof_digest, on_file)
        return matches
    on_file = {
        Proof.VITALE: person.vitale_serial_digest if person else "",
        Proof.IBAN: person.iban_digest if person else "",
    }.get(proof, "")
    return _digests_equal(proof_digest, on_file)


def company_proof_matches(*, company, proof: str, proof_digest: str = "") -> bool:
    """Whether the employer account number matches the registry's company (None: never)."""
    on_file = company.employer_account_digest if company else ""
    return proof == Proof.EMPLOYER_ACCOUNT and _digests_equal(proof_digest, on_file)


def _digests_equal(typed: str, on_file: str) -> bool:
    # Constant time, and an empty digest on file (no such proof known) never matches.
    return hmac.compare_digest(typed or "-", on_file or "")
