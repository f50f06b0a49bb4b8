"""The serial number of a carte Vitale, one of the proofs of identity of step 4."""

from identity._clean import remove_separators
from identity.errors import IdentityError, _, required_error

# Cards print 8 to 10 digits; a little slack for card generations we have not seen.
SERIAL_MIN_DIGITS = 8
SERIAL_MAX_DIGITS = 12


def normalize_vitale_serial(raw: str) -> str:
    """Return the serial's digits, spaces removed, or raise ``IdentityError``."""
    serial = remove_separators(raw)
    if not serial:
        raise required_error()
    if not serial.isascii() or not serial.isdigit():
        raise IdentityError(
            "serial_chars",
            _("Le numéro de série de la carte Vitale ne contient que des chiffres."),
        )
    if not SERIAL_MIN_DIGITS <= len(serial) <= SERIAL_MAX_DIGITS:
        raise IdentityError(
            "serial_length",
            _("Le numéro de série de la carte Vitale comporte de 8 à 12 chiffres."),
        )
    return serial
