"""Do the days storywatch opens developments on match real news timelines? Timeline17's development folders.

Run: .venv/bin/python bench/timeline17_eval.py [--pipeline [--slices N]]

Each file of $STORYWATCH_EVAL_DATA/timeline17-dev (default ../shared/data beside the checkout)
becomes one storyline with an operator's query for its topic. Per gold timeline the articles
published outside its first..last date are dropped (the news-tls protocol), then:
  - by default (fast), the articles are stored in a scratch DuckDB and `track()` runs over them
    day by day, as storylines_eval.py does;
  - with --pipeline, they are served on loopback as one outlet's RSS feed and article pages (the
    demo newsroom's chrome), and real passes (collect, track) run over N chronological slices.
Either way the developments view is read back and scored: Date-F1@k, unconstrained and ±1-day
Date-F1 of the days developments were opened, developments per gold date, and the
publication-count baseline on the same articles.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import tempfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from pathlib import Path
from string import Template

import duckdb
from eval_data import EVAL_DATA
from date_scores import Scores, averaged, date_f1, day_weights, tolerant_date_f1, top_days
from storylines_eval import Item, tracked

from storywatch.config import FeedSettings, FetchSettings, Settings, StorylineSettings
from storywatch.demo.newsroom import SITE, Newsroom, Outlet, SampleArticle
from storywatch.demo.server import LoopbackSite
from storywatch.warehouse.db import open_warehouse

FOLDER = "timeline17-dev"
# Only the publication day is known; noon UTC keeps it the same day in any reader's time zone.
PUBLISHED_AT = time(12, tzinfo=timezone.utc)

# One storyline per topic, its query written once as an operator would for the topic, before
# any score was seen. Do not tune these to the figures: the acceptance timelines are other topics.
STORYLINES = {
    "H1N1": StorylineSettings(id="swine-flu", title="Swine flu pandemic",
                              query='H1N1 OR "swine flu" OR (flu AND pandemic)'),
    "haiti": StorylineSettings(id="haiti-earthquake", title="Haiti earthquake",
                               query="Haiti* AND (earthquake OR quake)"),
    "MJ": StorylineSettings(id="michael-jackson", title="Michael Jackson's death and Dr Murray's trial",
                            query='"Michael Jackson" OR (Jackson AND (Murray OR singer OR pop))'),
    "Finan": StorylineSettings(id="financial-crisis", title="The 2008 financial crisis",
                               query='(financial OR credit OR banking) AND crisis OR bailout OR "Lehman Brothers"'),
}

TARGET_AT_K, TARGET_OVER_BASELINE, TARGET_PER_GOLD_DATE = 0.60, 0.05, 1.5
PUBLISHED = ("published Date-F1@k on all of T17 (ACL 2020, Table 4; offline systems told k): DATEWISE 0.544, "
             "MARTSCHAT2018 0.544, TRAN2013 0.517, PUBCOUNT 0.481, CLUST 0.407, CHIEU2004 0.251; date oracle 0.926")


@dataclass(frozen=True)
class Timeline:
    name: str                   # the file's folder name, e.g. H1N1_bbc
    outlet: str
    storyline: StorylineSettings
    gold: frozenset[date]
    items: tuple[Item, ...]     # the articles published within the gold timeline's first..last date


@dataclass(frozen=True)
class Opened:
    """A development as the developments view reports it: its day and how many articles it gathered."""
    day: date
    articles: int


@dataclass(frozen=True)
class Result:
    timeline: Timeline
    opened: tuple[Opened, ...]
    matched: int                # articles assigned to the storyline

    @property
    def k(self) -> int:
        return len(self.timeline.gold)

    def at_k(self) -> Scores:
        return date_f1(top_days(day_weights((o.day, o.articles) for o in self.opened), self.k), self.timeline.gold)

    def unconstrained(self) -> Scores:
        return date_f1({o.day for o in self.opened}, self.timeline.gold)

    def tolerant(self) -> Scores:
        return tolerant_date_f1({o.day for o in self.opened}, self.timeline.gold)

    def baseline(self) -> Scores:
        published = Counter(item.published_at.date() for item in self.timeline.items)
        return date_f1(top_days(published, self.k), self.timeline.gold)


# --- the data ----------------------------------------------------------------------------


def dev_folder(bench: str) -> Path | None:
    """The Timeline17 development folder, or None after saying in one line that it is missing."""
    folder = EVAL_DATA / FOLDER
    if folder.is_dir():
        return folder
    print(f"{bench}: skipped, no {folder} (set STORYWATCH_EVAL_DATA to the folder that holds {FOLDER}/)")
    return None


def load(folder: Path) -> list[Timeline]:
    timelines = []
    for path in sorted(folder.glob("*.json.gz")):
        record = json.loads(gzip.decompress(path.read_bytes()))
        if record["topic"] not in STORYLINES:
            raise SystemExit(f"{path.name}: no storyline written for topic {record['topic']!r}")
        articles = [
            Item(f"{record['folder']}/{a['id']}", a["title"], a["text"], record["outlet"],
                 datetime.combine(date.fromisoformat(a["date"]), PUBLISHED_AT))
            for a in record["articles"]
        ]
        for gold in record["timelines"]:
            days = frozenset(date.fromisoformat(day) for day in gold["dates"])
            first, last = min(days), max(days)
            timelines.append(Timeline(
                record["folder"], record["outlet"], STORYLINES[record["topic"]], days,
                tuple(a for a in articles if first <= a.published_at.date() <= last),
            ))
    return timelines


# --- running the product -----------------------------------------------------------------


DEVELOPMENT_DAY = "development day: reported_on, the day its first report's lead names"


def opened(con: duckdb.DuckDBPyConnection, storyline: StorylineSettings) -> tuple[tuple[Opened, ...], int]:
    """The storyline's developments (day, articles gathered) and how many articles it holds."""
    rows = con.execute(
        "SELECT reported_on, article_count FROM developments WHERE storyline_id = ? ORDER BY 1", [storyline.id]
    ).fetchall()
    matched = con.execute("SELECT count(*) FROM storyline_articles WHERE storyline_id = ?", [storyline.id]).fetchone()
    return tuple(Opened(*row) for row in rows), matched[0]


def fast(timeline: Timeline) -> tuple[Result, str]:
    with tracked(timeline.items, timeline.storyline) as con:
        developments, matched = opened(con, timeline.storyline)
        return Result(timeline, developments, matched), DEVELOPMENT_DAY


def slices(items: Sequence[Item], count: int) -> list[list[Item]]:
    """Chronological slices of about equal article counts; one day never spans two slices."""
    by_day: dict[date, list[Item]] = {}
    for item in sorted(items, key=lambda i: (i.published_at, i.key)):
        by_day.setdefault(item.published_at.date(), []).append(item)
    chosen: list[list[Item]] = []
    done = 0
    for day_items in by_day.values():
        if not chosen or done >= len(chosen) * len(items) / count:
            chosen.append([])
        chosen[-1] += day_items
        done += len(day_items)
    return chosen


def newsroom(timeline: Timeline, waves: list[list[Item]]) -> tuple[Newsroom, Outlet]:
    """The timeline's articles as one outlet of the demo newsroom, wave n being slice n."""
    chrome = Template(SITE.joinpath("chrome", "harbour-herald.html").read_text(encoding="utf-8"))
    outlet = Outlet("news", timeline.outlet, timeline.storyline.title, "rss", "/news/rss.xml", chrome)
    articles = tuple(
        # `role` is what the demo expects of an article; Timeline17 does not say, and nothing reads it here.
        SampleArticle(key=f"wave{n}/{item.key.replace('/', '-')}", wave=n, outlet=outlet.key, title=item.title,
                      author=timeline.outlet, published_at=item.published_at,
                      paragraphs=tuple(line for line in item.text.splitlines() if line.strip()),
                      role="new-development")
        for n, wave in enumerate(waves, start=1) for item in wave
    )
    return Newsroom({outlet.key: outlet}, articles, {n: f"slice {n}" for n in range(1, len(waves) + 1)}), outlet


def pipeline(timeline: Timeline, count: int) -> tuple[Result, str]:
    """Serve the timeline as a feed and run a real pass (collect, track) after each slice is published."""
    from storywatch.flows import steps  # only now: Prefect reads its settings on import

    waves = slices(timeline.items, count)
    room, outlet = newsroom(timeline, waves)
    with tempfile.TemporaryDirectory() as scratch, LoopbackSite("127.0.0.1") as site:
        settings = Settings(
            database=Path(scratch) / "storywatch.duckdb",
            # One loopback host serves every page; an internal host, so allowed explicitly.
            fetch=FetchSettings(concurrency=8, per_host_concurrency=8, allow_internal=["127.0.0.1"]),
            feeds=[FeedSettings(name=timeline.outlet, url=site.url(outlet.feed_path))],
            storylines=[timeline.storyline],
        )
        for number, wave in enumerate(waves, start=1):
            room.publish(site, number)
            now = wave[-1].published_at
            steps.collect(settings, steps.new_pass_id(now))
            steps.track_storylines(settings, now=now)
        with open_warehouse(settings.database, read_only=True) as con:
            developments, matched = opened(con, timeline.storyline)
            stored = con.execute("SELECT count(*) FROM articles").fetchone()[0]
            return Result(timeline, developments, matched), f"{DEVELOPMENT_DAY}; {stored} articles stored"


# --- report ------------------------------------------------------------------------------


def report(results: Sequence[Result]) -> None:
    print(f"{'timeline':<21} {'arts':>4} {'match':>5} {'k':>3} {'devs':>4} {'dev/gd':>6} | "
          f"{'F1@k P/R/F1':<17} {'pubcount@k':<17} | {'all-days F1':<17} {'±1 day F1':<17}")
    for r in results:
        print(f"{r.timeline.name:<21} {len(r.timeline.items):>4} {r.matched:>5} {r.k:>3} {len(r.opened):>4} "
              f"{len(r.opened) / r.k:>6.2f} | {_fmt(r.at_k()):<17} {_fmt(r.baseline()):<17} | "
              f"{_fmt(r.unconstrained()):<17} {_fmt(r.tolerant()):<17}")
    metrics = {name: averaged([getattr(r, name)() for r in results])
               for name in ("at_k", "baseline", "unconstrained", "tolerant")}
    for name, label in (("at_k", "Date-F1@k"), ("baseline", "publication-count baseline @k"),
                        ("unconstrained", "Date-F1, all development days"), ("tolerant", "Date-F1 ±1 day")):
        m = metrics[name]
        print(f"{label}: mean P {m.precision:.3f} R {m.recall:.3f} -> F1 {m.f1:.3f} (news-tls); mean F1 {m.mean_f1:.3f}")
    developments, gold_days = sum(len(r.opened) for r in results), sum(r.k for r in results)
    per_gold_date = developments / gold_days
    at_k, baseline = metrics["at_k"].f1, metrics["baseline"].f1
    print(f"developments opened: {developments} for {gold_days} gold dates = {per_gold_date:.2f} per gold date "
          f"(mean of timelines {sum(len(r.opened) / r.k for r in results) / len(results):.2f})")
    print(f"targets: Date-F1@k {at_k:.3f} >= {TARGET_AT_K} [{_ok(at_k >= TARGET_AT_K)}], "
          f">= baseline {baseline:.3f} + {TARGET_OVER_BASELINE} [{_ok(at_k >= baseline + TARGET_OVER_BASELINE)}]; "
          f"{per_gold_date:.2f} developments per gold date <= {TARGET_PER_GOLD_DATE} "
          f"[{_ok(per_gold_date <= TARGET_PER_GOLD_DATE)}]")
    print(PUBLISHED)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pipeline", action="store_true", help="serve a feed on loopback and run real passes")
    parser.add_argument("--slices", type=int, default=6, help="chronological slices (passes) with --pipeline")
    args = parser.parse_args(argv)
    folder = dev_folder("timeline17")
    if folder is None:
        return 0
    timelines = load(folder)
    mode = f"pipeline, {args.slices} passes each" if args.pipeline else "fast, track() day by day"
    results, sources = [], set()
    for timeline in timelines:
        result, source = pipeline(timeline, args.slices) if args.pipeline else fast(timeline)
        results.append(result)
        sources.add(source.split(";")[0])
        if args.pipeline:
            print(f"  {timeline.name}: {source}")
    print(f"timeline17-dev ({len(timelines)} gold timelines, {mode}; development day: {', '.join(sorted(sources))})")
    for storyline in {t.storyline.id: t.storyline for t in timelines}.values():
        print(f"  storyline {storyline.id}: {storyline.query}")
    report(results)
    return 0


def _fmt(scores: Scores) -> str:
    return "/".join(f"{v:.3f}" for v in scores)


def _ok(held: bool) -> str:
    return "OK" if held else "MISS"


if __name__ == "__main__":
    sys.exit(main())
