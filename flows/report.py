"""The pass summary as rows of (what, how many): one source for the Prefect artifact and the CLI."""

from __future__ import annotations

from storywatch.flows.steps import PassSummary


def pass_rows(summary: PassSummary) -> list[tuple[str, str]]:
    c, t, d = summary.collected, summary.tracked, summary.delivered
    seconds = (summary.finished_at - summary.started_at).total_seconds()
    failures = ", ".join(f"{kind} {count}" for kind, count in sorted(c.page_failures.items())) or "0"
    return [
        ("feeds polled", f"{c.feeds_polled} ({c.feeds_not_modified} not modified, {c.feeds_deferred} deferred)"),
        ("feed errors", str(len(c.feed_errors))),
        ("items listed", str(c.items_listed)),
        ("pages fetched", str(c.pages_requested)),
        ("new articles", f"{c.new_articles} ({c.duplicates} syndicated copies)"),
        ("updated articles", str(c.updated_articles)),
        ("page failures", failures),
        ("storyline assignments", str(t.assignments)),
        ("developments opened", str(t.developments_opened)),
        ("alerts queued", str(t.alerts_queued)),
        ("alerts", d.describe()),
        ("duration", f"{seconds:.1f} s"),
    ]


def pass_markdown(summary: PassSummary) -> str:
    lines = [f"# storywatch pass {summary.pass_id}", "", "| what | count |", "|---|---|"]
    lines += [f"| {what} | {count} |" for what, count in pass_rows(summary)]
    c = summary.collected
    if c.feed_errors:
        lines += ["", "## Feed errors", ""] + [f"- **{feed}**: {error}" for feed, error in c.feed_errors.items()]
    return "\n".join(lines)
