"""Names as the registry compares them: case, accents, hyphens and spaces do not count."""

import re
import unicodedata

# Letters that Unicode does not decompose but that people type as two.
_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "ø": "o", "ł": "l", "đ": "d", "ð": "d"})
_SEPARATORS = re.compile(r"[\s\-_'’ʼ‘`´\u2010-\u2015]+")


def normalize_name(name: str) -> str:
    """Return the comparable form of a name: "Éloïse  D'Arc-Ôté" → "eloise d arc ote"."""
    text = name
    # Case folding and decomposition feed each other ("İ", "ǅ"): repeat until stable.
    for _round in range(4):
        folded = _fold(text)
        if folded == text:
            break
        text = folded
    return _SEPARATORS.sub(" ", text).strip()


def first_given_name(prenoms: str) -> str:
    """Return the first of several first names: "Marie, Louise" → "Marie".

    First names are separated by commas or spaces; a hyphenated one ("Jean-Pierre")
    is a single first name.
    """
    for part in prenoms.split(","):
        words = part.split()
        if words:
            return words[0]
    return ""


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    return stripped.translate(_LIGATURES)
