"""The Prefect flows, and the Prefect settings storywatch runs with.

Prefect reads its settings once, when it is first imported, so every entry point (the CLI,
the demo, the bench and the test suite) applies these before importing a flow module.
"""

from __future__ import annotations

import os
from contextlib import AbstractContextManager, nullcontext

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


def pass_heartbeats() -> AbstractContextManager[object]:
    """Prefect's heartbeats for a pass run from the command line: off, unless the operator set them.

    Prefect sends a flow run's heartbeats from a thread that sleeps in one-second steps and joins
    it when the run ends, so they cost every pass about a second (half of an idle pass against a
    server). They serve only a zombie-detection automation on a long-lived server, which an
    operator sets up on purpose: one who does sets PREFECT_FLOWS_HEARTBEAT_FREQUENCY (in the
    environment or a Prefect profile), and then Prefect's setting stands.
    """
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, get_current_settings, temporary_settings

    chosen = get_current_settings().to_environment_variables(exclude_unset=True)
    if PREFECT_FLOWS_HEARTBEAT_FREQUENCY.name in chosen:
        return nullcontext()
    return temporary_settings({PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None})
