"""`storywatch maintain` and `storywatch export`: keeping the file small and handing analysts a snapshot."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from storywatch.cli.app import ConfigOption, app, console, flow_settings, settings_from, user_errors
from storywatch.warehouse.db import open_warehouse
from storywatch.warehouse.export import export_parquet

ParquetOption = Annotated[
    Path,
    typer.Option("--parquet", help="Directory for the Parquet snapshot (replaced on each export).",
                 file_okay=False, dir_okay=True),
]


@app.command()
@user_errors
def maintain(config: ConfigOption = None) -> None:
    """Drop raw HTML past maintenance.raw_html_retention_days and checkpoint, as a Prefect flow run."""
    _, config_path = flow_settings(config)
    from storywatch.flows.maintenance import maintain as maintain_flow

    summary = maintain_flow(config_path=config_path)
    table = Table(title="maintenance", show_header=False)
    for what, value in summary.rows():
        table.add_row(what, value)
    console.print(table)


@app.command()
@user_errors
def export(parquet: ParquetOption, config: ConfigOption = None) -> None:
    """Write the analyst views as Parquet (articles and feed_fetches partitioned by day)."""
    settings = settings_from(config)
    # Read-only still blocks the pipeline's writes while open, so the window is just the copy.
    with open_warehouse(settings.database, read_only=True) as con, console.status(
        f"exporting {settings.database} to {parquet} ..."
    ):
        summary = export_parquet(con, parquet)
    table = Table(title=f"Parquet snapshot in {summary.out_dir}")
    for column in ("view", "rows", "path", "day partitions"):
        table.add_column(column)
    for view in summary.views:
        table.add_row(view.view, str(view.rows), str(view.path), str(view.partitions) if view.partitions else "")
    console.print(table)
