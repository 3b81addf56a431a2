"""Imports run one way along the data's path: cli → flows → stages → warehouse → config/errors.

Every module of the installed package is parsed (imports inside functions and under
TYPE_CHECKING count too) and each import of another storywatch package must point to a
lower layer. Stages are ordered along the data's path, so a later stage may read an
earlier one's values (alerts read storylines' `Development`), never the reverse.
"""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path

import pytest

# Highest first; packages on one line are one layer and may import each other.
LAYERS = [
    {"cli", "demo", "web"},
    {"flows"},
    {"alerts"},
    {"storylines"},
    {"extractors"},
    {"warehouse"},
    # "" is storywatch/__init__.py, which re-exports config and errors; the config file's feed
    # list and its OPML form are edited beside the config, and the config parses each
    # storyline's query with the query language's syntax when it loads.
    {"config", "", "feed_list", "opml", "query_syntax"},
    {"errors", "timings"},  # timings: wall and CPU per stage, used at every layer
]
PACKAGES = ["storywatch", "storywatch.cli", "storywatch.demo", "storywatch.web", "storywatch.flows",
            "storywatch.extractors", "storywatch.storylines", "storywatch.alerts", "storywatch.warehouse"]


def layer_of(module: str) -> str:
    """`storywatch.alerts.queue` → "alerts"; `storywatch.config` → "config"; `storywatch` → ""."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def rank(layer: str) -> int:
    return next(i for i, names in enumerate(LAYERS) if layer in names)


def imports_of(module: str, source: str, is_package: bool) -> set[str]:
    """The storywatch modules `source` imports, relative imports resolved."""
    package = module if is_package else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            found.add(base)
            found |= {f"{base}.{alias.name}" for alias in node.names if _is_module(f"{base}.{alias.name}")}
    return {name for name in found if name == "storywatch" or name.startswith("storywatch.")}


def _is_module(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def violations(graph: dict[str, set[str]]) -> list[str]:
    """Each import that points to the same or a higher layer of another package, as one line."""
    found = []
    for module, imported in sorted(graph.items()):
        source = layer_of(module)
        for target in sorted(imported):
            destination = layer_of(target)
            if rank(destination) < rank(source):
                found.append(f"{module} imports {target} ({source or 'storywatch'} → {destination} runs up)")
    return found


def package_graph() -> dict[str, set[str]]:
    graph = {}
    for package in PACKAGES:
        folder = Path(importlib.util.find_spec(package).submodule_search_locations[0])
        for path in sorted(folder.glob("*.py")):
            is_package = path.name == "__init__.py"
            module = package if is_package else f"{package}.{path.stem}"
            graph[module] = imports_of(module, path.read_text(encoding="utf-8"), is_package)
    return graph


def test_imports_run_one_way():
    graph = package_graph()
    assert len(graph) > 40, "the walk found too few modules to mean anything"
    assert violations(graph) == []


@pytest.mark.parametrize(
    ("module", "target"),
    [
        ("storywatch.warehouse.store", "storywatch.storylines.model"),  # back up the stages
        ("storywatch.storylines.tracker", "storywatch.alerts.enqueue"),  # an earlier stage reaching a later one
        ("storywatch.flows.steps", "storywatch.cli.app"),
        ("storywatch.config", "storywatch.warehouse.db"),
        ("storywatch.warehouse.store", "storywatch.extractors.http"),  # HTTP in the warehouse
        ("storywatch.warehouse.dedupe", "storywatch.extractors.page"),  # the web stage's values
        ("storywatch.config", "storywatch.storylines.query"),  # what a query means is tracking's
    ],
)
def test_an_import_up_the_layers_is_reported(module, target):
    assert violations({module: {target}}) == [
        f"{module} imports {target} ({layer_of(module)} → {layer_of(target)} runs up)"
    ]


def test_imports_down_the_layers_pass():
    assert violations({
        "storywatch.cli.storylines": {"storywatch.storylines.store", "storywatch.demo.runner"},
        "storywatch.demo.runner": {"storywatch.flows.monitor", "storywatch.warehouse.db"},
        "storywatch.alerts.render": {"storywatch.storylines.model"},
        "storywatch.warehouse.store": {"storywatch.warehouse.records", "storywatch.errors"},
    }) == []


def test_relative_imports_resolve_to_their_package():
    source = "from .crawl import Crawler\nfrom . import page\nfrom ..warehouse import db\n"
    assert imports_of("storywatch.extractors", source, is_package=True) >= {
        "storywatch.extractors.crawl", "storywatch.extractors.page", "storywatch.warehouse.db"}
