"""Pure outbox decisions: alert identities, which queued alerts go out in which message,
retry backoff, and feed-health transitions. Plain functions over values; no I/O.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

DigestMode = Literal["off", "hourly", "daily"]

# A claim older than this belongs to a deliverer that died (SIGKILL, power loss): its
# messages may or may not have reached the target. Far above one target's send time.
CLAIM_LEASE = timedelta(minutes=10)
MAX_RETRY_DELAY = timedelta(hours=6)

# Why an alert waits or gave up, as `storywatch alerts list` shows it.
UNKNOWN_TARGET = "target is no longer in the config"
INTERRUPTED_TWICE = (
    "delivery was interrupted twice; it may or may not have arrived (resend with `storywatch alerts resend ID`)"
)


@dataclass(frozen=True)
class NewAlert:
    """An outbox row to write: one alert for one target."""

    alert_id: str
    kind: Literal["development", "feed_health"]
    target: str  # redacted
    target_key: str
    created_at: datetime
    facts: Mapping[str, object]  # what the message needs that no other table holds
    development_id: str | None = None
    storyline_id: str | None = None


@dataclass(frozen=True)
class QueuedAlert:
    """A pending outbox row, as delivery planning sees it."""

    alert_id: str
    created_at: datetime
    attempts: int
    interrupted: int  # how often a claim on it was abandoned mid-send
    claimed_at: datetime | None
    message_key: str | None


@dataclass(frozen=True)
class Message:
    """One notification to one target: a single alert or a digest of several."""

    key: str  # stable across a resend: the Idempotency-Key a receiver can deduplicate on
    alert_ids: tuple[str, ...]

    @property
    def is_digest(self) -> bool:
        return len(self.alert_ids) > 1


@dataclass(frozen=True)
class TargetPlan:
    messages: tuple[Message, ...]  # to send now, in order
    resent: tuple[str, ...]  # alert ids whose earlier claim was abandoned; resent once
    abandoned: tuple[str, ...]  # interrupted twice: outcome unknown, left `failed` for a person


@dataclass(frozen=True)
class Retry:
    """The outcome of a failed attempt for one alert: try again at `next_attempt_at`, or give up (None)."""

    alert_id: str
    attempts: int
    next_attempt_at: datetime | None
    error: str


@dataclass(frozen=True)
class FeedCondition:
    """A feed's current fetch record (internal.feed_state)."""

    feed: str
    url: str
    consecutive_failures: int
    last_error: str | None


@dataclass(frozen=True)
class FeedHealth:
    """What was last reported about a feed."""

    failing: bool
    incident: int


@dataclass(frozen=True)
class FeedHealthChange:
    feed: str
    url: str
    failing: bool  # True: it crossed the failure threshold; False: it recovered
    incident: int
    consecutive_failures: int
    last_error: str | None


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:24]


def target_key(secret_url: str, key: str) -> str:
    """Names a target across runs without storing (or being reversible to) its URL."""
    return hmac.new(key.encode(), secret_url.encode(), hashlib.sha256).hexdigest()[:24]


def development_alert_id(development_id: str, target: str) -> str:
    return "dev-" + _digest("development", development_id, target)


def feed_health_alert_id(change: FeedHealthChange, target: str) -> str:
    state = "failing" if change.failing else "recovered"
    return "feed-" + _digest("feed_health", change.feed, str(change.incident), state, target)


def digest_key(alert_ids: Iterable[str]) -> str:
    return "digest-" + _digest(*sorted(alert_ids))


def retry_delay(attempts: int, base_seconds: float) -> timedelta:
    """Exponential backoff after the `attempts`-th failed attempt (1, 2, 4, ... times base)."""
    return min(timedelta(seconds=base_seconds * 2 ** (attempts - 1)), MAX_RETRY_DELAY)


def after_failure(attempts: int, max_attempts: int, base_seconds: float, now: datetime) -> datetime | None:
    """When to try again after the `attempts`-th failure; None once it should become `failed`."""
    return None if attempts >= max_attempts else now + retry_delay(attempts, base_seconds)


def digest_window_start(mode: DigestMode, now: datetime) -> datetime:
    """Start of the current digest window (UTC hours or days); alerts older than it are due."""
    start = now.replace(minute=0, second=0, microsecond=0)
    return start.replace(hour=0) if mode == "daily" else start


def plan_target(
    queued: Sequence[QueuedAlert],
    *,
    mode: DigestMode,
    max_per_hour: int,
    messages_last_hour: int,
    now: datetime,
) -> TargetPlan:
    """Decide what one target receives now from its due pending alerts.

    Abandoned claims are resent once, as the same message (same key) so receivers that
    honour idempotency keys drop the copy. New alerts respect the hourly cap: within it
    each goes alone; beyond it the last free slot carries one digest of the rest; with no
    slot left they wait. Digest targets get one message per window with everything older.
    """
    stale = [q for q in queued if q.claimed_at is not None and now - q.claimed_at >= CLAIM_LEASE]
    fresh = sorted((q for q in queued if q.claimed_at is None), key=lambda q: (q.created_at, q.alert_id))

    abandoned = tuple(q.alert_id for q in stale if q.interrupted >= 1)
    groups: dict[str, list[str]] = {}
    for q in stale:
        if q.interrupted < 1:
            groups.setdefault(q.message_key or q.alert_id, []).append(q.alert_id)
    resends = [Message(key, tuple(sorted(ids))) for key, ids in sorted(groups.items())]

    budget = max_per_hour - messages_last_hour - len(resends)
    if mode != "off":
        window = digest_window_start(mode, now)
        fresh = [q for q in fresh if q.created_at < window]
    ids = [q.alert_id for q in fresh]
    if budget <= 0 or not ids:
        new: list[Message] = []
    elif mode != "off" or len(ids) > budget:
        singles = [] if mode != "off" else ids[: budget - 1]
        rest = ids[len(singles) :]
        new = [Message(i, (i,)) for i in singles] + [_fold(rest)]
    else:
        new = [Message(i, (i,)) for i in ids]
    resent = tuple(i for m in resends for i in m.alert_ids)
    return TargetPlan(messages=(*resends, *new), resent=resent, abandoned=abandoned)


def _fold(alert_ids: Sequence[str]) -> Message:
    if len(alert_ids) == 1:
        return Message(alert_ids[0], tuple(alert_ids))
    return Message(digest_key(alert_ids), tuple(alert_ids))


def feed_health_changes(
    feeds: Sequence[FeedCondition], known: Mapping[str, FeedHealth], threshold: int
) -> list[FeedHealthChange]:
    """One change when a feed reaches `threshold` consecutive failures, one when it works again."""
    changes = []
    for feed in feeds:
        before = known.get(feed.feed, FeedHealth(failing=False, incident=0))
        if not before.failing and feed.consecutive_failures >= threshold:
            changes.append(_change(feed, failing=True, incident=before.incident + 1))
        elif before.failing and feed.consecutive_failures == 0:
            changes.append(_change(feed, failing=False, incident=before.incident))
    return changes


def _change(feed: FeedCondition, *, failing: bool, incident: int) -> FeedHealthChange:
    return FeedHealthChange(
        feed=feed.feed,
        url=feed.url,
        failing=failing,
        incident=incident,
        consecutive_failures=feed.consecutive_failures,
        last_error=feed.last_error,
    )
