"""Train the join-or-open model on storyline-dev and report it leave-one-storyline-out and held out.

Run: .venv/bin/python bench/train_join_model.py [--write] [--pooled]

Training pairs come from the product's own features and development profiles: each report
of a storyline, in time order, is compared with every candidate development the tracker would
compare it with, built from the gold developments of the reports before it, and labelled
same / not the same. Evaluation replays the corpus in-process through the product's store
(real dedupe, revisions for live pages) and `track()`, one pass per 12 hours of corpus time.

Cross-validation: for each storyline, a model fitted on the other five tracks the held-out
storyline; its figures are scored together at the end. Then the model fitted on all six tracks
the repository's own corpora (`bench/corpora`: storyline-extra and storyline-blind, four
storylines each in other domains), kept out of training so that the figures are on news the
model never saw. `--write` writes that model to `storylines/join_model.json` with every figure
beside the weights. `--pooled` also cross-validates over every storyline pooled: more training
data, but no untouched corpus left.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import devset  # noqa: E402  (a sibling bench module)

from storywatch.config import StorylineSettings
from storywatch.flows import steps
from storywatch.storylines import track
from storywatch.storylines.developments import DevelopmentIndex, absorb, open_development
from storywatch.storylines.features import ArticleFeatures, article_features, update_report
from storywatch.storylines.joining import (
    EVENT_FEATURES,
    STORY_FEATURES,
    TITLE_EVENT_FEATURES,
    TITLE_STORY_FEATURES,
    JoinModel,
    Logistic,
    PairEvidence,
    fit,
)
from storywatch.storylines.model import TermStats
from storywatch.storylines.query import parse_query
from storywatch.warehouse import store
from storywatch.warehouse.db import connect, transaction
from storywatch.warehouse.fingerprint import fingerprint
from storywatch.warehouse.records import Article

MODEL_PATH = Path(__file__).resolve().parents[1] / "storylines" / "join_model.json"
TRACKED_KINDS = ("story", "brief", "rehash")


# --- training pairs ----------------------------------------------------------------------


def reports(corpus: devset.DevSet, storyline: devset.Storyline, titles_only: bool = False, named: bool = True
            ) -> list[tuple[str, ArticleFeatures, datetime, str]]:
    """(key, features, time, gold development) of a storyline's reports, live-page updates
    included (what each update added, as the tracker reads it).

    `named`: the title and lead without the query's words, as the tracker reads a named
    storyline's reports (for the event stage); otherwise all their words, as a catch-all
    storyline's, whose query names no words (for the story stage, which answers there).
    `titles_only`: each report read as its title alone, as a headline feed gives it."""
    mentions = parse_query(storyline.query).mentions if named else (lambda _word: False)
    found = []
    for a in corpus.articles:
        if a.storyline_id != storyline.id or a.kind not in TRACKED_KINDS:
            continue
        found.append((a.id, article_features(a.title, "" if titles_only else a.text, a.published).without(mentions),
                      a.published, a.development_id))
        previous = a.text
        for number, update in enumerate(a.updates, start=1):
            added = update_report(previous, update.text)
            if added is not None:
                title, text = added
                found.append((f"{a.id}#{number}",
                              article_features(title, "" if titles_only else text, update.published).without(mentions),
                              update.published, update.development_id))
            previous = update.text
    return sorted(found, key=lambda r: r[2])


def term_stats(corpus: devset.DevSet, titles_only: bool = False) -> TermStats:
    """Document frequencies over every report of the corpus, as the tracker's statistics would hold."""
    df: dict[str, int] = {}
    documents = 0
    for a in corpus.articles:
        if a.storyline_id and a.kind in TRACKED_KINDS:
            documents += 1
            for term in article_features(a.title, "" if titles_only else a.text, a.published).terms:
                df[term] = df.get(term, 0) + 1
    return TermStats(documents, df)


def training_pairs(corpus: devset.DevSet, storylines: Sequence[devset.Storyline], stats: TermStats,
                   titles_only: bool = False, named: bool = True
                   ) -> tuple[list[tuple[PairEvidence, bool]], list[PairEvidence]]:
    """(pairs within each storyline as the tracker meets them, labelled same development or not;
    for each of those pairs, the development of another storyline most like the report).

    The foreign developments are put at the real candidate's distance in time, so the story
    stage learns from words alone that a report of another story is not this one's. The most
    similar one, not a typical one: a catch-all storyline joins the candidate the story stage
    ranks first, so that stage must tell a report's story from the closest other story.
    """
    finished: dict[str, list] = {}
    within: list[tuple[PairEvidence, bool]] = []
    walks: dict[str, list] = {}
    for storyline in storylines:
        index = DevelopmentIndex([], stats, model=None)  # type: ignore[arg-type]  (evidence only)
        walk = []
        for _key, features, at, gold in reports(corpus, storyline, titles_only, named):
            candidates = index.candidates(features, at)
            within += [(index.evidence(features, c, at), c.development_id == gold) for c in candidates]
            walk.append((features, at, candidates))
            profile = index.profiles.get(gold)
            index.put(absorb(profile, features, at) if profile else open_development(gold, gold, features, at))
        finished[storyline.id], walks[storyline.id] = list(index.profiles.values()), walk
    foreign_pairs: list[PairEvidence] = []
    for storyline in storylines:
        foreign = DevelopmentIndex([p for s, ps in finished.items() if s != storyline.id for p in ps], stats,
                                   model=None)  # type: ignore[arg-type]
        for features, at, candidates in walks[storyline.id]:
            for candidate in candidates:
                ranked = sorted(
                    (foreign.evidence(features, replace(p, reported_on=candidate.reported_on,
                                                         last_seen_at=candidate.last_seen_at), at)
                     for p in foreign.profiles.values()),
                    key=lambda e: -(e.lead + e.body + e.names),
                )
                foreign_pairs.append(ranked[0])
    return within, foreign_pairs


def train(corpus: devset.DevSet, storylines: Sequence[devset.Storyline], stats: TermStats, l2: float) -> JoinModel:
    """Both stages on the reports as written, and again on the reports read as their titles alone
    (for a pair one side of which has no text beyond its title: a headline feed).

    Each stage learns from the reports as the tracker will show them to it: the event stage
    answers in named storylines, whose query words are taken out of the title and lead; the
    story stage answers in catch-all storylines, where nothing is taken out, so the words a
    story's reports share (its query's among them) are what tell it from the closest other story."""
    stages = []
    for titles_only, story_names, event_names in ((False, STORY_FEATURES, EVENT_FEATURES),
                                                  (True, TITLE_STORY_FEATURES, TITLE_EVENT_FEATURES)):
        reading = term_stats(corpus, True) if titles_only else stats
        within, foreign = training_pairs(corpus, storylines, reading, titles_only, named=False)
        stages.append(fit([e for e, _ in within] + foreign, story_names,
                          [True] * len(within) + [False] * len(foreign), l2))
        within, _ = training_pairs(corpus, storylines, reading, titles_only)
        stages.append(fit([e for e, _ in within], event_names, [same for _, same in within], l2))
    story, event, story_titles, event_titles = stages
    return JoinModel(story, event, story_titles, event_titles)


# --- replay through the product ----------------------------------------------------------


def settings(storylines: Sequence[devset.Storyline]) -> list[StorylineSettings]:
    return [StorylineSettings(id=s.id, title=s.title, query=s.query, description=s.description) for s in storylines]


def _article(a: devset.DevArticle, text: str, fetched_at: datetime, updated_at: datetime | None) -> Article:
    url = f"https://{a.outlet_key}.example/{a.id}"
    return Article(
        url=url, final_url=url, canonical_url=url, feed=a.outlet, source=a.outlet, title=a.title, author=a.author,
        published_at=a.published, fetched_at=fetched_at, language="en", text=text,
        content_hash=hashlib.sha256(text.encode()).hexdigest(), fingerprint=fingerprint(text),
        item_updated_at=updated_at,
    )


def replay(corpus: devset.DevSet, model: JoinModel, storylines: Sequence[devset.Storyline]
           ) -> tuple[dict[str, dict[str, str | None]], list[devset.RaisedAlert]]:
    """Store the corpus pass by pass and track it; (assignments, alerts) keyed by corpus article id."""
    with tempfile.TemporaryDirectory() as scratch:
        con = connect(Path(scratch) / "replay.duckdb")
        served: dict[str, int] = {}  # article -> revision stored (0 is the original)
        for at in devset.pass_times(corpus):
            batch = []
            for a in corpus.articles:
                if a.published > at:
                    continue
                revision, _, text = a.revision_at(at)
                if served.get(a.id) != revision:
                    updated = a.updates[revision - 1].published if revision else None
                    batch.append(_article(a, text, at, updated))
                    served[a.id] = revision
            if not batch:
                continue
            with transaction(con):
                store.store_articles(con, f"pass-{at:%Y%m%d%H}", batch)
            while ids := store.untracked_article_ids(con, limit=steps.BATCH_SIZE):  # as a pass tracks
                with transaction(con):
                    track(con, settings(storylines), ids, now=at, model=model)
                    store.mark_tracked(con, ids, at)
        key_of = {store.article_id_for(f"https://{a.outlet_key}.example/{a.id}"): a.id for a in corpus.articles}
        assignments: dict[str, dict[str, str | None]] = {}
        for storyline_id, article_id, development_id in con.execute(
            "SELECT storyline_id, article_id, development_id FROM storyline_articles"
        ).fetchall():
            assignments.setdefault(key_of[article_id], {})[storyline_id] = development_id
        alerts = [
            (storyline_id, key_of[first], first_seen)
            for storyline_id, first, first_seen in con.execute(
                "SELECT storyline_id, first_article_id, first_seen_at FROM developments"
            ).fetchall()
        ]
        con.close()
    return assignments, alerts


# --- cross-validation --------------------------------------------------------------------


def cross_validate(corpus: devset.DevSet, stats: TermStats, l2: float) -> list[str]:
    assignments: dict[str, dict[str, str | None]] = {}
    alerts: list[devset.RaisedAlert] = []
    for held_out in corpus.storylines:
        training = [s for s in corpus.storylines if s.id != held_out.id]
        model = train(corpus, training, stats, l2)
        fold_assignments, fold_alerts = replay(corpus, model, [held_out])
        for key, by_storyline in fold_assignments.items():
            assignments.setdefault(key, {}).update(by_storyline)
        alerts += fold_alerts
    return score(corpus, assignments, alerts)


def score(corpus: devset.DevSet, assignments: devset.Assignments, alerts: list[devset.RaisedAlert]) -> list[str]:
    return devset.report(
        devset.storyline_score(corpus, assignments),
        devset.development_bcubed(corpus, assignments),
        {"the tracker (one alert per opened development)": devset.alert_score(corpus, alerts)},
    )


def describe(model: JoinModel) -> str:
    def stage(name: str, logistic: Logistic) -> str:
        return f"{name}: " + ", ".join(f"{n} {w:+.2f}" for n, w in logistic.weights.items()) + f", bias {logistic.bias:+.2f}"
    titles = [stage(f"{name}, titles alone", logistic) for name, logistic in
              (("same story", model.story_titles), ("same event", model.event_titles)) if logistic is not None]
    return "; ".join([stage("same story", model.story), stage("same event", model.event), *titles])


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--l2", type=float, default=1.0, help="L2 penalty of the logistic regression")
    parser.add_argument("--write", action="store_true",
                        help=f"fit on every storyline of storyline-dev and write {MODEL_PATH.name}")
    parser.add_argument("--pooled", action="store_true",
                        help="also cross-validate over all corpora pooled (a model taught on the held-out ones too)")
    args = parser.parse_args(argv)
    held_out_corpora = [devset.load_sources(folder) for folder in (devset.EXTRA, devset.BLIND)]
    try:
        dev = devset.load()
    except devset.MissingData as missing:
        print(missing)
        return 0
    stats = term_stats(dev)
    print(f"storyline-dev, leave one storyline out ({len(dev.storylines)} folds), L2 {args.l2}:")
    figures = cross_validate(dev, stats, args.l2)
    for line in figures:
        print("  " + line)
    model = train(dev, dev.storylines, stats, args.l2)
    held_out: list[str] = []
    for corpus in held_out_corpora:
        print(f"{corpus.folder.name} ({len(corpus.storylines)} storylines in other domains, never trained on), "
              f"held out whole: the model fitted on storyline-dev, L2 {args.l2}:")
        lines = score(corpus, *replay(corpus, model, corpus.storylines))
        for line in lines:
            print("  " + line)
        held_out += [f"{corpus.folder.name}, held out:", *lines]
    if args.pooled:
        pooled = devset.combined(dev, *held_out_corpora)
        print(f"all pooled, leave one storyline out ({len(pooled.storylines)} folds), L2 {args.l2}:")
        for line in cross_validate(pooled, term_stats(pooled), args.l2):
            print("  " + line)
    if args.write:
        MODEL_PATH.write_text(model.to_json(
            trained_on="storyline-dev (6 storylines, 30 developments), bench/train_join_model.py",
            l2=args.l2, cross_validated=figures + held_out,
        ) + "\n")
        print(f"wrote {MODEL_PATH}: {describe(model)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
