"""Concurrent writers and readers: two ingests of overlapping inputs at once, with web readers.

- Two story builders over one store (in one process, deterministic): the second never hands out a
  story id the first already used, nor writes over the other's stories (the story lock, and the
  index read again when the stories changed); an update that would wait can return at once.
- Writes that collide (SQLite locked past its wait, a PostgreSQL deadlock) are retried; processes
  opening one new SQLite file at once create its schema once.
- Two `storyline ingest` processes over overlapping JSON-lines files, started at once on a new
  store, while threads read `/`, `/api/stories` and `/api/search` from the web app (uvicorn on a
  free port) and another checks the store's consistency: every article stored once (by id and by
  text), each in exactly one story, every story consistent at every look, and every response to
  the readers a 200 with a valid page or JSON.

On SQLite and on PostgreSQL. `STORYLINE_CONCURRENCY_N` sets the articles per input (default 150);
with `STORYLINE_CONCURRENCY_REPORT=path.jsonl` each backend's figures are appended there.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from storyline.ingest.extract import content_hash
from storyline.model import Article
from storyline.store import SqlStore, Store, open_store
from storyline.stories.builder import StoryBuilder
from support.corpus import write_jsonl
from support.storecheck import read_state

REPO = Path(__file__).resolve().parents[2]
N = int(os.environ.get("STORYLINE_CONCURRENCY_N", "150"))

EVENTS = [
    "A magnitude 6.8 earthquake struck off the coast of northern Chile near Antofagasta on Monday, "
    "the national seismology office said. Mining companies halted work at two copper mines while "
    "engineers inspected shafts, and the navy lifted a brief tsunami warning after ninety minutes.",
    "Borussia Dortmund signed the Norwegian striker Erling Haaland from Red Bull Salzburg for a fee "
    "of twenty million euros, the Bundesliga club announced in a statement. The nineteen-year-old "
    "scored eight goals in the Champions League group stage this season.",
    "Two regional banks in Ohio agreed to merge in an all-stock deal valued at 4.2 billion dollars, "
    "creating the largest lender in Cincinnati. Shareholders of Fifth Harbor Bancorp will receive "
    "0.8 shares of Lakeshore Financial for each share they own.",
]


def _article(n: int, text: str) -> Article:
    return Article(
        external_id=f"event-{n}",
        text=text,
        content_hash=content_hash(text),
        source=f"test:{n}",
        title=text.split(",", maxsplit=1)[0][:60],
        outlet=f"Outlet {n}",
        language="en",
    )


@pytest.fixture
def two_stores(db_url: str) -> Iterator[tuple[Store, Store]]:
    first, second = open_store(db_url), open_store(db_url)
    yield first, second
    first.close()
    second.close()


def test_two_builders_never_give_one_story_id_to_two_events(db_url: str, two_stores: tuple[Store, Store]) -> None:
    """Two builders (as in two processes) take turns: each sees the other's stories before it writes."""
    first_store, second_store = two_stores
    first, second = StoryBuilder(first_store), StoryBuilder(second_store)
    first_store.add_articles([_article(0, EVENTS[0])])
    first.update()  # the first builder reads the index: one story
    second.update()  # so does the second
    second_store.add_articles([_article(1, EVENTS[1])])
    second.update()  # a new story; the first builder's index does not know it
    first_store.add_articles([_article(2, EVENTS[2])])
    first.update()  # must not hand out the second builder's new story id again
    state = read_state(db_url)
    assert state.problems == []
    assert (state.articles, state.members, state.stories) == (3, 3, 3)
    assert sorted({a.story_id for a in first.assignments} | {a.story_id for a in second.assignments}) == [1, 2, 3]
    first.finish()
    second.finish()
    state = read_state(db_url)
    assert state.problems == []
    assert (state.members, state.stories) == (3, 3)


def test_a_merged_away_story_id_is_never_given_again(db_url: str, two_stores: tuple[Store, Store]) -> None:
    store, _ = two_stores
    builder = StoryBuilder(store)
    store.add_articles([_article(0, EVENTS[0])])
    builder.update()
    top = store.max_story_id()
    store.save_stories([], [], replace=True)  # every story gone (as a recluster that dropped them)
    assert store.max_story_id() == top


def test_an_update_that_would_wait_can_return_at_once(db_url: str, two_stores: tuple[Store, Store]) -> None:
    """`update(wait=False)` leaves the articles to the lock's holder; `finish` waits and groups them."""
    store, other = two_stores
    builder = StoryBuilder(store)
    store.add_articles([_article(n, text) for n, text in enumerate(EVENTS)])
    with other.story_lock() as held:
        assert held
        assert builder.update(wait=False).analysed == 0
        with store.story_lock(wait=False) as again:
            assert not again
    assert read_state(db_url).members == 0
    builder.finish()
    state = read_state(db_url)
    assert (state.members, state.stories, state.problems) == (3, 3, [])


def test_an_ingest_stores_on_while_another_process_groups(
    db_url: str, two_stores: tuple[Store, Store], tmp_path: Path
) -> None:
    """`storyline ingest` does not wait for the story lock after each batch: while another process
    holds it, every batch is stored; the run groups its articles at the end, once the lock is free."""
    from support.corpus import corpus

    _, other = two_stores
    source = write_jsonl(tmp_path / "in.jsonl", corpus(250))  # two batches of the pipeline's 200
    with other.story_lock() as held:
        assert held
        proc = subprocess.Popen(
            [sys.executable, "-m", "storyline", "--db", db_url, "ingest", str(source), "--format", "json"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        deadline = time.monotonic() + 120
        while read_state(db_url).articles < 250:  # both batches stored while the lock is held elsewhere
            assert proc.poll() is None and time.monotonic() < deadline, "the ingest stopped storing"
            time.sleep(0.3)
        assert read_state(db_url).members == 0
        time.sleep(1)
        assert proc.poll() is None  # waiting to group, not done without grouping
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    assert json.loads(out)["counts"]["stored"] == 250
    state = read_state(db_url)
    assert (state.articles, state.members, state.problems) == (250, 250, [])


def test_a_write_that_finds_sqlite_locked_is_run_again(tmp_path: Path) -> None:
    """Another connection holds the write lock past the busy timeout: the write waits and retries."""
    import sqlite3

    import sqlalchemy as sa

    from storyline.store.concurrency import write

    path = tmp_path / "locked.db"
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("CREATE TABLE t (x INTEGER)")
    holder.execute("BEGIN IMMEDIATE")
    release = threading.Timer(0.4, holder.execute, args=("COMMIT",))
    engine = sa.create_engine(f"sqlite:///{path}", connect_args={"timeout": 0.05})
    release.start()
    try:
        write(engine, lambda conn: conn.exec_driver_sql("INSERT INTO t VALUES (1)"))
    finally:
        release.join()
        engine.dispose()
    assert holder.execute("SELECT count(*) FROM t").fetchone() == (1,)
    holder.close()


@pytest.mark.postgres
def test_a_postgresql_deadlock_counts_as_a_collision_to_retry(postgres_url: str) -> None:
    import sqlalchemy as sa

    from storyline.store.concurrency import is_transient
    from storyline.store.sql import normalise_url

    engine = sa.create_engine(normalise_url(postgres_url))
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE t (x INTEGER PRIMARY KEY)")
    first, second = engine.connect(), engine.connect()
    first.exec_driver_sql("INSERT INTO t VALUES (1)")
    second.exec_driver_sql("INSERT INTO t VALUES (2)")
    failures: list[BaseException] = []

    def cross(conn: sa.Connection, key: int) -> None:
        try:
            conn.exec_driver_sql(f"INSERT INTO t VALUES ({key}) ON CONFLICT DO NOTHING")
        except sa.exc.DBAPIError as exc:
            failures.append(exc)

    waiting = threading.Thread(target=cross, args=(first, 2))
    waiting.start()
    time.sleep(0.3)
    cross(second, 1)  # each waits for the other's uncommitted row: PostgreSQL aborts one of the two
    for conn in (second, first):
        conn.rollback()
    waiting.join(30)
    first.close()
    second.close()
    engine.dispose()
    assert len(failures) == 1 and is_transient(failures[0]), failures


OPEN_AT = """
import sys, time
from storyline.store import open_store
time.sleep(max(0.0, float(sys.argv[2]) - time.time()))
open_store(sys.argv[1]).close()
"""


def test_processes_opening_a_new_store_at_once_create_it_once(tmp_path: Path) -> None:
    """Six processes open (and so migrate) one new SQLite file at the same moment: all succeed."""
    url = f"sqlite:///{tmp_path / 'new.db'}"
    start = str(time.time() + 4)  # after every process has imported the store
    procs = [
        subprocess.Popen([sys.executable, "-c", OPEN_AT, url, start], stderr=subprocess.PIPE, text=True)
        for _ in range(6)
    ]
    errors = [proc.communicate(timeout=120)[1] for proc in procs]
    assert [proc.returncode for proc in procs] == [0] * 6, errors
    store = open_store(url)
    assert isinstance(store, SqlStore) and store.revision() == store.upgrade()
    store.close()


# -- two ingest processes and web readers ----------------------------------------------------------

READS = ("/", "/api/stories?limit=50", "/api/search?q=president", "/api/search?q=council")


class Readers:
    """Threads that read the web app over HTTP until stopped, keeping every failure."""

    def __init__(self, base: str, threads: int = 3) -> None:
        self.base = base
        self.stop = threading.Event()
        self.done: Counter[str] = Counter()
        self.failures: list[str] = []
        self.slowest = 0.0  # seconds, for the figures (no timed assertion)
        self._threads = [threading.Thread(target=self._read, args=(i,), daemon=True) for i in range(threads)]

    def __enter__(self) -> Readers:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop.set()
        for thread in self._threads:
            thread.join(60)

    def _read(self, offset: int) -> None:
        i = offset
        while not self.stop.is_set():
            path = READS[i % len(READS)]
            i += 1
            start = time.monotonic()
            problem = self._check(path)
            self.slowest = max(self.slowest, time.monotonic() - start)
            if problem:
                self.failures.append(f"{path}: {problem}")
            self.done[path] += 1
            time.sleep(0.05)

    def _check(self, path: str) -> str | None:
        try:
            with urllib.request.urlopen(self.base + path, timeout=60) as response:
                status, kind, body = response.status, response.headers.get("content-type", ""), response.read()
        except urllib.error.HTTPError as exc:
            return f"HTTP {exc.code}: {exc.read()[:300]!r}"
        except OSError as exc:
            return f"no answer: {exc}"
        if status != 200:
            return f"HTTP {status}"
        if path.startswith("/api/"):
            try:
                data = json.loads(body)
            except ValueError:
                return f"not JSON: {body[:200]!r}"
            if not isinstance(data.get("items"), list) or data.get("total", -1) < len(data["items"]):
                return f"not a list answer: {body[:200]!r}"
            return None
        if "text/html" not in kind or not body.rstrip().endswith(b"</html>"):
            return f"not a whole page ({kind}): {body[-200:]!r}"
        return None


class Monitor:
    """A thread that checks the store's consistency (tests/support/storecheck.py) until stopped."""

    def __init__(self, db_url: str) -> None:
        self.db_url = db_url
        self.stop = threading.Event()
        self.looks = 0
        self.problems: list[str] = []
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def __enter__(self) -> Monitor:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop.set()
        self._thread.join(120)

    def _watch(self) -> None:
        while not self.stop.wait(0.3):
            try:
                state = read_state(self.db_url)
            except Exception:  # the tables are not there yet: nothing to check
                continue
            self.looks += 1
            self.problems += [f"look {self.looks}: {p}" for p in state.problems[:3]]


@contextlib.contextmanager
def web_server(db_url: str) -> Iterator[str]:
    """The web app over the store, served by uvicorn from a thread on a free port; yields its URL."""
    import uvicorn

    from storyline.web import create_app
    from storyline.web.service import WebOptions

    app = create_app(db_url, token="", options=WebOptions(warm=False))
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "the web server did not start"
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(30)
        sock.close()


def _start_ingest(db_url: str, source: Path, out: Path) -> subprocess.Popen[bytes]:
    with out.open("wb") as stdout, out.with_suffix(".err").open("wb") as stderr:
        return subprocess.Popen(
            [sys.executable, "-m", "storyline", "--db", db_url, "ingest", str(source), "--format", "json"],
            stdout=stdout,
            stderr=stderr,
            cwd=REPO,
        )


def _statuses(out: Path) -> dict[str, str]:
    report = json.loads(out.read_text(encoding="utf-8"))
    return {o["id"]: o["status"] for o in report["outcomes"]}


def _extracted_hashes(records: list[dict[str, object]], folder: Path) -> set[str]:
    """The content hashes the inputs have once extracted, computed here without a store."""
    from storyline.ingest.local import extract_documents

    source = write_jsonl(folder / "all.jsonl", records)
    return {item.content_hash for item in extract_documents([str(source)]) if isinstance(item, Article)}


def test_two_ingests_of_overlapping_inputs_with_readers(db_url: str, tmp_path: Path) -> None:
    from support.corpus import corpus

    records = corpus(N + N // 2)
    first = write_jsonl(tmp_path / "first.jsonl", records[:N])
    second = write_jsonl(tmp_path / "second.jsonl", records[N // 2 :])  # the middle third is in both
    outs = (tmp_path / "first.json", tmp_path / "second.json")
    started = time.monotonic()
    procs = [_start_ingest(db_url, src, out) for src, out in zip((first, second), outs, strict=True)]
    try:
        with web_server(db_url) as base, Readers(base) as readers, Monitor(db_url) as monitor:
            for proc in procs:
                proc.wait(timeout=900)
            during = sum(readers.done.values())
            seconds = time.monotonic() - started
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
    for proc, out in zip(procs, outs, strict=True):
        stderr = out.with_suffix(".err").read_text(encoding="utf-8", errors="replace")
        assert proc.returncode == 0, stderr[-2000:]
        assert "Traceback" not in stderr

    # Readers: every answer a 200 with a whole page or a JSON list, all through the ingests.
    assert readers.failures == []
    assert during >= len(READS), readers.done

    # Whenever the store was looked at during the ingests, its stories agreed with their members.
    assert monitor.problems == []
    assert monitor.looks >= 2

    # Each input once: stored by exactly one process, reported as already stored by the other.
    a, b = _statuses(outs[0]), _statuses(outs[1])
    stored_by_both = {i for i in a.keys() & b.keys() if a[i] == b[i] == "stored"}
    assert stored_by_both == set()
    stored = {i for i, s in (*a.items(), *b.items()) if s == "stored"}
    assert "rejected" not in {*a.values(), *b.values()}
    state = read_state(db_url)
    assert state.problems == []
    assert state.external_ids == stored == {r["id"] for r in records}  # the inputs are distinct articles
    assert state.aliases == 0
    assert state.hashes == _extracted_hashes(records, tmp_path)
    # Every article in exactly one story (one membership row per article at most, by the key).
    assert state.members == state.featured == state.articles
    assert state.stories == len(_story_ids(db_url))
    assert state.pending == 0  # the last run to finish rebuilt what the other grouped after its own rebuild
    if report := os.environ.get("STORYLINE_CONCURRENCY_REPORT"):
        figures = {
            "backend": db_url.split(":", maxsplit=1)[0],
            "inputs": [N, len(records) - N // 2],
            "articles": state.articles,
            "stored_by": [sum(v == "stored" for v in a.values()), sum(v == "stored" for v in b.values())],
            "stories": state.stories,
            "seconds": round(seconds, 1),
            "reads": dict(readers.done),
            "slowest_read_s": round(readers.slowest, 2),
            "consistency_checks": monitor.looks,
        }
        with open(report, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(figures) + "\n")


def _story_ids(db_url: str) -> list[int]:
    store = open_store(db_url)
    try:
        ids = [s.id for s in store.list_stories()]
    finally:
        store.close()
    assert len(ids) == len(set(ids))
    return ids
