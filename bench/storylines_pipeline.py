"""storyline-dev through the real pipeline: served on loopback, polled pass by pass, scored by `devset`.

    .venv/bin/python bench/storylines_pipeline.py      (data: $STORYWATCH_EVAL_DATA/storyline-dev)
    .venv/bin/python bench/storylines_pipeline.py --corpus storyline-extra|storyline-blind   (bench/corpora: held out)

The five outlets are served by the demo's LoopbackSite, each article as a page in ordinary
chrome and each outlet's RSS feed listing what it has published by the pass's time; a live
blog's page changes at its URL at each update, and its feed item's updated date moves with it.
One pass per 12 hours of corpus time runs the monitoring pass's steps (`flows/steps.py`:
collect, track, deliver, record) with the corpus time as `now`; the Prefect flow takes its
clock from the wall, so it cannot replay years of news in minutes. Passes in which nothing
was published or updated are skipped: every feed would answer 304 and nothing would change.
Extraction runs on one in-process Dask cluster for the whole replay (the product's `--dask`
path), as a long-running deployment keeps its workers; a plain pass starts a process pool of
its own, about 6 s each on a 2-core box.
Alerts go to two real Apprise targets, a JSON webhook and mail to a local SMTP server, and
are scored as each target received them, mapped back to the corpus by URL.
"""

from __future__ import annotations

import argparse
import email
import re
import socket
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from datetime import datetime
from pathlib import Path
from string import Template
from urllib.parse import urlsplit

import devset  # the sibling script: bench/ is on the path when a bench runs
import yaml

from storywatch.config import Settings, load_settings
from storywatch.demo.inbox import AlertInbox
from storywatch.demo.newsroom import Newsroom, Outlet, Role, SampleArticle
from storywatch.demo.server import LoopbackSite
from storywatch.flows import steps
from storywatch.warehouse.db import open_warehouse

# Far above what 30 developments over three years need; the per-hour budget counts wall-clock
# hours, and the replay sends years of alerts within minutes, which would fold them into digests.
MAX_PER_HOUR = 10_000

# An outlet's article page. No og:site_name, as many outlets publish none: the source an
# alert names must come from the operator's feed name, not from the page or its host.
CHROME = Template("""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>$title | $site_name</title>
<meta name="description" content="$description">
<meta name="author" content="$author">
<link rel="canonical" href="$canonical">
<link rel="alternate" type="$feed_type" title="$site_name" href="$feed_url">
<meta property="article:published_time" content="$published_iso">
</head>
<body>
<div class="consent" id="cookie-consent"><p>We and our partners use cookies to personalise content and ads.
<button>Accept all</button> <button>Manage choices</button></p></div>
<header class="masthead"><a class="brand" href="$home">$site_name</a>
<nav><a href="${home}world/">World</a> <a href="${home}business/">Business</a> <a href="${home}markets/">Markets</a>
<a href="${home}tech/">Technology</a> <a href="${home}opinion/">Opinion</a> <a href="${home}subscribe/">Subscribe</a></nav>
</header>
<main>
<article>
<h1>$title</h1>
<p class="byline">By $author · <time datetime="$published_iso">$published_display</time></p>
$paragraphs
</article>
<aside class="read-next"><h2>Read next</h2><ul>
$related
</ul></aside>
<section class="newsletter"><h2>The morning briefing</h2><p>Sign up for the five stories you need before nine.</p></section>
</main>
<footer><p>&copy; $site_name. All rights reserved.</p><a href="${home}privacy/">Privacy</a> <a href="${home}terms/">Terms</a></footer>
</body>
</html>
""")

ROLES: dict[str, Role] = {
    "rehash": "rehash", "copy": "syndicated-copy", "passing": "passing-mention", "distractor": "unrelated",
}
FIRST_URL = re.compile(r"https?://[^\s\"'<>]+")
TIMELINE = re.compile(r"storywatch timeline ([a-z0-9][a-z0-9_-]*)")


# --- the corpus as a site ------------------------------------------------------------------


@dataclass(frozen=True)
class CorpusSite:
    """The corpus's outlets on a LoopbackSite, as they stood at any moment of corpus time."""

    corpus: devset.DevSet
    site: LoopbackSite

    @cached_property
    def outlets(self) -> dict[str, Outlet]:
        return {key: Outlet(key, name, f"{name}: news and analysis", "rss", f"/{key}/rss.xml", CHROME)
                for key, name in self.corpus.outlets.items()}

    def feeds(self) -> list[dict[str, str]]:
        """One feed per outlet, named with the outlet's display name (as an operator would)."""
        return [{"name": outlet.name, "url": self.site.url(outlet.feed_path)} for outlet in self.outlets.values()]

    def publish(self, at: datetime) -> None:
        """Serve every page and feed as they stood at `at`."""
        articles = tuple(_sample(self.corpus.folder.name, a, at, a.id in self._first_reports)
                         for a in self.corpus.articles if a.published <= at)
        Newsroom(self.outlets, articles, {}).publish(self.site, 0)

    def key_of(self, url: str) -> str | None:
        """The corpus article served at `url`, if any."""
        key = urlsplit(url).path.rsplit("/", 1)[-1]
        return key if key in self.corpus.by_key else None

    @cached_property
    def _first_reports(self) -> set[str]:
        first: dict[str, devset.DevArticle] = {}
        for article in sorted(self.corpus.articles, key=lambda a: a.published):
            if article.kind in ("story", "brief"):
                first.setdefault(article.development_id, article)
        return {article.id for article in first.values()}


def _sample(corpus_name: str, article: devset.DevArticle, at: datetime, first: bool) -> SampleArticle:
    revision, _, text = article.revision_at(at)
    return SampleArticle(
        key=f"{corpus_name}/{article.id}",
        wave=0,
        outlet=article.outlet_key,
        title=article.title,
        author=article.author,
        published_at=article.published,
        paragraphs=tuple(" ".join(p.split()) for p in text.split("\n\n") if p.strip()),
        role=ROLES.get(article.kind, "new-development" if first else "second-source"),
        storyline=article.storyline_id or article.passing_mention_of,
        updated_at=article.updates[revision - 1].published if revision else None,
    )


# --- the product ---------------------------------------------------------------------------


def write_config(folder: Path, corpus: devset.DevSet, feeds: Sequence[dict[str, str]], targets: Sequence[str]) -> Path:
    config = {
        "database": "storywatch.duckdb",
        # One loopback host serves every outlet; an internal host, so allowed explicitly.
        "fetch": {"timeout_seconds": 10, "per_host_concurrency": 8, "allow_internal": ["127.0.0.1"]},
        "feeds": list(feeds),
        "storylines": [{"id": s.id, "title": s.title, "query": s.query, "description": s.description}
                       for s in corpus.storylines],
        "notify": [{"url": url, "max_per_hour": MAX_PER_HOUR} for url in targets],
    }
    path = folder / "storywatch.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


@contextmanager
def extraction_cluster() -> Iterator[str]:
    """The address of an in-process Dask cluster that extracts for every pass of a replay."""
    from distributed import LocalCluster  # the `dask` extra, installed with the test extra

    with LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=":0") as cluster:
        yield cluster.scheduler_address


def run_pass(settings: Settings, now: datetime, dask_address: str | None = None) -> steps.PassSummary:
    """The monitoring pass's steps, as `flows.monitor` runs them, with `now` the corpus time."""
    pass_id = steps.new_pass_id(now)
    collected = steps.collect(settings, pass_id, dask_address)
    tracked = steps.track_storylines(settings, now=now)
    delivered = steps.deliver_alerts(settings)
    summary = steps.PassSummary(pass_id, now, now, collected, tracked, delivered)
    steps.record_pass(settings, summary)
    return summary


def replay(
    corpus_site: CorpusSite, settings: Settings, times: Sequence[datetime], dask_address: str | None = None
) -> Iterator[steps.PassSummary]:
    """Publish the corpus as it stood at each time and run a pass; yields each pass's summary."""
    for now in times:
        corpus_site.publish(now)
        yield run_pass(settings, now, dask_address)


# --- reading back --------------------------------------------------------------------------


def assignments(database: Path, key_of: Callable[[str], str | None]) -> dict[str, dict[str, str | None]]:
    """Corpus key -> {storyline: development}, from the storyline_articles view."""
    with open_warehouse(database, read_only=True) as con:
        rows = con.execute(
            "SELECT a.url, s.storyline_id, s.development_id FROM storyline_articles s JOIN articles a USING (article_id)"
        ).fetchall()
    found: dict[str, dict[str, str | None]] = {}
    for url, storyline_id, development_id in rows:
        if (key := key_of(url)) is not None:
            found.setdefault(key, {})[storyline_id] = development_id
    return found


def queued_alerts(database: Path, key_of: Callable[[str], str | None]) -> dict[str, list[devset.RaisedAlert]]:
    """Target -> the development alerts in the alerts view, each as (storyline, first article, created_at)."""
    with open_warehouse(database, read_only=True) as con:
        rows = con.execute(
            "SELECT al.target, al.storyline_id, a.url, al.created_at FROM alerts al"
            " JOIN developments d USING (development_id) JOIN articles a ON a.article_id = d.first_article_id"
            " WHERE al.kind = 'development' ORDER BY al.created_at, al.alert_id"
        ).fetchall()
    queued: dict[str, list[devset.RaisedAlert]] = {}
    for target, storyline_id, url, created_at in rows:
        queued.setdefault(target, []).append((storyline_id, key_of(url) or url, created_at))
    return queued


def received_alert(text: str, at: datetime, key_of: Callable[[str], str | None]) -> devset.RaisedAlert | None:
    """A delivered message as (storyline, first corpus article it links, pass time); None if it names none."""
    storyline = TIMELINE.search(text)
    first = next((key for url in FIRST_URL.findall(text) if (key := key_of(url)) is not None), None)
    return (storyline.group(1), first, at) if storyline and first else None


def mail_text(message: email.message.Message) -> str:
    return "\n".join(part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8", "replace")
                     for part in message.walk() if part.get_content_maintype() == "text")


@dataclass
class MailSink:
    """A local SMTP server (aiosmtpd) keeping every message it accepts."""

    messages: list[email.message.Message] = field(default_factory=list)
    port: int = 0

    def __enter__(self) -> MailSink:
        from aiosmtpd.controller import Controller  # a test dependency: only this bench needs it

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._controller.stop()

    async def handle_DATA(self, server, session, envelope) -> str:
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"

    @property
    def url(self) -> str:
        return f"mailto://127.0.0.1:{self.port}?from=storywatch@example.org&to=desk@example.org"


# --- the bench -----------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", choices=("storyline-dev", devset.EXTRA.name, devset.BLIND.name),
                        default="storyline-dev", help="storyline-dev (the shared data) or one of the repository's own")
    args = parser.parse_args(argv)
    try:
        corpus = devset.load() if args.corpus == "storyline-dev" else devset.load_sources(devset.CORPORA / args.corpus)
    except devset.MissingData as missing:
        print(missing)
        return 0
    times = devset.pass_times(corpus)
    began = time.perf_counter()
    with tempfile.TemporaryDirectory() as scratch, LoopbackSite("127.0.0.1") as site, \
            AlertInbox(Path(scratch) / "webhook.jsonl") as inbox, MailSink() as mail, extraction_cluster() as cluster:
        corpus_site = CorpusSite(corpus, site)
        settings = load_settings(write_config(Path(scratch), corpus, corpus_site.feeds(), [inbox.url, mail.url]))
        received: dict[str, list[devset.RaisedAlert]] = {"webhook": [], "mail": []}
        unread = {"webhook": 0, "mail": 0}  # messages linking no corpus article (digests of nothing, feed health)
        mails_read = 0
        for summary in replay(corpus_site, settings, times, cluster):
            fresh = {"webhook": [m["title"] + "\n" + m["message"] for m in inbox.new_alerts()],
                     "mail": [mail_text(m) for m in mail.messages[mails_read:]]}
            mails_read += len(fresh["mail"])
            for target, texts in fresh.items():
                for text in texts:
                    alert = received_alert(text, summary.started_at, corpus_site.key_of)
                    if alert is None:
                        unread[target] += 1
                    else:
                        received[target].append(alert)
        found = assignments(settings.database, corpus_site.key_of)
        queued = queued_alerts(settings.database, corpus_site.key_of)
        explanations, foreign_sources = _explanations_and_sources(settings)
    elapsed = time.perf_counter() - began

    span = (times[-1] - times[0]) // devset.PASS_EVERY + 1
    print(f"{corpus.folder.name} through the pipeline: {len(corpus.articles)} articles, {len(corpus.storylines)} storylines, "
          f"{len(corpus.developments)} developments; {len(times)} passes of 12 h run ({span} in the span, the "
          f"rest had nothing new); the steps of flows/steps.py with the corpus time as now, {elapsed:.0f} s")
    for line in devset.report(devset.storyline_score(corpus, found), devset.development_bcubed(corpus, found),
                              {f"{target} (received)": devset.alert_score(corpus, alerts)
                               for target, alerts in received.items()}):
        print(line)
    print("alerts view: " + ", ".join(f"{len(alerts)} queued for {target}" for target, alerts in queued.items())
          + (f"; messages naming no corpus article: {unread}" if any(unread.values()) else ""))
    print(f"sources: {foreign_sources} stored articles name a source that is no feed's name "
          f"[target 0: the source is feeds[].name]")
    for explanation in explanations:
        print(f"  why new, e.g.: {explanation}")
    return 0


def _explanations_and_sources(settings: Settings, examples: int = 3) -> tuple[list[str], int]:
    names = [feed.name for feed in settings.feeds]
    with open_warehouse(settings.database, read_only=True) as con:
        # each storyline's second development: the first with a known one to be new against
        explanations = [text for (text,) in con.execute(
            "SELECT explanation FROM developments QUALIFY row_number() OVER"
            " (PARTITION BY storyline_id ORDER BY first_seen_at) = 2 ORDER BY first_seen_at LIMIT ?",
            [examples]).fetchall()]
        (foreign,) = con.execute(
            "SELECT count(*) FROM articles WHERE NOT list_contains(?::VARCHAR[], source)", [names]).fetchone()
    return explanations, foreign


if __name__ == "__main__":
    sys.exit(main())
