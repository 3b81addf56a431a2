"""`storywatch demo`: publish the sample newsroom wave by wave and run a real monitoring pass after each.

All passes run in this one process, so Prefect's temporary API server starts once (~20 s)
rather than once per pass.
"""

from __future__ import annotations

import sys
from pathlib import Path
from string import Template
from typing import TYPE_CHECKING

from rich.console import Console

from storywatch.config import load_settings
from storywatch.demo import narration
from storywatch.demo.inbox import AlertInbox
from storywatch.demo.newsroom import Newsroom
from storywatch.demo.server import LoopbackSite
from storywatch.flows import use_prefect_defaults
from storywatch.warehouse.analyst import analyst_copy_path
from storywatch.warehouse.db import open_warehouse
from storywatch.storylines.store import timeline

if TYPE_CHECKING:
    from prefect.states import State

CONFIG_TEMPLATE = Path(__file__).with_name("demo.yaml")
CONFIG_NAME = "storywatch.yaml"
ALERTS_NAME = "alerts.jsonl"
# Only the files a demo run writes are removed before the next, never the folder: --data-dir
# may point anywhere.
DEMO_FILES = (CONFIG_NAME, ALERTS_NAME, "storywatch.duckdb", "storywatch.duckdb.wal")


def run_demo(data_dir: Path, console: Console) -> None:
    use_prefect_defaults(quiet=True)
    from storywatch.flows.monitor import monitor_pass  # only now: Prefect reads its settings on import

    newsroom = Newsroom.load()
    data_dir.mkdir(parents=True, exist_ok=True)
    for name in DEMO_FILES:
        (data_dir / name).unlink(missing_ok=True)

    with LoopbackSite("127.0.0.1") as site, AlertInbox(data_dir / ALERTS_NAME) as inbox:
        config = write_config(data_dir, site.url(""), inbox.url)
        settings = load_settings(config)
        narration.intro(console, site.url("/"), config, settings, inbox.path)
        for number, story in newsroom.waves.items():
            published = newsroom.publish(site, number)
            narration.wave(console, number, story, published, newsroom)
            with console.status(f"Pass {number}: polling the feeds, fetching, tracking, alerting..."):
                state = monitor_pass(str(config), return_state=True)
            summary = state.result()  # raises what the flow raised, with its traceback
            narration.monitor_pass(console, number, summary, _flow_run_name(state))
            expected = sum(article.role == "new-development" for article in published)
            narration.alerts(console, inbox.new_alerts(), expected)

    with open_warehouse(settings.database, read_only=True) as con:
        found = {storyline.id: timeline(con, storyline.id) for storyline in settings.storylines}
    narration.timelines(console, settings, found)
    narration.look_further(console, analyst_copy_path(settings.database), config, [s.id for s in settings.storylines],
                           _relative(Path(sys.executable).parent))


def write_config(data_dir: Path, site_url: str, inbox_url: str) -> Path:
    """The demo config with this run's loopback addresses filled in; reusable with `-c`."""
    text = Template(CONFIG_TEMPLATE.read_text(encoding="utf-8")).substitute(site=site_url, inbox=inbox_url)
    path = data_dir / CONFIG_NAME
    path.write_text(text, encoding="utf-8")
    return path


def _flow_run_name(state: State) -> str:
    from prefect import get_client

    flow_run_id = state.state_details.flow_run_id
    with get_client(sync_client=True) as client:
        return f"{client.read_flow_run(flow_run_id).name} ({state.name})"


def _relative(path: Path) -> Path:
    try:
        return path.relative_to(Path.cwd())
    except ValueError:
        return path
