"""The command line, run as users run it: a subprocess over a real SQLite file and a real PostgreSQL schema."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa

from support.cli import REPO, run


def test_demo_ingests_the_bundled_seeds_and_is_idempotent(db_url: str, tmp_path: Path) -> None:
    db = db_url
    html = tmp_path / "report.html"
    first = run("--db", db, "demo", "--report", str(html))
    assert first.returncode == 0, first.stderr
    assert "stored 5 · already stored 0 · rejected 0" in first.stdout
    assert "The Moscow Times" in first.stdout and "Meduza" in first.stdout
    assert "Dmitry Peskov" in first.stdout and "(altered)" in first.stdout  # the story's quotes
    assert str(html.resolve()) in first.stdout.replace("\n", "") and "<!DOCTYPE html>" in html.read_text()[:200]
    second = run("--db", db, "demo", "--report", str(html))
    assert "stored 0 · already stored 5 · rejected 0" in second.stdout


def test_ingest_json_then_articles_and_article(db_url: str, seeds_dir: Path) -> None:
    db = db_url
    res = run("--db", db, "ingest", str(seeds_dir), "--format", "json")
    assert res.returncode == 0, res.stderr
    report = json.loads(res.stdout)
    assert report["counts"] == {"stored": 5, "already stored": 0, "rejected": 0}
    listed = json.loads(run("--db", db, "articles", "--format", "json").stdout)
    assert [a["id"] for a in listed] == sorted(p.stem for p in seeds_dir.glob("*.txt"))
    lines = run("--db", db, "articles", "--format", "jsonl").stdout.splitlines()
    assert len(lines) == 5 and all(json.loads(line)["language"] == "en" for line in lines)
    one = json.loads(run("--db", db, "article", "004_72e330e792d8a04d", "--format", "json").stdout)
    assert one["outlet"] == "The Moscow Times" and "completely untrue" in one["text"]
    shown = run("--db", db, "article", "002_903f878191b12f6a")
    assert "outlet: Meduza" in shown.stdout


def test_one_file_name_in_two_folders_keeps_both_articles(db_url: str, seeds_dir: Path, tmp_path: Path) -> None:
    """Ids come from file names: `a/index.txt` and `b/index.txt` are two articles, and both are kept."""
    seeds = sorted(seeds_dir.glob("*.txt"))
    for folder, seed in (("a", seeds[0]), ("b", seeds[1])):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "index.txt").write_bytes(seed.read_bytes())
    res = run("--db", db_url, "ingest", "--no-stories", str(tmp_path), "--format", "json")
    assert res.returncode == 0, res.stderr
    report = json.loads(res.stdout)
    assert report["counts"] == {"stored": 2, "already stored": 0, "rejected": 0}
    ids = [o["id"] for o in report["outcomes"]]
    assert ids[0] == "index" and ids[1].startswith("index~") and len(ids[1]) == len("index~") + 8
    assert "is already used by a different article" in report["outcomes"][1]["detail"]
    shown = run("--db", db_url, "article", ids[1], "--format", "json")
    assert json.loads(shown.stdout)["text"].strip()[:40] in seeds[1].read_text(encoding="utf-8")
    table = run("--db", db_url, "ingest", "--no-stories", str(tmp_path))  # again: both found, nothing stored
    assert "stored 0 · already stored 2 · rejected 0" in table.stdout


def test_db_comes_from_the_environment(db_url: str, seeds_dir: Path) -> None:
    env = {"STORYLINE_DB": db_url}
    assert run("ingest", "--no-stories", str(seeds_dir), env=env).returncode == 0
    if db_url.startswith("sqlite:///"):
        assert Path(db_url.removeprefix("sqlite:///")).exists()
    assert len(json.loads(run("articles", "--format", "json", env=env).stdout)) == 5


def test_extract_prints_one_json_object_per_input(seeds_dir: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    res = run("extract", str(seeds_dir), str(empty), "--format", "jsonl")
    assert res.returncode == 0, res.stderr
    rows = [json.loads(line) for line in res.stdout.splitlines()]
    assert len(rows) == 6
    for row in rows[:5]:
        assert {"id", "title", "published", "outlet", "url", "language", "text"} <= set(row)
    assert rows[5] == {"id": "empty", "source": str(empty), "rejected": "empty input"}


def test_extract_reads_stdin() -> None:
    text = ("The council voted on Monday to expand the city's bus network. " * 8).encode()
    rows = [json.loads(line) for line in run("extract", "-", stdin=text).stdout.splitlines()]
    assert rows[0]["id"] == "stdin" and rows[0]["text"].startswith("The council voted")


def test_errors_are_one_line_without_traceback() -> None:
    bad_db = run("--db", "mysql://root@localhost/x", "articles")
    assert bad_db.returncode == 2
    assert bad_db.stderr.strip().startswith("error: unsupported database URL scheme 'mysql'")
    assert len(bad_db.stderr.strip().splitlines()) == 1
    unreachable = run("--db", "postgresql://nobody@127.0.0.1:9/none", "articles")
    assert unreachable.returncode == 2 and "Traceback" not in unreachable.stderr
    assert (
        unreachable.stderr.startswith("error: cannot open the store at postgresql")
        and unreachable.stderr.count("\n") == 1
    )


def test_missing_records_are_one_line_errors(db_url: str) -> None:
    missing = run("--db", db_url, "article", "nope")
    assert missing.returncode == 2 and "Traceback" not in missing.stderr
    assert missing.stderr == "error: no stored article with id 'nope'\n"


def test_nothing_readable_exits_non_zero(db_url: str, tmp_path: Path) -> None:
    res = run("--db", db_url, "ingest", str(tmp_path / "missing.txt"))
    assert res.returncode == 1
    assert "rejected 1" in res.stdout and "no such file or directory" in res.stdout
    rejected = json.loads(run("--db", db_url, "rejected", "--format", "json").stdout)
    assert rejected == [
        {"source": str(tmp_path / "missing.txt"), "id": "missing", "rejected": "no such file or directory"}
    ]


def test_every_command_has_help_with_an_example() -> None:
    for command in ("ingest", "extract", "articles", "article", "demo", "rejected", "watch"):
        res = run(command, "--help")
        assert res.returncode == 0 and "Example: storyline" in res.stdout, command


def test_version_prints_the_package_version() -> None:
    import storyline

    res = run("--version")
    assert res.returncode == 0, res.stderr
    assert res.stdout == f"storyline {storyline.__version__}\n"


def test_cluster_defaults_come_from_the_options_objects() -> None:
    """`ingest`, `watch` and `recluster` show the defaults of ClusterOptions, never numbers of their own."""
    from storyline.options import ClusterOptions

    cluster = ClusterOptions()
    for command in ("ingest", "watch", "recluster"):
        shown = " ".join(run(command, "--help").stdout.split())
        for option, value in (
            ("--join", cluster.join),
            ("--merge", cluster.merge),
            ("--window-days", cluster.window_days),
        ):
            assert f"{option} <{type(value).__name__}>" in shown and f"[default: {value}]" in shown, (command, option)


def test_find_examples_finds_the_bundled_seeds_from_anywhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from storyline.cli.ingest import find_examples

    monkeypatch.chdir(tmp_path)  # not the repository: the seeds beside the source tree are found
    assert find_examples() == REPO / "examples" / "seeds"


def _head() -> str:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from storyline.store.sql import MIGRATIONS_DIR

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return str(ScriptDirectory.from_config(cfg).get_current_head())


def test_db_upgrade_builds_a_fresh_schema(db_url: str) -> None:
    """`storyline --db URL db upgrade` on an empty database (a fresh PostgreSQL schema named in the
    URL's search_path): every table is made in it, and a second run changes nothing."""
    from storyline.store.sql import normalise_url

    head = _head()
    res = run("--db", db_url, "db", "upgrade")
    assert res.returncode == 0, res.stderr
    assert res.stdout == f"schema at revision {head}\n"
    engine = sa.create_engine(normalise_url(db_url))
    try:
        with engine.connect() as conn:
            tables = set(sa.inspect(conn).get_table_names())  # the search_path's first schema on PostgreSQL
            revision = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar_one()
            if engine.dialect.name == "postgresql":
                schema = db_url.rsplit("%3D", 1)[1]
                assert conn.execute(sa.text("SELECT current_schema()")).scalar_one() == schema
    finally:
        engine.dispose()
    assert {"articles", "rejections", "stories", "story_members", "article_features", "text_vectors"} <= tables
    assert revision == head
    again = run("--db", db_url, "db", "upgrade")
    assert again.returncode == 0 and again.stdout == res.stdout
