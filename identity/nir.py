"""The NIR (numéro de Sécurité Sociale): normalization, structure, key, masking.

Layout of the 13 characters of the body, then the 2-digit key:

    S AA MM DD CCC OOO  KK    born in mainland France or Corsica (DD = 2A / 2B)
    S AA MM DDD CC OOO  KK    born overseas (DDD = 971 … 978, 984 … 988)
    S AA MM 99 PPP OOO  KK    born abroad (PPP = INSEE code of the country)

Sources: INSEE's description of the NIR; service-public.fr F33078 (codes 91–96 for
Algeria, Morocco and Tunisia before their independence); the key is
97 − (body mod 97), with 2A read as 19 and 2B as 18.
"""

import datetime
from dataclasses import dataclass, field
from typing import Literal

from identity._clean import remove_separators, upper_ascii
from identity.errors import IdentityError, _, required_error

KeyMode = Literal["forbidden", "required", "optional"]

_DIGITS = frozenset("0123456789")
_SEXES = frozenset("123478")
# 971 Guadeloupe … 978 Saint-Martin (977 Saint-Barthélemy); 984 TAAF … 988 Nouvelle-Calédonie.
_OVERSEAS = frozenset({"971", "972", "973", "974", "975", "976", "977", "978"})
_OVERSEAS |= {"984", "985", "986", "987", "988"}
_CORSICA_FOR_KEY = {"2A": "19", "2B": "18"}
_MASK = "•"


def normalize_nir(raw: str) -> str:
    """Return the NIR as typed, without spaces, dots or hyphens, upper-cased (2a → 2A).

    The one place where NIR normalization happens: forms, login, registry import and
    digests all go through it.
    """
    return upper_ascii(remove_separators(raw))


def is_fictitious_month(month: int) -> bool:
    """Tell whether a NIR month is one INSEE gives when the civil record lacks it."""
    # 20–30 and 50–99: month unknown; 31–42: "pseudo-fictitious", from an incomplete record.
    return 20 <= month <= 42 or 50 <= month <= 99


@dataclass(frozen=True, repr=False)
class Nir:
    """A structurally valid NIR. Build it with ``parse_nir``; it checks itself anyway.

    Two ``Nir`` are equal when their bodies are: the key is redundant with the body.
    Its ``repr`` is masked, so that a NIR never reaches a log through a traceback.
    """

    body: str
    key: str | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        _check_body(self.body)
        if self.key is not None:
            _check_key(self.body, self.key)

    def __repr__(self) -> str:
        return f"Nir({mask_nir(self.body)!r})"

    @property
    def sex(self) -> str:
        return self.body[0]

    @property
    def year(self) -> str:
        return self.body[1:3]

    @property
    def month(self) -> str:
        return self.body[3:5]

    @property
    def department(self) -> str:
        """ "75", "2A", "971" (overseas codes have 3 digits), "99" when born abroad."""
        return self.body[5:8] if self._overseas else self.body[5:7]

    @property
    def commune(self) -> str:
        """The INSEE commune code in its department (2 digits overseas), or the country."""
        return self.body[8:10] if self._overseas else self.body[7:10]

    @property
    def order(self) -> str:
        return self.body[10:13]

    @property
    def has_fictitious_month(self) -> bool:
        return is_fictitious_month(int(self.month))

    @property
    def full(self) -> str:
        """The 15 characters: body and its key."""
        return self.body + nir_key(self.body)

    @property
    def _overseas(self) -> bool:
        return self.body[5:7] in ("97", "98")


def nir_key(body: str) -> str:
    """Return the two-digit key of a 13-character body (2A counts as 19, 2B as 18)."""
    if len(body) != 13:
        raise ValueError("a NIR body has 13 characters")
    number = body[:5] + _CORSICA_FOR_KEY.get(body[5:7], body[5:7]) + body[7:]
    if not set(number) <= _DIGITS:
        raise ValueError("a NIR body has digits only, apart from 2A or 2B")
    return f"{97 - int(number) % 97:02d}"


def parse_nir(raw: str, *, key: KeyMode = "optional") -> Nir:
    """Parse a NIR as a person or a file gives it, or raise ``IdentityError``.

    ``key``: "forbidden" for the 13 characters alone (the registration form),
    "required" for 15 (the registry extract), "optional" for either.
    """
    if key not in ("forbidden", "required", "optional"):
        raise ValueError(f"unknown key mode {key!r}")
    nir = normalize_nir(raw)
    if not nir:
        raise required_error()
    if not set(nir) <= _DIGITS | {"A", "B"}:
        raise _chars_error()
    if key == "forbidden" and len(nir) == 15:
        raise IdentityError("nir_length", _("Saisissez les 13 premiers chiffres, sans la clé."))
    allowed = {"forbidden": (13,), "required": (15,), "optional": (13, 15)}[key]
    if len(nir) not in allowed:
        raise _length_error(key)
    body, typed_key = nir[:13], (nir[13:] or None)
    if typed_key is not None and not set(typed_key) <= _DIGITS:
        raise _chars_error()
    return Nir(body=body, key=typed_key)


def mask_nir(body: str) -> str:
    """Show sex, year and month of birth only: "1 85 05 •• ••• •••"."""
    body = normalize_nir(body)[:13]
    if len(body) != 13:
        raise ValueError("a NIR body has 13 characters")
    return f"{body[0]} {body[1:3]} {body[3:5]} {_MASK * 2} {_MASK * 3} {_MASK * 3}"


def check_nir_birth_date(nir: Nir, birth_date: datetime.date) -> None:
    """Refuse a date of birth whose year, or month unless fictitious, differs from the NIR."""
    year_matches = int(nir.year) == birth_date.year % 100
    month_matches = nir.has_fictitious_month or int(nir.month) == birth_date.month
    if not (year_matches and month_matches):
        raise IdentityError(
            "nir_birth_mismatch",
            _(
                "La date de naissance ne correspond pas à l'année et au mois de naissance "
                "indiqués dans le numéro de Sécurité Sociale."
            ),
        )


def make_nir(*, sex: int, year: int, month: int, department: str, commune: str, order: int) -> str:
    """Build the 15-character keyed NIR of the given parts (demo registry, tests).

    ``year``: 4 digits or the last 2; ``commune``: 3 digits, 2 overseas (the country
    code when ``department`` is "99"). Raises ``IdentityError`` if the result is not a
    valid NIR.
    """
    department = upper_ascii(department)
    commune = str(commune).zfill(2 if len(department) == 3 else 3)
    body = f"{sex}{year % 100:02d}{month:02d}{department}{commune}{order:03d}"
    return Nir(body).full


def _check_body(body: str) -> None:
    """Raise ``IdentityError`` unless the 13 characters have the NIR's structure."""
    if len(body) != 13:
        raise _length_error("forbidden")
    department = body[5:7]
    rest = body[:5] + body[7:]
    if not set(rest) <= _DIGITS or not (set(department) <= _DIGITS or department in ("2A", "2B")):
        raise _chars_error()
    if body[0] not in _SEXES:
        raise IdentityError(
            "nir_sex",
            _("Le premier chiffre du numéro de Sécurité Sociale doit être 1 ou 2."),
        )
    month = int(body[3:5])
    if not (1 <= month <= 12 or is_fictitious_month(month)):
        raise IdentityError(
            "nir_month",
            _(
                "Le mois de naissance indiqué dans le numéro (4e et 5e chiffres) n'existe pas : "
                "il va de 01 à 12."
            ),
        )
    if department in ("97", "98"):
        if body[5:8] not in _OVERSEAS:
            raise _department_error()
        commune = body[8:10]
    else:
        # 01–95 (20 for Corsica before 1976, when it had one department), 2A, 2B,
        # 96 (Tunisia before its independence) and 99 (born abroad).
        if department == "00":
            raise _department_error()
        commune = body[7:10]
    if set(commune) == {"0"}:
        raise IdentityError(
            "nir_commune",
            _(
                "Le code de la commune ou du pays de naissance indiqué dans le numéro "
                "(chiffres 8 à 10) n'existe pas."
            ),
        )
    if body[10:13] == "000":
        raise IdentityError(
            "nir_order",
            _("Le numéro d'ordre (chiffres 11 à 13) ne peut pas être 000."),
        )


def _check_key(body: str, key: str) -> None:
    if key != nir_key(body):
        raise IdentityError(
            "nir_key",
            _(
                "La clé (les 2 derniers chiffres) ne correspond pas au numéro de "
                "Sécurité Sociale : vérifiez chaque chiffre."
            ),
        )


def _chars_error() -> IdentityError:
    return IdentityError(
        "nir_chars",
        _(
            "Le numéro de Sécurité Sociale ne contient que des chiffres, "
            "sauf 2A ou 2B pour une naissance en Corse."
        ),
    )


def _department_error() -> IdentityError:
    return IdentityError(
        "nir_department",
        _(
            "Le département de naissance indiqué dans le numéro (à partir du 6e chiffre) "
            "n'existe pas."
        ),
    )


def _length_error(key: KeyMode) -> IdentityError:
    if key == "forbidden":
        return IdentityError(
            "nir_length",
            _("Le numéro de Sécurité Sociale doit comporter 13 chiffres (sans la clé)."),
        )
    if key == "required":
        return IdentityError(
            "nir_length",
            _("Le numéro de Sécurité Sociale doit comporter 15 chiffres (avec la clé)."),
        )
    return IdentityError(
        "nir_length",
        _("Le numéro de Sécurité Sociale doit comporter 13 chiffres, ou 15 avec la clé."),
    )
