"""Prefect's settings for storywatch are set in one place, and an operator's own value wins."""

from __future__ import annotations

import os

from storywatch.flows import PREFECT_DEFAULTS, QUIET, use_prefect_defaults


def test_defaults_fill_only_what_the_operator_left_unset(monkeypatch):
    for name in {**PREFECT_DEFAULTS, **QUIET}:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "300")
    use_prefect_defaults(quiet=True)
    assert os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] == "false"
    assert os.environ["PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"] == "300"
    assert os.environ["PREFECT_LOGGING_LEVEL"] == "WARNING"
