"""The `storywatch` command: thin typer commands that load config, call a flow or a query, print with rich.

Each command group lives in its own module and registers itself on `app`.
"""

from storywatch.cli.app import app, main
from storywatch.cli import alerts, demo, feeds, maintenance, pipeline, storylines, web  # noqa: F401  (registers the commands)

__all__ = ["app", "main"]
