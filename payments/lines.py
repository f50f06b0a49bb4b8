"""One line of the payments' or the contributions' extract (docs/product.md §6), checked and
normalized, and both extracts registered with the registry's import.

Like registry.lines, no database and no Django settings: parsing processes run these
functions. Messages are French msgids (``gettext_noop``) and never quote a NIR or a SIRET.
"""

import datetime
import operator
import re
from functools import lru_cache
from itertools import repeat

from django.utils.translation import gettext_noop as _

from identity import IdentityError, normalize_nir, parse_amount, parse_nir, parse_siret
from registry.digests import nir_digest
from registry.lines import (
    ISO_DATE,
    QUOTABLE_DATE,
    QUOTABLE_WORD,
    Extract,
    ImportWords,
    LineError,
    Reference,
    extract_register,
    text_value,
)

PAYMENTS = "payments"
CONTRIBUTIONS = "contributions"

NATURES = (
    "maladie",
    "indemnites_journalieres",
    "retraite",
    "famille",
    "invalidite",
    "accident_travail",
    "autre",
)
STATUSES = ("a_payer", "paye", "en_retard", "echeancier")

_REFERENCE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_./-]{0,39}")
# Decimal point or comma, an optional minus sign (a recovery), at most two decimals.
_AMOUNT = re.compile(r"(-?)([0-9]{1,12})(?:[.,]([0-9]{1,2}))?")
# The usual amount, written as stored but for a decimal comma: no leading zero, two decimals.
_USUAL_AMOUNT = re.compile(r"-?(?:0|[1-9][0-9]{0,9})[.,][0-9]{2}")
# The models' amounts: 12 digits, 2 of them decimals (numeric(12, 2)).
_LARGEST_UNITS = 10
_PERIOD = re.compile(r"[0-9]{4}(?:-T[1-4]|-(?:0[1-9]|1[0-2]))?")
_EARLIEST = datetime.date(1945, 1, 1)
_NATURES = frozenset(NATURES)
_DECIMAL_POINT = operator.methodcaller("replace", ",", ".")


def parse_payment(fields: list[str], context) -> tuple:
    """Return ``payments.lines.PAYMENTS``'s fields for one line, or raise LineError."""
    nir_raw, reference, date_raw, montant_raw, nature, libelle, debut_raw, fin_raw = fields
    # Millions of lines: the usual values are taken at once, the others by the helpers,
    # which also say what is wrong.
    digest = _person_digest(nir_raw.strip(), context.key)
    paid_on = _date(date_raw, "date_paiement", True)
    debut = _date(debut_raw, "periode_debut", False)
    fin = _date(fin_raw, "periode_fin", False)
    if (debut is None) != (fin is None):
        raise LineError(
            "periode_debut" if debut is None else "periode_fin",
            _("La période a un début et une fin, ou aucun des deux."),
        )
    if debut is not None and debut > fin:
        raise LineError("periode_fin", _("La fin de la période précède son début."))
    if not _REFERENCE.fullmatch(reference):
        reference = _reference(reference)
    if nature not in NATURES:
        nature = _choice(nature, "nature", NATURES)
    values = (
        digest,
        reference,
        paid_on,
        _amount(montant_raw, "montant", signed=True),
        nature,
        _wording(libelle),
        debut,
        fin,
    )
    return values


def payment_columns(columns: list[tuple[str, ...]], context) -> list | None:
    """``parse_payment`` for a block of lines given column by column: the stored values,
    column by column, if every line is written as the fund usually writes it; None
    otherwise, and the lines are parsed one by one (which says what is wrong).

    The values are parse_payment's, line for line (tests/payments/test_lines.py compares
    them); the C loops of ``map``, ``all`` and ``set`` do the work, and the values an extract
    repeats (NIRs, dates, wordings) are read once each, as parse_payment reads them.
    """
    nirs, references, paid_on, amounts, natures, wordings, debuts, fins = columns
    if not (
        all(map(_REFERENCE.fullmatch, references))
        and all(map(_USUAL_AMOUNT.fullmatch, amounts))
        and _NATURES.issuperset(natures)
    ):
        return None
    try:
        digests = list(map(_person_digest, nirs, repeat(context.key)))
        paid_on = list(map(_date, paid_on, repeat("date_paiement"), repeat(True)))
        debuts = list(map(_date, debuts, repeat("periode_debut"), repeat(False)))
        fins = list(map(_date, fins, repeat("periode_fin"), repeat(False)))
        wordings = list(map(_wording, wordings))
    except LineError:
        return None
    if None in debuts or None in fins:
        if not all(map(_period_held, debuts, fins)):
            return None
    elif not all(map(operator.le, debuts, fins)):
        return None
    amounts = list(map(_DECIMAL_POINT, amounts))
    if "-0.00" in amounts:
        amounts = ["0.00" if amount == "-0.00" else amount for amount in amounts]
    return [digests, references, paid_on, amounts, natures, wordings, debuts, fins]


def _period_held(debut: str | None, fin: str | None) -> bool:
    """parse_payment's rule: both bounds or neither, the start not after the end."""
    if debut is None or fin is None:
        return debut is fin
    return debut <= fin


def parse_contribution(fields: list[str], context) -> tuple:
    """Return ``payments.lines.CONTRIBUTIONS``'s fields for one line, or raise LineError."""
    identifiant, reference, periode, echeance_raw, appele_raw, paye_raw, statut = fields
    compact = normalize_nir(identifiant)
    try:
        if len(compact) == 14 and compact.isdigit():
            person, siret = "", parse_siret(compact)
        else:
            person, siret = _person_digest(identifiant.strip(), context.key), ""
    except IdentityError as error:
        raise LineError("identifiant", error.message) from None
    except LineError as error:
        raise LineError("identifiant", error.message, error.params) from None
    period = periode.strip().upper()
    if not _PERIOD.fullmatch(period):
        raise LineError(
            "periode",
            _("La période s'écrit AAAA, AAAA-Tn (un trimestre, n de 1 à 4) ou AAAA-MM."),
        )
    values = (
        person,
        siret,
        _reference(reference),
        period,
        _date(echeance_raw, "date_echeance", True),
        _amount(appele_raw, "montant_appele"),
        _amount(paye_raw, "montant_paye"),
        _choice(statut, "statut", STATUSES),
    )
    return values


@lru_cache(maxsize=4096)
def _person_digest(raw: str, key: bytes) -> str:
    """The NIR's keyed digest; kept per value, since a person has many payments in a file."""
    try:
        nir = parse_nir(raw, key="required")
    except IdentityError as error:
        raise LineError("nir", error.message) from None
    return nir_digest(nir.body, key=key)


def _reference(raw: str) -> str:
    reference = raw.strip()
    if not reference:
        raise LineError("reference", _("Renseigner cette information."))
    if not _REFERENCE.fullmatch(reference):
        raise LineError(
            "reference",
            _(
                "La référence compte 40 caractères au plus : lettres, chiffres, et « - », "
                "« _ », « . », « / »."
            ),
        )
    return reference


@lru_cache(maxsize=4096)
def _date(raw: str, column: str, required: bool = False) -> str | None:
    """The date as stored, AAAA-MM-JJ (ordered as the dates are), or None if blank.

    Kept per value: an extract's dates are a few hundred paydays and period bounds.
    """
    # The usual value, AAAA-MM-JJ exactly: read by the C parser, the shape checked first
    # (fromisoformat alone would also take « 20250305 » or « 2025-W10-3 »).
    if len(raw) == 10 and raw[4] == "-" and raw[7] == "-" and raw[:4].isdigit():
        try:
            date = datetime.date.fromisoformat(raw)
        except ValueError:
            pass
        else:
            if date >= _EARLIEST:
                return date.isoformat()
    text = raw.strip()
    if not text:
        if required:
            raise LineError(column, _("Renseigner cette information."))
        return None
    match = ISO_DATE.fullmatch(text)
    if not match:
        if QUOTABLE_DATE.fullmatch(text):
            raise LineError(
                column,
                _("La date « %(value)s » n'est pas au format AAAA-MM-JJ (par exemple 1985-12-25)."),
                {"value": text},
            )
        raise LineError(
            column, _("La date n'est pas au format AAAA-MM-JJ (par exemple 1985-12-25).")
        )
    try:
        date = datetime.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        raise LineError(
            column,
            _("La date %(value)s n'existe pas : vérifiez le jour et le mois."),
            {"value": text},
        ) from None
    if date < _EARLIEST:
        raise LineError(column, _("La date %(value)s est trop ancienne."), {"value": text})
    return date.isoformat()


@lru_cache(maxsize=1024)
def _wording(raw: str) -> str:
    """The payment's wording; kept per value, since an extract repeats a few wordings."""
    return text_value(raw, "libelle", required=True)


def _amount(raw: str, column: str, *, signed: bool = False) -> str:
    """``"-12.30"``: the plain forms at once, the others (``1 234,50``) by identity/."""
    if _USUAL_AMOUNT.fullmatch(raw) and (signed or raw[0] != "-"):
        amount = raw.replace(",", ".")
        return "0.00" if amount == "-0.00" else amount
    text = raw.strip()
    plain = _AMOUNT.fullmatch(text)
    if plain:
        sign, units, cents = plain.groups()
        if sign and not signed:
            raise LineError(column, _("Le montant ne peut pas être négatif."))
        amount = f"{int(units)}.{(cents or '').ljust(2, '0')}"
        return _bounded("-" + amount if sign and amount != "0.00" else amount, column)
    negative = signed and text.startswith("-")
    try:
        amount = parse_amount(text[1:] if negative else text)
    except IdentityError as error:
        if not text:
            raise LineError(column, _("Renseigner cette information.")) from None
        raise LineError(column, error.message) from None
    return _bounded(f"-{amount}" if negative and amount else str(amount), column)


def _bounded(amount: str, column: str) -> str:
    """The amount, if the models can store it; a line whose amount they cannot is rejected
    rather than stopping the whole import at the database."""
    if len(amount.lstrip("-").split(".")[0]) > _LARGEST_UNITS:
        raise LineError(column, _("Le montant est trop grand : 9 999 999 999,99 au plus."))
    return amount


def _choice(raw: str, column: str, choices: tuple[str, ...]) -> str:
    value = raw.strip().lower()
    if value in choices:
        return value
    if value and QUOTABLE_WORD.fullmatch(value):
        raise LineError(
            column,
            _("Valeur inconnue : « %(value)s ». Valeurs possibles : %(known)s."),
            {"value": value, "known": ", ".join(choices)},
        )
    raise LineError(
        column, _("Valeur inconnue. Valeurs possibles : %(known)s."), {"known": ", ".join(choices)}
    )


# The imports' messages name the payments or the contributions, not the registry.
PAYMENTS_WORDS = ImportWords(
    unchanged=_("Les paiements n'ont pas changé."),
    stopped=_("L'import s'est arrêté avant la fin (%(error)s) : les paiements n'ont pas changé."),
    vanished=_(
        "L'import s'est arrêté avant la fin : son processus a disparu (arrêt forcé ou "
        "redémarrage du serveur). Les paiements n'ont pas changé."
    ),
    interrupted=_("Import interrompu : les paiements n'ont pas changé."),
    up_to_date=_("Rien n'a changé : les paiements étaient déjà à jour."),
)
CONTRIBUTIONS_WORDS = ImportWords(
    unchanged=_("Les cotisations n'ont pas changé."),
    stopped=_("L'import s'est arrêté avant la fin (%(error)s) : les cotisations n'ont pas changé."),
    vanished=_(
        "L'import s'est arrêté avant la fin : son processus a disparu (arrêt forcé ou "
        "redémarrage du serveur). Les cotisations n'ont pas changé."
    ),
    interrupted=_("Import interrompu : les cotisations n'ont pas changé."),
    up_to_date=_("Rien n'a changé : les cotisations étaient déjà à jour."),
)

extract_register(
    Extract(
        kind=PAYMENTS,
        columns=(
            "nir",
            "reference",
            "date_paiement",
            "montant",
            "nature",
            "libelle",
            "periode_debut",
            "periode_fin",
        ),
        fields=(
            "nir_digest",
            "reference",
            "date_paiement",
            "montant",
            "nature",
            "libelle",
            "periode_debut",
            "periode_fin",
        ),
        key_field="reference",
        key_column="reference",
        parser="payments.lines:parse_payment",
        block_parser="payments.lines:payment_columns",
        model="payments.Payment",
        command="import_payments FILE",
        staged_only=(("nir_digest", "varchar(64)"),),
        words=PAYMENTS_WORDS,
        references=(
            Reference(
                field="nir_digest",
                model="registry.Person",
                column="nir_digest",
                stored="person",
                line_column="nir",
                message=_(
                    "Ce NIR n'est pas dans le registre : la ligne n'est pas importée "
                    "(importez d'abord l'extrait des personnes)."
                ),
            ),
        ),
    )
)

extract_register(
    Extract(
        kind=CONTRIBUTIONS,
        columns=(
            "identifiant",
            "reference",
            "periode",
            "date_echeance",
            "montant_appele",
            "montant_paye",
            "statut",
        ),
        fields=(
            "nir_digest",
            "siret",
            "reference",
            "periode",
            "date_echeance",
            "montant_appele",
            "montant_paye",
            "statut",
        ),
        key_field="reference",
        key_column="reference",
        parser="payments.lines:parse_contribution",
        model="payments.Contribution",
        command="import_contributions FILE",
        staged_only=(("nir_digest", "varchar(64)"), ("siret", "varchar(14)")),
        words=CONTRIBUTIONS_WORDS,
        references=(
            Reference(
                field="nir_digest",
                model="registry.Person",
                column="nir_digest",
                stored="person",
                line_column="identifiant",
                message=_(
                    "Cet identifiant (NIR ou SIRET) n'est pas dans le registre : la ligne n'est "
                    "pas importée (importez d'abord l'extrait des personnes ou des entreprises)."
                ),
            ),
            Reference(
                field="siret",
                model="registry.Company",
                column="siret",
                stored="company",
                line_column="identifiant",
                message="",
            ),
        ),
    )
)
