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
from pathlib import Path

import duckdb

from storywatch.warehouse.db import open_warehouse, path_literal

_ALIAS = "analyst_copy"


def analyst_copy_path(database: Path) -> Path:
    """Where the copy of `database` is published: `data/storywatch.duckdb` -> `data/storywatch.analyst.duckdb`."""
    return database.with_name(f"{database.stem}.analyst{database.suffix or '.duckdb'}")


def publish_analyst_copy(con: duckdb.DuckDBPyConnection, database: Path) -> Path:
    """Copy every table and view of `database` (open as `con`, the writer) to its analyst copy.

    Call it inside the pipeline's write window, after the pass's writes are committed: the copy
    reads through the same connection, so it needs no second lock on the live file.
    """
    published = analyst_copy_path(database)
    partial = published.with_name(f".{published.name}.partial")
    _remove(partial)  # left by a publish that was killed
    con.execute(f"ATTACH {path_literal(partial)} AS {_ALIAS}")
    try:
        source = con.execute("SELECT current_database()").fetchone()[0].replace('"', '""')
        con.execute(f'COPY FROM DATABASE "{source}" TO {_ALIAS}')
    except BaseException:
        con.execute(f"DETACH {_ALIAS}")
        _remove(partial)
        raise
    con.execute(f"DETACH {_ALIAS}")  # checkpoints: the partial file is complete, with no WAL beside it
    os.replace(partial, published)
    return published


def refresh_analyst_copy(database: Path) -> Path:
    """Publish the copy in a write window of its own, for writers that have closed theirs."""
    with open_warehouse(database) as con:
        return publish_analyst_copy(con, database)


def _remove(path: Path) -> None:
    for leftover in (path, path.with_name(path.name + ".wal")):
        leftover.unlink(missing_ok=True)
