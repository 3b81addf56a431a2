"""The README is part of the product: its SQL runs, its tables match the config model and the CLI, its links resolve."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import typer.main
from pydantic import BaseModel

from storywatch.cli import app
from storywatch.config import Settings
from storywatch.warehouse import store
from tests.builders import make_article

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def sql_examples() -> list[str]:
    return re.findall(r"```sql\n(.*?)```", README, flags=re.S)


def config_keys(model: type[BaseModel], prefix: str = "") -> set[str]:
    keys = set()
    for name, field in model.model_fields.items():
        annotation = field.annotation
        inner = getattr(annotation, "__args__", (annotation,))[0] if getattr(annotation, "__origin__", None) is list else annotation
        path = f"{prefix}{name}"
        if isinstance(inner, type) and issubclass(inner, BaseModel):
            keys |= config_keys(inner, f"{path}[]." if inner is not annotation else f"{path}.")
        else:
            keys.add(path)
    return keys


def test_every_example_query_runs(con, seed_texts):
    store.store_articles(con, "p1", [make_article(f"https://a.example/{i}", t) for i, t in enumerate(seed_texts)])
    examples = sql_examples()
    assert len(examples) >= 8
    for sql in examples:
        con.execute(sql).fetchall()


def test_config_reference_lists_every_key():
    reference = README.split("### Configuration reference", 1)[1].split("###", 1)[0]
    documented = set(re.findall(r"^\| `([a-z_.\[\]]+)` \|", reference, flags=re.M))
    assert documented == config_keys(Settings)


def cli_commands(command=None, words: tuple[str, ...] = ("storywatch",)) -> dict[str, str]:
    """Every command line the CLI accepts ("storywatch alerts resend") with the first line of its help."""
    command = command or typer.main.get_command(app)
    found = {} if command.name == "storywatch" else {" ".join(words): (command.help or "").strip().split("\n")[0]}
    for name, sub in getattr(command, "commands", {}).items():
        found |= cli_commands(sub, (*words, name))
    return found


def command_table() -> dict[str, str]:
    """The README's command table: command words (placeholders and options dropped) -> what it does."""
    table = README.split("| command | does |", 1)[1].split("\n\n", 1)[0]
    rows = re.findall(r"^\| `(storywatch[^`]*)` \| (.*) \|$", table, flags=re.M)
    return {" ".join(re.match(r"[a-z ]+", usage).group().split()): does for usage, does in rows}


def test_every_command_is_in_the_command_table_with_its_help():
    commands, table = cli_commands(), command_table()
    assert {"storywatch run", "storywatch alerts resend", "storywatch maintain", "storywatch export"} <= set(commands)
    assert sorted(table) == sorted(commands), "README's command table and the CLI list different commands"
    for command, help_line in commands.items():
        assert help_line and table[command].startswith(help_line), f"{command}: README row should start with {help_line!r}"


def test_links_and_paths_in_the_docs_are_files_of_the_repository():
    tracked = set(subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split())
    folders = {str(Path(path).parent) for path in tracked} | {str(parent) for path in tracked for parent in Path(path).parents}
    for doc in ["README.md", *sorted(p for p in tracked if p.startswith("docs/") and p.endswith(".md"))]:
        text = (ROOT / doc).read_text(encoding="utf-8")
        links = re.findall(r"\]\((?!https?://|#)([^)#\s]+)", text)
        paths = re.findall(r"`((?:\w[\w.-]*/)+[\w.-]+\.(?:py|md|sql|yaml|toml|html|txt))`", text)
        for target in links + paths:
            resolved = str((ROOT / doc).parent.joinpath(target).resolve().relative_to(ROOT)) if target in links else target
            assert resolved.rstrip("/") in tracked | folders, f"{doc} points at {target}, which is not in the repository"


def test_no_file_cites_notes_outside_the_repository():
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    outside = re.compile(r"\b(FACTS|SPEC|STYLE)\.md\b|\.\./shared|/work/")
    for path in tracked:
        if path.startswith(("bench/", "tests/")) or not path.endswith((".py", ".md", ".toml", ".sql", ".yaml", ".txt")):
            continue  # benches read the evaluation sets beside the checkout; tests say they never do
        for line in (ROOT / path).read_text(encoding="utf-8").splitlines():
            if "STORYWATCH_EVAL_DATA" in line:
                continue  # the one setting whose documented default lies outside the repository
            assert not outside.search(line), f"{path} cites {outside.search(line).group()}: {line.strip()}"
