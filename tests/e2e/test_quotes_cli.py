"""`storyline quotes` on a real store (SQLite file and PostgreSQL): right after ingest, cached, per story."""

from __future__ import annotations

import json
from pathlib import Path

import sqlalchemy as sa

from storyline.analysis.quotes import QUOTES_VERSION
from storyline.services import article_quotes
from storyline.store import open_store
from support.cli import run

KEYS = {"article", "speaker", "speaker_span", "text", "start", "end", "kind", "quoted", "fragments"}


def _count_cached(db: str) -> int:
    store = open_store(db)
    try:
        with store.engine.connect() as conn:  # type: ignore[attr-defined]
            return int(conn.execute(sa.text("SELECT count(*) FROM article_quotes")).scalar_one())
    finally:
        store.close()


def test_quotes_right_after_ingest_with_spans_into_the_stored_text(db_url: str, seeds_dir: Path) -> None:
    assert run("--db", db_url, "ingest", str(seeds_dir)).returncode == 0
    res = run("--db", db_url, "quotes", "--format", "jsonl")
    assert res.returncode == 0, res.stderr
    rows = [json.loads(line) for line in res.stdout.splitlines()]
    assert rows and all(set(r) >= KEYS for r in rows)
    assert {r["kind"] for r in rows} == {"direct", "indirect"}
    texts = {
        aid: json.loads(run("--db", db_url, "article", aid, "--format", "json").stdout)["text"]
        for aid in {r["article"] for r in rows}
    }
    for r in rows:
        text = texts[r["article"]]
        assert text[r["start"] : r["end"]] == r["text"]
        if r["speaker_span"]:
            a, b = r["speaker_span"]
            assert text[a:b] == r["speaker_text"]
    hill = [r for r in rows if r["quoted"] and "classic Russian play" in r["quoted"]]
    assert [r["speaker"] for r in hill] == ["Fiona Hill"] and hill[0]["speaker_text"] == "she"
    # Computed once, then read from the cache: the same answer, one cached row per article.
    assert _count_cached(db_url) == 5
    again = run("--db", db_url, "quotes", "--format", "jsonl")
    assert again.stdout == res.stdout


def test_story_quotes_carry_occurrences_with_fidelity(db_url: str, seeds_dir: Path) -> None:
    assert run("--db", db_url, "ingest", str(seeds_dir)).returncode == 0
    res = run("--db", db_url, "quotes", "--story", "1", "--format", "json")
    assert res.returncode == 0, res.stderr
    quotes = json.loads(res.stdout)
    peskov = next(q for q in quotes if "determined to reach our goals" in q["text"])
    assert peskov["speaker"] == "Dmitry Peskov" and peskov["kind"] == "direct"
    fidelity = {o["article"]: o["fidelity"] for o in peskov["occurrences"]}
    assert fidelity["004_72e330e792d8a04d"] == "altered" and fidelity["002_903f878191b12f6a"] == "verbatim"
    altered = next(o for o in peskov["occurrences"] if o["fidelity"] == "altered")
    assert altered["differences"] and "[We]" in altered["text"]
    table = run("--db", db_url, "quotes", "--story", "1")
    assert "Adrienne Watson" in table.stdout and "(partial)" in table.stdout
    lines = run("--db", db_url, "quotes", "--story", "1", "--format", "jsonl").stdout.splitlines()
    assert len(lines) == len(quotes) and json.loads(lines[0])["occurrences"]


def test_one_article_and_bad_arguments(db_url: str, seeds_dir: Path) -> None:
    # SQLite only: the same commands run on PostgreSQL in the tests above (quotes of every article
    # right after ingest, per story), and a missing story on PostgreSQL in test_report.
    empty = run("--db", db_url, "quotes")
    assert empty.returncode == 0 and "no quotes found" in empty.stdout
    assert run("--db", db_url, "ingest", "--no-stories", str(seeds_dir)).returncode == 0
    one = run("--db", db_url, "quotes", "--article", "004_72e330e792d8a04d", "--format", "json")
    rows = json.loads(one.stdout)
    assert {r["article"] for r in rows} == {"004_72e330e792d8a04d"}
    assert any(r["speaker"] == "Dmitry Peskov" and "completely untrue" in r["text"] for r in rows)
    both = run("--db", db_url, "quotes", "--story", "1", "--article", "x")
    assert both.returncode == 2 and both.stderr.strip() == "error: give --story or --article, not both"
    missing = run("--db", db_url, "quotes", "--story", "99")
    assert missing.returncode == 2 and "Traceback" not in missing.stderr


def test_quotes_cached_by_an_older_extractor_are_computed_again(db_url: str, seeds_dir: Path) -> None:
    assert run("--db", db_url, "ingest", "--no-stories", str(seeds_dir)).returncode == 0
    store = open_store(db_url)
    try:
        articles = list(store.iter_articles())
        store.save_quotes([(a.id, "quotes-0", []) for a in articles if a.id is not None])
        assert store.load_quotes([a.id for a in articles if a.id is not None], QUOTES_VERSION) == {}
        found = article_quotes(store, articles)
        assert all(found[a.id] for a in articles if a.id is not None)  # every seed quotes someone
        cached = store.load_quotes([a.id for a in articles if a.id is not None], QUOTES_VERSION)
        assert len(cached) == len(articles)
    finally:
        store.close()
