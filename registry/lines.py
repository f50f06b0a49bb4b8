"""One line of the fund's extract (docs/product.md §6): split, checked, normalized, ready to store.

No database and no Django settings here: the import runs these functions in separate
processes on large files, handing them what they need (digest key, phone region, today's
date) in a ``LineContext``. Normalization of identifiers goes through identity/ only.

Messages are French msgids marked with ``gettext_noop``; the importing process translates
them. They never quote a NIR, a Vitale serial, an IBAN or an employer account number.
"""

import csv
import datetime
import gc
import importlib
import operator
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
from registry.copy_text import copy_line
from registry.digests import (
    amount_digest,
    employer_account_digest,
    iban_digest,
    line_digester,
    lines_digester,
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
    ),
    COMPANIES: (
        "siret",
        "raison_sociale",
        *ADDRESS_COLUMNS,
        "pays",
        "email",
        "employer_account_digest",
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
    parsing processes, which do not set Django up, find it. ``block_parser``, if any, reads a
    whole block of lines column by column, when every line is written as usual
    (``parse_block``). ``staged_only`` fields (with
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
    block_parser: str = ""
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

# Bumped whenever normalization changes: it is part of the line digests' key, so that the next
# import parses every line again and updates the rows whose stored values change.
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
    # The file's encoding, as registry.services.encoding_check names it.
    encoding: str = "utf-8"
    # The extract's block parser, "module:function" (Extract.block_parser), or "".
    block_parser: str = ""

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

    def __reduce__(self):
        # Raised in a parsing process, it reaches the import with its parameters.
        return type(self), (self.message, self.params)


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


def _fields(text: str, context: LineContext) -> list[str]:
    """The line's fields in the contract's order, or raise ``LineError``."""
    fields = split_line(text)
    if len(fields) != len(context.positions):
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
    return fields


@lru_cache(maxsize=16)
def _parser(name: str):
    module, function = name.split(":")
    return getattr(importlib.import_module(module), function)


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
    return values


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
    return values


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


def decode_line(raw: bytes, number: int, encoding: str) -> str:
    """The line's text in the file's encoding, line end included; raise FileRefused."""
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError as error:
        _refuse_bytes(encoding, number, error.start + 1)
    # A UTF-8 file read as Latin-1 would import « Ã© » for « é »: refuse it instead.
    if encoding != "utf-8" and not raw.isascii():
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            raise FileRefused(
                _(
                    "Le fichier semble encodé en UTF-8 (ligne %(line)s) et non en "
                    "%(encoding)s : importez-le sans préciser d'encodage."
                ),
                {"line": number, "encoding": encoding},
            )
    return text


def _refuse_bytes(encoding: str, line: int, position: int):
    where = {"encoding": encoding, "line": line, "position": position}
    if encoding == "utf-8":
        raise FileRefused(
            _(
                "Le fichier n'est pas encodé en UTF-8 : octet invalide ligne %(line)s, "
                "position %(position)s. S'il est en Latin-1 (ISO-8859-1), importez-le "
                "avec l'encodage latin-1 (option --encoding latin-1)."
            ),
            where,
        ) from None
    raise FileRefused(
        _(
            "Le fichier n'est pas encodé en %(encoding)s : octet invalide ligne "
            "%(line)s, position %(position)s."
        ),
        where,
    ) from None


def _decode_block(first: int, raw: bytes, encoding: str) -> str:
    """The block's text, as ``decode_line`` would have read its lines one by one."""
    if encoding == "utf-8" or raw.isascii():
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError as error:
            start = raw.rfind(b"\n", 0, error.start) + 1
            _refuse_bytes(encoding, first + raw.count(b"\n", 0, start), error.start - start + 1)
    return "\n".join(
        decode_line(line, first + offset, encoding) for offset, line in enumerate(raw.split(b"\n"))
    )


def parse_block(
    first: int,
    raw: bytes,
    context: LineContext,
    *,
    copy_text: bool = False,
    wanted: tuple[int, bytes] | None = None,
):
    """Parse a block of the file: whole lines as read, ends included, the first of them
    line number ``first``.

    ``wanted`` is ``(base, bits)``: parse line n only if bit n − base of ``bits`` is set
    (``base`` a multiple of 8; the other lines were checked by a first reading). Without it,
    every line but blank ones, after the whole block is decoded: a byte not in the file's
    encoding raises FileRefused, naming its line and position.

    Returns ``(rows, rejects, parsed)``: rows are ``(line, *FIELDS[kind], line digest)``, or
    with ``copy_text`` their lines in PostgreSQL's COPY text format (registry.copy_text),
    encoded in UTF-8: bytes cross processes and go to the server as they are; rejects are
    ``(line, column, message, params)``; parsed, how many lines were parsed.
    """
    if wanted is None:
        text = _decode_block(first, raw, context.encoding)
        if context.block_parser:
            usual = _usual_block(first, text, context, copy_text)
            if usual is not None:
                return usual
        lines = text.split("\n")
    else:
        base, bits = wanted
        lines = [
            decode_line(line, first + offset, context.encoding)
            if bits[(first + offset - base) >> 3] & (1 << ((first + offset) & 7))
            else ""
            for offset, line in enumerate(raw.split(b"\n"))
        ]
    digest = _line_digester(context.reading, context.key)
    parse = _parser(context.parser)
    rows, rejects, parsed = [], [], 0
    for offset, line in enumerate(lines):
        text = line.rstrip("\r")
        if not text or text.isspace():
            continue
        number = first + offset
        parsed += 1
        try:
            values = parse(_fields(text, context), context)
        except LineError as error:
            rejects.append((number, error.column, error.message, error.params))
            continue
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
            continue
        if copy_text:
            rows.append(copy_line((str(number), *values, digest(text))))
        else:
            rows.append((number, *values, digest(text)))
    if copy_text:
        rows = ("\n".join(rows) + "\n").encode() if rows else b""
    return rows, rejects, parsed


@lru_cache(maxsize=16)
def _line_digester(reading: str, key: bytes):
    return line_digester(reading, key=key)


def _usual_block(first: int, text: str, context: LineContext, copy_text: bool):
    """``parse_block``'s result for a block whose every line is written as usual, read column
    by column by the extract's block parser; None for any other block (a blank line, quotes,
    a line the block parser does not take), which is then parsed line by line.

    A block of millions of lines' file is read here with no Python call a line (the C loops
    of ``map`` and ``str.join``), to the same rows as line by line.
    """
    if '"' in text or "\\" in text:  # quoted fields; a backslash, escaped in COPY text
        return None
    lines = text.split("\n")
    if not lines[-1]:
        lines.pop()
    if "\r" in text:
        lines = [line.rstrip("\r") for line in lines]
    rows = list(map(_SPLIT, lines))
    width = len(context.positions)
    if set(map(len, rows)) != {width}:  # a blank line, a column missing or too many
        return None
    columns = list(zip(*rows, strict=True))
    if not context.in_contract_order:
        columns = [columns[index] for index in context.positions]
    try:
        stored = _parser(context.block_parser)(columns, context)
    except Exception:  # a fault of the block parser: the lines say which, one by one
        return None
    if stored is None:
        return None
    digests = _lines_digester(context.reading, context.key)(lines)
    if not copy_text:
        return (
            list(zip(range(first, first + len(lines)), *stored, digests, strict=True)),
            [],
            len(lines),
        )
    stored = [
        [_NULL if value is None else value for value in column] if None in column else column
        for column in stored
    ]
    numbers = map(str, range(first, first + len(lines)))
    block = "\n".join(map("\t".join, zip(numbers, *stored, digests, strict=True))) + "\n"
    # No value may hold a tab or a line end: each would need escaping in COPY. (Nor a
    # backslash, but the text had none: the only ones are the NULLs'.)
    if (
        block.count("\t") != len(lines) * (len(stored) + 1)
        or block.count("\n") != len(lines)
        or "\r" in block
    ):
        return None
    return block.encode(), [], len(lines)


_SPLIT = operator.methodcaller("split", ";")
_NULL = "\\N"


@lru_cache(maxsize=16)
def _lines_digester(reading: str, key: bytes):
    return lines_digester(reading, key=key)


# What a parsing process was started with, set once by its initializer.
_process_context: LineContext | None = None
_process_copy_text = False


def init_process(context: LineContext, copy_text: bool = False) -> None:
    """Initializer of a parsing process."""
    global _process_context, _process_copy_text  # noqa: PLW0603 - set once per process
    _process_context, _process_copy_text = context, copy_text
    # A parsing process makes millions of short-lived lists and tuples, freed by reference
    # counting: the cyclic collector's passes over them were a sixth of its CPU. The few
    # cycles a block leaves (Django's ValidationError refers to itself, and holds the frames
    # of the block) are collected once the block is parsed
    # (docs/decisions/payments-import-speed.md).
    gc.disable()


def parse_block_in_process(first: int, raw: bytes, wanted: tuple[int, bytes] | None = None):
    """``parse_block`` with what the process was started with."""
    parsed = parse_block(first, raw, _process_context, copy_text=_process_copy_text, wanted=wanted)
    gc.collect(0)  # the objects made since the last block only
    return parsed


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
