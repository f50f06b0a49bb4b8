"""Keyed digests: how NIRs and proofs of identity are stored and looked up (DESIGN §5)."""

import hashlib
import hmac
import re

# What each purpose's normalizer returns; a digest of anything else would never match.
_NORMALIZED = {
    "nir": re.compile(r"[0-9]{5}(?:[0-9]{2}|2A|2B)[0-9]{6}"),  # Nir.body: 13, no key
    "siret": re.compile(r"[0-9]{14}"),  # parse_siret
    "vitale": re.compile(r"[0-9]+"),  # normalize_vitale_serial
    "iban": re.compile(r"[A-Z]{2}[0-9]{2}[A-Z0-9]+"),  # parse_iban
    "employer_account": re.compile(r"[A-Z0-9]+"),  # normalize_employer_account
}
PURPOSES = frozenset(_NORMALIZED)


def keyed_digest(key: bytes, purpose: str, value: str) -> str:
    """Return the HMAC-SHA256 hex digest of ``purpose + "\\x00" + value``.

    Callers normalize first, with this package's parser for the purpose (for a NIR,
    ``parse_nir(...).body``: 13 characters, 2A/2B as letters, no key), so that the
    registry import and a form give the same digest; a value not in that form raises
    ``ValueError``. The purpose prefix keeps digests of different kinds apart. ``key``
    is IDENTITY_HMAC_KEY, never Django's SECRET_KEY.
    """
    if not isinstance(key, bytes) or not key:
        raise ValueError("the digest key must be non-empty bytes")
    if purpose not in _NORMALIZED:
        raise ValueError(f"unknown digest purpose {purpose!r}")
    # The value itself is never echoed: it is a NIR or a proof of identity.
    if not _NORMALIZED[purpose].fullmatch(value):
        raise ValueError(f"the {purpose} value is not normalized")
    message = f"{purpose}\x00{value}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()
