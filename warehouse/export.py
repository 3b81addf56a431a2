"""A Parquet snapshot of the analyst views, so analysis never holds the pipeline's file lock.

Each view is written next to its destination first and swapped in whole: a re-export replaces
the previous snapshot (no stale day partitions, no duplicated rows), and a failed one leaves it as it was.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb

from storywatch.warehouse.db import path_literal

# view -> the timestamp column its day partitions come from (None: one file)
EXPORTED_VIEWS: dict[str, str | None] = {
    "articles": "fetched_at",
    "storyline_articles": None,
    "developments": None,
    "alerts": None,
    "feed_fetches": "fetched_at",
}


@dataclass(frozen=True)
class ExportedView:
    view: str
    rows: int
    path: Path        # a .parquet file, or a directory of day=YYYY-MM-DD/ partitions
    partitions: int   # day directories; 0 for a single file


@dataclass(frozen=True)
class ExportSummary:
    out_dir: Path
    views: tuple[ExportedView, ...]


def export_parquet(con: duckdb.DuckDBPyConnection, out_dir: Path) -> ExportSummary:
    """Write every analyst view to `out_dir` as Parquet; re-running replaces the previous export."""
    out_dir.mkdir(parents=True, exist_ok=True)
    return ExportSummary(out_dir, tuple(_export_view(con, view, column, out_dir)
                                        for view, column in EXPORTED_VIEWS.items()))


def _export_view(con: duckdb.DuckDBPyConnection, view: str, day_column: str | None, out_dir: Path) -> ExportedView:
    rows = con.execute(f"SELECT count(*) FROM {view}").fetchone()[0]
    if day_column is None:
        target = out_dir / f"{view}.parquet"
        staging = out_dir / f".{view}.parquet.partial"
        con.execute(f"COPY (SELECT * FROM {view}) TO {path_literal(staging)} (FORMAT parquet)")
        staging.replace(target)
        return ExportedView(view, rows, target, 0)
    target = out_dir / view
    staging = out_dir / f".{view}.partial"
    shutil.rmtree(staging, ignore_errors=True)  # left by an export that was killed
    # The connection's time zone is UTC (warehouse.db), so a day is a UTC day.
    con.execute(
        f"COPY (SELECT *, CAST({day_column} AS DATE) AS day FROM {view}) TO {path_literal(staging)} "
        "(FORMAT parquet, PARTITION_BY (day))"
    )
    staging.mkdir(exist_ok=True)  # an empty view writes no directory; analysts still find one
    shutil.rmtree(target, ignore_errors=True)
    staging.rename(target)
    return ExportedView(view, rows, target, sum(1 for _ in target.glob("day=*")))
