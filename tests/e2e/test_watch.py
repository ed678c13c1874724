"""`storyline watch`: rounds over a real folder and real feeds on 127.0.0.1, into real stores (SQLite
file and PostgreSQL schema), with an injected clock so many rounds take no real time."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from test_fetch import rss

import storyline.stories.builder
from storyline.errors import OptionsError
from storyline.ingest.fetch import FetchOptions
from storyline.ingest.local import IngestOptions
from storyline.ingest.watch import RoundReport, Watcher, WatchOptions, backoff_delay, parse_duration
from storyline.model import Article
from storyline.store import Store, open_store
from storyline.web import WebOptions, create_app
from support.articles import article_html, article_text
from support.cli import REPO, run
from support.reports import report_without_models
from support.server import LocalServer

SEEDS = sorted((REPO / "examples" / "seeds").glob("*.txt"))
EVERY = 60.0


class FakeClock:
    """Monotonic seconds that move only when the watcher sleeps; the sleeps are recorded."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def run_rounds(
    specs: list[str],
    store: Store,
    rounds: int,
    between: dict[int, Callable[[], object]] | None = None,
    **options: Any,
) -> tuple[list[RoundReport], FakeClock]:
    """Run `rounds` rounds on a fake clock; `between[n]` runs after round n (the world changing)."""
    clock = FakeClock()
    reports: list[RoundReport] = []

    def on_round(report: RoundReport) -> None:
        reports.append(report)
        if between and report.number in between:
            between[report.number]()

    opts = WatchOptions(every=EVERY, max_rounds=rounds, **options)
    with Watcher(specs, store, opts, clock=clock, sleep=clock.sleep) as watcher:
        watcher.run(on_round)
    return reports, clock


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    opened = open_store(db_url)
    yield opened
    opened.close()


# -- durations and backoff ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "seconds"), [("30s", 30), ("10m", 600), ("1h", 3600), ("1h30m", 5400), ("90", 90), ("1.5m", 90)]
)
def test_durations_are_parsed(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "10x", "m", "0s", "ten minutes", "-5m", "10m junk"])
def test_impossible_durations_are_refused(text: str) -> None:
    with pytest.raises(OptionsError, match="duration"):
        parse_duration(text)


def test_backoff_doubles_from_every_up_to_the_cap() -> None:
    assert [backoff_delay(n, 600, 3600) for n in range(1, 7)] == [600, 1200, 2400, 3600, 3600, 3600]
    assert [backoff_delay(n, 30, 3600) for n in (1, 2, 3, 8, 9, 500)] == [30, 60, 120, 3600, 3600, 3600]
    assert backoff_delay(3, 7200, 3600) == 7200  # a round longer than the cap: never tried more often than that


def test_impossible_watch_options_are_refused(sqlite_url: str) -> None:
    with pytest.raises(OptionsError, match="max_rounds"):
        WatchOptions(max_rounds=0)
    store = open_store(sqlite_url)
    try:
        with pytest.raises(OptionsError, match="standard input"):
            Watcher(["-"], store)
        with pytest.raises(OptionsError, match="at least one"):
            Watcher([], store)
    finally:
        store.close()


# -- folders -------------------------------------------------------------------------------------------


def test_a_watched_folder_ingests_new_and_changed_files_only(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for seed in SEEDS[:3]:
        shutil.copy(seed, inbox)
    wire = inbox / "wire.jsonl"

    def arrive() -> None:  # written under a hidden name, then renamed: never read half-written
        (inbox / ".incoming.txt").write_bytes(SEEDS[3].read_bytes())

    def renamed() -> None:
        (inbox / ".incoming.txt").rename(inbox / SEEDS[3].name)
        shutil.copy(SEEDS[4], inbox)
        wire.write_text(json.dumps({"id": "w1", "text": article_text(1)}) + "\n")

    def appended() -> None:
        with wire.open("a") as fh:
            fh.write(json.dumps({"id": "w2", "text": article_text(2)}) + "\n")
        (inbox / SEEDS[0].name).unlink()

    loads: list[int] = []
    real_load = storyline.stories.builder.load_index

    def counted_load(*args: Any, **kwargs: Any) -> Any:
        loads.append(1)
        return real_load(*args, **kwargs)

    monkeypatch.setattr(storyline.stories.builder, "load_index", counted_load)
    reports, clock = run_rounds([str(inbox)], store, 5, {1: arrive, 2: renamed, 3: appended})
    counts = [tuple(r.counts.values()) for r in reports]
    # (stored, already stored, rejected): unchanged files are not read again (not even "already stored").
    assert counts == [(3, 0, 0), (0, 0, 0), (3, 0, 0), (1, 1, 0), (0, 0, 0)]
    assert clock.sleeps == [EVERY] * 4 and all(not r.failed and not r.stopped for r in reports)
    assert [r.stories_touched > 0 for r in reports] == [True, False, True, True, False]
    assert len(loads) == 3  # the story index is read once a round with new articles, never in an idle round
    stories = store.list_stories()
    (seeds_story,) = [s for s in stories if s.article_count == 5]
    assert {a.external_id for a in seeds_story.articles} == {p.stem for p in SEEDS}
    assert {a.external_id for s in stories for a in s.articles} == {p.stem for p in SEEDS} | {"w1", "w2"}
    assert store.count_articles() == 7


def test_files_read_are_remembered_across_runs_in_the_state_file(sqlite_url: str, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for seed in SEEDS[:2]:
        shutil.copy(seed, inbox)
    state = tmp_path / "state" / "watch.json"
    store = open_store(sqlite_url)
    try:
        first, _ = run_rounds([str(inbox)], store, 1, state_file=state, stories=None)
        written = state.stat().st_mtime_ns
        again, _ = run_rounds([str(inbox)], store, 1, state_file=state, stories=None)
        assert state.stat().st_mtime_ns == written  # nothing new: the state is not written again
        without, _ = run_rounds([str(inbox)], store, 1, stories=None)
        other = open_store(f"sqlite:///{tmp_path / 'other.db'}")
        try:
            elsewhere, _ = run_rounds([str(inbox)], other, 1, state_file=state, stories=None)
        finally:
            other.close()
        state.write_text("{not json")
        broken, _ = run_rounds([str(inbox)], store, 1, state_file=state, stories=None)
    finally:
        store.close()
    assert first[0].counts == {"stored": 2, "already stored": 0, "rejected": 0}
    assert again[0].counts == {"stored": 0, "already stored": 0, "rejected": 0}  # nothing read again
    assert without[0].counts == {"stored": 0, "already stored": 2, "rejected": 0}  # read, and deduplicated
    assert elsewhere[0].counts["stored"] == 2  # a state kept for another store is not trusted
    assert broken[0].counts["already stored"] == 2
    saved = json.loads(state.read_text())
    assert sorted(saved["files"]) == sorted(str((inbox / p.name).resolve()) for p in SEEDS[:2])


def test_a_missing_folder_backs_off_and_is_read_once_it_exists(sqlite_url: str, tmp_path: Path) -> None:
    later = tmp_path / "later"
    store = open_store(sqlite_url)

    def create() -> None:
        later.mkdir()
        shutil.copy(SEEDS[0], later)

    try:
        reports, _ = run_rounds([str(later)], store, 5, {2: create}, stories=None)
    finally:
        store.close()
    assert [r.failed[0].retry_in if r.failed else None for r in reports] == [EVERY, 2 * EVERY, None, None, None]
    assert "no such file or directory" in (reports[0].sources[0].error or "")
    assert [r.sources[0].waiting for r in reports] == [False, False, True, False, False]
    assert [r.counts["stored"] for r in reports] == [0, 0, 0, 1, 0]
    assert reports[0].all_failed and not reports[3].all_failed


class StopAfterFirstBatch:
    """A store that asks the watcher to stop as soon as its first batch is written (as SIGTERM would)."""

    def __init__(self, store: Store, stop: threading.Event) -> None:
        self._store, self._stop = store, stop

    def add_articles(self, batch: list[Article]) -> Any:
        result = self._store.add_articles(batch)
        self._stop.set()
        return result

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)


def test_a_stop_ends_the_round_between_batches(sqlite_url: str, tmp_path: Path) -> None:
    for seed in SEEDS:
        shutil.copy(seed, tmp_path)
    store = open_store(sqlite_url)
    options = WatchOptions(every=EVERY, ingest=IngestOptions(batch_size=2), stories=None)
    try:
        stop = threading.Event()
        clock = FakeClock()
        stopping = StopAfterFirstBatch(store, stop)
        with Watcher([str(tmp_path)], stopping, options, clock=clock, sleep=clock.sleep, stop=stop) as watcher:  # type: ignore[arg-type]
            last = watcher.run()
        assert last is not None and last.stopped and last.counts["stored"] == 2 and clock.sleeps == []
        assert "stopped before the end of the round" in last.line()
        assert store.count_articles() == 2  # the batch written before the stop is kept, whole
        with Watcher([str(tmp_path)], store, options, clock=clock, sleep=clock.sleep) as watcher:
            again = watcher.run_round()
        assert again.counts == {"stored": 3, "already stored": 2, "rejected": 0}  # read again: none was recorded
    finally:
        store.close()


# -- feeds ---------------------------------------------------------------------------------------------


@pytest.mark.network
def test_feeds_that_go_down_back_off_and_come_back_while_others_go_on(db_url: str, tmp_path: Path) -> None:
    """Feed A answers, then fails with HTTP 500 and comes back with a new entry; feed B refuses
    connections until its server starts on round 7; a folder gets a file on round 3."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    b_port = refused_port()
    with LocalServer().running() as a:
        a_links = [a.add(f"/a/{n}", article_html(n)) for n in (1, 2, 3)]
        a_feed = a.add("/a.xml", rss([("A1", a_links[0]), ("A2", a_links[1])]), content_type="application/rss+xml")
        b_base = f"http://127.0.0.1:{b_port}"
        b_links, b_feed = [f"{b_base}/b/{n}" for n in (11, 12)], f"{b_base}/b.xml"
        started: list[LocalServer] = []
        stack = contextlib.ExitStack()

        def a_fails() -> None:
            a.add("/a.xml", "<html><body>Internal error</body></html>", status=500)

        def file_arrives() -> None:
            shutil.copy(SEEDS[0], inbox)

        def a_back_with_a_new_entry() -> None:
            a.add("/a.xml", rss([(f"A{n}", link) for n, link in enumerate(a_links, 1)]), content_type="text/xml")

        def b_back() -> None:  # a new server on B's port: no longer refused
            b_server = stack.enter_context(LocalServer(port=b_port).running())
            for n in (11, 12):
                b_server.add(f"/b/{n}", article_html(n))
            b_server.add("/b.xml", rss([("B1", b_links[0]), ("B2", b_links[1])]))
            started.append(b_server)

        options: dict[str, Any] = {
            "stories": None,
            "ingest": IngestOptions(fetch=FetchOptions(allow_private=True, timeout=5)),
        }
        store = open_store(db_url)
        try:
            reports, clock = run_rounds(
                [a_feed, b_feed, str(inbox)],
                store,
                9,
                {1: a_fails, 3: file_arrives, 4: a_back_with_a_new_entry, 6: b_back},
                **options,
            )
            stored_ids = {art.external_id for art in store.iter_articles()}
        finally:
            store.close()
            stack.close()

    def status(report: RoundReport, source: str) -> str:
        (result,) = [r for r in report.sources if r.source == source]
        if result.waiting:
            return "waiting"
        return "failed" if result.error else f"stored {result.counts['stored']}"

    assert [status(r, a_feed) for r in reports] == [
        "stored 2",
        "failed",  # HTTP 500: tried again after one round,
        "failed",  # then after two
        "waiting",
        "stored 1",  # back: only the new entry is fetched
        "stored 0",
        "stored 0",
        "stored 0",
        "stored 0",
    ]
    assert [status(r, b_feed) for r in reports] == [
        "failed",  # connection refused: tried again after one round,
        "failed",  # then after two,
        "waiting",
        "failed",  # then after four
        "waiting",
        "waiting",
        "waiting",
        "stored 2",  # its server started after round 6; the next try is round 8
        "stored 0",
    ]
    assert [status(r, str(inbox)) for r in reports] == ["stored 0"] * 3 + ["stored 1"] + ["stored 0"] * 5
    b_errors = [s for r in reports for s in r.sources if s.source == b_feed and s.error and not s.waiting]
    assert [s.retry_in for s in b_errors] == [EVERY, 2 * EVERY, 4 * EVERY]
    assert all("Connection refused" in (s.error or "") for s in b_errors), [s.error for s in b_errors]
    a_errors = [s for r in reports for s in r.sources if s.source == a_feed and s.error and not s.waiting]
    assert [s.error for s in a_errors] == ["HTTP 500 Internal Server Error"] * 2
    assert f"{a_feed}: HTTP 500 Internal Server Error (retry in 1m)" in reports[1].line()
    assert f"{b_feed}: waiting (retry in 1m after " in reports[2].line()
    assert clock.sleeps == [EVERY] * 8
    # Each entry is fetched and stored once, however many rounds saw it.
    assert a.hits["/a.xml"] == 8 and [a.hits[f"/a/{n}"] for n in (1, 2, 3)] == [1, 1, 1]
    (b_server,) = started
    assert [b_server.hits[f"/b/{n}"] for n in (11, 12)] == [1, 1] and b_server.hits["/b.xml"] == 2
    assert stored_ids == set(a_links) | set(b_links) | {SEEDS[0].stem}


def refused_port() -> int:
    """A port on 127.0.0.1 that had a server and has none now: connections to it are refused."""
    server = LocalServer()
    with server.running():
        pass
    return server.port


# -- readers during a round ----------------------------------------------------------------------------


def test_web_readers_are_answered_while_a_round_writes(db_url: str, tmp_path: Path) -> None:
    """Requests made inside the watcher's open write transactions (at each commit) answer at once
    with the last committed state: writers never block readers (WAL on SQLite, MVCC on PostgreSQL)."""
    for seed in SEEDS:
        shutil.copy(seed, tmp_path)
    store = open_store(db_url)
    reads: list[tuple[int, int, int]] = []
    with TestClient(create_app(db_url, token="", options=WebOptions(warm=False))) as client:

        def read_during_commit(_conn: Any) -> None:
            stories = client.get("/api/stories")
            found = client.get("/api/search", params={"q": "Kremlin"})
            page = client.get("/")
            assert stories.status_code == found.status_code == page.status_code == 200
            reads.append((stories.json()["total"], found.json()["total"], page.status_code))

        engine = store.engine  # type: ignore[attr-defined]
        sa.event.listen(engine, "commit", read_during_commit)
        try:
            reports, _ = run_rounds([str(tmp_path)], store, 1)
        finally:
            sa.event.remove(engine, "commit", read_during_commit)
            store.close()
        after = client.get("/api/search", params={"q": "Kremlin"}).json()["total"]
        listed = client.get("/api/stories").json()["total"]
    assert reports[0].counts["stored"] == 5 and reports[0].stories_touched == 1
    assert len(reads) >= 3  # articles, vectors and features, stories: each written in its own transaction
    assert reads[0][:2] == (0, 0)  # asked while the articles' transaction was open: not visible yet
    assert after == 5 and listed == 1


# -- the command ---------------------------------------------------------------------------------------


def test_watch_once_from_the_command_line(db_url: str, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for seed in SEEDS[:3]:
        shutil.copy(seed, inbox)
    state = tmp_path / "watch.json"
    dead = "http://127.0.0.1:9/feed.xml"
    args = ("--db", db_url, "watch", str(inbox), dead, "--once", "--allow-private", "--state", str(state))
    first = run(*args)
    assert first.returncode == 0, first.stderr
    (line,) = first.stdout.splitlines()
    assert "stored 3 · already stored 0 · rejected 1 · stories 1 new or updated" in line
    assert f"{dead}: cannot fetch: ConnectError" in line and "(retry in 10m)" in line
    shutil.copy(SEEDS[3], inbox)
    second = run(*args, "--format", "jsonl", "--no-stories")
    report = json.loads(second.stdout)
    assert report["counts"] == {"stored": 1, "already stored": 0, "rejected": 1}  # the other three not read
    assert [s["error"] is not None for s in report["sources"]] == [False, True]
    only_dead = run("--db", db_url, "watch", dead, "--once", "--allow-private")
    assert only_dead.returncode == 1  # every source failed
    store = open_store(db_url)
    try:
        assert store.count_articles() == 4 and store.count_stories() == 1
    finally:
        store.close()


def test_watch_analyse_readies_the_reports_of_new_articles(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`watch --analyse` does the per-article report work each round: the report then loads no model."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for seed in SEEDS:
        shutil.copy(seed, inbox)
    res = run("--db", db_url, "watch", str(inbox), "--once", "--analyse")
    assert res.returncode == 0, res.stderr
    assert "stored 5 · already stored 0 · rejected 0 · stories 1 new or updated · 5 analysed for reports" in res.stdout
    report = report_without_models(db_url, monkeypatch, "the watch analysed every article")
    assert len(report["articles"]) == 5 and report["quotes"] and report["summary"]
    again = run("--db", db_url, "watch", str(inbox), "--once", "--analyse", "--format", "jsonl")
    assert json.loads(again.stdout)["analysed"] == 0  # nothing new: nothing to do


def test_watch_refuses_bad_options_in_one_line(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'w.db'}"
    bad = run("--db", db, "watch", str(tmp_path), "--every", "10x")
    assert bad.returncode == 2 and bad.stderr.strip().splitlines() == [
        "error: not a duration: '10x'; write e.g. 30s, 10m, 1h or 1h30m"
    ]
    stdin = run("--db", db, "watch", "-")
    assert stdin.returncode == 2 and "standard input cannot be watched" in stdin.stderr


def test_sigterm_stops_the_watch_cleanly(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(SEEDS[0], inbox)
    db = f"sqlite:///{tmp_path / 'w.db'}"
    cmd = [sys.executable, "-m", "storyline", "--db", db, "watch", str(inbox), "--every", "1h", "--no-stories"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO, env=os.environ)
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()  # the first round is done; the watch now waits an hour
        assert first.startswith("round 1 (") and "stored 1" in first
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, err
    assert out == "" and "SIGTERM: stopping after the current batch" in err and "stopped after 1 rounds" in err
    assert "Traceback" not in err
