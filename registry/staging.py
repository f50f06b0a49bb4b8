"""The import's staging table and its merge into the registry, in SQL that SQLite and
PostgreSQL both run.

Parsed lines go to a temporary table first (COPY on PostgreSQL, batched inserts on SQLite),
then set-based statements apply them: an UPDATE of the rows whose digest changed and an
INSERT of the new identifiers. A line the registry already holds word for word (same keyed
line digest) is staged as "known", with its identifier only: it is counted, checked for
duplicates, and otherwise left alone. Both run inside the import's transaction, so readers keep
seeing the previous registry until it commits. Temporary tables live in the connection's own
session; nothing else sees them, and they vanish with it.

The SQL is assembled from the models' own table and column names (quoted), never from the
file: the file's values only ever travel as parameters or COPY data (hence the S608 noqa).
"""

from itertools import groupby

from django.db import connection

from registry.lines import COMPANIES, FIELDS, KEY_FIELD, PERSONS
from registry.models import Company, Person

MODELS = {PERSONS: Person, COMPANIES: Company}
_FETCH_SIZE = 2000


class Staging:
    """A temporary table with the stored columns of one kind of extract, plus the line number."""

    def __init__(self, kind: str):
        self.kind = kind
        self.model = MODELS[kind]
        self.fields = FIELDS[kind]
        self.key = KEY_FIELD[kind]
        quote = connection.ops.quote_name
        self.table = quote(f"registry_staging_{kind}")
        self.target = quote(self.model._meta.db_table)
        self.columns = ", ".join(quote(name) for name in self.fields)
        self.staged_columns = f"line, known, {self.columns}, line_digest"
        self.postgresql = connection.vendor == "postgresql"

    def create(self) -> None:
        """Create the empty table, with the model's own column types."""
        quote = connection.ops.quote_name
        definitions = ", ".join(
            f"{quote(name)} {self.model._meta.get_field(name).db_type(connection)}"
            for name in (*self.fields, "line_digest")
        )
        with connection.cursor() as cursor:
            if self.postgresql:
                # Millions of rows in one statement: the web's 30 s timeout is not for this.
                cursor.execute("SET LOCAL statement_timeout = 0")
                # Another import waits for this one to commit; readers are never blocked.
                cursor.execute(f"LOCK TABLE {self.target} IN SHARE ROW EXCLUSIVE MODE")
            cursor.execute(f"DROP TABLE IF EXISTS {self.table}")
            cursor.execute(
                f"CREATE TEMPORARY TABLE {self.table} (line integer, known boolean, {definitions})"
            )

    def known(self, digests: list[str]) -> dict[str, str]:
        """Map each line digest the registry already holds to its row's identifier."""
        if not digests:
            return {}
        key = connection.ops.quote_name(self.key)
        with connection.cursor() as cursor:
            if self.postgresql:
                cursor.execute(
                    f"SELECT line_digest, {key} FROM {self.target} "  # noqa: S608
                    "WHERE line_digest = ANY(%s)",
                    [digests],
                )
            else:
                marks = ", ".join(["%s"] * len(digests))
                cursor.execute(
                    f"SELECT line_digest, {key} FROM {self.target} "  # noqa: S608
                    f"WHERE line_digest IN ({marks})",
                    digests,
                )
            return dict(cursor.fetchall())

    def known_row(self, line: int, key: str, digest: str) -> tuple:
        """The staged form of a line the registry already holds: its identifier only."""
        values = [None] * len(self.fields)
        values[self.fields.index(self.key)] = key
        return (line, True, *values, digest)

    def write(self, rows: list[tuple]) -> None:
        """Append rows: ``(line, known, *FIELDS[kind], line digest)``."""
        if not rows:
            return
        with connection.cursor() as cursor:
            if self.postgresql:
                copy_sql = f"COPY {self.table} ({self.staged_columns}) FROM STDIN"
                with cursor.cursor.copy(copy_sql) as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * (len(self.fields) + 3))
                cursor.executemany(
                    f"INSERT INTO {self.table} ({self.staged_columns}) VALUES ({marks})",  # noqa: S608
                    rows,
                )

    def duplicates(self):
        """Yield the line numbers of each identifier found on several lines, in line order."""
        key = connection.ops.quote_name(self.key)
        repeated = f"SELECT {key} FROM {self.table} GROUP BY {key} HAVING COUNT(*) > 1"  # noqa: S608
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {key}, line FROM {self.table} WHERE {key} IN ({repeated}) "  # noqa: S608
                f"ORDER BY {key}, line"
            )
            pairs = _fetch_all(cursor)
            groups = [[line for _key, line in group] for _key, group in groupby(pairs, _first)]
        yield from sorted(groups)

    def drop_duplicates(self) -> None:
        """Remove every line whose identifier is repeated: none of them can be trusted."""
        key = connection.ops.quote_name(self.key)
        with connection.cursor() as cursor:
            cursor.execute(
                f"DELETE FROM {self.table} WHERE {key} IN "  # noqa: S608
                f"(SELECT {key} FROM {self.table} GROUP BY {key} HAVING COUNT(*) > 1)"
            )

    def merge(self, now) -> tuple[int, int]:
        """Apply the staged rows to the registry; return (created, updated)."""
        quote = connection.ops.quote_name
        key, target = quote(self.key), self.target
        data = [name for name in self.fields if name != self.key]
        assignments = ", ".join(f"{quote(name)} = s.{quote(name)}" for name in data)
        selected = ", ".join(f"s.{quote(name)}" for name in self.fields)
        with connection.cursor() as cursor:
            if self.postgresql:
                # The planner knows nothing of a freshly filled temporary table.
                cursor.execute(f"ANALYZE {self.table}")
            cursor.execute(
                f"UPDATE {target} SET {assignments}, line_digest = s.line_digest, "  # noqa: S608
                f"updated_at = %s FROM {self.table} AS s "
                f"WHERE NOT s.known AND {target}.{key} = s.{key} "
                f"AND {target}.row_digest <> s.row_digest",
                [now],
            )
            updated = cursor.rowcount
            # Same values written differently (case, spaces): remember the new line, so that
            # the next import skips it, without calling it a change.
            cursor.execute(
                f"UPDATE {target} SET line_digest = s.line_digest "  # noqa: S608
                f"FROM {self.table} AS s "
                f"WHERE NOT s.known AND {target}.{key} = s.{key} "
                f"AND {target}.row_digest = s.row_digest "
                f"AND {target}.line_digest <> s.line_digest"
            )
            cursor.execute(
                f"INSERT INTO {target} ({self.columns}, line_digest, created_at, updated_at) "  # noqa: S608
                f"SELECT {selected}, s.line_digest, %s, %s FROM {self.table} AS s "
                f"WHERE NOT s.known "
                f"AND NOT EXISTS (SELECT 1 FROM {target} AS t WHERE t.{key} = s.{key})",
                [now, now],
            )
            created = cursor.rowcount
        return created, updated

    def drop(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {self.table}")


def _first(pair):
    return pair[0]


def _fetch_all(cursor):
    while True:
        batch = cursor.fetchmany(_FETCH_SIZE)
        if not batch:
            return
        yield from batch
