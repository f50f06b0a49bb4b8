"""Amounts in euros, as people write them: "123,45", "1 234,50 €", "123.45"."""

import re
from decimal import Decimal

from identity.errors import IdentityError, _, required_error

_CURRENCY = re.compile(r"€|eur(?:os?)?", re.IGNORECASE)
# Digits, then at most one decimal separator; thousands grouped by 3 with "." or ","
# are accepted only when the other sign is the decimal separator ("1.234,50").
_PLAIN = re.compile(r"(?P<units>[0-9]{1,12})(?:[.,](?P<cents>[0-9]+))?")
_GROUPED = re.compile(r"(?P<units>[0-9]{1,3}(?:(?P<sep>[.,])[0-9]{3})+)(?:[.,](?P<cents>[0-9]+))?")
_CENT = Decimal("0.01")


def parse_amount(raw: str) -> Decimal:
    """Return a non-negative amount with two decimals, or raise ``IdentityError``."""
    text = "".join(_CURRENCY.sub("", raw).split())
    if not text:
        raise required_error()
    units, cents = _split(text)
    if len(cents) > 2:
        raise IdentityError(
            "amount_decimals",
            _("Indiquez le montant avec 2 chiffres après la virgule au plus, par exemple 123,45."),
        )
    return Decimal(f"{units}.{cents or '0'}").quantize(_CENT)


def _split(text: str) -> tuple[str, str]:
    plain = _PLAIN.fullmatch(text)
    if plain:
        return plain["units"], plain["cents"] or ""
    grouped = _GROUPED.fullmatch(text)
    if grouped and grouped["cents"] is not None:
        decimal_sign = text[grouped.start("cents") - 1]
        units = grouped["units"].replace(grouped["sep"], "")
        if decimal_sign != grouped["sep"] and len(units) <= 12:
            return units, grouped["cents"]
    raise IdentityError(
        "amount_invalid",
        _("Indiquez un montant en euros, en chiffres, par exemple 123,45."),
    )
