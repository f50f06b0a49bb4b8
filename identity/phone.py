"""Mobile phone numbers, parsed with phonenumbers (Google's libphonenumber metadata)."""

import re

import phonenumbers
from phonenumbers import PhoneNumberFormat, PhoneNumberType

from identity.errors import IdentityError, _, required_error

_MOBILE_TYPES = frozenset({PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE})
# What people put between digits; letters (vanity numbers) and extensions are refused.
_ALLOWED = re.compile(r"\+?[0-9\s().\-/\u2010-\u2015]+")
# Country codes of the French numbering plan: overseas numbers dial from mainland
# France as 0690…, 0590…, so they are shown the national way.
_FRENCH_PLAN = frozenset({33, 262, 590, 594, 596})
# Keep the metadata's compiled patterns rather than look each one up again in the re module's
# cache at every use: the same patterns, a tenth of a mobile check saved (registry import).
phonenumbers.enable_pattern_cache()


def parse_mobile(raw: str, *, region: str) -> str:
    """Return a mobile number in E.164 ("+590690123456"), or raise ``IdentityError``.

    ``region`` is the default for numbers typed without a country code: "BL" for
    Saint-Barthélemy (0690… mobile, 0590… landline), "FR" for mainland France.
    """
    if region not in phonenumbers.SUPPORTED_REGIONS:
        raise ValueError(f"unknown phone region {region!r}")
    text = raw.strip()
    if not text:
        raise required_error()
    if not _ALLOWED.fullmatch(text):
        raise _invalid_error()
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        raise _invalid_error() from None
    # number_type() is UNKNOWN for an invalid number, and a mobile type implies that
    # is_valid_number() holds (the same check on the same metadata, which a test keeps
    # true for every region): a mobile is validated once, not twice.
    if phonenumbers.number_type(number) not in _MOBILE_TYPES:
        if not phonenumbers.is_valid_number(number):
            raise _invalid_error()
        raise IdentityError(
            "phone_not_mobile",
            _("Ce numéro n'est pas celui d'un téléphone mobile : indiquez un numéro de mobile."),
        )
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def format_phone_national(e164: str) -> str:
    """Show a stored E.164 number as people write it: "0690 12 34 56", "06 12 34 56 78".

    Numbers outside the French numbering plan keep their "+" form; a value that does not
    parse is shown as it is.
    """
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    if number.country_code in _FRENCH_PLAN:
        return phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)


def _invalid_error() -> IdentityError:
    return IdentityError(
        "phone_invalid",
        _(
            "Ce numéro de téléphone n'est pas valide : vérifiez le nombre de chiffres. "
            "Pour un numéro étranger, commencez par + et l'indicatif du pays."
        ),
    )
