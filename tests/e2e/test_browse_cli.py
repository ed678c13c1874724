"""The browsing commands as users run them (a subprocess over a real SQLite file and a real PostgreSQL
schema): copies, sources, stories, story, similar, recluster, and their one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

from support.cli import run


def test_copies_cli_json_shape(db_url: str, seeds_dir: Path) -> None:
    from support.cli import run

    db = db_url
    assert run("--db", db, "ingest", str(seeds_dir)).returncode == 0
    (link,) = json.loads(run("--db", db, "copies", "--format", "json").stdout)
    assert set(link) == {"copy", "of", "kind", "share", "direction_evidence", "upstream", "aligned"}
    assert {"copy", "of", "similarity", "overlap"} <= set(link["aligned"][0])
    assert {"sentence", "start", "end"} == set(link["aligned"][0]["copy"])
    table = run("--db", db, "copies", "--story", "1")
    assert table.returncode == 0 and "sibling" in table.stdout and "Bloomberg" in table.stdout


def test_empty_store_says_so(db_url: str) -> None:
    from support.cli import run

    db = db_url
    assert run("--db", db, "stories").stdout.startswith("no stories yet")
    assert run("--db", db, "copies").stdout.strip() == "no copies found"
    assert json.loads(run("--db", db, "copies", "--format", "json").stdout) == []
    assert run("--db", db, "sources").stdout.strip() == "no upstream reports cited"


def test_sources_cli(db_url: str, seeds_dir: Path) -> None:
    from support.cli import run

    db = db_url
    assert run("--db", db, "ingest", str(seeds_dir)).returncode == 0
    listed = json.loads(run("--db", db, "sources", "--story", "1", "--format", "json").stdout)
    assert listed[0]["name"] == "Bloomberg" and len(listed[0]["cited_by"]) == 5
    assert {"name", "article", "sentence", "start", "end", "text"} <= set(listed[0]["mentions"][0])
    one = json.loads(run("--db", db, "sources", "--article", "004_72e330e792d8a04d", "--format", "json").stdout)
    assert {s["name"] for s in one} == {"Bloomberg", "New York Times"}
    table = run("--db", db, "sources")
    assert table.returncode == 0 and "Bloomberg" in table.stdout


def test_stories_cli_json_shape(db_url: str, seeds_dir: Path) -> None:
    db = db_url
    res = run("--db", db, "ingest", str(seeds_dir))
    assert res.returncode == 0, res.stderr
    assert "stories: 5 articles grouped, 1 stories new or updated" in res.stdout
    listed = json.loads(run("--db", db, "stories", "--format", "json").stdout)
    assert len(listed) == 1
    story = listed[0]
    assert {"id", "headline", "first_seen", "last_seen", "outlets", "articles"} <= set(story)
    assert {"id", "external_id", "outlet", "published"} <= set(story["articles"][0])
    assert sorted(a["external_id"][:3] for a in story["articles"]) == ["000", "001", "002", "003", "004"]
    lines = run("--db", db, "stories", "--format", "jsonl").stdout.splitlines()
    assert [json.loads(x)["id"] for x in lines] == [story["id"]]
    shown = run("--db", db, "story", str(story["id"]))
    assert shown.returncode == 0 and "5 articles" in shown.stdout
    near = run("--db", db, "similar", "004_72e330e792d8a04d", "--format", "json")
    assert len(json.loads(near.stdout)) == 4
    again = run("--db", db, "recluster")
    assert again.returncode == 0 and "5 articles in 1 stories (before: 1)" in again.stdout


def test_bad_story_options_are_one_line_errors_and_store_nothing(db_url: str, seeds_dir: Path) -> None:
    db = db_url
    res = run("--db", db, "ingest", str(seeds_dir), "--join", "2")
    assert res.returncode == 2 and res.stderr.strip() == "error: join must be between 0 and 1 (got 2.0)"
    assert json.loads(run("--db", db, "articles", "--format", "json").stdout) == []
    res = run("--db", db, "recluster", "--window-days", "0")
    assert res.returncode == 2 and "window_days must be at least 1" in res.stderr


def test_unknown_story_is_one_line_error(db_url: str) -> None:
    res = run("--db", db_url, "story", "42")
    assert res.returncode == 2
    assert res.stderr.strip() == "error: no story with id 42"
