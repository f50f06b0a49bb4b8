"""The serial number of a carte Vitale, one of the proofs of identity of step 4.

The forms a number is held in, and the one it is compared in, are written with their sources in
docs/decisions/vitale-serial.md:

- a card **with photo** prints 20 digits beginning with ``802500002`` (``80`` health cards,
  ``250`` France, per ISO/IEC 7812-1); the fund's screen shows that prefix and asks for the
  11 digits after it;
- a card **without photo** prints its number on the back, without that prefix.

Whatever the form typed or held, ``normalize_vitale_serial`` returns one canonical form: the
digits after the prefix for a photo card, the digits as printed otherwise. The prefix is the
same on every photo card, so dropping it loses nothing, and digests stored from a short form
by earlier imports stay valid.
"""

from identity._clean import remove_separators
from identity.errors import IdentityError, _, required_error

PHOTO = "photo"
NO_PHOTO = "sans_photo"
CARDS = (PHOTO, NO_PHOTO)

# Printed on the front of every card with photo, before the digits that are the card's own.
PHOTO_PREFIX = "802500002"
PHOTO_DIGITS = 20  # the whole number as printed
PHOTO_SHORT_DIGITS = PHOTO_DIGITS - len(PHOTO_PREFIX)  # 11: what the fund's screen asks for
# The back of a card without photo: no public source gives its length (see the decision
# record); the range the registry has always held, wide enough for any card seen.
NO_PHOTO_MIN_DIGITS = 8
NO_PHOTO_MAX_DIGITS = 12


def normalize_vitale_serial(raw: str, *, card: str | None = None) -> str:
    """Return the serial's canonical digits, or raise ``IdentityError``.

    ``card`` is ``"photo"`` or ``"sans_photo"`` when the card type is known (a form, a registry
    line that says it): the accepted lengths and the messages are that card's. Without it,
    every form of either card is accepted. Spaces, dots and dashes are tolerated.
    """
    digits = remove_separators(raw)
    if not digits:
        raise required_error()
    if not digits.isascii() or not digits.isdigit():
        raise IdentityError(
            "serial_chars",
            _("Le numéro de série de la carte Vitale ne contient que des chiffres."),
        )
    if len(digits) == PHOTO_DIGITS and digits.startswith(PHOTO_PREFIX):
        # The whole number of a photo card, typed or pasted as printed: unambiguous.
        return digits[len(PHOTO_PREFIX) :]
    if card == PHOTO:
        return _photo_short(digits)
    if card == NO_PHOTO:
        return _no_photo(digits)
    if _no_photo_length(digits):  # a card without photo, or the 11 digits of one with
        return digits
    raise IdentityError(
        "serial_length",
        _(
            "Le numéro de série de la carte Vitale compte 20 chiffres commençant par "
            "802500002 sur une carte avec photo (ou les 11 chiffres qui suivent 802500002), "
            "et de 8 à 12 chiffres sur une carte sans photo."
        ),
    )


def _photo_short(digits: str) -> str:
    if len(digits) == PHOTO_SHORT_DIGITS:
        return digits
    if len(digits) == PHOTO_DIGITS or digits.startswith(PHOTO_PREFIX):
        raise IdentityError(
            "serial_photo_prefix",
            _(
                "Sur une carte avec photo, le numéro imprimé au recto, à droite de votre "
                "photo, compte 20 chiffres et commence par 802500002 : vérifiez-le, ou "
                "saisissez seulement les 11 chiffres qui suivent 802500002."
            ),
        )
    raise IdentityError(
        "serial_photo_length",
        _(
            "Sur une carte avec photo, saisissez les 11 chiffres qui suivent 802500002 : ils "
            "sont imprimés au recto de la carte, à droite de votre photo."
        ),
    )


def _no_photo_length(digits: str) -> bool:
    return NO_PHOTO_MIN_DIGITS <= len(digits) <= NO_PHOTO_MAX_DIGITS


def _no_photo(digits: str) -> str:
    if _no_photo_length(digits):
        return digits
    raise IdentityError(
        "serial_no_photo_length",
        _(
            "Sur une carte sans photo, le numéro de série compte de 8 à 12 chiffres : il est "
            "imprimé au verso de la carte."
        ),
    )
