"""The whole hostile set in one real `storywatch run` (Prefect flow, loopback hosts, attacker DNS, Slack plugin)."""

from __future__ import annotations

import resource
import socket
from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from storywatch.cli import app
from storywatch.config import load_settings
from storywatch.demo.server import LoopbackSite
from tests.alerts.conftest import receiver, slack  # noqa: F401  (the Slack webhook receiver fixtures)
from tests.security.conftest import rows
from tests.security.hostile import AttackerDNS, HostileSet

pytestmark = pytest.mark.prefect


@pytest.fixture
def hostile(site: LoopbackSite, other_host: LoopbackSite, publisher: LoopbackSite, monkeypatch) -> Iterator[HostileSet]:
    with LoopbackSite("127.0.0.4") as busy:
        served = HostileSet(site=site, publisher=publisher, busy=busy, internal=other_host).serve()
        monkeypatch.setattr(socket, "getaddrinfo", AttackerDNS(served.dns))
        yield served


def test_a_pass_over_the_hostile_set_completes_and_stores_every_good_article(
    prefect_api, tmp_path, hostile: HostileSet, slack  # noqa: F811
) -> None:
    config = tmp_path / "storywatch.yaml"
    config.write_text(hostile.config(slack_url="slack://T0AAAA/B0BBBB/C0cccccc/#news"))
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    run = CliRunner().invoke(app, ["run", "-c", str(config)], env={"COLUMNS": "300"})

    assert run.exit_code == 0, run.output
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 - before < 300
    assert hostile.internal.requests == []
    database = load_settings(config).database
    stored = {url for (url,) in rows(database, "SELECT url FROM articles")}
    assert set(hostile.good_urls) <= stored
    assert rows(database, "SELECT title, revision FROM articles WHERE canonical_url = ?", [hostile.victim_url]) == [
        (hostile.news.story("honest-0", "ferry").title, 1)]
    failures = dict(rows(database, "SELECT url, kind FROM internal.page_failures"))
    assert failures[hostile.site.url("/hostile/bomb")] == failures[hostile.site.url("/hostile/stacked")] == "too_large"
    errors = dict(rows(database, "SELECT feed, last_error FROM feeds WHERE last_error IS NOT NULL"))
    assert set(errors) == {"Bomb Feed", "Busy", "Inside"}
    assert "feed Bomb Feed:" in run.output
    assert slack.received
    for post in slack.received:
        text = post.body["attachments"][0]["text"]
        assert "<!" not in text and "<@" not in text, text
