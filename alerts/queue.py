"""The alert outbox's tables: every SQL statement alert queueing and delivery need, through
the warehouse's connection.

Functions take an open connection and never BEGIN or COMMIT: callers decide the
transaction (enqueueing joins the one that opens the development). They read and write
rows as values; what a message says and why an alert waits are decided in `outbox` and
`render`, and reach SQL only as parameters.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Collection, Sequence
from datetime import datetime

import duckdb

from storywatch.alerts.outbox import (
    INTERRUPTED_TWICE,
    UNKNOWN_TARGET,
    FeedCondition,
    FeedHealth,
    FeedHealthChange,
    Message,
    NewAlert,
    QueuedAlert,
    Retry,
)
from storywatch.alerts.render import AlertContent, ArticleLink
from storywatch.storylines.model import Development
from storywatch.warehouse.db import insert_all, unnested

Connection = duckdb.DuckDBPyConnection


def hmac_key(con: Connection) -> str:
    """This database's key for naming targets, created on first use."""
    row = con.execute("SELECT hmac_key FROM internal.alert_key WHERE id = 1").fetchone()
    if row:
        return row[0]
    key = secrets.token_hex(32)
    con.execute("INSERT INTO internal.alert_key (id, hmac_key) VALUES (1, ?)", [key])
    return key


def insert_alerts(con: Connection, alerts: Sequence[NewAlert]) -> int:
    """Write new pending rows; an alert id already present is left alone. Returns rows written."""
    rows = [
        {"alert_id": a.alert_id, "kind": a.kind, "development_id": a.development_id, "storyline_id": a.storyline_id,
         "target": a.target, "target_key": a.target_key, "facts": json.dumps(dict(a.facts)), "status": "pending",
         "attempts": 0, "created_at": a.created_at}
        for a in alerts
    ]
    return insert_all(con, "internal.alerts", rows, on_conflict="ON CONFLICT DO NOTHING")


def feed_conditions(con: Connection) -> list[FeedCondition]:
    rows = con.execute(
        "SELECT feed, url, consecutive_failures, last_error FROM internal.feed_state ORDER BY feed"
    ).fetchall()
    return [FeedCondition(*row) for row in rows]


def feed_health(con: Connection) -> dict[str, FeedHealth]:
    rows = con.execute("SELECT feed, failing, incident FROM internal.feed_health").fetchall()
    return {feed: FeedHealth(failing, incident) for feed, failing, incident in rows}


def save_feed_health(con: Connection, changes: Sequence[FeedHealthChange], now: datetime) -> None:
    insert_all(
        con,
        "internal.feed_health",
        [{"feed": c.feed, "failing": c.failing, "incident": c.incident, "changed_at": now} for c in changes],
        on_conflict="ON CONFLICT (feed) DO UPDATE SET failing = excluded.failing, incident = excluded.incident,"
        " changed_at = excluded.changed_at",
    )


def note_unknown_targets(con: Connection, target_keys: Collection[str]) -> int:
    """Pending alerts for targets no longer configured stay pending, with a reason a person can read."""
    return len(
        con.execute(
            "UPDATE internal.alerts SET last_error = ?"
            " WHERE status = 'pending' AND target_key NOT IN (SELECT unnest(?::VARCHAR[]))"
            " AND last_error IS DISTINCT FROM ? RETURNING alert_id",
            [UNKNOWN_TARGET, list(target_keys), UNKNOWN_TARGET],
        ).fetchall()
    )


def due_alerts(con: Connection, target_key: str, now: datetime) -> list[QueuedAlert]:
    """Pending alerts of a target whose next attempt is due (claimed ones included: the planner judges claims)."""
    rows = con.execute(
        "SELECT alert_id, created_at, attempts, coalesce(interrupted, 0), claimed_at, message_key"
        " FROM internal.alerts WHERE target_key = ? AND status = 'pending'"
        " AND (next_attempt_at IS NULL OR next_attempt_at <= ?) ORDER BY created_at, alert_id",
        [target_key, now],
    ).fetchall()
    return [QueuedAlert(*row) for row in rows]


def messages_since(con: Connection, target_key: str, sent_since: datetime, claimed_since: datetime) -> int:
    """Messages this target received since `sent_since`, plus those another deliverer is sending now."""
    return con.execute(
        "SELECT count(DISTINCT message_key) FROM internal.alerts WHERE target_key = ?"
        " AND ((status = 'sent' AND sent_at > ?) OR (status = 'pending' AND claimed_at > ?))",
        [target_key, sent_since, claimed_since],
    ).fetchone()[0]


def claim(con: Connection, messages: Sequence[Message], resent: Collection[str], now: datetime) -> None:
    """Mark messages as being sent by us (`claimed_at = now`); resent ones count an interruption."""
    claims = [{"alert_id": alert_id, "message_key": m.key} for m in messages for alert_id in m.alert_ids]
    if not claims:
        return
    claimed, parameters = unnested(con, "internal.alerts", claims)
    con.execute(
        "UPDATE internal.alerts AS al SET claimed_at = ?, message_key = c.message_key,"
        " interrupted = coalesce(al.interrupted, 0)"
        " + CASE WHEN al.alert_id IN (SELECT unnest(?::VARCHAR[])) THEN 1 ELSE 0 END"
        f" FROM ({claimed}) AS c WHERE al.alert_id = c.alert_id",
        [now, list(resent), *parameters],
    )


def abandon(con: Connection, alert_ids: Sequence[str]) -> None:
    con.execute(
        "UPDATE internal.alerts SET status = 'failed', claimed_at = NULL, interrupted = interrupted + 1,"
        " last_error = ? WHERE alert_id IN (SELECT unnest(?::VARCHAR[]))",
        [INTERRUPTED_TWICE, list(alert_ids)],
    )


def mark_sent(con: Connection, message: Message, claimed_at: datetime, now: datetime) -> int:
    """Sent, only where our claim still stands (a deliverer that outlived its lease changes nothing)."""
    return len(
        con.execute(
            "UPDATE internal.alerts SET status = 'sent', sent_at = ?, attempts = attempts + 1,"
            " claimed_at = NULL, last_error = NULL, next_attempt_at = NULL"
            " WHERE alert_id IN (SELECT unnest(?::VARCHAR[])) AND message_key = ? AND claimed_at = ?"
            " RETURNING alert_id",
            [now, list(message.alert_ids), message.key, claimed_at],
        ).fetchall()
    )


def mark_failed(con: Connection, message: Message, retries: Sequence[Retry], claimed_at: datetime) -> None:
    """Retry later or give up, only where our claim still stands (as `mark_sent`)."""
    if not retries:
        return
    outcomes, parameters = unnested(con, "internal.alerts", [
        {"alert_id": r.alert_id, "attempts": r.attempts, "next_attempt_at": r.next_attempt_at, "last_error": r.error}
        for r in retries
    ])
    con.execute(
        "UPDATE internal.alerts AS al SET status = CASE WHEN r.next_attempt_at IS NULL THEN 'failed' ELSE 'pending' END,"
        " attempts = r.attempts, next_attempt_at = r.next_attempt_at, last_error = r.last_error, claimed_at = NULL"
        f" FROM ({outcomes}) AS r WHERE al.alert_id = r.alert_id AND al.message_key = ? AND al.claimed_at = ?",
        [*parameters, message.key, claimed_at],
    )


def contents(con: Connection, alert_ids: Sequence[str]) -> list[AlertContent]:
    """What each alert's message is made of, read now (so a retry shows the corroboration gathered since)."""
    rows = con.execute(
        "SELECT al.alert_id, al.kind, al.facts, d.development_id, d.storyline_id, d.headline, d.first_article_id,"
        " d.first_seen_at, d.explanation, d.nearest_development_id, d.distance, coalesce(d.new_facts, [])"
        " FROM internal.alerts al LEFT JOIN internal.developments d USING (development_id)"
        " WHERE al.alert_id IN (SELECT unnest(?::VARCHAR[]))",
        [list(alert_ids)],
    ).fetchall()
    developments = {
        row[3]: Development(
            development_id=row[3], storyline_id=row[4], headline=row[5], first_article_id=row[6],
            first_seen_at=row[7], explanation=row[8], nearest_development_id=row[9], distance=row[10],
            new_facts=tuple(row[11]),
        )
        for row in rows
        if row[3] is not None
    }
    links = _articles(con, list(developments))
    return [
        AlertContent(
            alert_id=alert_id,
            kind=kind,
            facts=json.loads(facts_json) if facts_json else {},
            development=developments.get(development_id),
            articles=tuple(links.get(development_id, ())),
        )
        for alert_id, kind, facts_json, development_id, *_ in rows
    ]


def _articles(con: Connection, development_ids: Sequence[str]) -> dict[str, list[ArticleLink]]:
    """Each development's articles: its assignments plus its first article, originals first."""
    rows = con.execute(
        "WITH members AS ("
        "  SELECT development_id, article_id FROM internal.storyline_articles"
        "  WHERE development_id IN (SELECT unnest(?::VARCHAR[]))"
        "  UNION SELECT development_id, first_article_id FROM internal.developments"
        "  WHERE development_id IN (SELECT unnest(?::VARCHAR[])))"
        " SELECT m.development_id, a.canonical_url, a.source, coalesce(a.title, a.canonical_url),"
        " a.duplicate_of IS NOT NULL FROM members m JOIN internal.articles a USING (article_id)"
        " ORDER BY m.development_id, a.duplicate_of IS NOT NULL, coalesce(a.published_at, a.fetched_at), a.article_id",
        [list(development_ids), list(development_ids)],
    ).fetchall()
    links: dict[str, list[ArticleLink]] = {}
    for development_id, url, source, title, syndicated in rows:
        links.setdefault(development_id, []).append(ArticleLink(url, source, title, syndicated))
    return links


def resend(con: Connection, alert_ids: Sequence[str] | None) -> int:
    """Queue alerts again: the given ids (failed or sent), or every failed one (None). Returns rows queued."""
    reset = (
        "UPDATE internal.alerts SET status = 'pending', attempts = 0, next_attempt_at = NULL, last_error = NULL,"
        " claimed_at = NULL, message_key = NULL, interrupted = 0 WHERE "
    )
    if alert_ids is None:
        return len(con.execute(reset + "status = 'failed' RETURNING alert_id").fetchall())
    return len(
        con.execute(
            reset + "status <> 'pending' AND alert_id IN (SELECT unnest(?::VARCHAR[])) RETURNING alert_id",
            [list(alert_ids)],
        ).fetchall()
    )


def listing(con: Connection, statuses: Collection[str]) -> list[dict[str, object]]:
    """Rows of the `alerts` view with the given statuses, newest first, as column -> value."""
    cursor = con.execute(
        "SELECT alert_id, status, kind, coalesce(development_id, feed) AS subject, target, attempts,"
        " created_at, sent_at, next_attempt_at, last_error FROM alerts"
        " WHERE status IN (SELECT unnest(?::VARCHAR[])) ORDER BY created_at DESC, alert_id",
        [list(statuses)],
    )
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]
