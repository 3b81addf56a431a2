"""The demo newsroom watched by real monitoring passes, one per wave, with the web app over its analyst copy.

Besides the three sample outlets the config follows a gazette whose story carries markup in its
title (the pages must show it as text) and a feed that is gone (feed health must say so).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import httpx
import pytest

from storywatch.config import Settings, load_settings
from storywatch.demo.inbox import AlertInbox
from storywatch.demo.newsroom import Newsroom
from storywatch.demo.runner import write_config
from storywatch.demo.server import LoopbackSite
from storywatch.feed_list import Subscription, add_feeds
from storywatch.warehouse.analyst import analyst_copy_path
from storywatch.web.server import WebSite
from tests.conftest import News, Story

HOSTILE_TITLE = 'Calderport strike <script>alert("pwned")</script> & <img src=x onerror=alert(1)> talks'
STRIKE = "calderport-port-strike"


@dataclass(frozen=True)
class WatchedNewsroom:
    settings: Settings
    site: LoopbackSite          # still serving: the article links on the pages resolve
    web: WebSite                # `storywatch web` on a free loopback port
    atom_after_wave: dict[int, bytes]  # the strike storyline's Atom feed after each pass

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.web.url)

    def developments(self, storyline_id: str) -> list[tuple]:
        """What an analyst's SQL says: (development_id, headline, source_count), oldest first."""
        with duckdb.connect(str(analyst_copy_path(self.settings.database)), read_only=True) as con:
            return con.execute("SELECT development_id, headline, source_count FROM developments "
                               "WHERE storyline_id = ? ORDER BY first_seen_at, development_id",
                               [storyline_id]).fetchall()


@pytest.fixture(scope="session")
def watched(prefect_api, tmp_path_factory) -> Iterator[WatchedNewsroom]:
    from storywatch.flows.monitor import monitor_pass

    data: Path = tmp_path_factory.mktemp("newsroom")
    newsroom = Newsroom.load()
    with LoopbackSite("127.0.0.1") as site, AlertInbox(data / "alerts.jsonl") as inbox:
        config = write_config(data, site.url(""), inbox.url)
        add_feeds(config, [Subscription("The <Gazette>", site.url("/gazette/rss.xml")),
                           Subscription("Gone Daily", site.url("/gone/rss.xml"))])
        site.route("/gone/rss.xml", "no such feed", status=404, content_type="text/plain")
        settings = load_settings(config)
        with WebSite(settings, port=0) as web:
            atom_after_wave = {}
            for wave in sorted(newsroom.waves):
                published = newsroom.publish(site, wave)
                if wave == 1:
                    _publish_gazette(site, min(article.published_at for article in published))
                monitor_pass(config_path=str(config))
                atom_after_wave[wave] = httpx.get(f"{web.url}/storylines/{STRIKE}/atom.xml").content
            yield WatchedNewsroom(settings, site, web, atom_after_wave)


def _publish_gazette(site: LoopbackSite, published_at) -> None:
    story = Story(
        slug="strike-talks",
        title=HOSTILE_TITLE,
        paragraphs=(
            "Dockworkers at the Port of Calderport stayed on strike on Monday as talks over pay and automation "
            "at the container terminals broke up without agreement, union officials said.",
            "The walkout has halted loading at both container terminals of the port, and ships are waiting "
            "in the roads off Calderport while the dock company and the union trade statements.",
            "A spokesperson for the port said contingency plans were in place for perishable cargo.",
        ),
        published=published_at,
    )
    site.route("/gazette/strike-talks.html", News.article(story, site_name="The Gazette"))
    site.route("/gazette/rss.xml", News.rss([story], lambda s: f"/gazette/{s.slug}.html", title="The Gazette"),
               content_type="application/rss+xml")
