"""The new IBAN of a bank-details change, sealed until the fund's core system has it.

Fernet (AES-128-CBC with an HMAC-SHA256, from `cryptography`) under keys made from
BANK_DETAILS_KEY: the first key seals, every key of the comma-separated list opens, so that a
key can be rotated. See docs/decisions/change-requests-bank-details.md.
"""

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


class SealingUnavailable(RuntimeError):
    """BANK_DETAILS_KEY is not set: bank-details changes cannot be taken."""


def _fernet() -> MultiFernet:
    secrets = [s.strip() for s in (settings.BANK_DETAILS_KEY or "").split(",") if s.strip()]
    if not secrets:
        raise SealingUnavailable("BANK_DETAILS_KEY is not set")
    # Any string of the environment becomes a 32-byte key; the purpose keeps it apart from
    # other uses of the same secret.
    keys = [
        base64.urlsafe_b64encode(hashlib.sha256(b"bank-details\x00" + s.encode()).digest())
        for s in secrets
    ]
    return MultiFernet([Fernet(key) for key in keys])


def sealing_available() -> bool:
    return bool((settings.BANK_DETAILS_KEY or "").strip(" ,"))


def iban_seal(iban: str) -> str:
    """The IBAN (already checked and compact) sealed, as text for the database."""
    return _fernet().encrypt(iban.encode()).decode()


def iban_open(sealed: str) -> str:
    """The IBAN a sealed text holds; ValueError when no key opens it."""
    try:
        return _fernet().decrypt(sealed.encode()).decode()
    except InvalidToken:
        raise ValueError("no BANK_DETAILS_KEY opens this IBAN") from None


def iban_mask(iban: str) -> str:
    """What is shown of an IBAN: its country and the last four characters."""
    return f"{iban[:4]} •••• •••• •••• {iban[-4:]}"
