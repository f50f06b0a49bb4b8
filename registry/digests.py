"""Keyed digests with the deployment's IDENTITY_HMAC_KEY: the only way identifiers are stored.

Every caller (import, registration, login, back-office search) goes through these functions,
so a NIR typed in a form and the same NIR read from the extract give the same digest.
"""

from django.conf import settings

from identity import keyed_digest


def _key() -> bytes:
    return settings.IDENTITY_HMAC_KEY.encode()


def nir_digest(body: str) -> str:
    """Digest of a NIR's 13-character body (``parse_nir(raw).body``)."""
    return keyed_digest(_key(), "nir", body)


def siret_digest(siret: str) -> str:
    """Digest of a 14-digit SIRET (``parse_siret(raw)``): the login of a company's account."""
    return keyed_digest(_key(), "siret", siret)


def vitale_digest(serial: str) -> str:
    """Digest of a Vitale card serial (``normalize_vitale_serial(raw)``)."""
    return keyed_digest(_key(), "vitale", serial)


def iban_digest(iban: str) -> str:
    """Digest of an IBAN (``parse_iban(raw)``)."""
    return keyed_digest(_key(), "iban", iban)


def employer_account_digest(account: str) -> str:
    """Digest of an employer account number (``normalize_employer_account(raw)``)."""
    return keyed_digest(_key(), "employer_account", account)
