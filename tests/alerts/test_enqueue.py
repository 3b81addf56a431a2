"""Queueing: one row per (development, subscribed target), in the caller's transaction, idempotent."""

from __future__ import annotations

from datetime import timedelta

import pytest

from storywatch.alerts import enqueue_development_alerts, enqueue_feed_health_alerts
from storywatch.config import AlertSettings, NotifyTarget
from storywatch.warehouse.db import open_warehouse, transaction


def test_one_alert_per_development_and_target_and_none_on_rerun(newsroom) -> None:
    first = newsroom.develop("d1", articles=[("Reuters", "reuters.com", None), ("AP", "apnews.com", None)])
    second = newsroom.develop("d2", headline="Moscow confirms the recall")
    targets = [NotifyTarget(url="json://127.0.0.1:9/a"), NotifyTarget(url="json://127.0.0.1:9/b")]
    assert newsroom.enqueue([first, second], targets) == 4
    assert newsroom.enqueue([first, second], targets) == 0
    rows = newsroom.alerts()
    assert sorted((r["development_id"], r["target"]) for r in rows) == [
        ("d1", "json://127.0.0.1:9/a"), ("d1", "json://127.0.0.1:9/b"),
        ("d2", "json://127.0.0.1:9/a"), ("d2", "json://127.0.0.1:9/b"),
    ]
    assert {(r["status"], r["attempts"], r["sent_at"], r["kind"]) for r in rows} == {("pending", 0, None, "development")}


def test_a_target_only_gets_the_storylines_it_lists(newsroom) -> None:
    tracked = newsroom.develop("d1")
    other = newsroom.develop("d2", storyline_id="grain-deal", headline="Grain deal extended")
    targets = [NotifyTarget(url="json://127.0.0.1:9/a", storylines=["grain-deal"]), NotifyTarget(url="json://127.0.0.1:9/b")]
    newsroom.enqueue([tracked, other], targets)
    assert sorted((r["development_id"], r["target"][-1]) for r in newsroom.alerts()) == [("d1", "b"), ("d2", "a"), ("d2", "b")]


def test_alerts_roll_back_with_the_transaction_that_opens_the_development(newsroom, now) -> None:
    development = newsroom.develop("d1")
    with pytest.raises(RuntimeError), open_warehouse(newsroom.path) as con, transaction(con):
        enqueue_development_alerts(con, [development], [NotifyTarget(url="json://127.0.0.1:9/a")], now=now)
        raise RuntimeError("crash before commit")
    assert newsroom.alerts() == []


def set_failures(newsroom, failures: int) -> None:
    with open_warehouse(newsroom.path) as con:
        con.execute(
            "INSERT INTO internal.feed_state (feed, url, consecutive_failures, last_error) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (feed) DO UPDATE SET consecutive_failures = excluded.consecutive_failures,"
            " last_error = excluded.last_error",
            ["Example Wire", "https://wire.example/rss", failures, "HTTP 503" if failures else None],
        )


def test_feed_health_alerts_operator_targets_once_per_outage_and_recovery(newsroom, now) -> None:
    targets = [NotifyTarget(url="json://127.0.0.1:9/ops", feed_health=True), NotifyTarget(url="json://127.0.0.1:9/desk")]
    settings = AlertSettings(feed_failure_threshold=3)

    def check(failures: int, minutes: int) -> int:
        set_failures(newsroom, failures)
        with open_warehouse(newsroom.path) as con, transaction(con):
            return enqueue_feed_health_alerts(con, targets, settings, now=now + timedelta(minutes=minutes))

    assert [check(n, i) for i, n in enumerate([1, 2, 3, 4, 5, 0, 0, 3])] == [0, 0, 1, 0, 0, 1, 0, 1]
    rows = newsroom.alerts()
    assert {r["target"] for r in rows} == {"json://127.0.0.1:9/ops"}
    assert [(r["kind"], r["feed"], r["development_id"]) for r in rows] == [("feed_health", "Example Wire", None)] * 3
