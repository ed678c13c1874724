"""Crash safety: `storyline ingest` killed with SIGKILL three times, then resumed, stores every article
exactly once and leaves every story consistent, on SQLite and on PostgreSQL.

The input is a JSON-lines file of N distinct articles, real texts first (tests/support/corpus.py).
Each kill is aimed at a phase by watching the store's row counts, at a threshold drawn at random:

1. while storing: as soon as a random share (10-30%) of the articles is stored, before they are
   embedded;
2. while grouping: past a random share (40-70%), as soon as articles have their vectors but are
   not yet in a story (the moment between the two writes of a batch);
3. during the final rebuild (`StoryBuilder.finish`): once every article is in a story, after a
   random delay of up to 0.3 s.

Where each kill landed is read off the counts afterwards (stored, embedded, in a story). After
every kill the store must already be consistent (no story half written); after the resumed run,
every article is stored once (by id and by content hash), in exactly one story, every story's
summary agrees with its members, and a further run stores nothing.

`STORYLINE_FAULT_N` sets N (default 300, under a minute per backend on 2 cores; docs/resilience.md
has the figures for 5,000); `STORYLINE_FAULT_SEED` fixes the random draws; with
`STORYLINE_FAULT_REPORT=path.jsonl` each backend's kill points and timings are appended there.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

import pytest

from storyline.ingest.local import extract_documents
from storyline.model import Article
from support.corpus import corpus, write_jsonl
from support.storecheck import Counts, read_state

REPO = Path(__file__).resolve().parents[2]
N = int(os.environ.get("STORYLINE_FAULT_N", "300"))
SEED = int(os.environ.get("STORYLINE_FAULT_SEED") or random.SystemRandom().randrange(1_000_000))


@dataclass
class Kill:
    """One SIGKILL: what it was aimed at, and what the store held right after it."""

    aimed_at: str
    after_s: float
    alive: bool  # False: the run had ended before the kill came
    stored: int
    embedded: int
    grouped: int
    stories: int
    phase: str


_STARTED: list[subprocess.Popen[bytes]] = []


@pytest.fixture(autouse=True)
def _no_orphans() -> Iterator[None]:
    """A failing test leaves no ingest running behind it."""
    yield
    while _STARTED:
        proc = _STARTED.pop()
        if proc.poll() is None:
            proc.kill()
            proc.wait(60)


def _ingest(db_url: str, source: Path, out: Path) -> subprocess.Popen[bytes]:
    with out.open("wb") as stdout, out.with_suffix(".err").open("wb") as stderr:
        proc = subprocess.Popen(
            [sys.executable, "-m", "storyline", "--db", db_url, "ingest", str(source), "--format", "json"],
            stdout=stdout,
            stderr=stderr,
            cwd=REPO,
        )
    _STARTED.append(proc)
    return proc


def _kill_when(
    proc: subprocess.Popen[bytes], counts: Counts, ready: Callable[[int, int, int], bool], delay: float = 0.0
) -> tuple[bool, float]:
    """SIGKILL `proc` once `ready(stored, embedded, grouped)` holds (then after `delay` seconds);
    return whether it was still running, and when it was killed (seconds after its start)."""
    start = time.monotonic()
    while proc.poll() is None and not ready(*counts()):
        time.sleep(0.02)
    time.sleep(delay)
    alive = proc.poll() is None
    if alive:
        os.kill(proc.pid, signal.SIGKILL)
    proc.wait(60)
    return alive, round(time.monotonic() - start, 2)


def _plans(n: int, rng: random.Random) -> list[tuple[str, Callable[[int, int, int], bool], float]]:
    first, second = int(n * rng.uniform(0.1, 0.3)), int(n * rng.uniform(0.4, 0.7))
    return [
        (f"storing (>= {first} stored)", lambda s, _e, _g: s >= first, 0.0),
        (f"grouping (>= {second} stored, vectors without story)", lambda s, e, g: s >= second and e > g, 0.0),
        ("final rebuild (all grouped)", lambda s, _e, g: s >= n and g >= s, rng.uniform(0.0, 0.3)),
    ]


def _expected(source: Path) -> set[str]:
    """The content hashes of the inputs once extracted, computed here without a store."""
    return {item.content_hash for item in extract_documents([str(source)]) if isinstance(item, Article)}


def test_sigkill_three_times_then_resume_stores_each_article_once(db_url: str, tmp_path: Path) -> None:
    rng = random.Random(SEED)
    backend = db_url.split(":", maxsplit=1)[0]
    records = corpus(N)
    source = write_jsonl(tmp_path / "articles.jsonl", records)
    expected = _expected(source)
    counts = Counts(db_url)
    kills: list[Kill] = []
    started = time.monotonic()
    try:
        for n, (aim, ready, delay) in enumerate(_plans(len(expected), rng)):
            proc = _ingest(db_url, source, tmp_path / f"run{n}.json")
            alive, after = _kill_when(proc, counts, ready, delay)
            state = read_state(db_url)
            assert state.problems == [], f"after kill {n + 1} ({aim}): {state.problems[:5]}"
            stored, embedded, grouped = counts()
            kills.append(Kill(aim, after, alive, stored, embedded, grouped, state.stories, state.phase))
    finally:
        counts.close()
    print(f"\nseed {SEED}, N={N}, {backend}:")
    for kill in kills:
        print(f"  {kill}")
    assert sum(k.alive for k in kills) >= 2, "the runs ended before the kills: nothing was tested"

    final = tmp_path / "final.json"
    resume_start = time.monotonic()
    proc = _ingest(db_url, source, final)
    assert proc.wait(1800) == 0, final.with_suffix(".err").read_text()[-2000:]
    resumed_s = time.monotonic() - resume_start
    total_s = time.monotonic() - started

    state = read_state(db_url)
    assert state.problems == []
    assert state.hashes == expected  # each article once by its text ...
    assert state.external_ids == {r["id"] for r in records}  # ... and by its id (the inputs are distinct)
    assert state.articles == len(records) and state.aliases == 0
    assert state.articles == state.featured == state.members  # every article embedded and in one story
    assert state.pending == 0  # the stories the killed rebuild left were rebuilt by the resumed run

    again = tmp_path / "again.json"
    proc = _ingest(db_url, source, again)
    assert proc.wait(1800) == 0
    counts_again = json.loads(again.read_text())["counts"]
    assert counts_again == {"stored": 0, "already stored": len(records), "rejected": 0}
    assert read_state(db_url).stories == state.stories

    if report := os.environ.get("STORYLINE_FAULT_REPORT"):
        figures = {
            "backend": backend,
            "n": N,
            "seed": SEED,
            "articles": state.articles,
            "stories": state.stories,
            "kills": [asdict(k) for k in kills],
            "resumed_run_s": round(resumed_s, 1),
            "total_s": round(total_s, 1),
        }
        with open(report, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(figures) + "\n")


def test_stories_a_stopped_run_left_unrebuilt_are_rebuilt_by_the_next(db_url: str, tmp_path: Path) -> None:
    """In one process: a builder groups and stops before `finish` (as if killed there); a new
    builder's `finish` settles its stories."""
    from storyline.ingest.local import ingest
    from storyline.store import open_store
    from storyline.stories.builder import StoryBuilder

    source = write_jsonl(tmp_path / "articles.jsonl", corpus(60))
    store = open_store(db_url)
    try:
        stopped = StoryBuilder(store)
        ingest([str(source)], store, after_batch=stopped.update)
        waiting = store.pending_stories()
        assert waiting and waiting == {a.story_id for a in stopped.assignments}
        assert read_state(db_url).problems == []
        done = StoryBuilder(store).finish()
        assert done.analysed == 60
        assert store.pending_stories() == set()
        state = read_state(db_url)
        assert (state.problems, state.members, state.pending) == ([], 60, 0)
    finally:
        store.close()
