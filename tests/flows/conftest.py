"""The real Prefect API for flow tests: one temporary server for the whole session (it takes ~20 s)."""

from __future__ import annotations

import os

import pytest


@pytest.fixture(scope="session")
def prefect_api():
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield
