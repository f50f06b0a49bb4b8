"""Keyed digests with the deployment's IDENTITY_HMAC_KEY: the only way identifiers are stored.

Every caller (import, registration, login, back-office search) goes through these functions,
so a NIR typed in a form and the same NIR read from the extract give the same digest.
``key`` is for the registry import's parsing processes, which receive the key once instead of
reading Django's settings; everyone else leaves it out.
"""

import functools
import hashlib
import hmac
import operator
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings

from identity import (
    format_siret,
    keyed_digester,
    mask_nir,
    normalize_nir,
    parse_nir,
    parse_siret,
)


def identity_key() -> bytes:
    """The digest key of this deployment (IDENTITY_HMAC_KEY, never SECRET_KEY)."""
    return settings.IDENTITY_HMAC_KEY.encode()


def nir_digest(body: str, *, key: bytes | None = None) -> str:
    """Digest of a NIR's 13-character body (``parse_nir(raw).body``)."""
    return _digester(key or identity_key(), "nir")(body)


def siret_digest(siret: str, *, key: bytes | None = None) -> str:
    """Digest of a 14-digit SIRET (``parse_siret(raw)``): the login of a company's account."""
    return _digester(key or identity_key(), "siret")(siret)


def vitale_digest(serial: str, *, key: bytes | None = None) -> str:
    """Digest of a Vitale card serial (``normalize_vitale_serial(raw)``)."""
    return _digester(key or identity_key(), "vitale")(serial)


def iban_digest(iban: str, *, key: bytes | None = None) -> str:
    """Digest of an IBAN (``parse_iban(raw)``)."""
    return _digester(key or identity_key(), "iban")(iban)


def employer_account_digest(account: str, *, key: bytes | None = None) -> str:
    """Digest of an employer account number (``normalize_employer_account(raw)``)."""
    return _digester(key or identity_key(), "employer_account")(account)


def amount_digest(amount: str, *, key: bytes | None = None) -> str:
    """Digest of an amount in euros, ``str(parse_amount(raw))`` (``"123.45"``): the last
    payment, a proof of identity of step 4 (docs/product.md §5), is kept only this way."""
    return _digester(key or identity_key(), "amount")(amount)


@dataclass(frozen=True, repr=False)
class TypedIdentifier:
    """A NIR or SIRET as someone typed it, reduced to what may be kept: kind, digest, mask."""

    kind: str  # "nir" or "siret", as accounts.models.User.IdentifierType
    digest: str
    masked: str

    def __repr__(self) -> str:
        return f"TypedIdentifier({self.kind!r}, {self.masked!r})"


def typed_identifier(raw: str, *, nir_key: str) -> TypedIdentifier:
    """A NIR or a SIRET (14 digits) as typed; raise identity.IdentityError.

    ``nir_key`` is ``parse_nir``'s: "forbidden" where the guide asks for the 13 characters
    alone (the login), "optional" where either is fine (the back-office's searches).
    """
    compact = normalize_nir(raw)
    if len(compact) == 14 and compact.isdigit():
        siret = parse_siret(raw)
        return TypedIdentifier("siret", siret_digest(siret), format_siret(siret))
    nir = parse_nir(raw, key=nir_key)
    return TypedIdentifier("nir", nir_digest(nir.body), mask_nir(nir.body))


@functools.lru_cache(maxsize=32)
def _digester(key: bytes, purpose: str) -> Callable[[str], str]:
    # One per key and purpose, kept: a key changes only in tests.
    return keyed_digester(key, purpose)


def line_digester(reading: str, *, key: bytes | None = None) -> Callable[[str], str]:
    """Return the keyed digest function of the raw lines of one import.

    The import recognizes a line it already stored, and skips parsing it again. ``reading``
    names everything besides the line that decides the stored values (kind of extract,
    column order, normalization version, phone region), so that it is part of the key.
    BLAKE2b in its keyed mode (a MAC, RFC 7693) rather than HMAC: it is one call, about three
    times faster, over millions of lines. Not through ``keyed_digest``: a raw line has no
    normalized form to check.
    """
    keyed = _line_hash(reading, key)

    def digest(text: str) -> str:
        return keyed(text.encode()).hexdigest()

    return digest


def lines_digester(reading: str, *, key: bytes | None = None) -> Callable[[list[str]], list[str]]:
    """``line_digester`` for many lines at once: the same digests, with no Python call a line."""
    keyed = _line_hash(reading, key)

    def digests(texts: list[str]) -> list[str]:
        return list(map(_HEXDIGEST, map(keyed, map(str.encode, texts))))

    return digests


_HEXDIGEST = operator.methodcaller("hexdigest")


def _line_hash(reading: str, key: bytes | None):
    line_key = hmac.digest(key or identity_key(), f"registry_line\x00{reading}".encode(), "sha256")
    return functools.partial(hashlib.blake2b, key=line_key, digest_size=32)
