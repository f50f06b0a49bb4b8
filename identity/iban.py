"""The IBAN of the account the fund pays into, one of the proofs of identity of step 4."""

import re

from stdnum import exceptions as stdnum_exceptions
from stdnum import iban as stdnum_iban

from identity._clean import remove_separators, upper_ascii
from identity.errors import IdentityError, _, required_error

_SHAPE = re.compile(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{8,30}")


def parse_iban(raw: str) -> str:
    """Return the IBAN compact and upper-cased, checked for its country's format and key."""
    iban = upper_ascii(remove_separators(raw))
    if not iban:
        raise required_error()
    if not _SHAPE.fullmatch(iban):
        raise _format_error()
    # The usual case, with one call to python-stdnum: a valid IBAN whose key is in 02…98
    # (ISO 13616) has the key that calc_check_digits gives, since both are ≡ 98 − (the
    # rest's value × 100) mod 97; anything else takes the checks below, for their message.
    if "02" <= iban[2:4] <= "98" and stdnum_iban.is_valid(iban):
        return iban
    # python-stdnum checks the key before the format, so a missing character would pass
    # for a wrong key: check the format first, on the IBAN with its key recomputed.
    with_right_key = iban[:2] + stdnum_iban.calc_check_digits(iban) + iban[4:]
    try:
        stdnum_iban.validate(with_right_key)
    except stdnum_exceptions.InvalidComponent:
        raise IdentityError(
            "iban_country",
            _(
                "Les 2 lettres au début de l'IBAN ne correspondent à aucun pays "
                "(FR pour la France)."
            ),
        ) from None
    except stdnum_exceptions.InvalidChecksum:
        # The national part has a key of its own (e.g. the clé RIB) and it is wrong.
        raise _key_error() from None
    except stdnum_exceptions.ValidationError:
        raise _format_error() from None
    if with_right_key != iban:
        raise _key_error()
    return iban


def _format_error() -> IdentityError:
    return IdentityError(
        "iban_invalid",
        _(
            "L'IBAN n'a pas le bon format : il commence par 2 lettres (FR pour la France) ; "
            "un IBAN français compte 27 caractères."
        ),
    )


def _key_error() -> IdentityError:
    return IdentityError(
        "iban_key",
        _("L'IBAN comporte une erreur : vérifiez chaque chiffre et chaque lettre."),
    )
