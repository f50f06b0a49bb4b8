"""Rows handed over as COPY text are stored exactly as rows written one by one."""

from decimal import Decimal

import pytest
from django.db import connection
from hypothesis import given
from hypothesis import strategies as st

from registry.copy_text import copy_line

TRICKY = [
    "",
    "Brin",
    "O'Neill",
    "a\\b",
    "\\N",
    "\\.",
    "tab\there",
    "cr\rlf\n",
    "None",
    "é ß 😀",
    "True",
]


def _read_copy_text(text: str) -> list[tuple]:
    """PostgreSQL's reading of COPY text (without its types): the inverse to check against."""
    unescape = {"\\": "\\", "t": "\t", "n": "\n", "r": "\r"}
    rows = []
    for line in text.split("\n")[:-1]:
        values, current, chars = [], [], iter(line)
        for char in chars:
            if char == "\\":
                following = next(chars)
                current.append("\x00NULL" if following == "N" else unescape[following])
            elif char == "\t":
                values.append("".join(current))
                current = []
            else:
                current.append(char)
        values.append("".join(current))
        rows.append(tuple(None if value == "\x00NULL" else value for value in values))
    return rows


@given(
    st.lists(
        st.tuples(
            st.integers(0, 10**9),
            st.one_of(st.sampled_from(TRICKY), st.text()),
            st.one_of(st.none(), st.booleans(), st.sampled_from(TRICKY), st.text()),
        ),
        max_size=5,
    )
)
def test_every_value_reads_back_as_it_was(rows):
    expected = [tuple(None if value is None else str(value) for value in row) for row in rows]

    assert _read_copy_text(copy_text(rows)) == expected


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's")
def test_postgresql_stores_the_text_as_it_stores_rows_written_one_by_one():
    rows = [
        (line, text, other, flag, None if line % 2 else "12.50")
        for line, (text, other, flag) in enumerate(
            zip(TRICKY, reversed(TRICKY), [True, False] * 6, strict=False)
        )
    ]
    columns = "line integer, a varchar(50), b text, flag boolean, amount numeric(12, 2)"
    with connection.cursor() as cursor:
        for table in ("by_row", "by_text"):
            cursor.execute(f"CREATE TEMPORARY TABLE {table} ({columns})")
        with cursor.cursor.copy("COPY by_row FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        with cursor.cursor.copy("COPY by_text FROM STDIN") as copy:
            copy.write(copy_text(rows))
        stored = []
        for table in ("by_row", "by_text"):
            cursor.execute(f"SELECT * FROM {table} ORDER BY line")  # noqa: S608
            stored.append(cursor.fetchall())

    assert stored[0] == stored[1]
    assert len(stored[0]) == len(rows)
    assert stored[1][3] == (3, "a\\b", "cr\rlf\n", False, None)
    assert stored[1][4] == (4, "\\N", "tab\there", True, Decimal("12.50"))


def copy_text(rows) -> str:
    """The rows as a parsing process writes them: one COPY line each."""
    return "".join(copy_line(row) + "\n" for row in rows)
