"""The import's staging tables and their merge into the registry, in SQL that SQLite and
PostgreSQL both run.

Two temporary tables live for the length of one import, in the connection's own session
(nothing else sees them; they vanish with it):

- the lines: each line's number and keyed line digest, written first; one join with the
  registry tells which lines it already holds word for word, which are then not parsed (an
  import into an empty table skips this: every line is parsed);
- the rows: the parsed values of the other lines, applied by set-based statements (an UPDATE
  of the rows one of whose stored values changed, compared value by value, an INSERT of the
  new identifiers).

Rows go in by COPY on PostgreSQL and by batched inserts on SQLite. Everything runs inside
the import's transaction, so readers see the previous registry until it commits.

The SQL is assembled from the models' own table and column names (quoted), never from the
file: the file's values only travel as parameters or COPY data (hence the S608 noqa).
"""

from itertools import groupby

from django.apps import apps
from django.db import connection

from registry.lines import EXTRACTS

_FETCH_SIZE = 5000


class Staging:
    """The two temporary tables of one import of one kind of extract (registry.lines.Extract)."""

    def __init__(self, kind: str):
        quote = connection.ops.quote_name
        self.kind = kind
        self.extract = EXTRACTS[kind]
        self.model = apps.get_model(self.extract.model)
        self.fields = self.extract.fields
        self.staged_only = dict(self.extract.staged_only)
        self.key = quote(self.extract.key_field)
        self.rows = quote(f"registry_staging_{kind}")
        self.lines = quote(f"registry_staging_{kind}_lines")
        self.holders = quote(f"registry_staging_{kind}_holders")
        self.target = quote(self.model._meta.db_table)
        self.columns = ", ".join(quote(name) for name in self.fields)
        # PostgreSQL takes rows by COPY, as text (registry.copy_text); SQLite by INSERT.
        self.postgresql = connection.vendor == "postgresql"
        # The lines' holders, made by lines_to_parse (not in an import into an empty table).
        self.holders_made = False

    def create(self) -> None:
        """Create both tables, empty, the rows with the model's own column types."""
        quote = connection.ops.quote_name
        definitions = ", ".join(
            f"{quote(name)} {self._type(name)}" for name in (*self.fields, "line_digest")
        )
        with connection.cursor() as cursor:
            if self.postgresql:
                # Millions of rows in one statement: the web's 30 s timeout is not for this.
                cursor.execute("SET LOCAL statement_timeout = 0")
                # The duplicates' grouping and the merge's joins hash millions of keys: in
                # memory rather than in batches spilled to disk (this transaction only).
                cursor.execute("SET LOCAL work_mem = '64MB'")
                # Another import waits for this one to commit; readers are never blocked.
                cursor.execute(f"LOCK TABLE {self.target} IN SHARE ROW EXCLUSIVE MODE")
            for table in (self.rows, self.lines, self.holders):
                cursor.execute(f"DROP TABLE IF EXISTS {table}")
            cursor.execute(f"CREATE TEMPORARY TABLE {self.rows} (line integer, {definitions})")
            cursor.execute(
                f"CREATE TEMPORARY TABLE {self.lines} (line integer, line_digest varchar(64))"
            )

    def target_empty(self) -> bool:
        """Whether the table imported into holds no row (a first import)."""
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT NOT EXISTS (SELECT 1 FROM {self.target})")  # noqa: S608
            return cursor.fetchone()[0]

    def write_lines(self, lines: list[tuple[int, str]]) -> None:
        """Append ``(line number, line digest)`` pairs."""
        if self.postgresql:
            # A number and a hexadecimal digest: COPY text with nothing to escape.
            lines = "".join([f"{number}\t{digest}\n" for number, digest in lines])
        self._write(self.lines, "line, line_digest", lines)

    def write(self, rows: list[tuple] | bytes) -> None:
        """Append parsed rows: their COPY text (``parse_block(..., copy_text=True)``) on
        PostgreSQL, else tuples ``(line, *FIELDS[kind], line digest)``."""
        self._write(self.rows, f"line, {self.columns}, line_digest", rows)

    def lines_to_parse(self):
        """Yield the numbers of the lines the registry does not hold word for word.

        Every line is kept with the identifier of the row holding it, if any, for the
        duplicate check: the registry is read once, by one join.
        """
        with connection.cursor() as cursor:
            if self.postgresql:
                # The planner knows nothing of a freshly filled temporary table.
                cursor.execute(f"ANALYZE {self.lines}")
            self.holders_made = True
            cursor.execute(
                f"CREATE TEMPORARY TABLE {self.holders} AS "  # noqa: S608
                f"SELECT l.line, t.{self.key} AS k FROM {self.lines} AS l "
                f"LEFT JOIN {self.target} AS t ON t.line_digest = l.line_digest"
            )
        query = f"SELECT line FROM {self.holders} WHERE k IS NULL"  # noqa: S608
        if self.postgresql:
            # A server-side cursor (psycopg's named cursor): millions of line numbers come by
            # chunks instead of as one result held in memory whole.
            with connection.connection.cursor(name="registry_lines_to_parse") as server_side:
                server_side.itersize = _FETCH_SIZE
                server_side.execute(query)
                yield from (line for (line,) in server_side)
            return
        with connection.cursor() as cursor:
            cursor.execute(query)
            for (line,) in _fetch_all(cursor):
                yield line

    def duplicates(self) -> list[list[int]]:
        """The line numbers of each identifier found on several lines, parsed or held."""
        keys = f"SELECT {self.key} AS k, line FROM {self.rows}"  # noqa: S608
        if self.holders_made:
            keys += f" UNION ALL SELECT k, line FROM {self.holders} WHERE k IS NOT NULL"  # noqa: S608
        with connection.cursor() as cursor:
            if self.postgresql:
                cursor.execute(f"ANALYZE {self.rows}")
            # Usually none: find the repeated identifiers first, their lines only if any.
            cursor.execute(f"SELECT k FROM ({keys}) AS keys GROUP BY k HAVING COUNT(*) > 1")  # noqa: S608
            repeated = [key for (key,) in cursor.fetchall()]
            if not repeated:
                return []
            groups = []
            for start in range(0, len(repeated), 500):
                batch = repeated[start : start + 500]
                marks = ", ".join(["%s"] * len(batch))
                cursor.execute(
                    f"SELECT k, line FROM ({keys}) AS keys "  # noqa: S608
                    f"WHERE k IN ({marks}) ORDER BY k, line",
                    batch,
                )
                groups += [[line for _k, line in group] for _k, group in groupby(cursor, _first)]
        return sorted(groups)

    def unresolved(self) -> list[tuple[int, str]]:
        """The lines none of whose references (Extract.references) names a registry row.

        Returns ``(line, message)`` pairs, the message of the extract's first reference.
        """
        references = self.extract.references
        if not references:
            return []
        quote = connection.ops.quote_name
        found = " OR ".join(
            f"EXISTS (SELECT 1 FROM {quote(apps.get_model(r.model)._meta.db_table)} AS r "  # noqa: S608
            f"WHERE r.{quote(r.column)} = s.{quote(r.field)})"
            for r in references
        )
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT line FROM {self.rows} AS s WHERE NOT ({found}) ORDER BY line")  # noqa: S608
            lines = [line for (line,) in cursor.fetchall()]
        return [(line, references[0].message) for line in lines]

    def drop_rows(self, lines: list[int]) -> None:
        """Remove the parsed rows of these lines (an identifier they repeat)."""
        with connection.cursor() as cursor:
            for start in range(0, len(lines), 500):
                batch = lines[start : start + 500]
                marks = ", ".join(["%s"] * len(batch))
                cursor.execute(f"DELETE FROM {self.rows} WHERE line IN ({marks})", batch)  # noqa: S608

    def merge(self, now, *, into_empty: bool = False) -> tuple[int, int]:
        """Apply the staged rows to the registry; return (created, updated).

        ``into_empty``: the table held no row when the import locked it, so every staged row
        is inserted, with no update to look for."""
        quote = connection.ops.quote_name
        key, target = self.key, self.target
        stored, resolved, _joins = self._stored_and_resolved()
        pairs = [(quote(name), f"s.{quote(name)}") for name in stored if quote(name) != key]
        pairs += resolved
        assignments = ", ".join(f"{column} = {value}" for column, value in pairs)
        # A row changes when one of its stored values does: the database compares them,
        # NULL equal to NULL (IS DISTINCT FROM; SQLite's IS NOT, of every version).
        differs = "IS DISTINCT FROM" if self.postgresql else "IS NOT"
        changed = " OR ".join(f"{target}.{column} {differs} {value}" for column, value in pairs)
        columns, selected, joins = self._insert_parts()
        with connection.cursor() as cursor:
            if into_empty:
                cursor.execute(
                    f"INSERT INTO {target} ({columns}, line_digest, created_at, updated_at) "  # noqa: S608
                    f"SELECT {selected}, s.line_digest, %s, %s FROM {self.rows} AS s{joins}",
                    [now, now],
                )
                return cursor.rowcount, 0
            cursor.execute(
                f"UPDATE {target} SET {assignments}, line_digest = s.line_digest, "  # noqa: S608
                f"updated_at = %s FROM {self.rows} AS s{joins} "
                f"WHERE {target}.{key} = s.{key} AND ({changed})",
                [now],
            )
            updated = cursor.rowcount
            # Same values written differently (case, spaces): remember the new line, so that
            # the next import skips it, without calling it a change. The rows just updated
            # hold their new line already: those left are the unchanged ones, found by their
            # key alone (comparing the values again misleads PostgreSQL's planner, which
            # expects one row of millions).
            cursor.execute(
                f"UPDATE {target} SET line_digest = s.line_digest "  # noqa: S608
                f"FROM {self.rows} AS s "
                f"WHERE {target}.{key} = s.{key} AND {target}.line_digest <> s.line_digest"
            )
            cursor.execute(
                f"INSERT INTO {target} ({columns}, line_digest, created_at, updated_at) "  # noqa: S608
                f"SELECT {selected}, s.line_digest, %s, %s FROM {self.rows} AS s{joins} "
                f"WHERE NOT EXISTS (SELECT 1 FROM {target} AS t WHERE t.{key} = s.{key})",
                [now, now],
            )
            created = cursor.rowcount
        return created, updated

    def insert_found(self, now) -> int:
        """Insert the staged rows whose references are found; return how many went in.

        Raises IntegrityError if two rows share an identifier, or one is already held: run
        it in a savepoint, and compare the count with the rows staged.
        """
        columns, selected, joins = self._insert_parts()
        found = " OR ".join(
            f"r{number}.id IS NOT NULL" for number in range(len(self.extract.references))
        )
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {self.target} ({columns}, line_digest, created_at, updated_at) "  # noqa: S608
                f"SELECT {selected}, s.line_digest, %s, %s FROM {self.rows} AS s{joins}"
                + (f" WHERE {found}" if found else ""),
                [now, now],
            )
            return cursor.rowcount

    def drop(self) -> None:
        with connection.cursor() as cursor:
            for table in (self.rows, self.lines, self.holders):
                cursor.execute(f"DROP TABLE IF EXISTS {table}")

    def _stored_and_resolved(self):
        """The stored fields; each reference as (stored column, its value in the SELECT);
        the joins that resolve them."""
        quote = connection.ops.quote_name
        stored = [name for name in self.fields if name not in self.staged_only]
        joins, resolved = "", []
        for number, reference in enumerate(self.extract.references):
            table = quote(apps.get_model(reference.model)._meta.db_table)
            joins += (
                f" LEFT JOIN {table} AS r{number} "
                f"ON r{number}.{quote(reference.column)} = s.{quote(reference.field)}"
            )
            column = self.model._meta.get_field(reference.stored).column
            resolved.append((quote(column), f"r{number}.id"))
        return stored, resolved, joins

    def _insert_parts(self) -> tuple[str, str, str]:
        """The INSERT's columns, the SELECT's values from the staged rows ``s``, the joins."""
        quote = connection.ops.quote_name
        stored, resolved, joins = self._stored_and_resolved()
        columns = ", ".join([quote(name) for name in stored] + [c for c, _v in resolved])
        selected = ", ".join([f"s.{quote(name)}" for name in stored] + [v for _c, v in resolved])
        return columns, selected, joins

    def _type(self, name: str) -> str:
        if name in self.staged_only:
            return self.staged_only[name]
        return self.model._meta.get_field(name).db_type(connection)

    def _write(self, table: str, columns: str, rows: list[tuple] | str | bytes) -> None:
        """Rows as COPY text (str, or bytes in UTF-8) on PostgreSQL, as tuples on SQLite."""
        if not rows:
            return
        with connection.cursor() as cursor:
            if self.postgresql:
                with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    copy.write(rows)
            else:
                marks = ", ".join(["%s"] * len(rows[0]))
                cursor.executemany(
                    f"INSERT INTO {table} ({columns}) VALUES ({marks})",  # noqa: S608
                    rows,
                )


def _first(pair):
    return pair[0]


def _fetch_all(cursor):
    while True:
        batch = cursor.fetchmany(_FETCH_SIZE)
        if not batch:
            return
        yield from batch
