"""A deliverer killed with SIGKILL mid-pass: the next run resends only what may not have arrived, once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections import Counter
from datetime import timedelta

from storywatch.alerts import deliver_pending
from storywatch.alerts.outbox import CLAIM_LEASE
from storywatch.config import AlertSettings, NotifyTarget
from storywatch.warehouse.db import open_warehouse

DELIVER = """
import sys
from datetime import datetime
from pathlib import Path
from storywatch.alerts import deliver_pending
from storywatch.config import AlertSettings, NotifyTarget
deliver_pending(Path(sys.argv[1]), [NotifyTarget(url=sys.argv[2])], AlertSettings(),
                now=datetime.fromisoformat(sys.argv[3]))
"""


def test_sigkill_between_send_and_mark_gives_at_most_one_duplicate_with_the_same_key(newsroom, receiver, now) -> None:
    targets = [NotifyTarget(url=receiver.json_url())]
    newsroom.enqueue([newsroom.develop(f"d{i}", headline=f"Development {i}") for i in range(4)], targets)
    receiver.delay_seconds = 1.0  # the second message is accepted but its answer never reaches the deliverer
    child = subprocess.Popen([sys.executable, "-c", DELIVER, str(newsroom.path), targets[0].url.get_secret_value(),
                              now.isoformat()])
    try:
        receiver.wait_for(2, timeout=30)
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
    assert child.returncode == -signal.SIGKILL
    receiver.delay_seconds = 0.0
    before_kill = [r.headers["Idempotency-Key"] for r in receiver.received]

    soon = deliver_pending(newsroom.path, targets, AlertSettings(), now=now + timedelta(minutes=1))
    assert soon.sent == 0 and len(receiver.received) == 2  # a claim inside its lease may still be in flight

    later = deliver_pending(newsroom.path, targets, AlertSettings(), now=now + CLAIM_LEASE + timedelta(minutes=1))
    assert later.sent == 3
    keys = Counter(r.headers["Idempotency-Key"] for r in receiver.received)
    alert_ids = {row["alert_id"] for row in newsroom.alerts()}
    assert set(keys) == alert_ids  # deduplicated by Idempotency-Key: each exactly once
    assert [key for key, seen in keys.items() if seen > 1] == [before_kill[1]]  # only the one in flight
    assert max(keys.values()) == 2
    assert {row["status"] for row in newsroom.alerts()} == {"sent"}

    assert deliver_pending(newsroom.path, targets, AlertSettings(), now=now + timedelta(hours=3)).sent == 0
    assert len(receiver.received) == 5


def test_an_alert_interrupted_twice_is_failed_for_a_person_instead_of_sent_again(newsroom, receiver, now) -> None:
    targets = [NotifyTarget(url=receiver.json_url())]
    newsroom.enqueue([newsroom.develop("d1")], targets)
    with open_warehouse(newsroom.path) as con:  # what two abandoned claims leave behind
        con.execute("UPDATE internal.alerts SET claimed_at = ?, message_key = alert_id, interrupted = 1", [now])
    report = deliver_pending(newsroom.path, targets, AlertSettings(), now=now + CLAIM_LEASE)
    (row,) = newsroom.alerts()
    assert report.failed == 1 and receiver.received == []
    assert row["status"] == "failed" and "interrupted twice" in row["last_error"]
