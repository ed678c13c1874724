"""The documentation covers what users can type and read (after datasette's test_docs.py).

Every long option of every command appears in README.md or docs/*.md, and every key of the seeds'
report JSON (the committed snapshot, tests/fixtures/seeds-report.json) is a documented property of
docs/report-schema.json.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer.main

from storyline.cli import app

REPO = Path(__file__).resolve().parents[2]
DOCS = (REPO / "README.md").read_text("utf-8") + "".join(
    p.read_text("utf-8") for p in sorted((REPO / "docs").glob("*.md"))
)
TYPER_OWN = {"--install-completion", "--show-completion", "--help"}


def _commands(group: Any, prefix: str) -> Iterator[tuple[str, Any]]:
    yield prefix, group
    if hasattr(group, "commands"):  # Typer's groups are not click.Group instances in every version
        for name, sub in group.commands.items():
            yield from _commands(sub, f"{prefix} {name}")


COMMANDS = list(_commands(typer.main.get_command(app), "storyline"))
OPTIONS = [
    (name, param)
    for name, command in COMMANDS
    for param in command.params
    if getattr(param, "param_type_name", "") == "option" and not set(param.opts) & TYPER_OWN
]


def test_there_are_commands_and_options_to_check() -> None:
    assert len(COMMANDS) > 10 and len(OPTIONS) > 30


@pytest.mark.parametrize(("command", "param"), OPTIONS, ids=[f"{c}:{p.opts[0]}" for c, p in OPTIONS])
def test_every_option_is_documented(command: str, param: Any) -> None:
    spellings = [o for o in [*param.opts, *param.secondary_opts] if o.startswith("-")]
    assert any(s in DOCS for s in spellings), f"{command} {spellings} is in no README.md or docs/*.md"


@pytest.mark.parametrize(("name", "command"), COMMANDS[1:], ids=[c for c, _ in COMMANDS[1:]])
def test_every_command_is_documented_with_an_example(name: str, command: Any) -> None:
    words = name.split()[1:]
    assert any(f"{' '.join(words)} " in line or line.rstrip().endswith(" ".join(words)) for line in DOCS.splitlines())
    if not hasattr(command, "commands"):  # a group's help lists its commands, each with its example
        assert command.help and "Example" in command.help, f"{name} has no example in its help"


def _keys(value: Any, path: str = "") -> Iterator[str]:
    if isinstance(value, dict):
        for key, inner in value.items():
            yield f"{path}/{key}"
            yield from _keys(inner, f"{path}/{key}")
    elif isinstance(value, list):
        for inner in value:
            yield from _keys(inner, f"{path}/[]")


def _documented(schema: dict[str, Any]) -> set[str]:
    found: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            found.update(node.get("properties", {}))
            for inner in node.values():
                walk(inner)
        elif isinstance(node, list):
            for inner in node:
                walk(inner)

    walk(schema)
    return found


def test_every_report_key_is_in_the_schema() -> None:
    report = json.loads((REPO / "tests" / "fixtures" / "seeds-report.json").read_text("utf-8"))
    schema = json.loads((REPO / "docs" / "report-schema.json").read_text("utf-8"))
    documented = _documented(schema)
    missing = sorted({p for p in _keys(report) if p.rsplit("/", 1)[1] not in documented})
    assert not missing, f"report keys missing from docs/report-schema.json: {missing[:10]}"
