"""The hard cases of development detection, each through the real pipeline.

Every test serves a few articles of the storyline-dev excerpt (`storyline_dev/`, see its
README), or of the project's own held-out corpus (`bench/corpora/storyline-extra`), on the loopback site with the bench's own replay: outlets' pages and RSS feeds as
they stood every 12 hours of corpus time, a live blog changing at its URL. Each pass runs
the monitoring pass's steps with the corpus time as `now` into a real DuckDB file, and
alerts go through Apprise's json:// to the loopback webhook receiver. The tests state what a
subscriber needs, whatever the model inside does.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest

from storywatch.config import Settings, load_settings
from storywatch.warehouse.db import open_warehouse
from tests import bench_modules

devset = bench_modules.load("devset")
pipeline = bench_modules.load("storylines_pipeline")

EXCERPT = devset.load(Path(__file__).with_name("storyline_dev"))
EXTRA = devset.load_sources()  # the project's own held-out corpus, bench/corpora/storyline-extra
URL = re.compile(r"https?://\S+")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
# three or more items of one or two words between commas: a list, not a sentence
WORD_LIST = re.compile(r"(?:[^\s,;:]+(?: [^\s,;:]+)?, ){2,}[^\s,;:]+")
COMPARISON = re.compile(r"(\d+(?:\.\d+)?)\s*(<=|>=|<|>|≤|≥)\s*(\d+(?:\.\d+)?)")


@dataclass(frozen=True)
class Alert:
    at: datetime                 # the pass that delivered it
    key: str                     # the first corpus article it links
    development: str | None      # gold development of that page as served then
    title: str
    message: str

    @property
    def why_new(self) -> str:
        found = re.search(r"^Why it is new: (.*)$", self.message, re.MULTILINE)
        assert found, f"no 'Why it is new' line in:\n{self.message}"
        return found.group(1).strip()


@dataclass(frozen=True)
class Run:
    corpus: devset.DevSet        # the excerpt's selected articles
    settings: Settings
    alerts: tuple[Alert, ...]
    assigned: dict[str, dict[str, str | None]]   # key -> {storyline: development}, from storyline_articles

    def alerted(self) -> list[tuple[str | None, str]]:
        return [(alert.development, alert.key) for alert in self.alerts]

    def groups(self) -> set[frozenset[str]]:
        """The articles of each predicted development (copies are folded into their original)."""
        members: dict[str | None, set[str]] = {}
        for key, storylines in self.assigned.items():
            for development in storylines.values():
                members.setdefault(development, set()).add(key)
        return {frozenset(keys) for keys in members.values()}

    def gold_groups(self) -> set[frozenset[str]]:
        members: dict[str, set[str]] = {}
        for article in self.corpus.articles:
            if article.kind in ("story", "brief", "rehash"):
                members.setdefault(article.development_id, set()).add(article.id)
        return {frozenset(keys) for keys in members.values()}

    def query(self, sql: str, *params: object) -> list[tuple]:
        with open_warehouse(self.settings.database, read_only=True) as con:
            return con.execute(sql, list(params)).fetchall()


@pytest.fixture(scope="module")
def extraction() -> Iterator[str]:
    with pipeline.extraction_cluster() as address:
        yield address


@pytest.fixture
def replay(tmp_path, site, receiver, extraction) -> Callable[..., Run]:
    """Replays the named excerpt articles through the pipeline, pass by pass, and reads back the outcome."""

    def run(*keys: str, source: devset.DevSet = EXCERPT) -> Run:
        articles = tuple(source.by_key[key] for key in keys)
        labelled = {a.development_id for a in articles} | {u.development_id for a in articles for u in a.updates}
        corpus = dataclasses.replace(
            source, articles=articles, developments=tuple(d for d in source.developments if d.id in labelled)
        )
        corpus_site = pipeline.CorpusSite(corpus, site)
        settings = load_settings(pipeline.write_config(tmp_path, corpus, corpus_site.feeds(), [receiver.json_url()]))
        alerts: list[Alert] = []
        read = 0
        for summary in pipeline.replay(corpus_site, settings, devset.pass_times(corpus), extraction):
            for received in receiver.received[read:]:
                title, message = received.body["title"], received.body["message"]
                raised = pipeline.received_alert(f"{title}\n{message}", summary.started_at, corpus_site.key_of)
                assert raised is not None, f"an alert that links no article of the corpus:\n{message}"
                _, key, at = raised
                _, development, _ = corpus.by_key[key].revision_at(at)
                alerts.append(Alert(at, key, development, title, message))
            read = len(receiver.received)
        return Run(corpus, settings, tuple(alerts), pipeline.assignments(settings.database, corpus_site.key_of))

    return run


def test_look_alike_successive_developments_each_open_their_own_and_alert_once(replay):
    # aground (a brief, then three full reports) / first attempts fail / refloated: one ship, one canal, three events.
    # eg2-bayview, the day after the failed refloating in its own words, says the canal is closed "for a
    # fourth day": a follow-up of a known state, it joins the failure rather than alerting again
    run = replay("eg1-northgate-brief", "eg1-lakeside", "eg1-coastline", "eg1-bayview",
                 "eg2-northgate", "eg2-bayview", "eg3-northgate", "eg3-lakeside")
    assert run.groups() == run.gold_groups()
    assert run.alerted() == [("eg1", "eg1-northgate-brief"), ("eg2", "eg2-northgate"), ("eg3", "eg3-northgate")]


def test_a_brief_opens_its_development_and_the_full_reports_that_follow_join_it(replay):
    # the restart, then a 51-word brief on the ransom followed 12-20 hours later by two full stories
    run = replay("cp3-northgate", "cp3-bayview", "cp4-northgate-brief", "cp4-lakeside", "cp4-bayview")
    assert run.groups() == run.gold_groups()
    assert run.alerted() == [("cp3", "cp3-northgate"), ("cp4", "cp4-northgate-brief")]


@pytest.mark.parametrize("original, copy", [
    ("eg4-northgate", "eg4-bayview-copy"),     # "Suez authority holds Ever Given...": three hours on, the next pass
    ("eg3-northgate", "eg3-coastline-copy"),   # "Free at last!": three and a half hours on, in the same pass
])
def test_a_syndicated_copy_with_its_own_headline_is_folded_into_its_original_and_never_alerts(replay, original, copy):
    run = replay(original, copy)
    original_of = dict(run.query(
        "SELECT a.url, o.url FROM articles a LEFT JOIN articles o ON o.article_id = a.duplicate_of"))
    (copy_url,) = [url for url in original_of if url.endswith(f"/{copy}")]
    assert (original_of[copy_url] or "").endswith(f"/{original}")
    assert run.alerted() == [(EXCERPT.by_key[original].development_id, original)]


@pytest.mark.parametrize("reports, rehash", [
    (("eg3-northgate", "eg3-lakeside"), "eg3-frontier-rehash"),   # a look-back 7 days on
    (("eg4-northgate", "eg4-coastline"), "eg4-lakeside-rehash"),  # an explainer 14 days on
])
def test_a_rehash_days_later_joins_the_development_it_retells_and_never_alerts(replay, reports, rehash):
    run = replay(*reports, rehash)
    assert run.groups() == run.gold_groups()
    assert run.alerted() == [(EXCERPT.by_key[reports[0]].development_id, reports[0])]


@pytest.mark.parametrize("report, passing", [
    ("eg4-northgate", "eg-passing-bayview"),   # box rates, with one sentence on the Ever Given
    ("cp4-lakeside", "cp-passing-bayview"),    # an oil market wrap that names the pipeline once
    ("mt5-northgate", "mt-passing-bayview"),   # an advertising-stocks story with one line on Musk's deal
])
def test_a_passing_mention_that_matches_the_query_is_not_assigned(replay, report, passing):
    run = replay(report, passing)
    assert passing not in run.assigned
    assert [key for _, key in run.alerted()] == [report]


@pytest.mark.parametrize("report, distractor", [
    ("eg1-lakeside", "eg-d1-northgate"),   # another Evergreen ship refloated, in Chesapeake Bay
    ("eg1-lakeside", "eg-d3-lakeside"),    # shipping lines leaving the Red Sea
    ("cp3-northgate", "cp-d1-bayview"),    # another company's ransom, paid in bitcoin
])
def test_a_distractor_with_the_storylines_vocabulary_is_not_assigned(replay, report, distractor):
    run = replay(report, distractor)
    assert distractor not in run.assigned
    assert [key for _, key in run.alerted()] == [report]


@pytest.mark.parametrize("report, other", [
    ("sl4-ledger", "sl-pass1-ledger"),      # Boeing's quarter: its title names Boeing, one paragraph the capsule
    ("ci5-pinewood", "ci-dist3-pinewood"),  # Canada's immigration levels: India and visas named in the body
])
def test_an_article_of_another_story_that_needs_its_body_to_match_is_not_assigned(replay, report, other):
    # both match the query only with words of their body, and neither tells the storyline's story
    run = replay(report, other, source=EXTRA)
    assert other not in run.assigned
    assert [key for _, key in run.alerted()] == [report]


@pytest.mark.xfail(strict=True, reason="known miss of the join model: the lawsuit update comes four days after "
                   "the walk-away and reads as a new event; the labels keep it in the walk-away development")
def test_a_live_blog_update_that_adds_to_its_development_sends_no_alert(replay):
    # mt5-coastline is updated on 12 July with Twitter's lawsuit: still the walk-away development
    run = replay("mt5-coastline")
    lawsuit, offer = EXCERPT.by_key["mt5-coastline"].updates
    assert lawsuit.development_id == "mt5"
    assert [(alert.development, alert.key) for alert in run.alerts if alert.at < offer.published] == \
        [("mt5", "mt5-coastline")]


def test_a_live_blog_updated_at_the_same_url_with_a_new_development_alerts_once_for_it(replay):
    # on 4 October the same page reports Musk's offer to proceed after all (mt6p), and nothing else does
    run = replay("mt5-northgate", "mt5-coastline")
    offer = EXCERPT.by_key["mt5-coastline"].updates[1]
    assert offer.development_id == "mt6p"
    assert [(alert.development, alert.key) for alert in run.alerts if alert.at >= offer.published] == \
        [("mt6p", "mt5-coastline")]


def test_the_alert_names_the_outlet_as_its_feed_is_named_never_a_host(replay):
    # the pages carry no og:site_name, as many outlets' do not: only the feed's name says who published
    run = replay("eg1-northgate-brief", "eg1-lakeside", "eg1-coastline", "eg1-bayview")
    names = {feed.name for feed in run.settings.feeds}
    first = run.alerts[0]
    prose = URL.sub("", first.message)
    assert "Northgate Wire" in prose and "127.0.0.1" not in prose, prose
    assert {source for (source,) in run.query("SELECT DISTINCT source FROM articles")} == \
        {"Northgate Wire", "The Lakeside Times", "Coastline Post", "Bayview Business Daily"}
    for sources, count in run.query("SELECT sources, source_count FROM developments"):
        assert set(sources) <= names and count == len(sources)


def test_why_it_is_new_is_one_plain_sentence_naming_the_event_against_the_nearest_known_development(replay):
    run = replay("eg1-northgate-brief", "eg1-lakeside", "eg3-northgate", "eg3-lakeside")
    by_development = {alert.development: alert for alert in run.alerts}
    assert set(by_development) == {"eg1", "eg3"}
    sentence = by_development["eg3"].why_new
    (headline, first_seen), = run.query(
        "SELECT headline, first_seen_at FROM developments ORDER BY first_seen_at LIMIT 1")

    assert len(re.split(r"(?<=[.!?])\s+(?=\S)", sentence)) == 1, f"more than one sentence: {sentence!r}"
    assert headline in sentence, f"does not name the nearest known development {headline!r}: {sentence!r}"
    day, month = str(first_seen.day), (f"{first_seen:%b}", f"{first_seen:%B}")
    assert re.search(rf"\b({day} ({month[0]}|{month[1]})|({month[0]}|{month[1]}) {day})\b", sentence), \
        f"does not date the nearest known development ({first_seen:%d %b}): {sentence!r}"
    event = _words(EXCERPT.by_key["eg3-northgate"].title) - _words(headline) - _words(EXCERPT.storylines[0].title)
    assert event & _words(sentence.replace(headline, "")), f"names none of the new event ({sorted(event)}): {sentence!r}"

    assert sum(sentence.count(day) for day in WEEKDAYS) <= 1, f"lists weekdays: {sentence!r}"
    assert sum(sentence.count(outlet) for outlet in EXCERPT.outlets.values()) <= 1, f"lists outlets: {sentence!r}"
    assert not WORD_LIST.search(sentence), f"lists words: {sentence!r}"
    assert "dev-" not in sentence, f"quotes an internal id: {sentence!r}"
    for left, relation, right in COMPARISON.findall(sentence):
        assert _holds(float(left), relation, float(right)), f"contradicts itself: {left} {relation} {right}"


def _words(text: str) -> set[str]:
    return {w.lower() for w in re.findall(r"[A-Za-z][A-Za-z-]{4,}", text)} - {"after", "before", "about", "their"}


def _holds(left: float, relation: str, right: float) -> bool:
    return {"<": left < right, ">": left > right, "<=": left <= right, ">=": left >= right,
            "≤": left <= right, "≥": left >= right}[relation]
