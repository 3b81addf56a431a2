"""`storywatch demo`: the offline, self-contained tour of the product."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from storywatch.cli.app import app, console, user_errors


@app.command()
@user_errors
def demo(
    data_dir: Annotated[
        Path, typer.Option("--data-dir", help="Where the demo writes its config, database and alerts (reset each run).")
    ] = Path("data/demo"),
) -> None:
    """Start a sample news site on loopback, run a pass after each of its three waves, print alerts and timelines."""
    from storywatch.demo.runner import run_demo  # Prefect's settings are set before it is imported

    run_demo(data_dir, console)
