"""No password or token from a notify URL reaches the database, the logs, the report or the terminal."""

from __future__ import annotations

import logging
from datetime import timedelta

import duckdb

from storywatch.alerts import deliver_pending, enqueue_feed_health_alerts
from storywatch.config import AlertSettings, NotifyTarget
from storywatch.warehouse.db import open_warehouse, transaction

from .conftest import SMTP_PASSWORD

JSON_TOKEN = "S3cr3t-json-Tok"
SLACK_TOKEN = "C0slacksecretXYZ"
BROKEN_TOKEN = "Pw-invalid-9876"
SECRETS = (JSON_TOKEN, SMTP_PASSWORD, SLACK_TOKEN, BROKEN_TOKEN)


def every_text_value(path) -> str:
    """All text in every table of the file, read through SQL (the file's pages may be compressed)."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        columns = con.execute(
            "SELECT table_schema, table_name, column_name FROM information_schema.columns"
            " WHERE data_type IN ('VARCHAR', 'JSON', 'VARCHAR[]', 'BLOB')"
            " AND table_name IN (SELECT table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE')"
        ).fetchall()
        return "\n".join(
            str(value)
            for schema, table, column in columns
            for (value,) in con.execute(f'SELECT "{column}" FROM "{schema}"."{table}"').fetchall()
        )
    finally:
        con.close()


def test_secrets_stay_out_of_everything_a_run_writes(newsroom, receiver, smtp, slack, now, caplog, capfd) -> None:
    caplog.set_level(logging.DEBUG)
    targets = [
        NotifyTarget(url=receiver.json_url(credentials=f"ops:{JSON_TOKEN}@"), feed_health=True),
        NotifyTarget(url=f"json://ops:{JSON_TOKEN}@127.0.0.1:1/unreachable"),
        NotifyTarget(url=smtp.url(credentials=f"bob:{SMTP_PASSWORD}@")),
        NotifyTarget(url=f"slack://T0AAAA/B0BBBB/{SLACK_TOKEN}/#news"),
        NotifyTarget(url=f"nosuchservice://admin:{BROKEN_TOKEN}@host/path"),
    ]
    newsroom.enqueue([newsroom.develop("d1")], targets)
    with open_warehouse(newsroom.path) as con, transaction(con):
        con.execute("INSERT INTO internal.feed_state (feed, url, consecutive_failures, last_error)"
                    " VALUES ('wire', 'https://wire.example/rss', 5, 'HTTP 503')")
        enqueue_feed_health_alerts(con, targets, AlertSettings(), now=now)
    first = deliver_pending(newsroom.path, targets, AlertSettings(), now=now)
    second = deliver_pending(newsroom.path, targets, AlertSettings(), now=now + timedelta(hours=1))

    assert (first.sent, first.retried) == (4, 2)  # json (development + feed), email, Slack; two down
    assert len(smtp.messages) == 1 and len(slack.received) == 3
    written = "\n".join([
        newsroom.path.read_bytes().decode("latin-1"),
        every_text_value(newsroom.path),
        caplog.text,
        *capfd.readouterr(),
        *first.lines,
        *second.lines,
    ])
    assert "Connection error" in written and "nosuchservice://(invalid URL)" in written  # reasons are kept
    for secret in SECRETS:
        assert secret not in written
