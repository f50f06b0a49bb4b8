"""A logging filter that masks what looks like a NIR, an IBAN or a card serial (docs/product.md §5).

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
    """Masks the message, and the exception's text and traceback that the handler would print.

    A traceback quotes the exception's message (« invalid literal for int(): '1850597…' ») and
    the source lines around it: it is formatted here, masked, and kept as the record's
    ``exc_text``, which the formatters print instead of formatting ``exc_info`` again.
    """

    _formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string is still logged, as it is
            message = None
        if message is not None:
            cleaned = redact(message)
            if cleaned != message:
                record.msg, record.args = cleaned, ()
        if record.exc_info:
            record.exc_text = record.exc_text or self._formatter.formatException(record.exc_info)
            record.exc_info = None  # no handler formats the unmasked exception again
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True
