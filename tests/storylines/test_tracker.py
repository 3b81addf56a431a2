"""track() and backfill() against a real DuckDB file: assignments, developments, sources, idempotence."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from storywatch.config import StorylineSettings
from storywatch.storylines import backfill, track
from storywatch.storylines.tracker import development_id
from storywatch.warehouse.db import transaction

from .conftest import (AMBASSADOR, COLONIAL, EVER_GIVEN, GROUNDING, IMPOUNDING, NATO, PIPELINE, REFLOATING, SEEDS,
                       store_article, store_corpus_article)

NOW = datetime(2021, 11, 1, tzinfo=timezone.utc)


def _track(con, storylines, ids):
    with transaction(con):
        return track(con, storylines, ids, now=NOW)


def _developments(con, storyline_id):
    return con.execute(
        "SELECT development_id, headline, article_count, source_count, sources, nearest_development_id, new_facts "
        "FROM developments WHERE storyline_id = ? ORDER BY first_seen_at",
        [storyline_id],
    ).fetchall()


def test_the_seeds_make_one_storyline_of_three_developments_and_the_pipeline_article_stays_out(db, corpus):
    ids = {key: store_corpus_article(db, corpus[key]) for key in SEEDS}
    for key in SEEDS:  # one pass per publication day
        _track(db, [EVER_GIVEN, COLONIAL], [ids[key]])
    developments = _developments(db, EVER_GIVEN.id)
    assert [d[0] for d in developments] == [development_id(EVER_GIVEN.id, ids[k]) for k in (GROUNDING, REFLOATING, IMPOUNDING)]
    assert developments[1][1] == "Ever Given refloated, Suez Canal reopens after six-day blockage"
    assert developments[2][5] == developments[1][0]  # the impounding's nearest earlier development is the refloating
    assert "$916 million" in developments[2][6]  # and it names the new facts
    pipeline = db.execute("SELECT storyline_id FROM storyline_articles WHERE article_id = ?", [ids[PIPELINE]]).fetchall()
    assert pipeline == [(COLONIAL.id,)]


def test_tracking_the_same_articles_twice_changes_nothing(db, corpus):
    ids = [store_corpus_article(db, corpus[key]) for key in SEEDS]
    first = _track(db, [EVER_GIVEN], ids)
    tables = ("internal.storyline_articles", "internal.developments", "internal.development_profiles",
              "internal.term_stats", "internal.corpus_stats")
    before = {t: db.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in tables}
    second = _track(db, [EVER_GIVEN], ids)
    assert len(first.opened) == 3 and second.assignments == () and second.opened == ()
    assert {t: db.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in tables} == before


def test_rewrites_join_their_development_and_copies_never_count_as_sources(db, corpus):
    wire = corpus[REFLOATING]
    original = store_corpus_article(db, wire)
    _track(db, [EVER_GIVEN], [original])
    later = wire.published_at + timedelta(days=3)
    rewrite = store_corpus_article(db, corpus["eg3-frontier-rehash"])  # a look-back a week on, in its own words
    syndicated = corpus["eg3-coastline-copy"]  # the corpus's own copy of the wire story, under another headline
    assert syndicated.duplicate_of == REFLOATING
    copy = store_corpus_article(db, syndicated, published_at=later, duplicate_of=original)
    result = _track(db, [EVER_GIVEN], [rewrite, copy])
    assert result.opened == ()
    assert {a.article_id: a.development_id for a in result.assignments} == {
        rewrite: development_id(EVER_GIVEN.id, original), copy: development_id(EVER_GIVEN.id, original)}
    assert "syndicated copy of" in next(a.explanation for a in result.assignments if a.article_id == copy)
    (development,) = _developments(db, EVER_GIVEN.id)
    assert development[2:5] == (3, 2, ["Frontier Review", "Northgate Wire"])


def test_a_copy_never_opens_a_development_even_when_its_original_is_not_in_the_storyline(db, corpus):
    wire = corpus[REFLOATING]
    original = store_corpus_article(db, wire)
    _track(db, [COLONIAL], [original])  # tracked before the Ever Given storyline existed
    copy = store_corpus_article(db, corpus["eg3-coastline-copy"], duplicate_of=original)
    result = _track(db, [EVER_GIVEN], [copy])
    assert result.assignments == () and result.opened == ()


def test_an_article_in_several_storylines_says_so_and_a_passing_mention_is_reported_not_stored(db):
    both = store_article(db, "both", "Russia recalls envoy Antonov and ends its NATO mission",
                         "Moscow recalled ambassador Antonov. Russia ended its NATO mission in Brussels.")
    passing = store_article(db, "passing", "Idlib falls",
                            "Government forces took Idlib. " * 30 + "\nRussia recalled envoy Antonov to Moscow.\n"
                            + "Fighting continued in the south. " * 30)
    result = _track(db, [AMBASSADOR, NATO], [both, passing])
    explanations = {(a.storyline_id, a.article_id): a.explanation for a in result.assignments}
    assert "also in storylines nato-mission" in explanations[(AMBASSADOR.id, both)]
    assert "also in storylines ambassador-recall" in explanations[(NATO.id, both)]
    assert [(a.storyline_id, a.article_id) for a in result.passed_over] == [(AMBASSADOR.id, passing)]
    stored = db.execute("SELECT count(*) FROM storyline_articles WHERE article_id = ?", [passing]).fetchone()
    assert stored == (0,)


# An earnings story that recalls the blockage in two sentences of its body: the query holds
# (Suez, ship, blocked), but only with the body's words, and its story is the shipping line's year.
EARNINGS = ("Maersk posts record profit as freight rates soar",
            "A.P. Moller-Maersk, the Danish container line, said that its net profit for the year "
            "rose more than tenfold to a record, as freight rates on its main east-west routes stayed near their "
            "pandemic highs.\n"
            "Revenue climbed to about $62 billion, and the board proposed the largest dividend in its history. "
            "Shares rose 4 per cent in Copenhagen, and rivals Hapag-Lloyd and CMA CGM also gained.\n"
            "Chief executive Soren Skou told investors that the company had ordered eight new vessels and would "
            "spend more on terminals in Los Angeles, Algeciras and Colombo.\n"
            "Jefferies and Danske Bank raised their price targets after the results.\n"
            "Maersk ships were among the hundreds stuck for six days when the Suez Canal was blocked in March, an "
            "episode the company said had cost it little.\n"
            "Analysts said the week its vessels were stuck outside the canal at Suez had barely dented earnings, which were driven "
            "by the scramble for containers.")
STORIES = StorylineSettings(id="disruptions", title="Shipping and fuel disruptions",
                            query='Suez OR "Colonial Pipeline"')


def test_a_report_of_another_story_that_needs_its_body_to_match_stays_out_of_a_one_story_storyline(db, corpus):
    grounding = store_corpus_article(db, corpus[GROUNDING])
    _track(db, [EVER_GIVEN], [grounding])
    earnings = store_article(db, "earnings", *EARNINGS, published_at=corpus[GROUNDING].published_at + timedelta(days=40))
    result = _track(db, [EVER_GIVEN], [earnings])
    assert result.assignments == () and result.opened == ()
    (passed,) = result.passed_over
    assert passed.article_id == earnings
    assert "the query holds only with words of the body, and the article tells another story" in passed.explanation


def test_in_a_storyline_of_many_stories_a_new_story_that_needs_its_body_to_match_opens_a_development(db, corpus):
    first = [store_corpus_article(db, corpus[key]) for key in (GROUNDING, PIPELINE)]
    _track(db, [STORIES], first)
    earnings = store_article(db, "earnings", *EARNINGS, published_at=corpus[PIPELINE].published_at + timedelta(days=1))
    result = _track(db, [STORIES], [earnings])
    assert [d.first_article_id for d in result.opened] == [earnings]
    assert result.passed_over == ()


def test_empty_text_and_a_storyline_without_matches_are_no_errors(db):
    empty = store_article(db, "empty", "Moscow recalls envoy Antonov", "")
    result = _track(db, [AMBASSADOR, NATO], [empty])
    (assignment,) = result.assignments
    assert "judged on the title alone" in assignment.explanation
    assert "(a brief of 0 words: placed on its title and lead)" in assignment.explanation
    assert _developments(db, NATO.id) == []


def test_backfill_runs_a_new_storyline_over_stored_articles_in_time_order_without_alerting(db, corpus):
    ids = {key: store_corpus_article(db, corpus[key]) for key in SEEDS}
    _track(db, [COLONIAL], list(ids.values()))
    handed_on = []
    with transaction(db):
        result = backfill(db, EVER_GIVEN, now=NOW, batch_size=2)
    assert [d.first_article_id for d in result.opened] == [ids[GROUNDING], ids[REFLOATING], ids[IMPOUNDING]]
    with transaction(db):
        again = backfill(db, EVER_GIVEN, now=NOW, on_opened=handed_on.append)
    assert again.assignments == () and handed_on == []


def test_backfill_hands_opened_developments_on_when_asked(db, corpus):
    ids = [store_corpus_article(db, corpus[key]) for key in SEEDS]
    handed_on = []
    with transaction(db):
        result = backfill(db, EVER_GIVEN, now=NOW, batch_size=2, on_opened=handed_on.append)
    assert [d for batch in handed_on for d in batch] == list(result.opened) and len(result.opened) == 3
    assert set(ids) > {a.article_id for a in result.assignments}
