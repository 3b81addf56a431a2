"""Delivery to real receivers on loopback: JSON webhook, SMTP, Slack; retries, flood control, re-runs."""

from __future__ import annotations

from datetime import timedelta

from storywatch.alerts import deliver_pending, resend
from storywatch.config import AlertSettings, NotifyTarget

SETTINGS = AlertSettings(retry_base_seconds=60, max_attempts=3)


def test_json_target_gets_one_message_per_development_and_a_rerun_sends_nothing(newsroom, receiver, now) -> None:
    targets = [NotifyTarget(url=receiver.json_url())]
    developments = [newsroom.develop("d1"), newsroom.develop("d2", headline="Moscow confirms")]
    newsroom.enqueue(developments, targets)
    report = deliver_pending(newsroom.path, targets, SETTINGS, now=now)
    assert (report.sent, report.retried, report.failed, report.digests) == (2, 0, 0, 0)
    assert sorted(r.body["title"].split(": ", 1)[1] for r in receiver.received) == [
        "Antonov recalled to Moscow for consultations", "Moscow confirms"]
    rows = newsroom.alerts()
    assert [r.headers["Idempotency-Key"] for r in receiver.received] == [r["alert_id"] for r in rows]
    assert {(r["status"], r["attempts"], r["sent_at"]) for r in rows} == {("sent", 1, now)}
    assert newsroom.enqueue(developments, targets) == 0  # a re-run of the pass
    again = deliver_pending(newsroom.path, targets, SETTINGS, now=now + timedelta(hours=2))
    assert again.sent == 0 and len(receiver.received) == 2


def test_email_arrives_with_html_and_plain_text_parts(newsroom, smtp, now) -> None:
    targets = [NotifyTarget(url=smtp.url())]
    newsroom.enqueue([newsroom.develop("d1", articles=[("Reuters", "reuters.com", None), ("AP", "apnews.com", None)])], targets)
    assert deliver_pending(newsroom.path, targets, SETTINGS, now=now).sent == 1
    (mail,) = smtp.messages
    assert mail["Subject"] == "[storywatch] Ambassador recalled: Antonov recalled to Moscow for consultations"
    parts = {p.get_content_type(): p.get_payload(decode=True).decode() for p in mail.walk() if not p.is_multipart()}
    assert set(parts) == {"text/plain", "text/html"}
    for body in parts.values():
        assert "https://reuters.com/d1/" in body and "https://apnews.com/d1/" in body
        assert "storywatch timeline ambassador-recall" in body and "2 sources" in body
    assert "<h2" in parts["text/html"] and "<" not in parts["text/plain"]
    assert mail["Idempotency-Key"] == newsroom.alerts()[0]["alert_id"]  # lets a mail filter drop a resend


def test_slack_gets_channel_markdown_with_links(newsroom, slack, now) -> None:
    targets = [NotifyTarget(url="slack://T0AAAA/B0BBBB/C0cccccc/#news")]
    newsroom.enqueue([newsroom.develop("d1")], targets)
    assert deliver_pending(newsroom.path, targets, SETTINGS, now=now).sent == 1
    (post,) = slack.received
    assert post.path == "/services/T0AAAA/B0BBBB/C0cccccc" and post.body["channel"] == "#news"
    (attachment,) = post.body["attachments"]
    assert attachment["title"] == "Ambassador recalled: new development"
    assert attachment["text"].startswith("*Antonov recalled to Moscow for consultations*")
    assert "<https://reuters.com/d1/" in attachment["text"] and "`storywatch timeline ambassador-recall`" in attachment["text"]


def test_a_target_down_for_a_while_keeps_the_alert_pending_with_backoff_then_gets_it_once(newsroom, receiver, now) -> None:
    targets = [NotifyTarget(url=receiver.json_url())]
    newsroom.enqueue([newsroom.develop("d1")], targets)
    receiver.failures_left = 2

    first = deliver_pending(newsroom.path, targets, SETTINGS, now=now)
    (row,) = newsroom.alerts()
    assert first.retried == 1 and "503" in first.targets[0].error
    assert (row["status"], row["attempts"], row["next_attempt_at"]) == ("pending", 1, now + timedelta(seconds=60))
    assert "503" in row["last_error"]

    assert deliver_pending(newsroom.path, targets, SETTINGS, now=now + timedelta(seconds=30)).retried == 0  # not due
    deliver_pending(newsroom.path, targets, SETTINGS, now=now + timedelta(seconds=61))
    (row,) = newsroom.alerts()
    assert (row["attempts"], row["next_attempt_at"]) == (2, now + timedelta(seconds=61 + 120))

    assert deliver_pending(newsroom.path, targets, SETTINGS, now=now + timedelta(minutes=4)).sent == 1
    (row,) = newsroom.alerts()
    assert (row["status"], row["attempts"], row["last_error"]) == ("sent", 3, None)
    assert len(receiver.received) == 3 and receiver.failures_left == 0


def test_after_max_attempts_an_alert_is_failed_and_resend_delivers_it(newsroom, receiver, now) -> None:
    targets = [NotifyTarget(url=receiver.json_url())]
    newsroom.enqueue([newsroom.develop("d1")], targets)
    receiver.failures_left = 100
    settings = AlertSettings(retry_base_seconds=1, max_attempts=2)
    deliver_pending(newsroom.path, targets, settings, now=now)
    report = deliver_pending(newsroom.path, targets, settings, now=now + timedelta(seconds=5))
    assert report.failed == 1
    (row,) = newsroom.alerts()
    assert (row["status"], row["attempts"]) == ("failed", 2)
    assert deliver_pending(newsroom.path, targets, settings, now=now + timedelta(hours=1)).sent == 0

    receiver.failures_left = 0
    assert resend(newsroom.path, "all failed") == 1
    assert resend(newsroom.path, "all failed") == 0
    assert deliver_pending(newsroom.path, targets, settings, now=now + timedelta(hours=1)).sent == 1
    assert newsroom.alerts()[0]["status"] == "sent"


def test_a_failing_target_neither_blocks_nor_hides_another(newsroom, receiver, smtp, now) -> None:
    down, up = NotifyTarget(url=receiver.json_url()), NotifyTarget(url=smtp.url())
    receiver.failures_left = 100
    newsroom.enqueue([newsroom.develop("d1"), newsroom.develop("d2", headline="Moscow confirms")], [down, up])
    report = deliver_pending(newsroom.path, [down, up], SETTINGS, now=now)
    assert len(smtp.messages) == 2
    assert len(receiver.received) == 1  # the second message waits: the target already refused this run
    down_report, up_report = report.targets
    assert (down_report.retried, up_report.sent, up_report.error) == (2, 2, None)
    assert "503" in down_report.error and "503" in down_report.line
    statuses = {(r["target"].split(":")[0], r["status"]) for r in newsroom.alerts()}
    assert statuses == {("json", "pending"), ("mailto", "sent")}


def test_beyond_the_hourly_cap_the_rest_fold_into_one_digest(newsroom, receiver, now) -> None:
    targets = [NotifyTarget(url=receiver.json_url(), max_per_hour=3)]
    newsroom.enqueue([newsroom.develop(f"d{i}", headline=f"Development {i}") for i in range(5)], targets)
    report = deliver_pending(newsroom.path, targets, SETTINGS, now=now)
    assert (report.sent, report.digests, len(receiver.received)) == (5, 1, 3)
    assert receiver.received[-1].body["title"] == "[storywatch] 3 alerts in one digest"
    for i in range(5):  # each development in exactly one message
        assert sum(f"Development {i}" in r.body["message"] for r in receiver.received) == 1

    newsroom.enqueue([newsroom.develop("d5", headline="Development 5")], targets, now=now + timedelta(minutes=10))
    assert deliver_pending(newsroom.path, targets, SETTINGS, now=now + timedelta(minutes=15)).sent == 0  # cap used
    assert deliver_pending(newsroom.path, targets, SETTINGS, now=now + timedelta(minutes=61)).sent == 1
    assert len(receiver.received) == 4


def test_an_hourly_digest_target_gets_one_message_after_the_hour(newsroom, receiver, now) -> None:
    targets = [NotifyTarget(url=receiver.json_url(), digest="hourly")]
    newsroom.enqueue([newsroom.develop("d1"), newsroom.develop("d2", headline="Moscow confirms")], targets)
    assert deliver_pending(newsroom.path, targets, SETTINGS, now=now + timedelta(minutes=15)).sent == 0
    report = deliver_pending(newsroom.path, targets, SETTINGS, now=now + timedelta(minutes=35))
    assert (report.sent, report.digests, len(receiver.received)) == (2, 1, 1)


def test_alerts_of_a_target_removed_from_the_config_wait_with_a_reason(newsroom, receiver, now) -> None:
    newsroom.enqueue([newsroom.develop("d1")], [NotifyTarget(url=receiver.json_url())])
    assert deliver_pending(newsroom.path, [], SETTINGS, now=now).targets == ()
    (row,) = newsroom.alerts()
    assert (row["status"], row["last_error"]) == ("pending", "target is no longer in the config")


def test_a_url_apprise_cannot_use_is_reported_not_raised(newsroom, now) -> None:
    targets = [NotifyTarget(url="nosuchservice://token@host")]
    newsroom.enqueue([newsroom.develop("d1")], targets)
    report = deliver_pending(newsroom.path, targets, SETTINGS, now=now)
    (row,) = newsroom.alerts()
    assert row["target"] == "nosuchservice://(invalid URL)" and report.retried == 1
    assert "not a notify URL Apprise understands" in row["last_error"]
