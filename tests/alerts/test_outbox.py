"""Pure outbox decisions: identities, backoff, what goes out in which message, feed-health transitions."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from storywatch.alerts.outbox import (
    CLAIM_LEASE,
    FeedCondition,
    FeedHealth,
    QueuedAlert,
    after_failure,
    development_alert_id,
    digest_key,
    feed_health_changes,
    plan_target,
    retry_delay,
    target_key,
)

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=timezone.utc)


def queued(n: int, *, minutes_ago: float = 5, **fields) -> list[QueuedAlert]:
    values = {"attempts": 0, "interrupted": 0, "claimed_at": None, "message_key": None, **fields}
    return [
        QueuedAlert(alert_id=f"a{i:02}", created_at=NOW - timedelta(minutes=minutes_ago, seconds=n - i), **values)
        for i in range(n)
    ]


def test_alert_ids_are_stable_and_differ_per_target() -> None:
    key_a, key_b = target_key("json://a/hook", "k"), target_key("json://b/hook", "k")
    assert development_alert_id("d1", key_a) == development_alert_id("d1", key_a)
    assert development_alert_id("d1", key_a) != development_alert_id("d1", key_b)
    assert target_key("json://a/hook", "other key") != key_a
    assert "hook" not in key_a


def test_backoff_doubles_then_gives_up_at_max_attempts() -> None:
    assert [retry_delay(n, 60).total_seconds() for n in (1, 2, 3, 4)] == [60, 120, 240, 480]
    assert retry_delay(40, 60) == timedelta(hours=6)
    assert after_failure(2, 3, 60, NOW) == NOW + timedelta(minutes=2)
    assert after_failure(3, 3, 60, NOW) is None


def test_within_the_hourly_cap_each_alert_goes_alone() -> None:
    plan = plan_target(queued(3), mode="off", max_per_hour=10, messages_last_hour=7, now=NOW)
    assert [m.alert_ids for m in plan.messages] == [("a00",), ("a01",), ("a02",)]
    assert [m.key for m in plan.messages] == ["a00", "a01", "a02"]


def test_beyond_the_cap_the_last_slot_carries_one_digest_of_the_rest() -> None:
    plan = plan_target(queued(6), mode="off", max_per_hour=10, messages_last_hour=7, now=NOW)
    assert [m.alert_ids for m in plan.messages] == [("a00",), ("a01",), ("a02", "a03", "a04", "a05")]
    assert plan.messages[-1].is_digest and plan.messages[-1].key == digest_key(["a05", "a02", "a03", "a04"])


def test_with_no_slot_left_alerts_wait() -> None:
    assert plan_target(queued(2), mode="off", max_per_hour=3, messages_last_hour=3, now=NOW).messages == ()


def test_hourly_digest_sends_only_what_came_before_this_hour_in_one_message() -> None:
    earlier, this_hour = queued(3, minutes_ago=45), queued(1, minutes_ago=10)
    this_hour = [QueuedAlert("new", q.created_at, 0, 0, None, None) for q in this_hour]
    plan = plan_target(earlier + this_hour, mode="hourly", max_per_hour=10, messages_last_hour=0, now=NOW)
    assert [m.alert_ids for m in plan.messages] == [("a00", "a01", "a02")]
    daily = plan_target(earlier, mode="daily", max_per_hour=10, messages_last_hour=0, now=NOW)
    assert daily.messages == ()  # all were created today


def test_an_abandoned_claim_is_resent_once_as_the_same_message_then_given_up() -> None:
    stale = NOW - CLAIM_LEASE - timedelta(seconds=1)
    first = queued(2, claimed_at=stale, message_key="digest-x")
    plan = plan_target(first, mode="off", max_per_hour=1, messages_last_hour=1, now=NOW)
    assert [(m.key, m.alert_ids) for m in plan.messages] == [("digest-x", ("a00", "a01"))]
    assert plan.resent == ("a00", "a01") and plan.abandoned == ()
    again = queued(2, claimed_at=stale, message_key="digest-x", interrupted=1)
    plan = plan_target(again, mode="off", max_per_hour=10, messages_last_hour=0, now=NOW)
    assert plan.messages == () and plan.abandoned == ("a00", "a01")


def test_a_live_claim_of_another_deliverer_is_left_alone() -> None:
    live = queued(1, claimed_at=NOW - timedelta(seconds=30), message_key="a00")
    plan = plan_target(live, mode="off", max_per_hour=10, messages_last_hour=0, now=NOW)
    assert plan.messages == () and plan.abandoned == ()


@given(
    n=st.integers(0, 30),
    cap=st.integers(1, 12),
    used=st.integers(0, 15),
    mode=st.sampled_from(["off", "hourly", "daily"]),
    minutes_ago=st.integers(0, 2000),
)
def test_plans_never_repeat_an_alert_nor_exceed_the_cap(n, cap, used, mode, minutes_ago) -> None:
    plan = plan_target(queued(n, minutes_ago=minutes_ago), mode=mode, max_per_hour=cap, messages_last_hour=used, now=NOW)
    sent = [i for m in plan.messages for i in m.alert_ids]
    assert len(sent) == len(set(sent))
    assert len(plan.messages) <= max(cap - used, 0)
    if mode == "off" and used < cap:
        assert len(sent) == n  # nothing is dropped: the overflow is folded, not held back


def test_feed_health_alerts_once_on_failure_and_once_on_recovery() -> None:
    failing = [FeedCondition("wire", "https://wire/rss", 3, "HTTP 503")]
    first = feed_health_changes(failing, {}, threshold=3)
    assert [(c.feed, c.failing, c.incident) for c in first] == [("wire", True, 1)]
    still = [FeedCondition("wire", "https://wire/rss", 4, "HTTP 503")]
    assert feed_health_changes(still, {"wire": FeedHealth(True, 1)}, threshold=3) == []
    below = [FeedCondition("wire", "https://wire/rss", 2, "HTTP 503")]
    assert feed_health_changes(below, {}, threshold=3) == []
    back = [FeedCondition("wire", "https://wire/rss", 0, None)]
    assert [(c.failing, c.incident) for c in feed_health_changes(back, {"wire": FeedHealth(True, 1)}, 3)] == [(False, 1)]
    assert feed_health_changes(back, {"wire": FeedHealth(False, 1)}, 3) == []
    again = feed_health_changes(failing, {"wire": FeedHealth(False, 1)}, 3)
    assert [c.incident for c in again] == [2]  # a new outage gets new alert ids
