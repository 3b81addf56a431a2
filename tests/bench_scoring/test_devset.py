"""The storyline-dev scoring, on a hand-made corpus of nine articles small enough to score by hand."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from tests import bench_modules

devset = bench_modules.load("devset")


def article(key, kind, published, storyline=None, development=None, updates=(), **extra):
    return {
        "id": key, "outlet": "Northgate Wire", "outlet_key": "northgate", "kind": kind, "published": published,
        "title": key, "author": "A. Writer", "text": f"text of {key}", "storyline_id": storyline,
        "development_id": development, "duplicate_of": extra.get("duplicate_of"),
        "passing_mention_of": extra.get("passing_mention_of"), "words": 3, "updates": list(updates),
    }


CORPUS = {
    "outlets": {"northgate": "Northgate Wire"},
    "storylines": [{"id": "ship", "title": "Ship", "query": "ship", "description": "a ship"}],
    "developments": [
        {"id": "d1", "storyline_id": "ship", "first_reported": "2021-03-23T10:00:00Z"},
        {"id": "d2", "storyline_id": "ship", "first_reported": "2021-03-25T10:00:00Z"},
        {"id": "d3", "storyline_id": "ship", "first_reported": "2021-03-29T10:00:00Z"},
    ],
    "articles": [
        article("brief", "brief", "2021-03-23T10:00:00Z", "ship", "d1"),
        article("full", "story", "2021-03-23T20:00:00Z", "ship", "d1"),
        article("copy", "copy", "2021-03-23T21:00:00Z", "ship", "d1", duplicate_of="full"),
        article("second", "story", "2021-03-25T10:00:00Z", "ship", "d2"),
        article("live", "story", "2021-03-25T12:00:00Z", "ship", "d2", updates=[
            {"published": "2021-03-29T10:00:00Z", "development_id": "d3", "text": "the ship floats"},
        ]),
        article("rehash", "rehash", "2021-04-20T10:00:00Z", "ship", "d1"),
        article("passing", "passing", "2021-03-24T10:00:00Z", passing_mention_of="ship"),
        article("distractor", "distractor", "2021-03-24T11:00:00Z"),
        article("missed", "story", "2021-03-26T10:00:00Z", "ship", "d2"),
    ],
}


@pytest.fixture
def corpus(tmp_path):
    (tmp_path / "corpus.json").write_text(json.dumps(CORPUS))
    return devset.load(tmp_path)


def at(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp).replace(tzinfo=UTC)


def test_the_loader_types_every_field_and_live_blog_revisions(corpus):
    live = corpus.by_key["live"]
    assert live.published == at("2021-03-25T12:00")
    assert live.updates == (devset.Update(at("2021-03-29T10:00"), "d3", "the ship floats"),)
    assert live.revision_at(at("2021-03-28T00:00")) == (0, "d2", "text of live")
    assert live.revision_at(at("2021-03-29T10:00")) == (1, "d3", "the ship floats")
    assert corpus.by_key["copy"].duplicate_of == "full"
    assert [d.id for d in corpus.developments] == ["d1", "d2", "d3"]


def test_a_missing_corpus_is_one_line_naming_the_file_and_the_variable(tmp_path):
    with pytest.raises(devset.MissingData) as raised:
        devset.load(tmp_path / "nowhere")
    assert "corpus.json is missing" in str(raised.value) and "STORYWATCH_EVAL_DATA" in str(raised.value)
    assert "\n" not in str(raised.value)


SOURCES = """\
=== sh1-wire | wire | story | sh1 | 2021-03-23 10:00 | A. Writer
T: Ship runs aground

SUEZ, March 23 (Wire Service) - A ship ran aground on Tuesday.

Tugs were sent.

=== sh1-daily-copy | daily | copy | - | 2021-03-23 12:30 | Staff
T: Canal blocked by stranded giant
C: sh1-wire

=== sh2-daily-live | daily | story | sh2 | 2021-03-25 08:00 | B. Writer
T: Live: the salvage
P: ignored-for-a-story

Dredgers dig on Thursday.

=== +update sh2-daily-live | 2021-03-29 10:00 | sh3
The ship floats on Monday.

=== other-daily | daily | passing | - | 2021-03-24 09:00 | C. Writer
T: Markets calm
P: ship
"""


def test_a_corpus_kept_as_sources_loads_copies_live_pages_and_developments(tmp_path):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "ship.txt").write_text(SOURCES)
    (tmp_path / "storylines.yaml").write_text(
        "outlets: {wire: Wire Service, daily: The Daily}\nwire: wire\n"
        "storylines: [{id: ship, prefix: sh, title: Ship, query: ship, description: a ship}]\n")
    corpus = devset.load_sources(tmp_path)
    copy, live = corpus.by_key["sh1-daily-copy"], corpus.by_key["sh2-daily-live"]
    assert (copy.outlet, copy.duplicate_of, copy.development_id, copy.storyline_id) == ("The Daily", "sh1-wire", "sh1", "ship")
    assert copy.text == "SUEZ, March 23 - A ship ran aground on Tuesday.\n\nTugs were sent.\n\n(Reporting by Wire Service.)"
    assert live.updates == (devset.Update(at("2021-03-29T10:00"), "sh3",
                                          "Dredgers dig on Thursday.\n\nThe ship floats on Monday."),)
    assert corpus.by_key["other-daily"].passing_mention_of == "ship" and corpus.by_key["other-daily"].storyline_id is None
    assert [(d.id, d.first_reported) for d in corpus.developments] == [
        ("sh1", at("2021-03-23T10:00")), ("sh2", at("2021-03-25T08:00")), ("sh3", at("2021-03-29T10:00"))]
    both = devset.combined(corpus, devset.load(_json_corpus(tmp_path / "json")))
    assert [s.id for s in both.storylines] == ["ship", "ship"] and len(both.articles) == 4 + len(CORPUS["articles"])


def _json_corpus(folder):
    folder.mkdir()
    (folder / "corpus.json").write_text(json.dumps(CORPUS))
    return folder


@pytest.mark.parametrize("folder", [devset.EXTRA, devset.BLIND], ids=lambda folder: folder.name)
def test_the_repository_corpora_load_whole(folder):
    corpus = devset.load_sources(folder)
    kinds = {a.kind for a in corpus.articles}
    assert {"story", "brief", "copy", "rehash", "passing", "distractor"} <= kinds
    storylines = {s.id for s in corpus.storylines}
    assert all(a.storyline_id in storylines for a in corpus.articles if a.storyline_id)
    assert all(a.text and a.title for a in corpus.articles)


PREDICTED = {
    "brief": {"ship": "p1"}, "full": {"ship": "p1"}, "copy": {"ship": "p9"},
    "second": {"ship": "p1"}, "live": {"ship": "p2"}, "rehash": {"ship": "p3"},
    "passing": {"ship": "p4"}, "distractor": {"ship": "p5"},
}


def test_storyline_scores_leave_copies_and_passing_mentions_out_and_count_them_apart(corpus):
    score = devset.storyline_score(corpus, PREDICTED)
    # scored: brief, full, second, live, rehash, distractor (assigned) and missed (not): 5 right of 6 assigned, 5 of 6 gold
    assert (score.correct, score.assigned, score.gold) == (5, 6, 6)
    assert score.precision == pytest.approx(5 / 6) and score.recall == pytest.approx(5 / 6)
    assert (score.passing_assigned, score.distractors_assigned) == (1, 1)


def test_development_bcubed_scores_the_correctly_assigned_articles_within_their_storyline(corpus):
    score = devset.development_bcubed(corpus, PREDICTED)
    # gold d1 = {brief, full, rehash}, d2 = {second, live}; predicted p1 = {brief, full, second}, p2 = {live}, p3 = {rehash}
    precision = (2 / 3 + 2 / 3 + 1 / 3 + 1 + 1) / 5
    recall = (2 / 3 + 2 / 3 + 1 / 3 + 1 / 2 + 1 / 2) / 5
    assert score.articles == 5
    assert score.precision == pytest.approx(precision) and score.recall == pytest.approx(recall)
    assert score.f1 == pytest.approx(2 * precision * recall / (precision + recall))


def test_an_article_without_a_development_counts_alone():
    assert devset.bcubed({"a": "x", "b": "x"}, {"a": 1, "b": 1}) == (1.0, 1.0)
    assert devset.bcubed({"a": "x", "b": "y"}, {"a": 1, "b": 1}) == (1.0, 0.5)


def test_an_alert_is_right_only_as_the_first_for_the_development_the_page_showed_when_it_was_raised(corpus):
    alerts = [
        ("ship", "full", at("2021-03-24T00:00")),     # second for d1: the brief alerted first
        ("ship", "brief", at("2021-03-23T12:00")),    # first for d1 (order of the list does not matter)
        ("ship", "copy", at("2021-03-24T00:00")),
        ("ship", "live", at("2021-03-29T12:00")),     # the update's development, d3: right
        ("ship", "live", at("2021-03-30T00:00")),     # d3 again: second
        ("ship", "rehash", at("2021-04-21T00:00")),
        ("ship", "passing", at("2021-03-25T00:00")),
        ("ship", "distractor", at("2021-03-25T00:00")),
        ("other", "second", at("2021-03-26T00:00")),  # right development, wrong storyline
        ("ship", "no-such-article", at("2021-03-26T00:00")),
    ]
    score = devset.alert_score(corpus, alerts)
    assert (score.right, score.alerts, score.developments) == (2, 10, 3)
    assert score.precision == pytest.approx(0.2) and score.recall == pytest.approx(2 / 3)
    assert score.wrong == {"second": 2, "copy": 1, "rehash": 1, "passing": 1, "distractor": 1,
                           "other-storyline": 1, "unknown": 1}
    assert score.per_development == {"d1": 4, "d2": 1, "d3": 2}
    assert score.wrong_articles["second"] == ("full", "live") and score.wrong_articles["unknown"] == ("no-such-article",)
    assert devset.alert_score(corpus, []).missed == ("d1", "d2", "d3")


def test_the_report_prints_each_figure_beside_its_target(corpus):
    lines = devset.report(devset.storyline_score(corpus, PREDICTED), devset.development_bcubed(corpus, PREDICTED),
                          {"webhook": devset.alert_score(corpus, [("ship", "brief", at("2021-03-23T12:00"))])})
    text = "\n".join(lines)
    assert "precision 0.833 (5/6)" in text and "passing mentions assigned 1" in text
    assert "alerts to webhook: precision 1.000 (1/1), recall 0.333 (1/3)" in text
    assert "never alerted: d2 d3" in text
    assert all("[target" in line for line in lines if not line.startswith("  alerts per"))
