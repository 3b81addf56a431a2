"""The join model's training script on the repository's storyline-dev excerpt: it trains, replays, scores."""

from __future__ import annotations

from pathlib import Path

import devset
import train_join_model as training

from storywatch.storylines.joining import JoinModel

EXCERPT = devset.load(Path(__file__).parents[1] / "storylines" / "storyline_dev")


def test_training_pairs_label_the_gold_development_and_add_foreign_negatives():
    stats = training.term_stats(EXCERPT)
    within, foreign = training.training_pairs(EXCERPT, EXCERPT.storylines, stats)
    assert any(same for _, same in within) and not all(same for _, same in within)
    assert len(foreign) == len(within)  # one other story's development per real pair


def test_a_trained_model_replays_the_corpus_through_the_store_and_is_scored(tmp_path):
    stats = training.term_stats(EXCERPT)
    model = training.train(EXCERPT, EXCERPT.storylines, stats, l2=1.0)
    assert JoinModel.from_json(model.to_json()) == model
    assignments, alerts = training.replay(EXCERPT, model, EXCERPT.storylines)
    score = devset.alert_score(EXCERPT, alerts)
    assert score.wrong.get("copy", 0) == 0 and score.wrong.get("passing", 0) == 0
    assert score.recall >= 0.5  # in-sample on 8 developments: most alert, and the figure is computed
    assert all(key in EXCERPT.by_key for key in assignments)


def test_the_story_stage_learns_from_every_word_as_a_catch_all_storyline_reads_them():
    storyline = EXCERPT.storylines[0]
    words = [word for _, features, _, _ in training.reports(EXCERPT, storyline, named=False) for word in features.title]
    named = [word for _, features, _, _ in training.reports(EXCERPT, storyline) for word in features.title]
    assert set(named) < set(words)  # the named reading drops the query's words from the title and lead
    headlines = training.reports(EXCERPT, storyline, titles_only=True)
    assert headlines and all(not features.body for _, features, _, _ in headlines)
    model = training.train(EXCERPT, EXCERPT.storylines, training.term_stats(EXCERPT), l2=1.0)
    assert model.story_titles is not None and model.event_titles is not None
