"""Postal address blocks written per NF Z10-011, for window envelopes (docs/product.md §7).

The standard and La Poste's rules for it:
- at most 6 lines (7 abroad, the last one being the country), empty lines dropped;
- at most 38 characters a line, spaces included;
- lines 4 to 6 (street, lieu-dit or BP, locality) and the country: capitals, no accents and no
  punctuation, which the sorting machines misread; the locality line is
  ``CODE POSTAL COMMUNE`` with SAINT and SAINTE abbreviated ST and STE;
- a street line that does not fit is abbreviated, never cut, in La Poste's order: the type of
  way first (AVENUE → AV), then titles (GENERAL → GAL), then French first names reduced to
  their initial, then articles dropped; the last word (the « mot directeur ») is never touched,
  and SAINT stays in full in a street name.

Pure functions: no Django, no database.
"""

import re
import unicodedata
from dataclasses import dataclass

LINE_WIDTH = 38
MAX_LINES = 6
MAX_LINES_ABROAD = 7

# Types of way and their standard abbreviations (AFNOR NF Z10-011 list used by La Poste).
WAY_TYPES = {
    "ALLEE": "ALL",
    "ALLEES": "ALL",
    "AVENUE": "AV",
    "BOULEVARD": "BD",
    "CARREFOUR": "CAR",
    "CENTRE COMMERCIAL": "CCAL",
    "CHAUSSEE": "CHS",
    "CHEMIN": "CHE",
    "CHEMINEMENT": "CHEM",
    "CORNICHE": "COR",
    "COURS": "CRS",
    "DESCENTE": "DSC",
    "DOMAINE": "DOM",
    "ESCALIER": "ESC",
    "ESPLANADE": "ESP",
    "FAUBOURG": "FG",
    "GRANDE RUE": "GR",
    "HAMEAU": "HAM",
    "IMPASSE": "IMP",
    "LIEU DIT": "LD",
    "LOTISSEMENT": "LOT",
    "MONTEE": "MTE",
    "PARC": "PARC",
    "PARVIS": "PRV",
    "PASSAGE": "PAS",
    "PLACE": "PL",
    "PLAINE": "PLN",
    "PLATEAU": "PLT",
    "PROMENADE": "PROM",
    "QUAI": "QUAI",
    "QUARTIER": "QUA",
    "RESIDENCE": "RES",
    "ROND POINT": "RPT",
    "ROUTE": "RTE",
    "RUELLE": "RLE",
    "SENTIER": "SEN",
    "SQUARE": "SQ",
    "TERRE PLEIN": "TPL",
    "TRAVERSE": "TRA",
    "VILLA": "VLA",
    "VILLAGE": "VLGE",
    "ZONE ARTISANALE": "ZA",
    "ZONE D ACTIVITE": "ZA",
    "ZONE D ACTIVITES": "ZA",
    "ZONE INDUSTRIELLE": "ZI",
}
# Civil, military and religious titles, and the qualifiers the standard abbreviates.
TITLES = {
    "ADJUDANT": "ADJ",
    "AMIRAL": "AMI",
    "ANCIEN": "ANC",
    "ANCIENNE": "ANC",
    "CAPITAINE": "CNE",
    "CARDINAL": "CAL",
    "COLONEL": "COL",
    "COMMANDANT": "CDT",
    "DOCTEUR": "DR",
    "GENERAL": "GAL",
    "GRAND": "GD",
    "GRANDE": "GDE",
    "LIEUTENANT": "LT",
    "MADAME": "MME",
    "MAITRE": "ME",
    "MARECHAL": "MAL",
    "MONSEIGNEUR": "MGR",
    "MONSIEUR": "M",
    "NOTRE DAME": "ND",
    "PETIT": "PT",
    "PETITE": "PTE",
    "PRESIDENT": "PDT",
    "PROFESSEUR": "PR",
    "SERGENT": "SGT",
}
# French first names, reduced to their initial when a street line is still too long.
FIRST_NAMES = frozenset(
    [
        "ADOLPHE",
        "ALBERT",
        "ALEXANDRE",
        "ALFRED",
        "ALPHONSE",
        "AMBROISE",
        "ANATOLE",
        "ANDRE",
        "ANNE",
        "ANTOINE",
        "ARISTIDE",
        "ARMAND",
        "ARTHUR",
        "AUGUSTE",
        "BENJAMIN",
        "BERNARD",
        "BLAISE",
        "CAMILLE",
        "CHARLES",
        "CHRISTOPHE",
        "CLAUDE",
        "CLEMENT",
        "DANIEL",
        "DENIS",
        "EDGAR",
        "EDMOND",
        "EDOUARD",
        "EMILE",
        "ERNEST",
        "ETIENNE",
        "EUGENE",
        "FELIX",
        "FERDINAND",
        "FRANCOIS",
        "FREDERIC",
        "GABRIEL",
        "GASTON",
        "GEORGES",
        "GERARD",
        "GUILLAUME",
        "GUSTAVE",
        "GUY",
        "HECTOR",
        "HENRI",
        "HONORE",
        "HUGUES",
        "JACQUES",
        "JEAN",
        "JEANNE",
        "JOSEPH",
        "JULES",
        "JULIEN",
        "LEON",
        "LEONARD",
        "LOUIS",
        "LOUISE",
        "LUCIEN",
        "MARC",
        "MARCEL",
        "MARIE",
        "MARIUS",
        "MAURICE",
        "MAX",
        "MAXIMILIEN",
        "MICHEL",
        "NICOLAS",
        "OLYMPE",
        "PAUL",
        "PIERRE",
        "RAOUL",
        "RAYMOND",
        "RENE",
        "ROBERT",
        "ROGER",
        "SIMONE",
        "THEODORE",
        "VICTOR",
        "VINCENT",
    ]
)
ARTICLES = frozenset({"LE", "LA", "LES", "L", "DU", "DES", "AU", "AUX", "UN", "UNE"})
LOCALITY_ABBREVIATIONS = {"SAINT": "ST", "SAINTE": "STE"}
_NUMBER = re.compile(r"^(\d{1,4})(?:\s+(BIS|TER|QUATER|QUINQUIES|[A-Z]))?\s+")
_LIGATURES = str.maketrans({"Œ": "OE", "Æ": "AE", "Ø": "O", "ß": "SS", "Ł": "L", "Đ": "D"})
_NOT_ALNUM = re.compile(r"[^A-Z0-9 ]+")


class AddressError(ValueError):
    """An address that cannot be written on a letter (missing, or a line that cannot fit)."""


@dataclass(frozen=True)
class PostalAddress:
    """The lines of an address as the registry holds them (docs/product.md §6: adresse_2 … pays)."""

    recipient: str
    line_2: str = ""
    line_3: str = ""
    line_4: str = ""
    line_5: str = ""
    postcode: str = ""
    locality: str = ""
    country: str = ""


def plain_capitals(text: str) -> str:
    """Capitals without accents or punctuation: "Rue de l'Église" → "RUE DE L EGLISE"."""
    decomposed = unicodedata.normalize("NFKD", text.upper().translate(_LIGATURES))
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    stripped = stripped.translate(_LIGATURES)
    return " ".join(_NOT_ALNUM.sub(" ", stripped).split())


def is_abroad(country: str) -> bool:
    """True when the country column names somewhere other than France (empty means France)."""
    return plain_capitals(country) not in ("", "FRANCE")


def abbreviate_street(line: str, width: int = LINE_WIDTH) -> str:
    """Fit a number-and-street line into `width` characters by La Poste's abbreviation rules.

    Raises AddressError when even the fully abbreviated line is too long: it is never cut.
    """
    text = plain_capitals(line)
    if len(text) <= width:
        return text
    match = _NUMBER.match(text)
    number = match.group(0).strip() if match else ""
    words = text[match.end() :].split() if match else text.split()
    way, rest = _split_way_type(words)
    steps = [
        lambda way, rest: (WAY_TYPES.get(way, way), rest),
        lambda way, rest: (way, _replace_phrases(rest, TITLES)),
        lambda way, rest: (way, _initials(rest)),
        lambda way, rest: (way, _drop_articles(rest)),
    ]
    for step in steps:
        way, rest = step(way, rest)
        candidate = " ".join(part for part in [number, way, *rest] if part)
        if len(candidate) <= width:
            return candidate
    raise AddressError(f"street line longer than {width} characters once abbreviated")


def _split_way_type(words: list[str]) -> tuple[str, list[str]]:
    for size in (2, 1):
        head = " ".join(words[:size])
        if len(words) > size and head in WAY_TYPES:
            return head, words[size:]
    return "", words


def _replace_phrases(words: list[str], table: dict[str, str]) -> list[str]:
    """Abbreviate known words or two-word phrases, the last word (mot directeur) excepted."""
    result, i = [], 0
    last = len(words) - 1
    while i < len(words):
        pair = " ".join(words[i : i + 2])
        if i + 1 < last and pair in table:
            result.append(table[pair])
            i += 2
        elif i < last and words[i] in table:
            result.append(table[words[i]])
            i += 1
        else:
            result.append(words[i])
            i += 1
    return result


def _initials(words: list[str]) -> list[str]:
    last = len(words) - 1
    return [w[0] if i < last and w in FIRST_NAMES else w for i, w in enumerate(words)]


def _drop_articles(words: list[str]) -> list[str]:
    last = len(words) - 1
    return [w for i, w in enumerate(words) if i == last or w not in ARTICLES]


def locality_line(postcode: str, locality: str, *, abroad: bool = False) -> str:
    """The last line before the country: ``CODE POSTAL COMMUNE``, capitals, no punctuation."""
    words = plain_capitals(locality).split()
    if not abroad:
        words = [LOCALITY_ABBREVIATIONS.get(w, w) for w in words]
        postcode = "".join(postcode.split())
    line = " ".join(part for part in [plain_capitals(postcode), *words] if part)
    if len(line) > LINE_WIDTH:
        raise AddressError("locality line longer than 38 characters")
    return line


def recipient_line(first_name: str, last_name: str) -> str:
    """Line 1 for a person: "Jean DUPONT"; the first name becomes an initial if needed."""
    last = " ".join(last_name.split()).upper()
    first = " ".join(first_name.split())
    line = f"{first} {last}".strip()
    if len(line) > LINE_WIDTH and first:
        line = f"{first[0].upper()} {last}"
    return _fit_free_line(line)


def _fit_free_line(text: str) -> str:
    """Lines 1 to 3 carry names, which no rule abbreviates: cut at a word, as a last resort."""
    text = " ".join(text.split())
    if len(text) <= LINE_WIDTH:
        return text
    cut = text[: LINE_WIDTH + 1].rsplit(" ", 1)[0]
    return cut[:LINE_WIDTH]


def address_block(address: PostalAddress) -> list[str]:
    """The lines to print in the envelope's window, top to bottom, per NF Z10-011."""
    abroad = is_abroad(address.country)
    if not (address.locality.strip() and (address.postcode.strip() or abroad)):
        raise AddressError("no postcode and locality on file")
    lines = [
        _fit_free_line(address.recipient),
        _fit_free_line(address.line_2),
        _fit_free_line(address.line_3),
        abbreviate_street(address.line_4),
        _fit_lieu_dit(address.line_5),
        locality_line(address.postcode, address.locality, abroad=abroad),
    ]
    if abroad:
        lines.append(plain_capitals(address.country)[:LINE_WIDTH])
    lines = [line for line in lines if line]
    if len(lines) > (MAX_LINES_ABROAD if abroad else MAX_LINES):
        raise AddressError("too many address lines")
    return lines


def _fit_lieu_dit(line: str) -> str:
    text = plain_capitals(line)
    if len(text) <= LINE_WIDTH:
        return text
    return abbreviate_street(text)
