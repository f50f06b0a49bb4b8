"""CSV files that open right in a spreadsheet: UTF-8 with a byte order mark, `;` between
cells (what French spreadsheets expect), and no cell read as a formula (CSV injection,
OWASP)."""

import csv

# A cell starting with one of these is a formula to a spreadsheet: neutralized on export.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"


class _Echo:
    def write(self, value):
        return value


def spreadsheet_writer():
    """A csv writer whose ``writerow`` returns the line instead of writing it (streaming)."""
    return csv.writer(_Echo(), delimiter=";")


def spreadsheet_cell(value) -> str:
    """Text as a cell: one starting like a formula gets a leading ``'``, shown as text."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text
