"""Rows in PostgreSQL's COPY text format, written where they are parsed.

A parsing process hands the import one string per chunk instead of thousands of tuples:
nothing to pickle and unpickle value by value, nothing for psycopg to format row by row.
The values stored are the same as those of ``copy.write_row``: text as it is, escaped
where COPY needs it (backslash, tab, newline, carriage return), None as NULL (``\\N``),
True and False as ``True`` and ``False``, which PostgreSQL reads as booleans.
No Django here: parsing processes import it without setting Django up.
"""

_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_NULL = "\\N"


def copy_rows(rows) -> str:
    """Return the rows (tuples of str, int, bool or None) as COPY text, one line each."""
    lines = []
    for row in rows:
        texts = list(map(str, row))
        line = "\t".join(texts)
        # The usual line needs nothing escaped: one scan of the joined text tells.
        escape = line.count("\t") >= len(texts) or "\\" in line or "\n" in line or "\r" in line
        if escape:
            texts = [text.translate(_ESCAPES) for text in texts]
        has_null = None in row
        if has_null:
            texts = [
                _NULL if value is None else text for value, text in zip(row, texts, strict=True)
            ]
        if escape or has_null:
            line = "\t".join(texts)
        lines.append(line)
    lines.append("")
    return "\n".join(lines)
