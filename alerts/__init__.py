"""Alert delivery: queue one alert per new development and target, deliver it after commit.

The Prefect flow calls the enqueue functions inside the transaction that writes the
developments (or feed health), then `deliver_pending` once that transaction committed.
Behind it: `outbox` (pure decisions: alert ids, which alerts go out in which message,
backoff, feed-health transitions), `render` (what a message says), `targets` (Apprise),
and `queue` (the outbox tables' SQL, through the warehouse's connection).
"""

from storywatch.alerts.delivery import DeliveryReport, TargetReport, deliver_pending, resend
from storywatch.alerts.enqueue import enqueue_development_alerts, enqueue_feed_health_alerts

__all__ = [
    "DeliveryReport",
    "TargetReport",
    "deliver_pending",
    "enqueue_development_alerts",
    "enqueue_feed_health_alerts",
    "resend",
]
