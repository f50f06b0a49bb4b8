"""Dates of birth typed in one text field, JJ/MM/AAAA, as the fund's guide asks."""

import datetime
import re

from identity.errors import IdentityError, _, required_error

EARLIEST_BIRTH_DATE = datetime.date(1900, 1, 1)

_SEPARATED = re.compile(r"(?P<day>[0-9]{1,2})[/.\- ](?P<month>[0-9]{1,2})[/.\- ](?P<year>[0-9]{4})")
_SPACED_SEPARATOR = re.compile(r" ?([/.\-]) ?")
# Eight digits in a row (JJMMAAAA), as phones' numeric keyboards make people type.
_COMPACT = re.compile(r"(?P<day>[0-9]{2})(?P<month>[0-9]{2})(?P<year>[0-9]{4})")


def parse_birth_date(raw: str, *, today: datetime.date) -> datetime.date:
    """Return the date of "25/12/1985" (also "25-12-1985", "25.12.1985", "5/1/1985").

    Raises ``IdentityError`` for another format, a day that does not exist, a date after
    ``today`` or before 1900.
    """
    # Whitespace runs collapse first, so that no pattern below backtracks over them.
    text = _SPACED_SEPARATOR.sub(r"\1", " ".join(raw.split()))
    if not text:
        raise required_error()
    match = _SEPARATED.fullmatch(text) or _COMPACT.fullmatch(text)
    if not match:
        raise IdentityError(
            "date_format",
            _("Indiquez la date au format JJ/MM/AAAA, par exemple 25/12/1985."),
        )
    try:
        date = datetime.date(int(match["year"]), int(match["month"]), int(match["day"]))
    except ValueError:
        raise IdentityError(
            "date_invalid",
            _("Cette date n'existe pas : vérifiez le jour et le mois."),
        ) from None
    if date > today:
        raise IdentityError(
            "date_future",
            _("La date de naissance ne peut pas être dans le futur."),
        )
    if date < EARLIEST_BIRTH_DATE:
        raise IdentityError(
            "date_too_old",
            _("L'année de naissance doit être 1900 ou une année suivante."),
        )
    return date
