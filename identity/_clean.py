"""Separator removal shared by the parsers of numbers people copy or type."""

# Dashes and invisible characters that copying from a PDF or a web page brings along.
_SEPARATORS = ".-_\u2010\u2011\u2012\u2013\u2014\u2212\u200b\u200c\u200d\u2060\ufeff"
_DROP = {ord(char): None for char in _SEPARATORS}


def remove_separators(raw: str) -> str:
    """Drop whitespace (including non-breaking spaces), dots, hyphens and dashes."""
    if raw.isascii() and raw.isalnum():  # none of them: a number as files write it
        return raw
    return "".join(raw.split()).translate(_DROP)


def upper_ascii(text: str) -> str:
    """Upper-case ASCII letters only, so that the result is stable under repetition."""
    if text.isascii():  # str.upper() changes nothing else in ASCII, and is faster
        return text.upper()
    return text.translate(_ASCII_UPPER)


_ASCII_UPPER = str.maketrans("abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
