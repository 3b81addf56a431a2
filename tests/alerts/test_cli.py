"""`storywatch alerts` lists what waits or failed; `storywatch alerts resend` queues and delivers again."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from storywatch.alerts import deliver_pending
from storywatch.cli import app
from storywatch.config import load_settings


def test_list_failed_alerts_and_resend_them(newsroom, receiver, now, tmp_path) -> None:
    config = tmp_path / "storywatch.yaml"
    config.write_text(
        f"database: {newsroom.path}\n"
        "feeds:\n  - name: Example Wire\n    url: https://wire.example/rss\n"
        f"notify:\n  - url: {receiver.json_url()}\n"
        "alerts:\n  max_attempts: 1\n"
    )
    settings = load_settings(config)
    newsroom.enqueue([newsroom.develop("d1")], settings.notify)
    receiver.failures_left = 1
    deliver_pending(newsroom.path, settings.notify, settings.alerts, now=now)
    runner = CliRunner()

    listed = runner.invoke(app, ["alerts", "--json", "-c", str(config)])
    assert listed.exit_code == 0, listed.output
    (row,) = json.loads(listed.output)
    assert (row["status"], row["kind"], row["subject"], row["attempts"]) == ("failed", "development", "d1", 1)
    assert "503" in row["last_error"]

    assert runner.invoke(app, ["alerts", "resend", "-c", str(config)]).exit_code == 2  # ids or --failed
    resent = runner.invoke(app, ["alerts", "resend", "--failed", "-c", str(config)])
    assert resent.exit_code == 0, resent.output
    assert "queued 1 again; 1 sent" in resent.output
    assert len(receiver.received) == 2
    assert json.loads(runner.invoke(app, ["alerts", "--json", "-c", str(config)]).output) == []
    assert "No pending or failed alerts" in runner.invoke(app, ["alerts", "-c", str(config)]).output
