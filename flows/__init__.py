"""The Prefect flows, and the Prefect settings storywatch runs with.

Prefect reads its settings once, when it is first imported, so every entry point (the CLI,
the demo, the bench and the test suite) applies these before importing a flow module.
"""

from __future__ import annotations

import os

PREFECT_DEFAULTS = {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",  # offline: Prefect phones home and waits for it unless told not to
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",  # a 2-core box needs 20-30 s
}
QUIET = {"PREFECT_LOGGING_LEVEL": "WARNING"}  # the demo's and the bench's own tables tell the story; errors still show


def prefect_environment(*, quiet: bool = False) -> dict[str, str]:
    """The settings storywatch gives Prefect (those of `quiet` too), for a process to be started."""
    return {**PREFECT_DEFAULTS, **(QUIET if quiet else {})}


def use_prefect_defaults(*, quiet: bool = False) -> None:
    """Apply them to this process; a variable already set wins (an operator's choice)."""
    for name, value in prefect_environment(quiet=quiet).items():
        os.environ.setdefault(name, value)
