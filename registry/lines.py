"""One line of the fund's extract (docs/product.md §6): split, checked, normalized, ready to store.

No database and no Django settings here: the import runs these functions in separate
processes on large files, handing them what they need (digest key, phone region, today's
date) in a ``LineContext``. Normalization of identifiers goes through identity/ only.

Messages are French msgids marked with ``gettext_noop``; the importing process translates
them. They never quote a NIR, a Vitale serial, an IBAN or an employer account number.
"""

import csv
import datetime
import hashlib
import importlib
import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property, lru_cache

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_noop as _

from identity import (
    IdentityError,
    check_nir_birth_date,
    mask_nir,
    normalize_employer_account,
    normalize_vitale_serial,
    parse_amount,
    parse_iban,
    parse_mobile,
    parse_nir,
    parse_siret,
)
from registry.copy_text import copy_rows
from registry.digests import (
    amount_digest,
    employer_account_digest,
    iban_digest,
    nir_digest,
    vitale_digest,
)

PERSONS = "persons"
COMPANIES = "companies"

PROFILES = ("particulier", "exploitant", "employeur_jardinier", "cotisant_solidarite")
VITALE_CARDS = ("photo", "sans_photo", "")

# The columns of each extract, in the contract's order (docs/product.md §6).
ADDRESS_COLUMNS = ("adresse_2", "adresse_3", "adresse_4", "adresse_5", "code_postal", "commune")
COLUMNS = {
    PERSONS: (
        "nir",
        "nom",
        "prenoms",
        "date_naissance",
        *ADDRESS_COLUMNS,
        "pays",
        "email",
        "mobile",
        "affilie_sante",
        "carte_vitale",
        "numero_serie_vitale",
        "iban",
        "dernier_paiement",
        "profils",
    ),
    COMPANIES: (
        "siret",
        "raison_sociale",
        *ADDRESS_COLUMNS,
        "pays",
        "email",
        "numero_compte_employeur",
    ),
}

# What each parser returns, in this order: the model's fields (registry/models.py).
FIELDS = {
    PERSONS: (
        "nir_digest",
        "nir_masked",
        "nom",
        "prenoms",
        "date_naissance",
        *ADDRESS_COLUMNS,
        "pays",
        "email",
        "mobile",
        "affilie_sante",
        "carte_vitale",
        "vitale_serial_digest",
        "iban_digest",
        "last_payment_digest",
        "profils",
        "row_digest",
    ),
    COMPANIES: (
        "siret",
        "raison_sociale",
        *ADDRESS_COLUMNS,
        "pays",
        "email",
        "employer_account_digest",
        "row_digest",
    ),
}
# The identifier each extract is keyed on, as stored.
KEY_FIELD = {PERSONS: "nir_digest", COMPANIES: "siret"}


@dataclass(frozen=True)
class Reference:
    """A staged identifier that must name a row of the registry, stored as a foreign key.

    ``field`` (staged) is compared with ``column`` of ``model``'s table; the row's id goes
    into ``stored`` (a ForeignKey of the extract's model). A line none of whose references
    is found is rejected with ``message`` (a French msgid), naming the contract column
    ``line_column``.
    """

    field: str
    model: str
    column: str
    stored: str
    line_column: str
    message: str


@dataclass(frozen=True)
class ImportWords:
    """How an import's messages name what it would change (French msgids).

    The registry's are registry.services.REGISTRY_WORDS (not here: marking text for
    translation at import time needs Django's settings, which parsing processes lack).
    """

    unchanged: str
    stopped: str
    vanished: str
    interrupted: str
    up_to_date: str


@dataclass(frozen=True)
class Extract:
    """One kind of the fund's extracts (docs/product.md §6): its contract and how a line is stored.

    The registry's import (registry.services) runs every kind the same way: staged, checked
    for duplicates, merged by ``key_field``. ``parser`` is ``"module:function"``, called with
    the line's fields in contract order and the LineContext; it is imported by name so that
    parsing processes, which do not set Django up, find it. ``staged_only`` fields (with
    their SQL type) are staged to resolve ``references`` and not stored. ``words`` name, in
    the import's messages, what the extract changes (None: the registry).
    """

    kind: str
    columns: tuple[str, ...]
    fields: tuple[str, ...]
    key_field: str
    key_column: str
    parser: str
    model: str
    command: str
    staged_only: tuple[tuple[str, str], ...] = ()
    references: tuple[Reference, ...] = ()
    words: ImportWords | None = None


EXTRACTS: dict[str, Extract] = {}


def extract_register(extract: Extract) -> Extract:
    """Make a kind of extract importable by registry.services (the apps that own it call this)."""
    EXTRACTS[extract.kind] = extract
    COLUMNS[extract.kind] = extract.columns
    FIELDS[extract.kind] = extract.fields
    KEY_FIELD[extract.kind] = extract.key_field
    return extract


# Longest value per column, as the model stores it (a test keeps them equal).
MAX_LENGTHS = {
    "nom": 100,
    "prenoms": 150,
    "raison_sociale": 150,
    "adresse_2": 100,
    "adresse_3": 100,
    "adresse_4": 100,
    "adresse_5": 100,
    "code_postal": 10,
    "commune": 60,
    "pays": 60,
    "email": 254,
    "libelle": 200,
}

# Bumped whenever normalization changes, so that the next import rewrites every row.
# 2: the Vitale serial in every form docs/product.md §6 lists, checked against the card's type.
# 3: the last payment is stored as a keyed digest (docs/product.md §5).
ROW_FORMAT = "3"

ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_POSTCODE_FR = re.compile(r"[0-9]{5}")
_BOOLEANS = {"oui": True, "non": False}
_EARLIEST_BIRTH = datetime.date(1900, 1, 1)
# Only these are quoted back in a reason: a misplaced NIR or IBAN never matches them.
QUOTABLE_DATE = re.compile(r"[0-9/.\- ]{1,12}")
QUOTABLE_WORD = re.compile(r"[a-zA-Z_\- ]{1,40}")
# What a column name may look like in a header; anything else is not quoted back.
_COLUMN_NAME = re.compile(r"[a-z_][a-z0-9_ ]{0,39}")


@dataclass(frozen=True)
class LineContext:
    """What parsing a line needs besides the line: plain values, so it crosses processes."""

    kind: str
    key: bytes
    phone_region: str
    today: datetime.date
    # For each contract column, its index in the file's header (files may order them freely).
    positions: tuple[int, ...]
    # The extract's parser, "module:function" (Extract.parser).
    parser: str = ""

    @property
    def width(self) -> int:
        return len(self.positions)

    @cached_property
    def in_contract_order(self) -> bool:
        return self.positions == tuple(range(len(self.positions)))

    @property
    def reading(self) -> str:
        """Everything besides a line's text that decides its stored values (line digests)."""
        positions = ",".join(map(str, self.positions))
        return f"{self.kind}|{ROW_FORMAT}|{self.phone_region}|{positions}"


class LineError(ValueError):
    """A rejected line: the column at fault (or None) and a French msgid with its parameters."""

    def __init__(self, column: str | None, message: str, params: dict | None = None):
        super().__init__(message)
        self.column = column
        self.message = message
        self.params = params or {}


class FileRefused(ValueError):
    """The whole file is refused: nothing is imported. A French msgid with its parameters."""

    def __init__(self, message: str, params: dict | None = None):
        super().__init__(message)
        self.message = message
        self.params = params or {}


def read_header(text: str, kind: str) -> tuple[int, ...]:
    """Check the header line against the contract; return each contract column's position.

    Column names are compared without surrounding spaces or case; their order is free.
    """
    expected = COLUMNS[kind]
    if ";" not in text:
        if "," in text:
            raise FileRefused(
                _(
                    "Le fichier utilise la virgule (,) comme séparateur : l'extrait doit "
                    "séparer les colonnes par un point-virgule (;)."
                )
            )
        if "\t" in text:
            raise FileRefused(
                _(
                    "Le fichier sépare ses colonnes par des tabulations : l'extrait doit les "
                    "séparer par un point-virgule (;)."
                )
            )
    try:
        names = [name.strip().lower() for name in split_line(text)]
    except LineError as error:
        raise FileRefused(error.message) from None
    if any(name and not _COLUMN_NAME.fullmatch(name) for name in names):
        # A data line where the header should be: say so, without quoting what may be a NIR.
        raise FileRefused(
            _(
                "La première ligne n'est pas l'en-tête : le fichier doit commencer par la "
                "ligne des noms de colonnes, « %(header)s »."
            ),
            {"header": ";".join(expected)},
        )
    duplicated = sorted({name for name in names if names.count(name) > 1})
    if duplicated:
        raise FileRefused(
            _("L'en-tête du fichier répète des colonnes : %(columns)s."),
            {"columns": ", ".join(duplicated)},
        )
    missing = [name for name in expected if name not in names]
    unknown = [name for name in names if name not in expected]
    if missing or unknown:
        other = COMPANIES if kind == PERSONS else PERSONS
        for extract in EXTRACTS.values():
            if extract.kind not in (kind, PERSONS, COMPANIES) and set(names) == set(
                extract.columns
            ):
                raise FileRefused(
                    _("Ce fichier n'est pas l'extrait attendu : importez-le avec %(command)s."),
                    {"command": extract.command},
                )
        if kind in (PERSONS, COMPANIES) and set(names) == set(COLUMNS[other]):
            raise FileRefused(
                _(
                    "Ce fichier est l'extrait des entreprises : importez-le comme tel "
                    "(option --companies)."
                )
                if other == COMPANIES
                else _(
                    "Ce fichier est l'extrait des personnes : importez-le sans l'option "
                    "--companies."
                )
            )
        raise FileRefused(
            _(
                "L'en-tête du fichier ne correspond pas à l'extrait attendu. "
                "Colonnes manquantes : %(missing)s. Colonnes inconnues : %(unknown)s."
            ),
            {
                "missing": ", ".join(missing) or _("aucune"),
                "unknown": ", ".join(name or _("(sans nom)") for name in unknown) or _("aucune"),
            },
        )
    return tuple(names.index(name) for name in expected)


def split_line(text: str) -> list[str]:
    """Split one line on ``;``, honouring double quotes around a field as CSV does."""
    if '"' not in text:
        return text.split(";")
    try:
        return next(csv.reader((text,), delimiter=";", strict=True))
    except csv.Error:
        raise LineError(
            None,
            _("Guillemets mal placés : un champ entre guillemets n'est pas refermé."),
        ) from None


def parse_line(text: str, context: LineContext) -> tuple:
    """Return the stored values of one line (``FIELDS[kind]``), or raise ``LineError``."""
    fields = split_line(text)
    if len(fields) != context.width:
        raise LineError(
            None,
            _(
                "La ligne compte %(found)s colonnes au lieu de %(expected)s : une colonne "
                "manque ou un point-virgule est en trop."
            ),
            {"found": len(fields), "expected": context.width},
        )
    if not context.in_contract_order:
        fields = [fields[index] for index in context.positions]
    return _parser(context.parser)(fields, context)


@lru_cache(maxsize=16)
def _parser(name: str):
    module, function = name.split(":")
    return getattr(importlib.import_module(module), function)


def row_digest(values) -> str:
    """Digest of a row's stored values: equal digests mean that importing it changes nothing.

    It covers the stored values only, where identifiers are already keyed digests, so it
    reveals nothing that the row does not.
    """
    texts = list(map(str, values))
    if None in values:
        texts = ["" if value is None else text for value, text in zip(values, texts, strict=True)]
    return hashlib.sha256("\x1f".join([ROW_FORMAT, *texts]).encode()).hexdigest()


def parse_person(fields: list[str], context: LineContext) -> tuple:
    (
        nir_raw,
        nom,
        prenoms,
        date_raw,
        adresse_2,
        adresse_3,
        adresse_4,
        adresse_5,
        code_postal,
        commune,
        pays,
        email,
        mobile,
        affilie_raw,
        carte_raw,
        serial_raw,
        iban_raw,
        paiement_raw,
        profils_raw,
    ) = fields
    column = "nir"
    try:
        nir = parse_nir(nir_raw, key="required")
        column = "date_naissance"
        birth_date = _birth_date(date_raw, context.today)
        check_nir_birth_date(nir, birth_date)
        column = "carte_vitale"
        card = _choice(carte_raw, "carte_vitale")
        column = "numero_serie_vitale"
        serial = serial_raw.strip()
        # Any form docs/product.md §6 lists, reduced to the one form a typed number is compared in.
        serial_digest = (
            vitale_digest(normalize_vitale_serial(serial, card=card or None), key=context.key)
            if serial
            else ""
        )
        column = "iban"
        iban = iban_raw.strip()
        iban_hash = iban_digest(parse_iban(iban), key=context.key) if iban else ""
        column = "dernier_paiement"
        paiement = paiement_raw.strip()
        amount = amount_digest(str(parse_amount(paiement)), key=context.key) if paiement else ""
        column = "mobile"
        mobile = mobile.strip()
        if mobile:
            mobile = parse_mobile(mobile, region=context.phone_region)
    except IdentityError as error:
        raise LineError(column, error.message) from None
    values = (
        nir_digest(nir.body, key=context.key),
        mask_nir(nir.body),
        text_value(nom, "nom", required=True),
        text_value(prenoms, "prenoms", required=True),
        birth_date.isoformat(),
        *_address(adresse_2, adresse_3, adresse_4, adresse_5, code_postal, commune, pays),
        _email(email),
        mobile,
        _choice(affilie_raw, "affilie_sante"),
        card,
        serial_digest,
        iban_hash,
        amount,
        _profiles(profils_raw),
    )
    return (*values, row_digest(values))


def parse_company(fields: list[str], context: LineContext) -> tuple:
    (
        siret_raw,
        raison_sociale,
        adresse_2,
        adresse_3,
        adresse_4,
        adresse_5,
        code_postal,
        commune,
        pays,
        email,
        account_raw,
    ) = fields
    column = "siret"
    try:
        siret = parse_siret(siret_raw)
        column = "numero_compte_employeur"
        account = account_raw.strip()
        account_digest = (
            employer_account_digest(normalize_employer_account(account), key=context.key)
            if account
            else ""
        )
    except IdentityError as error:
        raise LineError(column, error.message) from None
    values = (
        siret,
        text_value(raison_sociale, "raison_sociale", required=True),
        *_address(adresse_2, adresse_3, adresse_4, adresse_5, code_postal, commune, pays),
        _email(email),
        account_digest,
    )
    return (*values, row_digest(values))


def text_value(value: str, column: str, *, required: bool = False) -> str:
    """Spaces collapsed, Unicode composed (NFC), no control characters, bounded length."""
    if not value:  # most address lines
        if required:
            raise LineError(column, _("Renseigner cette information."))
        return value
    text = " ".join(value.split())
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
    if not text.isprintable():
        raise LineError(column, _("La valeur contient un caractère de contrôle ou invisible."))
    if required and not text:
        raise LineError(column, _("Renseigner cette information."))
    limit = MAX_LENGTHS[column]
    if len(text) > limit:
        raise LineError(
            column,
            _("La valeur compte %(length)s caractères ; %(limit)s au plus."),
            {"length": len(text), "limit": limit},
        )
    return text


def _address(adresse_2, adresse_3, adresse_4, adresse_5, code_postal, commune, pays) -> tuple:
    lines = (
        text_value(adresse_2, "adresse_2"),
        text_value(adresse_3, "adresse_3"),
        text_value(adresse_4, "adresse_4"),
        text_value(adresse_5, "adresse_5"),
    )
    postcode = text_value(code_postal, "code_postal")
    country = text_value(pays, "pays")
    # A French address (no country) needs the 5-digit code of its last line (NF Z10-011).
    if postcode and not country and not _POSTCODE_FR.fullmatch(postcode):
        raise LineError(
            "code_postal",
            _("Un code postal français compte 5 chiffres (la colonne pays est vide)."),
        )
    return (*lines, postcode, text_value(commune, "commune"), country)


def _birth_date(raw: str, today: datetime.date) -> datetime.date:
    text = raw.strip()
    match = ISO_DATE.fullmatch(text)
    if not match:
        if not text:
            raise LineError("date_naissance", _("Renseigner cette information."))
        if QUOTABLE_DATE.fullmatch(text):
            raise LineError(
                "date_naissance",
                _("La date « %(value)s » n'est pas au format AAAA-MM-JJ (par exemple 1985-12-25)."),
                {"value": text},
            )
        raise LineError(
            "date_naissance",
            _("La date n'est pas au format AAAA-MM-JJ (par exemple 1985-12-25)."),
        )
    try:
        date = datetime.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        raise LineError(
            "date_naissance",
            _("La date %(value)s n'existe pas : vérifiez le jour et le mois."),
            {"value": text},
        ) from None
    if not _EARLIEST_BIRTH <= date <= today:
        raise LineError(
            "date_naissance",
            _("La date %(value)s n'est pas une date de naissance possible."),
            {"value": text},
        )
    return date


def _choice(raw: str, column: str):
    value = raw.strip().lower()
    if column == "affilie_sante":
        if value in _BOOLEANS:
            return _BOOLEANS[value]
        raise LineError(column, _("La valeur doit être « oui » ou « non »."))
    if value in VITALE_CARDS:
        return value
    raise LineError(column, _("La valeur doit être « photo », « sans_photo » ou vide."))


def _email(raw: str) -> str:
    email = raw.strip()
    if email:
        if len(email) > MAX_LENGTHS["email"]:
            raise LineError("email", _("L'adresse email est trop longue."))
        try:
            validate_email(email)
        except ValidationError:
            raise LineError("email", _("L'adresse email n'est pas valide.")) from None
    return email


@lru_cache(maxsize=256)
def _profiles(raw: str) -> str:
    """The profiles held, in a fixed order, so that a reordered list is not a change.

    Kept per value: an extract writes a handful of lists (a refused one raises each time).
    """
    held = {part.strip().lower() for part in raw.split(",")} - {""}
    if not held:
        raise LineError("profils", _("Aucun profil : indiquez-en au moins un."))
    unknown = sorted(held.difference(PROFILES))
    if unknown:
        shown = [name for name in unknown if QUOTABLE_WORD.fullmatch(name)]
        if shown:
            raise LineError(
                "profils",
                _("Profil inconnu : « %(profiles)s ». Profils possibles : %(known)s."),
                {"profiles": "», «".join(shown), "known": ", ".join(PROFILES)},
            )
        raise LineError(
            "profils",
            _("Profil inconnu. Profils possibles : %(known)s."),
            {"known": ", ".join(PROFILES)},
        )
    return ",".join(profile for profile in PROFILES if profile in held)


def parse_chunk(entries: list[tuple[int, str, str]], context: LineContext, *, copy_text=False):
    """Parse lines given as ``(line number, text, line digest)``.

    Returns ``(rows, rejects)``: rows are ``(line, *FIELDS[kind], line digest)``, or with
    ``copy_text`` one string of them in PostgreSQL's COPY text format (registry.copy_text);
    rejects are ``(line, column, message, params)``.
    """
    rows, rejects = [], []
    for number, text, digest in entries:
        try:
            rows.append((number, *parse_line(text, context), digest))
        except LineError as error:
            rejects.append((number, error.column, error.message, error.params))
        except Exception as error:
            # A fault of this code, not of the line: the line is reported, and the error's
            # text, which might quote the line's NIR or IBAN, is not.
            rejects.append(
                (
                    number,
                    None,
                    _("Erreur inattendue en lisant cette ligne (%(error)s) : signalez-la."),
                    {"error": type(error).__name__},
                )
            )
    return (copy_rows(rows) if copy_text else rows), rejects


# What a parsing process was started with, set once by its initializer.
_process_context: LineContext | None = None
_process_copy_text = False


def init_process(context: LineContext, copy_text: bool = False) -> None:
    """Initializer of a parsing process."""
    global _process_context, _process_copy_text  # noqa: PLW0603 - set once per process
    _process_context, _process_copy_text = context, copy_text


def parse_chunk_in_process(entries: list[tuple[int, str, str]]):
    """``parse_chunk`` with what the process was started with."""
    return parse_chunk(entries, _process_context, copy_text=_process_copy_text)


for _extract in (
    Extract(
        kind=PERSONS,
        columns=COLUMNS[PERSONS],
        fields=FIELDS[PERSONS],
        key_field="nir_digest",
        key_column="nir",
        parser="registry.lines:parse_person",
        model="registry.Person",
        command="import_registry FILE",
    ),
    Extract(
        kind=COMPANIES,
        columns=COLUMNS[COMPANIES],
        fields=FIELDS[COMPANIES],
        key_field="siret",
        key_column="siret",
        parser="registry.lines:parse_company",
        model="registry.Company",
        command="import_registry --companies FILE",
    ),
):
    extract_register(_extract)
