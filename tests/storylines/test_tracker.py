"""track() and backfill() against a real DuckDB file: assignments, developments, sources, idempotence."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from storywatch.storylines import backfill, track
from storywatch.storylines.tracker import development_id
from storywatch.warehouse.db import transaction

from .conftest import AMBASSADOR, NATO, store_article, store_seed

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


def test_the_seeds_make_one_storyline_of_three_developments_and_the_nato_article_stays_out(db, seeds):
    ids = {key: store_seed(db, seed) for key, seed in seeds.items()}
    for key in ("003", "000", "001", "002"):  # one pass per publication day
        _track(db, [AMBASSADOR, NATO], [ids[key]])
    developments = _developments(db, AMBASSADOR.id)
    assert [d[0] for d in developments] == [development_id(AMBASSADOR.id, ids[k]) for k in ("003", "000", "001")]
    assert developments[1][1] == "Russian ambassador to US returns to Moscow as diplomatic crisis continues"
    assert developments[2][5] == developments[1][0]  # the return's nearest earlier development is the arrival
    assert developments[2][6]  # and it names new facts
    nato = db.execute("SELECT storyline_id FROM storyline_articles WHERE article_id = ?", [ids["002"]]).fetchall()
    assert nato == [(NATO.id,)]


def test_tracking_the_same_articles_twice_changes_nothing(db, seeds):
    ids = [store_seed(db, seed) for seed in seeds.values()]
    first = _track(db, [AMBASSADOR], ids)
    tables = ("internal.storyline_articles", "internal.developments", "internal.development_profiles",
              "internal.term_stats", "internal.corpus_stats")
    before = {t: db.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in tables}
    second = _track(db, [AMBASSADOR], ids)
    assert len(first.opened) == 3 and second.assignments == () and second.opened == ()
    assert {t: db.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in tables} == before


def test_rewrites_join_their_development_and_copies_never_count_as_sources(db, seeds):
    seed = seeds["000"]
    original = store_seed(db, seed)
    _track(db, [AMBASSADOR], [original])
    later = seed.published_at + timedelta(days=3)
    rewrite = store_article(db, "rewrite", "Envoy Antonov back in Moscow as crisis with Washington deepens",
                            seed.text.split("\n", 3)[-1], source="Other Outlet", published_at=later)
    copy = store_article(db, "copy", seed.title, seed.text, source="Syndicator", published_at=later,
                         duplicate_of=original)
    result = _track(db, [AMBASSADOR], [rewrite, copy])
    assert result.opened == ()
    assert {a.article_id: a.development_id for a in result.assignments} == {
        rewrite: development_id(AMBASSADOR.id, original), copy: development_id(AMBASSADOR.id, original)}
    assert "syndicated copy of" in next(a.explanation for a in result.assignments if a.article_id == copy)
    (development,) = _developments(db, AMBASSADOR.id)
    assert development[2:5] == (3, 2, ["Other Outlet", "WSWS"])


def test_a_copy_never_opens_a_development_even_when_its_original_is_not_in_the_storyline(db, seeds):
    seed = seeds["000"]
    original = store_seed(db, seed, published_at=seed.published_at)
    _track(db, [NATO], [original])  # tracked before the ambassador storyline existed
    copy = store_article(db, "copy", seed.title, seed.text, duplicate_of=original, published_at=seed.published_at)
    result = _track(db, [AMBASSADOR], [copy])
    assert result.assignments == () and result.opened == ()


def test_an_article_in_several_storylines_says_so_and_a_passing_mention_is_reported_not_stored(db, seeds):
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


def test_empty_text_and_a_storyline_without_matches_are_no_errors(db):
    empty = store_article(db, "empty", "Moscow recalls envoy Antonov", "")
    result = _track(db, [AMBASSADOR, NATO], [empty])
    (assignment,) = result.assignments
    assert "judged on the title alone" in assignment.explanation
    assert "teaser" in result.opened[0].explanation
    assert _developments(db, NATO.id) == []


def test_backfill_runs_a_new_storyline_over_stored_articles_in_time_order_without_alerting(db, seeds):
    ids = {key: store_seed(db, seed) for key, seed in seeds.items()}
    _track(db, [NATO], list(ids.values()))
    handed_on = []
    with transaction(db):
        result = backfill(db, AMBASSADOR, now=NOW, batch_size=2)
    assert [d.first_article_id for d in result.opened] == [ids["003"], ids["000"], ids["001"]]
    with transaction(db):
        again = backfill(db, AMBASSADOR, now=NOW, on_opened=handed_on.append)
    assert again.assignments == () and handed_on == []


def test_backfill_hands_opened_developments_on_when_asked(db, seeds):
    ids = [store_seed(db, seed) for seed in seeds.values()]
    handed_on = []
    with transaction(db):
        result = backfill(db, AMBASSADOR, now=NOW, batch_size=2, on_opened=handed_on.append)
    assert [d for batch in handed_on for d in batch] == list(result.opened) and len(result.opened) == 3
    assert set(ids) > {a.article_id for a in result.assignments}
