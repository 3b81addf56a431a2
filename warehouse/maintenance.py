"""Keeping the DuckDB file small: drop raw HTML past its retention, then checkpoint.

Raw HTML is kept only so text can be re-extracted later; after `raw_html_retention_days` it
is the bulk of the file and worth nothing, so it goes while the extracted text stays.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb

from storywatch.warehouse.db import open_warehouse, transaction


@dataclass(frozen=True)
class MaintenanceSummary:
    retention_days: int
    pages_pruned: int
    bytes_freed_estimate: int  # compressed raw HTML dropped; the space is reused, see checkpoint()
    file_bytes_before: int     # the database file plus its write-ahead log
    file_bytes_after: int
    free_bytes_after: int      # free blocks inside the file that new writes fill first

    def rows(self) -> list[tuple[str, str]]:
        """(what, value) rows: one source for the Prefect artifact and the CLI table."""
        return [
            ("raw HTML retention", f"{self.retention_days} days"),
            ("pages pruned", str(self.pages_pruned)),
            ("raw HTML freed (estimate)", _size(self.bytes_freed_estimate)),
            ("file before", _size(self.file_bytes_before)),
            ("file after", _size(self.file_bytes_after)),
            ("free inside file", _size(self.free_bytes_after)),
        ]


def prune_raw_html(con: duckdb.DuckDBPyConnection, fetched_before: datetime) -> tuple[int, int]:
    """Drop the raw HTML of pages fetched before the cutoff; (pages, compressed bytes) dropped."""
    pages, freed = con.execute(
        "SELECT count(*), coalesce(sum(octet_length(raw_html_z)), 0) FROM internal.pages "
        "WHERE fetched_at < ? AND raw_html_z IS NOT NULL",
        [fetched_before],
    ).fetchone()
    con.execute(
        "UPDATE internal.pages SET raw_html_z = NULL WHERE fetched_at < ? AND raw_html_z IS NOT NULL",
        [fetched_before],
    )
    return int(pages), int(freed)


def checkpoint(con: duckdb.DuckDBPyConnection) -> int:
    """Write the WAL into the file and release the blocks of dropped data; bytes now free inside it.

    In DuckDB 2.0 CHECKPOINT is what reclaims space after deletes and updates: freed blocks are
    reused by later writes, but the file itself rarely shrinks. VACUUM does not reclaim space (it
    only refreshes statistics); shrinking the file takes a copy (`COPY FROM DATABASE` into a new file).
    """
    con.execute("CHECKPOINT")
    block_size, free_blocks = con.execute("SELECT block_size, free_blocks FROM pragma_database_size()").fetchone()
    return int(block_size) * int(free_blocks)


def maintain(database: Path, retention_days: int, *, now: datetime | None = None) -> MaintenanceSummary:
    """Prune raw HTML older than `retention_days`, then checkpoint, in one short write window."""
    cutoff = (now or datetime.now(UTC)) - timedelta(days=retention_days)
    before = file_bytes(database)
    with open_warehouse(database) as con:
        with transaction(con):
            pages, freed = prune_raw_html(con, cutoff)
        free_after = checkpoint(con)
    return MaintenanceSummary(retention_days, pages, freed, before, file_bytes(database), free_after)


def file_bytes(database: Path) -> int:
    """Size on disk of the database and its write-ahead log (0 for a file not created yet)."""
    return sum(path.stat().st_size for path in (database, database.with_name(database.name + ".wal"))
               if path.exists())


def _size(count: int) -> str:
    for unit in ("B", "KiB", "MiB"):
        if count < 1024:
            return f"{count:.0f} {unit}" if unit == "B" else f"{count:.1f} {unit}"
        count /= 1024
    return f"{count:.1f} GiB"
