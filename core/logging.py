"""A logging filter that masks what looks like a NIR, an IBAN or a card serial (DESIGN §5).

The code never logs these on purpose; this is the net under it, for a value that slips into an
exception message or a third-party library's log line.
"""

import logging
import re

_PATTERNS = [
    # IBAN: two letters, two digits, then 11 to 30 letters/digits, spaces allowed.
    re.compile(r"\b[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]){11,30}\b"),
    # NIR with or without key, spaces or dots allowed, 2A/2B included.
    re.compile(
        r"\b[1-478][ .]?\d{2}[ .]?\d{2}[ .]?(?:\d{2}|2[AB])[ .]?\d{3}[ .]?\d{3}(?:[ .]?\d{2})?\b"
    ),
    # Any other long run of digits (card serials, account numbers).
    re.compile(r"\b\d{8,}\b"),
]


def redact(text: str) -> str:
    for pattern in _PATTERNS:
        text = pattern.sub("[masqué]", text)
    return text


class RedactSecretsFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string is still logged, as it is
            return True
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True
