"""The storyline-dev corpus as typed values, and how a tracker's output is scored against it.

Loading reads `storyline-dev/corpus.json` under STORYWATCH_EVAL_DATA (default ../shared/data
beside the checkout). The scoring functions are pure: they take plain mappings of what a
tracker predicted, keyed by the corpus's article ids, so an in-process run and a run through
the real pipeline are scored by the same code.

    assignments: article key -> {storyline id: development id or None}   (missing/empty: unassigned)
    alerts:      (storyline id, article key, corpus time the alert was raised), in any order
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from datetime import datetime, timedelta, timezone
from pathlib import Path

import yaml

from eval_data import EVAL_DATA

NAME = "storyline-dev"

#: kinds whose alerts are wrong whatever else holds (the corpus README's "never alerts")
NEVER_ALERTS = ("rehash", "copy", "passing", "distractor")
#: kinds that count neither way for storyline precision/recall: a copy is folded into its
#: original, and a passing mention is reported on its own (it must never be assigned)
NOT_SCORED = ("copy", "passing")

Assignments = Mapping[str, Mapping[str, str | None]]
RaisedAlert = tuple[str, str, datetime]


class MissingData(FileNotFoundError):
    """The corpus is not where the benches look; str() is the one line to print."""


@dataclass(frozen=True)
class Update:
    """A live blog's page after one update: the whole text served at the same URL from `published`."""

    published: datetime
    development_id: str
    text: str


@dataclass(frozen=True)
class DevArticle:
    id: str
    outlet: str                 # display name, as an operator names the feed
    outlet_key: str
    kind: str                   # story, brief, copy, rehash, passing, distractor
    published: datetime
    title: str
    author: str
    text: str
    storyline_id: str | None
    development_id: str | None
    duplicate_of: str | None
    passing_mention_of: str | None
    updates: tuple[Update, ...] = ()

    def revision_at(self, when: datetime) -> tuple[int, str | None, str]:
        """(revision number, development, text) of the page as served at `when`; 0 is the original."""
        current = (0, self.development_id, self.text)
        for number, update in enumerate(self.updates, start=1):
            if update.published <= when:
                current = (number, update.development_id, update.text)
        return current


@dataclass(frozen=True)
class Storyline:
    id: str
    title: str
    query: str
    description: str


@dataclass(frozen=True)
class Development:
    id: str
    storyline_id: str
    first_reported: datetime


@dataclass(frozen=True)
class DevSet:
    folder: Path
    outlets: Mapping[str, str]          # outlet key -> display name
    storylines: tuple[Storyline, ...]
    developments: tuple[Development, ...]
    articles: tuple[DevArticle, ...]

    @cached_property
    def by_key(self) -> Mapping[str, DevArticle]:
        return {a.id: a for a in self.articles}


def load(folder: Path | None = None) -> DevSet:
    folder = folder or EVAL_DATA / NAME
    corpus_file = folder / "corpus.json"
    if not corpus_file.is_file():
        raise MissingData(f"{NAME}: {corpus_file} is missing (set STORYWATCH_EVAL_DATA to the folder holding {NAME}/)")
    corpus = json.loads(corpus_file.read_text(encoding="utf-8"))
    return DevSet(
        folder=folder,
        outlets=dict(corpus["outlets"]),
        storylines=tuple(Storyline(s["id"], s["title"], s["query"], s["description"]) for s in corpus["storylines"]),
        developments=tuple(
            Development(d["id"], d["storyline_id"], _utc(d["first_reported"])) for d in corpus["developments"]
        ),
        articles=tuple(_article(a) for a in corpus["articles"]),
    )


#: storywatch's own labelled corpora, in the repository, in sources an author edits (see each
#: one's storylines.yaml); the benches read them beside storyline-dev and never train on them
CORPORA = Path(__file__).resolve().parent / "corpora"
EXTRA = CORPORA / "storyline-extra"  # four storylines in other domains
BLIND = CORPORA / "storyline-blind"  # four more, written after the rules they measure


def load_sources(folder: Path = EXTRA) -> DevSet:
    """A corpus kept as sources: `storylines.yaml` (outlets, the wire, storylines with the
    prefix of their development ids) and `src/*.txt`, blocks in storyline-dev's source format:

        === ID | OUTLET | KIND | DEV or - | YYYY-MM-DD HH:MM (UTC) | AUTHOR
        T: title      P: storyline of a passing mention      C: wire original of a copy
        === +update ID | YYYY-MM-DD HH:MM | DEV     (paragraphs added to the page at its URL)

    A copy's text is its wire original's, as an outlet runs it (see `_syndicated`)."""
    meta = yaml.safe_load((folder / "storylines.yaml").read_text(encoding="utf-8"))
    storyline_of = {s["prefix"]: s["id"] for s in meta["storylines"]}
    blocks: list[dict] = []
    updates: dict[str, list[dict]] = {}
    for source in sorted((folder / "src").glob("*.txt")):
        for chunk in re.split(r"^=== ", source.read_text(encoding="utf-8"), flags=re.M)[1:]:
            head, _, body = chunk.partition("\n")
            fields = [f.strip() for f in head.split("|")]
            lines = body.strip("\n").split("\n")
            tags = {}
            while lines and re.match(r"^[TPC]: ", lines[0]):
                line = lines.pop(0)
                tags[line[0]] = line[3:].strip()
            paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", "\n".join(lines)) if p.strip()]
            if fields[0].startswith("+update"):
                updates.setdefault(fields[0].split()[1], []).append(
                    {"published": _minute(fields[1]), "development_id": fields[2], "paragraphs": paragraphs})
                continue
            if len(fields) != 6:
                raise ValueError(f"{source.name}: a block header needs 6 fields: {head!r}")
            blocks.append({"id": fields[0], "outlet_key": fields[1], "kind": fields[2],
                           "dev": None if fields[3] == "-" else fields[3], "published": _minute(fields[4]),
                           "author": fields[5], "tags": tags, "text": "\n\n".join(paragraphs)})
    by_id = {b["id"]: b for b in blocks}
    articles = []
    for b in sorted(blocks, key=lambda b: b["published"]):
        original = by_id[b["tags"]["C"]] if b["kind"] == "copy" else None
        dev = original["dev"] if original else b["dev"]
        text = _syndicated(original["text"], meta["outlets"][meta["wire"]]) if original else b["text"]
        pages, page = [], text
        for update in sorted(updates.get(b["id"], ()), key=lambda u: u["published"]):
            page = "\n\n".join([page, *update["paragraphs"]])
            pages.append(Update(update["published"], update["development_id"], page))
        articles.append(DevArticle(
            id=b["id"], outlet=meta["outlets"][b["outlet_key"]], outlet_key=b["outlet_key"], kind=b["kind"],
            published=b["published"], title=b["tags"]["T"], author=b["author"], text=text,
            storyline_id=storyline_of[dev[:2]] if dev else None, development_id=dev,
            duplicate_of=original["id"] if original else None, passing_mention_of=b["tags"].get("P"),
            updates=tuple(pages),
        ))
    first: dict[str, datetime] = {}
    for a in articles:
        if a.kind in ("story", "brief", "copy"):
            for dev, at in [(a.development_id, a.published), *((u.development_id, u.published) for u in a.updates)]:
                if dev:
                    first[dev] = min(first.get(dev, at), at)
    return DevSet(
        folder=folder,
        outlets=dict(meta["outlets"]),
        storylines=tuple(Storyline(s["id"], s["title"], s["query"], s["description"]) for s in meta["storylines"]),
        developments=tuple(Development(d, storyline_of[d[:2]], at) for d, at in sorted(first.items(), key=lambda kv: kv[1])),
        articles=tuple(articles),
    )


def _syndicated(wire_text: str, wire: str) -> str:
    """A wire story as another outlet runs it: the agency's credit dropped from the dateline
    ("OTTAWA, Sept 18 (Meridian) - " becomes "OTTAWA, Sept 18 - ") and a credit line added."""
    agency = wire.split()[0]
    return re.sub(rf"^([^\n(]{{1,60}}?) \({agency}(?: \w+)?\) [-\u2013\u2014]+ ", r"\1 - ", wire_text) \
        + f"\n\n(Reporting by {wire}.)"


def _minute(stamp: str) -> datetime:
    return datetime.strptime(stamp, "%Y-%m-%d %H:%M").replace(tzinfo=timezone.utc)


def combined(*corpora: DevSet) -> DevSet:
    """Several corpora read as one (their storylines and article ids are disjoint)."""
    return DevSet(
        folder=corpora[0].folder,
        outlets={key: name for c in corpora for key, name in c.outlets.items()},
        storylines=tuple(s for c in corpora for s in c.storylines),
        developments=tuple(d for c in corpora for d in c.developments),
        articles=tuple(sorted((a for c in corpora for a in c.articles), key=lambda a: a.published)),
    )


def _article(record: dict) -> DevArticle:
    return DevArticle(
        id=record["id"], outlet=record["outlet"], outlet_key=record["outlet_key"], kind=record["kind"],
        published=_utc(record["published"]), title=record["title"], author=record["author"], text=record["text"],
        storyline_id=record["storyline_id"], development_id=record["development_id"],
        duplicate_of=record["duplicate_of"], passing_mention_of=record["passing_mention_of"],
        updates=tuple(Update(_utc(u["published"]), u["development_id"], u["text"]) for u in record.get("updates") or ()),
    )


def _utc(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))


# --- replaying it ------------------------------------------------------------------------

PASS_EVERY = timedelta(hours=12)
EPOCH = datetime(2000, 1, 1, tzinfo=timezone.utc)  # pass times are whole 12-hour steps from here (00:00, 12:00 UTC)


def pass_times(corpus: DevSet) -> list[datetime]:
    """The 12-hour pass times at which something had been published or updated since the pass before."""
    events = [a.published for a in corpus.articles] + [u.published for a in corpus.articles for u in a.updates]
    return sorted({EPOCH + -((EPOCH - when) // PASS_EVERY) * PASS_EVERY for when in events})


# --- storylines --------------------------------------------------------------------------


@dataclass(frozen=True)
class StorylineScore:
    precision: float
    recall: float
    assigned: int               # (article, storyline) pairs predicted, over the scored articles
    correct: int
    gold: int                   # scored articles that belong to a storyline
    passing_assigned: int       # passing mentions assigned to any storyline (target: 0)
    distractors_assigned: int


def storyline_score(devset: DevSet, assignments: Assignments) -> StorylineScore:
    assigned = correct = gold = passing = distractors = 0
    for article in devset.articles:
        predicted = set(assignments.get(article.id) or ())
        if article.kind == "passing":
            passing += bool(predicted)
        if article.kind in NOT_SCORED:
            continue
        distractors += article.kind == "distractor" and bool(predicted)
        assigned += len(predicted)
        correct += article.storyline_id in predicted
        gold += article.storyline_id is not None
    return StorylineScore(_ratio(correct, assigned), _ratio(correct, gold), assigned, correct, gold, passing, distractors)


# --- developments ------------------------------------------------------------------------


@dataclass(frozen=True)
class BCubed:
    precision: float
    recall: float
    f1: float
    articles: int               # correctly assigned articles scored


def development_bcubed(devset: DevSet, assignments: Assignments) -> BCubed:
    """B-cubed within each storyline, over the articles assigned to their own storyline (copies
    excluded: they are folded into their original). An article without a development is alone."""
    gold: dict[str, tuple[str, str | None]] = {}
    predicted: dict[str, tuple[str, str]] = {}
    for article in devset.articles:
        storyline = article.storyline_id
        if article.kind in NOT_SCORED or storyline is None or storyline not in (assignments.get(article.id) or {}):
            continue
        gold[article.id] = (storyline, article.development_id)
        predicted[article.id] = (storyline, assignments[article.id][storyline] or f"alone:{article.id}")
    precision, recall = bcubed(predicted, gold)
    return BCubed(precision, recall, _f1(precision, recall), len(gold))


def bcubed(predicted: Mapping[str, object], gold: Mapping[str, object]) -> tuple[float, float]:
    """B-cubed precision and recall of a clustering (item -> cluster) against the gold one."""
    if not gold:
        return 0.0, 0.0
    pred_members, gold_members = _members(predicted), _members(gold)
    precision = recall = 0.0
    for item in gold:
        same_pred, same_gold = pred_members[predicted[item]], gold_members[gold[item]]
        both = len(same_pred & same_gold)
        precision += both / len(same_pred)
        recall += both / len(same_gold)
    return precision / len(gold), recall / len(gold)


def _members(clusters: Mapping[str, object]) -> dict[object, set[str]]:
    members: dict[object, set[str]] = defaultdict(set)
    for item, cluster in clusters.items():
        members[cluster].add(item)
    return members


# --- alerts ------------------------------------------------------------------------------


@dataclass(frozen=True)
class AlertScore:
    precision: float
    recall: float
    alerts: int
    right: int
    developments: int
    wrong: Mapping[str, int]            # kind (rehash, copy, passing, distractor, second, other-storyline, unknown) -> count
    per_development: Mapping[str, int]  # gold development -> alerts attributed to it (any kind)
    wrong_articles: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # kind -> the alerts' article keys

    @property
    def missed(self) -> tuple[str, ...]:
        return tuple(d for d, n in self.per_development.items() if n == 0)


def alert_score(devset: DevSet, alerts: Iterable[RaisedAlert]) -> AlertScore:
    """An alert is right when it is the first for the gold development of the page as served
    when it was raised (a live blog's update carries its own development); everything else is
    wrong, counted by why. Recall is over the corpus's developments."""
    by_key = devset.by_key
    wrong: defaultdict[str, list[str]] = defaultdict(list)
    per_development = {d.id: 0 for d in devset.developments}
    alerted: set[str] = set()
    alerts = sorted(alerts, key=lambda alert: alert[2])
    for storyline_id, key, when in alerts:
        article = by_key.get(key)
        if article is None:
            wrong["unknown"].append(key)
            continue
        _, development, _ = article.revision_at(when)
        if development in per_development:
            per_development[development] += 1
        if article.kind in NEVER_ALERTS:
            wrong[article.kind].append(key)
        elif article.storyline_id != storyline_id:
            wrong["other-storyline"].append(key)
        elif development in alerted:
            wrong["second"].append(key)
        else:
            alerted.add(development)
    return AlertScore(
        precision=_ratio(len(alerted), len(alerts)), recall=_ratio(len(alerted), len(per_development)),
        alerts=len(alerts), right=len(alerted), developments=len(per_development),
        wrong={kind: len(keys) for kind, keys in wrong.items()}, per_development=per_development,
        wrong_articles={kind: tuple(keys) for kind, keys in wrong.items()},
    )


# --- printing ----------------------------------------------------------------------------

TARGETS = {
    "storyline precision": ">= 0.95, passing mentions never assigned",
    "development B-cubed F1": ">= 0.9",
    "alert precision/recall": ">= 0.95 / >= 0.95 per target",
    "wrong-kind alerts": "0 for rehashes, copies, passing mentions, distractors",
}


def report(storylines: StorylineScore, developments: BCubed, alerts: Mapping[str, AlertScore]) -> list[str]:
    """The figures as printed lines, each with the issue's target beside it."""
    lines = [
        f"storylines: precision {storylines.precision:.3f} ({storylines.correct}/{storylines.assigned}), "
        f"recall {storylines.recall:.3f} ({storylines.correct}/{storylines.gold}); passing mentions assigned "
        f"{storylines.passing_assigned}, distractors assigned {storylines.distractors_assigned} "
        f"[target precision {TARGETS['storyline precision']}]",
        f"developments: B-cubed P/R/F1 {developments.precision:.3f}/{developments.recall:.3f}/{developments.f1:.3f} "
        f"over {developments.articles} correctly assigned articles [target F1 {TARGETS['development B-cubed F1']}]",
    ]
    for target, score in alerts.items():
        wrong = ", ".join(f"{kind} {score.wrong.get(kind, 0)}" for kind in (*NEVER_ALERTS, "second"))
        others = {k: n for k, n in score.wrong.items() if k not in (*NEVER_ALERTS, "second")}
        spread = Counter(score.per_development.values())
        lines += [
            f"alerts to {target}: precision {score.precision:.3f} ({score.right}/{score.alerts}), recall "
            f"{score.recall:.3f} ({score.right}/{score.developments}) [target {TARGETS['alert precision/recall']}]",
            f"  wrong alerts: {wrong}" + "".join(f", {k} {n}" for k, n in others.items())
            + f" [target {TARGETS['wrong-kind alerts']}, second 0]"
            + "".join(f"; {kind}: {' '.join(keys)}" for kind, keys in score.wrong_articles.items() if kind != "second"),
            "  alerts per development: " + ", ".join(f"{n} alert{'s' * (n != 1)}: {spread[n]}" for n in sorted(spread))
            + (f"; never alerted: {' '.join(score.missed)}" if score.missed else "")
            + "".join(f"; {d} x{n}" for d, n in score.per_development.items() if n > 1),
        ]
    return lines


def _ratio(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def _f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0
