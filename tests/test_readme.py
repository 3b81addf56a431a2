"""The README is part of the product: its SQL runs and its config reference matches the model."""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import BaseModel

from storywatch.config import Settings
from storywatch.warehouse import store
from tests.builders import make_article

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


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
