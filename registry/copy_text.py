"""Rows in PostgreSQL's COPY text format, written where they are parsed.

A parsing process hands the import one string per block of lines instead of thousands of
tuples: nothing to pickle and unpickle value by value, nothing for psycopg to format row by
row. The values stored are the same as those of ``copy.write_row``: text as it is, escaped
where COPY needs it (backslash, tab, newline, carriage return), None as NULL (``\\N``),
True and False as ``True`` and ``False``, which PostgreSQL reads as booleans.
No Django here: parsing processes import it without setting Django up.
"""

_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_NULL = "\\N"


def copy_line(row) -> str:
    """One row (a tuple of str, int, bool or None) as a line of COPY text, without its end."""
    try:
        # The usual row of an extract: text only, nothing to escape, one join and one scan.
        line = "\t".join(row)
    except TypeError:  # a number, a boolean, a NULL
        texts = [_NULL if value is None else str(value) for value in row]
        line = "\t".join(texts)
    else:
        texts = row
    if line.count("\t") >= len(row) or "\\" in line or "\n" in line or "\r" in line:
        return "\t".join(
            [
                _NULL if value is None else text.translate(_ESCAPES)
                for value, text in zip(row, texts, strict=True)
            ]
        )
    return line
