"""Opening the DuckDB file: the one connection helper, the lock policy, migrations and batch writes.

DuckDB allows one process per file (even a read-only session blocks the writer), so the
pipeline holds the file only in short write windows and retries a held lock for a
bounded time before failing with a message that says who holds it.

Every batch goes in as one statement (`insert_all`, or `unnested` for an UPDATE ... FROM):
rows are dicts keyed by column name, typed by the table's own columns, so each table's
columns are declared once, in its migration. DuckDB's `executemany` costs 1-3 ms a row,
which made storage the slowest stage of a pass.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from importlib import resources
from pathlib import Path

import duckdb

from storywatch.errors import DatabaseBusy, DatabaseError

DEFAULT_LOCK_WAIT_SECONDS = 60.0
_MIGRATION_NAME = re.compile(r"^(\d{3})_[a-z0-9_]+\.sql$")
logger = logging.getLogger(__name__)
# Every database this process writes is migrated to the bundled schema first, so a table's
# column types are read from the catalog once per process (a catalog read costs about 1 ms).
_COLUMN_TYPES: dict[str, dict[str, str]] = {}

Row = Mapping[str, object]


def connect(
    path: Path,
    *,
    read_only: bool = False,
    lock_wait_seconds: float = DEFAULT_LOCK_WAIT_SECONDS,
) -> duckdb.DuckDBPyConnection:
    """Open (creating if needed) and migrate the database; wait out a held lock up to a bound."""
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    elif not path.exists():
        raise DatabaseError(f"database {path} does not exist yet (run `storywatch run` first)")
    deadline = time.monotonic() + lock_wait_seconds
    delay = 0.05
    waiting = False
    while True:
        try:
            con = duckdb.connect(str(path), read_only=read_only)
            break
        except duckdb.IOException as error:
            if "lock" not in str(error).lower():
                raise DatabaseError(f"database {path} cannot be opened: {_first_line(error)}") from None
            holder = re.search(r"PID (\d+)", str(error))
            who = f" by process {holder.group(1)}" if holder else ""
            if time.monotonic() + delay > deadline:
                raise DatabaseBusy(
                    f"database {path} is locked{who} for more than {lock_wait_seconds:.0f} s; "
                    "close other sessions on it (analysts: open the analyst copy beside it, see README)"
                ) from None
            if not waiting:  # said once, so an operator sees who holds the pipeline up
                logger.warning("database %s is locked%s; waiting up to %.0f s", path, who, lock_wait_seconds)
                waiting = True
            time.sleep(delay)
            delay = min(delay * 2, 1.0)
        except duckdb.Error as error:
            raise DatabaseError(f"database {path} cannot be opened: {_first_line(error)}") from None
    con.execute("SET TimeZone = 'UTC'")
    if not read_only:
        # Checkpoint compression dominates bulk-write time in DuckDB 2.0; zstd is ~4x faster.
        con.execute("SET force_compression = 'zstd'")
        migrate(con)
    return con


@contextmanager
def open_warehouse(path: Path, **options) -> Iterator[duckdb.DuckDBPyConnection]:
    """A short write window: connect, yield, always close (releasing the file lock)."""
    con = connect(path, **options)
    try:
        yield con
    finally:
        con.close()


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    con.execute("BEGIN TRANSACTION")
    try:
        yield con
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


def migrations() -> list[tuple[int, str, str]]:
    """(version, file name, SQL) of every bundled migration, in order."""
    found = []
    for entry in resources.files("storywatch.warehouse").joinpath("migrations").iterdir():
        match = _MIGRATION_NAME.match(entry.name)
        if match:
            found.append((int(match.group(1)), entry.name, entry.read_text(encoding="utf-8")))
    return sorted(found)


def migrate(con: duckdb.DuckDBPyConnection) -> int:
    """Apply the migrations this file has not seen, each in its own transaction."""
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations "
        "(version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMPTZ DEFAULT now())"
    )
    applied = {row[0] for row in con.execute("SELECT version FROM schema_migrations").fetchall()}
    newest = max(applied, default=0)
    bundled = migrations()
    if bundled and newest > bundled[-1][0]:
        raise DatabaseError(
            f"database schema version {newest} is newer than this storywatch "
            f"(knows up to {bundled[-1][0]}); upgrade storywatch"
        )
    for version, name, sql in bundled:
        if version in applied:
            continue
        with transaction(con):
            con.execute(sql)
            con.execute("INSERT INTO schema_migrations (version, name) VALUES (?, ?)", [version, name])
    return max((v for v, _, _ in bundled), default=0)


def path_literal(path: Path) -> str:
    """A path as a quoted SQL string, for the statements that take no parameters (ATTACH, COPY ... TO)."""
    return "'" + str(path).replace("'", "''") + "'"


def _first_line(error: BaseException) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__


def unnested(con: duckdb.DuckDBPyConnection, table: str, rows: Sequence[Row]) -> tuple[str, list[list]]:
    """The rows as `SELECT unnest(?::type[]) AS column, ...` with its parameters, one list per column.

    Every row names the same columns (those of the first); their types are `table`'s.
    """
    types = _column_types(con, table)
    columns = list(rows[0])
    select = ", ".join(f"unnest(?::{types[column]}[]) AS {column}" for column in columns)
    return f"SELECT {select}", [[row[column] for row in rows] for column in columns]


def insert_all(
    con: duckdb.DuckDBPyConnection,
    table: str,
    rows: Sequence[Row],
    *,
    replace: bool = False,
    on_conflict: str = "",
) -> int:
    """Insert the rows in one statement; returns how many were written (inserted or upserted).

    `replace` replaces a row with the same key; `on_conflict` is an `ON CONFLICT ...` clause
    (`excluded.column` is the new row, `name.column` the stored one, `name` unqualified).
    """
    if not rows:
        return 0
    select, parameters = unnested(con, table, rows)
    verb = "INSERT OR REPLACE" if replace else "INSERT"
    (written,) = con.execute(
        f"{verb} INTO {table} ({', '.join(rows[0])}) {select} {on_conflict}", parameters
    ).fetchone()
    return written


def _column_types(con: duckdb.DuckDBPyConnection, table: str) -> dict[str, str]:
    if table not in _COLUMN_TYPES:
        relation = con.table(table)
        _COLUMN_TYPES[table] = {name: str(sql_type) for name, sql_type in zip(relation.columns, relation.dtypes)}
    return _COLUMN_TYPES[table]
