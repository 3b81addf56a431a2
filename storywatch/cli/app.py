"""The typer application and what every command shares: the config option and error reporting."""

from __future__ import annotations

from functools import wraps
from pathlib import Path
from typing import Annotated, Callable, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from storywatch.cli.lifetime import die_with_this_process, end_without_teardown
from storywatch.config import Settings, load_settings, resolve_config_path
from storywatch.errors import StorywatchError
from storywatch.flows import use_prefect_defaults
from storywatch.warehouse.db import open_warehouse

app = typer.Typer(
    name="storywatch",
    help="Follow news storylines and get alerted on their new developments.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
console = Console()
errors = Console(stderr=True)

ConfigOption = Annotated[
    Path | None,
    typer.Option("--config", "-c", help="Config file (default: $STORYWATCH_CONFIG, else ./storywatch.yaml)."),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts instead of a table.")]

F = TypeVar("F", bound=Callable)


def user_errors(command: F) -> F:
    """Turn errors a user can fix into one red line and exit status 2."""

    @wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except StorywatchError as error:
            errors.print(f"[red]error:[/red] {shown(error)}", markup=True, highlight=False, soft_wrap=True)
            raise typer.Exit(2) from None

    return wrapper  # type: ignore[return-value]


def shown(text: object) -> str:
    """Text from feeds, pages or errors, escaped for rich: `[/yellow]` in a URL prints as written."""
    return escape(str(text))


def settings_from(config: Path | None) -> Settings:
    return load_settings(config)


def flow_settings(config: Path | None) -> tuple[Settings, str]:
    """Settings plus the absolute config path a flow run takes, after checking the database.

    Opening (and migrating) the database here fails fast with a one-line error, before
    Prefect spends seconds starting its server.
    """
    settings = load_settings(config)
    with open_warehouse(settings.database):
        pass
    return settings, str(resolve_config_path(config).resolve())


def main() -> None:
    ending = end_without_teardown()  # first: its exit handler must run after every other
    use_prefect_defaults()
    die_with_this_process()
    try:
        app()
    except (SystemExit, KeyboardInterrupt) as done:
        ending.record(done)
        raise
