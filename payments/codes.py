"""Verification codes of attestations: unguessable, not enumerable (docs/product.md §13).

16 characters drawn by ``secrets`` from 32 that cannot be mistaken for one another (no 0/O,
1/I): 80 random bits, printed ``ABCD-EFGH-JKLM-NPQR``. Someone trying codes on « Vérifier
une attestation », which lets a client try a few dozen an hour (payments.views), would need
about 2^80 / (number of attestations ever issued) tries to find one. The table keeps only
the SHA-256 of the code: with 80 random bits, reading the table does not give the codes back.
"""

import hashlib
import re
import secrets

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
LENGTH = 16
_SEPARATORS = re.compile(r"[\s\-.]+")
_CODE = re.compile(f"[{ALPHABET}]{{{LENGTH}}}")


def code_new() -> str:
    """A new code, grouped by four for reading aloud and typing."""
    raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, LENGTH, 4))


def code_normalize(typed: str) -> str | None:
    """The code's 16 characters as typed with any case and separators; None if it cannot be one."""
    compact = _SEPARATORS.sub("", typed).upper()
    return compact if _CODE.fullmatch(compact) else None


def code_digest(code: str) -> str:
    """What is stored and looked up: the digest of the normalized code."""
    return hashlib.sha256(code.encode()).hexdigest()
