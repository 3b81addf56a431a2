"""Grouping a storyline's articles into developments, on the seed articles (no database)."""

from __future__ import annotations

from datetime import timedelta

from storywatch.storylines.developments import DevelopmentIndex, absorb, open_development, why_new
from storywatch.storylines.model import TermStats
from storywatch.storylines.entities import facts, stem
from storywatch.storylines.features import article_features
from storywatch.storylines.query import parse_query
from storywatch.storylines.text import sentences

from .conftest import AMBASSADOR

QUERY = parse_query(AMBASSADOR.query)


def _features(seed):
    return article_features(seed.title, seed.text).without(QUERY.mentions)


def _stats(seeds) -> TermStats:
    df: dict[str, int] = {}
    for seed in seeds.values():
        for term in article_features(seed.title, seed.text).terms:
            df[term] = df.get(term, 0) + 1
    return TermStats(len(seeds), df)


def _place_in_order(seeds, keys):
    index = DevelopmentIndex([], _stats(seeds))
    placements = {}
    for key in keys:
        seed = seeds[key]
        features = _features(seed)
        placement = index.place(features, seed.published_at)
        placements[key] = placement
        if placement.joins is None:
            index.put(open_development(f"dev-{key}", seed.title, features, seed.published_at))
        else:
            index.put(absorb(placement.joins, features, seed.published_at))
    return placements


def test_recall_arrival_and_return_are_three_developments(seeds):
    placements = _place_in_order(seeds, ["003", "000", "001"])
    assert all(p.joins is None for p in placements.values())
    assert placements["003"].nearest is None
    assert placements["000"].nearest.development_id == "dev-003"
    assert placements["001"].nearest.development_id == "dev-000"  # arrival is closer than the recall


def test_a_rehash_days_later_joins_the_development_it_repeats(seeds):
    seed = seeds["000"]
    index = DevelopmentIndex([], _stats(seeds))
    index.put(open_development("dev-000", seed.title, _features(seed), seed.published_at))
    rewrite = article_features(
        "Russia's envoy Antonov back in Moscow as row with Washington continues",
        seed.text.split("\n", 3)[-1],  # another outlet retelling the same body under its own headline
    ).without(QUERY.mentions)
    placement = index.place(rewrite, seed.published_at + timedelta(days=4))
    assert placement.joins is not None and placement.joins.development_id == "dev-000"


def test_a_new_development_says_what_is_nearest_how_far_and_which_facts_are_new(seeds):
    placement = _place_in_order(seeds, ["003", "000", "001"])["001"]
    sentence = why_new(placement)
    assert sentence.startswith("Nearest earlier development 'Russian ambassador to US returns to Moscow")
    assert f"distance {placement.distance:.2f}" in sentence and 0 < placement.distance <= 1
    new = {fact.key for fact in placement.new_facts}
    assert {"vedomosti", "tass"} <= new
    assert "antonov" not in " ".join(new)  # the storyline's own words are never news


def test_a_teaser_is_placed_on_its_title_and_lead_without_a_body_penalty(seeds):
    seed = seeds["000"]
    index = DevelopmentIndex([], _stats(seeds))
    index.put(open_development("dev-000", seed.title, _features(seed), seed.published_at))
    teaser = article_features(seed.title, "").without(QUERY.mentions)
    assert teaser.teaser and not teaser.body
    assert index.place(teaser, seed.published_at).joins is not None


def test_facts_are_names_numbers_dates_and_event_words():
    parts = sentences("Envoy recalled", "On March 20, Russia recalled Anatoly Antonov after 46 sanctions worth $5 billion.")
    found = {(f.kind, f.key) for f in facts(parts, frozenset())}
    assert {("date", "march 20"), ("name", "anatoly antonov"), ("number", "46"), ("number", "$5 billion"),
            ("event", "recall"), ("name", "russia")} <= found
    assert stem("recalled") == stem("recalls") == stem("recalling") == "recall"
