"""The send journal: messages a target accepted, kept beside the database until the outbox marks them.

The outbox is marked `sent` in a write window of its own, after the send. An analyst's session
can hold the DuckDB file longer than we wait for it; the alert then stays claimed in the
outbox, and after the claim lease it would be sent again. So the acceptance is written here
first (one JSON line, fsynced), and every delivery run marks what the journal holds before it
plans anything: a held lock delays the mark, it never causes a resend.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from storywatch.alerts.outbox import Message


@dataclass(frozen=True)
class Accepted:
    message: Message
    claimed_at: datetime  # the claim it was sent under (the outbox marks only under that claim)
    sent_at: datetime


def journal_path(database: Path) -> Path:
    return database.with_name(database.name + ".sent")


def record(path: Path, accepted: Accepted) -> None:
    line = json.dumps({"key": accepted.message.key, "alert_ids": list(accepted.message.alert_ids),
                       "claimed_at": accepted.claimed_at.isoformat(), "sent_at": accepted.sent_at.isoformat()})
    with path.open("a", encoding="utf-8") as journal:
        journal.write(line + "\n")
        journal.flush()
        os.fsync(journal.fileno())


def pending(path: Path) -> list[Accepted]:
    """What the journal holds; a line cut short by a crash mid-write is no acceptance."""
    if not path.exists():
        return []
    found = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            entry = json.loads(line)
        except json.JSONDecodeError:
            continue
        found.append(Accepted(Message(entry["key"], tuple(entry["alert_ids"])),
                              datetime.fromisoformat(entry["claimed_at"]), datetime.fromisoformat(entry["sent_at"])))
    return found


def forget(path: Path, marked: list[Accepted]) -> None:
    """Drop entries the outbox now records (rewritten whole: the journal holds a handful of lines)."""
    keep = [entry for entry in pending(path) if entry not in marked]
    if not keep:
        path.unlink(missing_ok=True)
        return
    rebuilt = path.with_name(path.name + ".tmp")
    rebuilt.unlink(missing_ok=True)
    for entry in keep:  # through record(), so each line is written the one way
        record(rebuilt, entry)
    rebuilt.replace(path)
