"""Queueing alerts in the outbox, inside the caller's transaction.

Development alerts are written in the same transaction that opens the development, so
a development exists with its alerts or not at all; ids are derived from (development,
target), so a re-run queues nothing new.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

import duckdb

from storywatch.alerts import queue
from storywatch.alerts.outbox import (
    NewAlert,
    development_alert_id,
    feed_health_alert_id,
    feed_health_changes,
)
from storywatch.alerts.targets import endpoints
from storywatch.config import AlertSettings, NotifyTarget
from storywatch.storylines.model import Development


def enqueue_development_alerts(
    con: duckdb.DuckDBPyConnection,
    developments: Sequence[Development],
    targets: Sequence[NotifyTarget],
    *,
    now: datetime,
    storyline_titles: Mapping[str, str] | None = None,
) -> int:
    """One pending alert per (new development, subscribed target). Returns alerts written."""
    titles = storyline_titles or {}
    alerts = [
        NewAlert(
            alert_id=development_alert_id(development.development_id, endpoint.key),
            kind="development",
            target=endpoint.redacted,
            target_key=endpoint.key,
            created_at=now,
            facts={"storyline_title": titles.get(development.storyline_id, development.storyline_id)},
            development_id=development.development_id,
            storyline_id=development.storyline_id,
        )
        for endpoint in endpoints(targets, queue.hmac_key(con))
        for development in developments
        if endpoint.subscribes_to(development.storyline_id)
    ]
    return queue.insert_alerts(con, alerts)


def enqueue_feed_health_alerts(
    con: duckdb.DuckDBPyConnection,
    targets: Sequence[NotifyTarget],
    settings: AlertSettings,
    *,
    now: datetime,
) -> int:
    """Record feeds that crossed the failure threshold or recovered; alert the operator targets once each."""
    changes = feed_health_changes(queue.feed_conditions(con), queue.feed_health(con), settings.feed_failure_threshold)
    queue.save_feed_health(con, changes, now)
    operators = endpoints([target for target in targets if target.feed_health], queue.hmac_key(con))
    alerts = [
        NewAlert(
            alert_id=feed_health_alert_id(change, endpoint.key),
            kind="feed_health",
            target=endpoint.redacted,
            target_key=endpoint.key,
            created_at=now,
            facts={
                "feed": change.feed,
                "url": change.url,
                "failing": change.failing,
                "consecutive_failures": change.consecutive_failures,
                "last_error": change.last_error,
            },
        )
        for endpoint in operators
        for change in changes
    ]
    return queue.insert_alerts(con, alerts)
