"""The analyst copy: a DuckDB file beside the database, republished after every pass that writes.

DuckDB lets one process hold a file, and even a read-only session blocks the writer, so analysts
(and the web pages) never open the pipeline's file. They open this copy, which has the same views
over the same tables. It is written under a temporary name and renamed over the previous copy in
one step: a session already open keeps reading the copy it opened (its file stays alive until it
closes), the next session sees the latest pass, and nobody ever sees a half-written copy.
One catch: within one process DuckDB hands a new connection the database a still-open one
has, so a reader sees the latest pass only after closing every connection to the old copy.
"""

from __future__ import annotations

import os
import time
from datetime import timedelta
from pathlib import Path

import duckdb

from storywatch.warehouse.db import open_warehouse, path_literal

_ALIAS = "analyst_copy"
# The pipeline's working tables: raw HTML kept for re-extraction, the links already fetched,
# dedupe's MinHash signatures and band keys, and tracking's term and development statistics.
# No documented view reads them, and they are most of the file (raw HTML alone is about 80 %;
# 32 band rows an article), so the copy holds them empty: publishing costs what the views read.
WORKING_TABLES = frozenset({
    "pages", "links", "fingerprints", "fingerprint_bands",
    "counted_articles", "term_stats", "corpus_stats", "development_profiles",
})

# An idle pass (nothing stored, tracked, delivered or failing) leaves the copy as it is unless it
# is this old: what it would add is its own polls, so feed health in the copy, and on the web
# pages that read it, is never more than this behind.
STALE_AFTER = timedelta(hours=1)


def analyst_copy_path(database: Path) -> Path:
    """Where the copy of `database` is published: `data/storywatch.duckdb` -> `data/storywatch.analyst.duckdb`."""
    return database.with_name(f"{database.stem}.analyst{database.suffix or '.duckdb'}")


def publish_analyst_copy(con: duckdb.DuckDBPyConnection, database: Path) -> Path:
    """Copy the views of `database` (open as `con`, the writer) and the tables they read to its analyst copy.

    Every table is in the copy, so any query that runs on the live file runs on the copy; the
    working tables are there empty.

    Call it inside the pipeline's write window, after the pass's writes are committed: the copy
    reads through the same connection, so it needs no second lock on the live file.
    """
    published = analyst_copy_path(database)
    partial = published.with_name(f".{published.name}.partial")
    _remove(partial)  # left by a publish that was killed
    con.execute(f"ATTACH {path_literal(partial)} AS {_ALIAS}")
    try:
        source = con.execute("SELECT current_database()").fetchone()[0]
        quoted = source.replace('"', '""')
        con.execute(f'COPY FROM DATABASE "{quoted}" TO {_ALIAS} (SCHEMA)')
        for schema, table in con.execute(
            "SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = ?", [source]
        ).fetchall():
            if not (schema == "internal" and table in WORKING_TABLES):
                name = f'"{schema}"."{table}"'
                con.execute(f'INSERT INTO {_ALIAS}.{name} SELECT * FROM "{quoted}".{name}')
    except BaseException:
        con.execute(f"DETACH {_ALIAS}")
        _remove(partial)
        raise
    con.execute(f"DETACH {_ALIAS}")  # checkpoints: the partial file is complete, with no WAL beside it
    os.replace(partial, published)
    return published


def copy_is_stale(database: Path) -> bool:
    """Whether the analyst copy is missing or older than STALE_AFTER."""
    try:
        published = analyst_copy_path(database).stat().st_mtime
    except FileNotFoundError:
        return True
    return time.time() - published > STALE_AFTER.total_seconds()


def refresh_analyst_copy(database: Path) -> Path:
    """Publish the copy in a write window of its own, for writers that have closed theirs."""
    with open_warehouse(database) as con:
        return publish_analyst_copy(con, database)


def _remove(path: Path) -> None:
    for leftover in (path, path.with_name(path.name + ".wal")):
        leftover.unlink(missing_ok=True)
