"""Prefect's settings for storywatch are set in one place, and an operator's own value wins."""

from __future__ import annotations

import os

from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, get_current_settings, temporary_settings

from storywatch.flows import PREFECT_DEFAULTS, QUIET, pass_heartbeats, use_prefect_defaults


def test_defaults_fill_only_what_the_operator_left_unset(monkeypatch):
    for name in {**PREFECT_DEFAULTS, **QUIET}:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "300")
    use_prefect_defaults(quiet=True)
    assert os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] == "false"
    assert os.environ["PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"] == "300"
    assert os.environ["PREFECT_LOGGING_LEVEL"] == "WARNING"


def test_a_pass_sends_no_heartbeats_unless_the_operator_set_their_frequency():
    with pass_heartbeats():
        assert get_current_settings().flows.heartbeat_frequency is None
    with temporary_settings({PREFECT_FLOWS_HEARTBEAT_FREQUENCY: 60}), pass_heartbeats():
        assert get_current_settings().flows.heartbeat_frequency == 60
