"""Finding 11: a lock held between a target's acceptance and the outbox mark neither fails the run nor resends."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import timedelta
from pathlib import Path

from storywatch.alerts import delivery, deliver_pending
from storywatch.alerts.journal import journal_path
from storywatch.config import AlertSettings, NotifyTarget

HOLD = "import duckdb, sys, time; con = duckdb.connect(sys.argv[1], read_only=True); print('held', flush=True); " \
       "time.sleep(300)"


@contextmanager
def analyst_session(database: Path) -> Iterator[None]:
    """Another process with the DuckDB file open read-only (which blocks every writer) until the block ends."""
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(database)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        yield
    finally:
        holder.kill()
        holder.wait()


def test_an_analyst_session_after_the_send_delays_the_mark_but_never_resends(newsroom, receiver, now, monkeypatch):
    targets = [NotifyTarget(url=receiver.json_url())]
    newsroom.enqueue([newsroom.develop("d1")], targets)
    real_send, analysts = delivery.send, ExitStack()

    def send_then_an_analyst_opens_the_file(*args, **kwargs):
        result = real_send(*args, **kwargs)
        analysts.enter_context(analyst_session(newsroom.path))
        return result

    monkeypatch.setattr(delivery, "send", send_then_an_analyst_opens_the_file)
    with analysts:
        first = deliver_pending(newsroom.path, targets, AlertSettings(), now=now)
    assert first.sent == 1
    assert journal_path(newsroom.path).exists()

    monkeypatch.setattr(delivery, "send", real_send)
    later = now + timedelta(minutes=30)  # past the claim lease: without the journal this resends
    deliver_pending(newsroom.path, targets, AlertSettings(), now=later)

    assert len(receiver.received) == 1
    (row,) = newsroom.alerts()
    assert (row["status"], row["attempts"]) == ("sent", 1)
    assert not journal_path(newsroom.path).exists()
