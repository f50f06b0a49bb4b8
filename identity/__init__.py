"""Identifiers and personal data as people type them: parse, check, normalize, mask.

Pure Python, no Django: each parser returns the normalized value or raises
``IdentityError`` (a ``ValueError``) with a stable ``code`` and a plain-French
``message`` that the Django layer translates with ``gettext(error.message)``.
"""

from identity.amounts import parse_amount
from identity.dates import EARLIEST_BIRTH_DATE, parse_birth_date
from identity.digests import PURPOSES, keyed_digest, keyed_digester
from identity.employer import normalize_employer_account
from identity.errors import IdentityError
from identity.iban import parse_iban
from identity.names import first_given_name, normalize_name
from identity.nir import (
    Nir,
    check_nir_birth_date,
    is_fictitious_month,
    make_nir,
    mask_nir,
    nir_key,
    normalize_nir,
    parse_nir,
)
from identity.phone import format_phone_national, parse_mobile
from identity.siret import format_siret, parse_siret
from identity.vitale import PHOTO_PREFIX, PHOTO_SHORT_DIGITS, normalize_vitale_serial

__all__ = [
    "EARLIEST_BIRTH_DATE",
    "PHOTO_PREFIX",
    "PHOTO_SHORT_DIGITS",
    "PURPOSES",
    "IdentityError",
    "Nir",
    "check_nir_birth_date",
    "first_given_name",
    "format_phone_national",
    "is_fictitious_month",
    "keyed_digest",
    "keyed_digester",
    "make_nir",
    "format_siret",
    "mask_nir",
    "nir_key",
    "normalize_employer_account",
    "normalize_name",
    "normalize_nir",
    "normalize_vitale_serial",
    "parse_amount",
    "parse_birth_date",
    "parse_iban",
    "parse_mobile",
    "parse_nir",
    "parse_siret",
]
