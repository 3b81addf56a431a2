"""Each storyline's Atom feed, validated with feedparser: one entry per development, updated as sources join."""

from __future__ import annotations

from datetime import UTC, datetime

import feedparser
import pytest

from storywatch.web.atom import storyline_feed
from storywatch.config import StorylineSettings
from storywatch.web.reading import Development, Report

from .conftest import STRIKE

T0 = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def parsed(document: bytes) -> feedparser.FeedParserDict:
    feed = feedparser.parse(document)
    assert feed.version == "atom10" and not feed.bozo, feed.get("bozo_exception")
    return feed


def related(entry) -> list[str]:
    return [link.href for link in entry.links if link.rel == "related"]


@pytest.mark.prefect
def test_the_feed_has_one_valid_entry_per_development_with_its_sources(watched):
    response = watched.client().get(f"/storylines/{STRIKE}/atom.xml")
    assert response.headers["content-type"] == "application/atom+xml; charset=utf-8"
    feed = parsed(response.content)
    strike = watched.settings.storyline(STRIKE)
    assert feed.feed.title == strike.title
    assert feed.feed.link == f"{watched.web.url}/storylines/{STRIKE}"
    developments = watched.developments(STRIKE)
    assert [entry.title for entry in reversed(feed.entries)] == [headline for _, headline, _ in developments]
    assert len({entry.id for entry in feed.entries}) == len(developments)
    for entry in feed.entries:
        assert related(entry), entry.title
        assert all(watched.site.url("/") in url for url in related(entry))
        assert entry.link.startswith(f"{watched.web.url}/storylines/{STRIKE}#development-")
        content = entry.content[0]
        assert content.type == "text/html" and "independent source" in content.value
        for url in related(entry):
            assert f'href="{url}"' in content.value


@pytest.mark.prefect
def test_an_entry_keeps_its_id_and_moves_its_updated_time_when_a_source_joins(watched):
    before = {entry.id: entry for entry in parsed(watched.atom_after_wave[1]).entries}
    after = {entry.id: entry for entry in parsed(watched.atom_after_wave[max(watched.atom_after_wave)]).entries}
    assert set(before) <= set(after)  # no development lost or renamed
    grown = [i for i in before if len(related(after[i])) > len(related(before[i]))]
    assert grown, "some wave-1 development gained a report in a later wave"
    for entry_id, entry in before.items():
        moved = after[entry_id].updated_parsed > entry.updated_parsed
        assert moved == (entry_id in grown), entry.title
        assert set(related(entry)) <= set(related(after[entry_id]))


def test_text_that_xml_cannot_carry_is_dropped_and_markup_is_escaped():
    report = Report("a1", "https://news.example/a?x=1&y=2", "Vote \x0b<b>counted</b>\x00", "Wire", T0, None)
    development = Development("d1", "vote", "Ballot\x1b counted & <confirmed>", "new: \x07a vote", T0, T0, 1, 1,
                              "a1", (report,))
    storyline = StorylineSettings(id="vote", title="The vote \x01", query="vote")
    feed = parsed(storyline_feed(storyline, [development], page_url="http://127.0.0.1/storylines/vote",
                                 self_url="http://127.0.0.1/storylines/vote/atom.xml"))
    (entry,) = feed.entries
    assert entry.title == "Ballot counted & <confirmed>"
    assert feed.feed.title == "The vote"
    assert related(entry) == ["https://news.example/a?x=1&y=2"]
    assert '<a href="https://news.example/a?x=1&amp;y=2">Vote &lt;b&gt;counted&lt;/b&gt;</a>' in entry.content[0].value
