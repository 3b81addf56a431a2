"""Delivering the outbox after commit: claim due alerts, send each message, record the outcome.

The database is held only in short windows, never during a send: per target, one window
claims its due alerts (plan, lease, content), then each message is sent and marked in a
window of its own. A crash between a target's acceptance and that mark leaves a claim
that outlives its lease; the next run resends that message once, with the same
Idempotency-Key (docs/alerts.md, "Delivery guarantee").
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Literal

from storywatch.alerts import queue
from storywatch.alerts.outbox import CLAIM_LEASE, Message, Retry, after_failure, plan_target
from storywatch.alerts.render import Notice, Rendered, Templates, notice
from storywatch.alerts.targets import Endpoint, SendResult, endpoints, send
from storywatch.config import AlertSettings, NotifyTarget
from storywatch.errors import TemplateProblem
from storywatch.warehouse.db import open_warehouse, transaction

log = logging.getLogger(__name__)
_HOUR = timedelta(hours=1)


@dataclass(frozen=True)
class TargetReport:
    target: str  # redacted
    sent: int = 0  # alerts the target accepted (alone or in a digest)
    retried: int = 0  # alerts left pending with a later next try
    failed: int = 0  # alerts that became `failed` in this run
    digests: int = 0  # digest messages the target accepted
    error: str | None = None  # the target's last refusal, secrets removed

    @property
    def line(self) -> str:
        return f"{self.target}: {_counts(self)}" + (f" — {self.error}" if self.error else "")


def _counts(report: TargetReport | DeliveryReport) -> str:
    return f"{report.sent} sent (digests: {report.digests}), {report.retried} to retry, {report.failed} failed"


@dataclass(frozen=True)
class DeliveryReport:
    targets: tuple[TargetReport, ...]

    @property
    def sent(self) -> int:
        return sum(t.sent for t in self.targets)

    @property
    def retried(self) -> int:
        return sum(t.retried for t in self.targets)

    @property
    def failed(self) -> int:
        return sum(t.failed for t in self.targets)

    @property
    def digests(self) -> int:
        return sum(t.digests for t in self.targets)

    @property
    def lines(self) -> tuple[str, ...]:
        return tuple(t.line for t in self.targets)

    def describe(self) -> str:
        """One line for the pass summary and the CLI."""
        return _counts(self)


def deliver_pending(
    db_path: Path,
    targets: Sequence[NotifyTarget],
    settings: AlertSettings,
    *,
    now: datetime | None = None,
) -> DeliveryReport:
    """Send every due alert to its target. Never raises because a target is down."""
    now = now or datetime.now(timezone.utc)
    templates = Templates(settings.templates_dir)
    with open_warehouse(db_path) as con, transaction(con):
        configured = {e.key: e for e in endpoints(targets, queue.hmac_key(con))}  # a URL listed twice is one target
        queue.note_unknown_targets(con, list(configured))
    reports = tuple(_deliver_to(db_path, e, settings, templates, now) for e in configured.values())
    for report in reports:
        (log.warning if report.error else log.info)("alerts to %s", report.line)
    return DeliveryReport(reports)


def _deliver_to(
    db_path: Path, endpoint: Endpoint, settings: AlertSettings, templates: Templates, now: datetime
) -> TargetReport:
    with open_warehouse(db_path) as con, transaction(con):
        queued = queue.due_alerts(con, endpoint.key, now)
        plan = plan_target(
            queued,
            mode=endpoint.target.digest,
            max_per_hour=endpoint.target.max_per_hour,
            messages_last_hour=queue.messages_since(con, endpoint.key, now - _HOUR, now - CLAIM_LEASE),
            now=now,
        )
        queue.abandon(con, plan.abandoned)
        queue.claim(con, plan.messages, plan.resent, now)
        contents = queue.contents(con, [i for m in plan.messages for i in m.alert_ids])
    notices = {c.alert_id: n for c in contents if (n := notice(c)) is not None}
    attempts = {q.alert_id: q.attempts for q in queued}
    sent = retried = failed = digests = 0
    refusal: str | None = None  # after one refusal the target is down for this run
    for message in plan.messages:
        rendered = _render(message, notices, templates, endpoint)
        if isinstance(rendered, str):
            result = SendResult(False, rendered)
        elif refusal is not None:
            result = SendResult(False, f"not tried after the target refused an earlier message: {refusal}")
        else:
            result = send(endpoint, rendered, message.key)
            refusal = None if result.accepted else result.error
        with open_warehouse(db_path) as con, transaction(con):
            if result.accepted:
                sent += queue.mark_sent(con, message, now, now)
                digests += message.is_digest
                continue
            retries = [_retry(i, attempts[i] + 1, result.error or "", settings, now) for i in message.alert_ids]
            queue.mark_failed(con, message, retries, now)
        retried += sum(r.next_attempt_at is not None for r in retries)
        failed += sum(r.next_attempt_at is None for r in retries)
    return TargetReport(endpoint.redacted, sent, retried, failed + len(plan.abandoned), digests, refusal)


def _render(message: Message, notices: dict[str, Notice], templates: Templates, endpoint: Endpoint) -> Rendered | str:
    """The message in the target's format, or why it cannot be rendered."""
    said = [notices[i] for i in message.alert_ids if i in notices]
    if not said:
        return "its development is no longer in the database"
    try:
        return templates.render(said, endpoint.fmt)
    except TemplateProblem as problem:
        return str(problem)


def _retry(alert_id: str, attempts: int, error: str, settings: AlertSettings, now: datetime) -> Retry:
    next_at = after_failure(attempts, settings.max_attempts, settings.retry_base_seconds, now)
    return Retry(alert_id, attempts, next_at, error)


def resend(db_path: Path, alert_ids: Sequence[str] | Literal["all failed"]) -> int:
    """Queue alerts again (the given failed or sent ones, or all failed); delivered by the next run."""
    with open_warehouse(db_path) as con, transaction(con):
        return queue.resend(con, None if alert_ids == "all failed" else list(alert_ids))
