"""Finding 15: the key naming targets lives outside the database, so its readers cannot test URL guesses."""

from __future__ import annotations

import stat

from storywatch.alerts import deliver_pending
from storywatch.alerts.outbox import target_key
from storywatch.config import AlertSettings, NotifyTarget
from storywatch.warehouse.db import open_warehouse


def key_file(newsroom):
    return newsroom.path.with_name(newsroom.path.name + ".key")


def stored_target_key(newsroom) -> str:
    with open_warehouse(newsroom.path) as con:
        (key,) = con.execute("SELECT target_key FROM internal.alerts").fetchone()
    return key


def test_the_key_is_a_private_file_beside_the_database_not_in_it(newsroom, receiver, now, monkeypatch) -> None:
    monkeypatch.delenv("STORYWATCH_ALERT_KEY", raising=False)
    targets = [NotifyTarget(url=receiver.json_url())]
    newsroom.enqueue([newsroom.develop("d1")], targets)
    assert deliver_pending(newsroom.path, targets, AlertSettings(), now=now).sent == 1

    with open_warehouse(newsroom.path) as con:
        assert con.execute("SELECT count(*) FROM internal.alert_key").fetchone() == (0,)
    assert stat.S_IMODE(key_file(newsroom).stat().st_mode) == 0o600
    key = key_file(newsroom).read_text().strip()
    assert stored_target_key(newsroom) == target_key(receiver.json_url(), key)


def test_a_key_an_older_version_kept_in_the_database_moves_out_and_keeps_naming_the_same_targets(
    newsroom, receiver, now, monkeypatch
) -> None:
    monkeypatch.delenv("STORYWATCH_ALERT_KEY", raising=False)
    with open_warehouse(newsroom.path) as con:
        con.execute("INSERT INTO internal.alert_key (id, hmac_key) VALUES (1, 'older-key')")
    targets = [NotifyTarget(url=receiver.json_url())]
    newsroom.enqueue([newsroom.develop("d1")], targets)

    assert deliver_pending(newsroom.path, targets, AlertSettings(), now=now).sent == 1
    assert key_file(newsroom).read_text().strip() == "older-key"
    with open_warehouse(newsroom.path) as con:
        assert con.execute("SELECT count(*) FROM internal.alert_key").fetchone() == (0,)


def test_the_environment_can_hold_the_key_instead(newsroom, receiver, now, monkeypatch) -> None:
    monkeypatch.setenv("STORYWATCH_ALERT_KEY", "from-the-environment")
    targets = [NotifyTarget(url=receiver.json_url())]
    newsroom.enqueue([newsroom.develop("d1")], targets)
    assert stored_target_key(newsroom) == target_key(receiver.json_url(), "from-the-environment")
    assert not key_file(newsroom).exists()
