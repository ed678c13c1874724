"""The story index kept in a file beside the store: loaded by a fresh process, brought up to date with
what other processes did, and never trusted when it is damaged, foreign or stale."""

from __future__ import annotations

import logging
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from storyline.ingest.inputs import expand_paths
from storyline.ingest.local import ingest
from storyline.store import Store, open_store
from storyline.stories.builder import StoryBuilder, StoryOptions, index_path, load_index
from storyline.stories.cluster import StoryIndex
from storyline.stories.embed import DIM, MODEL_ID
from storyline.stories.persist import (
    INDEX_DIR_ENV_VAR,
    IndexFileError,
    default_index_path,
    read_snapshot,
    store_key,
    write_snapshot,
)

_OPENED: list[Store] = []
_LOG = "storyline.stories.builder"


def _open(db: str) -> Store:
    store = open_store(db)
    _OPENED.append(store)
    return store


@pytest.fixture(autouse=True)
def _close_stores() -> Iterator[None]:
    yield
    while _OPENED:
        _OPENED.pop().close()


def _ingest(db: str, paths: list[Path], options: StoryOptions | None = None) -> StoryBuilder:
    store = _open(db)
    builder = StoryBuilder(store, options)
    ingest(expand_paths([str(p) for p in paths]), store, after_batch=builder.update)
    builder.finish()
    return builder


def _groups(index: StoryIndex) -> set[frozenset[int]]:
    return {frozenset(ids) for ids in index.stories.values()}


def _rebuilt(db: str) -> StoryIndex:
    index, _waiting, _version = load_index(_open(db), StoryOptions(persist=False))
    return index


@pytest.fixture
def seeds(seeds_dir: Path) -> list[Path]:
    return sorted(seeds_dir.iterdir())


@pytest.fixture
def saved(sqlite_url: str, seeds: list[Path]) -> tuple[str, Path]:
    """A store holding three seeds, its index saved beside it."""
    _ingest(sqlite_url, seeds[:3])
    path = index_path(_open(sqlite_url), StoryOptions())
    assert path is not None and path.is_file()
    return sqlite_url, path


def test_a_fresh_process_loads_the_saved_index(saved: tuple[str, Path], caplog: pytest.LogCaptureFixture) -> None:
    db, path = saved
    assert path.name == "store.db.storyindex" and path.parent == Path(db.removeprefix("sqlite:///")).parent
    store = _open(db)
    with caplog.at_level(logging.INFO, logger=_LOG):
        index, waiting, version = load_index(store, StoryOptions(), path)
    assert version == store.story_version() and not waiting and not caplog.records
    assert _groups(index) == _groups(_rebuilt(db)) and len(index) == 3
    assert index.df.n == _rebuilt(db).df.n


def test_the_next_run_from_the_file_groups_as_a_rebuild_would(
    saved: tuple[str, Path], seeds: list[Path], tmp_path: Path
) -> None:
    db, path = saved
    _ingest(db, seeds[3:])
    other = f"sqlite:///{tmp_path / 'unsaved.db'}"
    _ingest(other, seeds[:3], StoryOptions(persist=False))
    _ingest(other, seeds[3:], StoryOptions(persist=False))
    assert [s.article_count for s in _open(db).list_stories()] == [s.article_count for s in _open(other).list_stories()]
    snap = read_snapshot(path, store=store_key(db), model=MODEL_ID, dim=DIM)
    assert len(snap.ids) == 5 and snap.version == _open(db).story_version()


def test_what_another_process_did_since_is_applied(
    saved: tuple[str, Path], seeds: list[Path], caplog: pytest.LogCaptureFixture
) -> None:
    db, path = saved
    before = path.read_bytes()
    _ingest(db, seeds[3:], StoryOptions(persist=False))  # a process that does not keep the file
    assert path.read_bytes() == before
    with caplog.at_level(logging.INFO, logger=_LOG):
        index, _waiting, version = load_index(_open(db), StoryOptions(), path)
    assert version is not None and version < _open(db).story_version()  # the file, brought up to date
    assert _groups(index) == _groups(_rebuilt(db)) and len(index) == 5
    (record,) = caplog.records
    assert record.getMessage() == f"story index {path}: 2 new, 0 moved, 0 gone since it was saved"


def _corrupt(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 3])


def _foreign(path: Path) -> None:
    path.write_bytes(b"PK\x03\x04 not a story index" * 50)


def _empty(path: Path) -> None:
    path.write_bytes(b"")


def _rewrite(path: Path, url: str, *, store: str, model: str = MODEL_ID, dim: int = DIM) -> None:
    snap = read_snapshot(path, store=store_key(url), model=MODEL_ID, dim=DIM)
    write_snapshot(path, snap, store=store, model=model, dim=dim)


@pytest.mark.parametrize(
    ("damage", "reason"),
    [
        (_corrupt, "checksum mismatch"),
        (_truncate, "truncated"),
        (_foreign, "not a story index file"),
        (_empty, "truncated"),
        ("model", "made for another model"),
        ("dim", "made for another dimension"),
    ],
)
def test_a_bad_file_is_rebuilt_and_logged_in_one_line(
    saved: tuple[str, Path], damage: object, reason: str, caplog: pytest.LogCaptureFixture
) -> None:
    db, path = saved
    if damage == "model":
        _rewrite(path, db, store=store_key(db), model="another-model")
    elif damage == "dim":
        _rewrite(path, db, store=store_key(db), dim=768)
    else:
        damage(path)  # type: ignore[operator]
    with caplog.at_level(logging.INFO, logger=_LOG):
        index, _waiting, version = load_index(_open(db), StoryOptions(), path)
    assert version is None and _groups(index) == _groups(_rebuilt(db))
    (record,) = caplog.records
    assert record.levelno == logging.WARNING and reason in record.getMessage()
    assert "\n" not in record.getMessage() and "rebuilding it from the store" in record.getMessage()


def test_a_missing_file_is_built_and_written_by_the_run(sqlite_url: str, seeds: list[Path]) -> None:
    path = index_path(_open(sqlite_url), StoryOptions())
    assert path is not None and not path.exists()
    _ingest(sqlite_url, seeds[:2])
    assert path.is_file()
    path.unlink()
    _ingest(sqlite_url, seeds[2:])
    index, _waiting, version = load_index(_open(sqlite_url), StoryOptions(), path)
    assert version is not None and len(index) == 5


def test_a_moved_store_does_not_trust_its_old_file(
    saved: tuple[str, Path], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    db, path = saved
    moved = tmp_path / "moved"
    moved.mkdir()
    shutil.copy(db.removeprefix("sqlite:///"), moved / "store.db")
    shutil.copy(path, moved / path.name)
    url = f"sqlite:///{moved / 'store.db'}"
    with caplog.at_level(logging.INFO, logger=_LOG):
        index, _waiting, version = load_index(_open(url), StoryOptions(), moved / path.name)
    assert version is None and _groups(index) == _groups(_rebuilt(url))
    (record,) = caplog.records
    assert "made for another store" in record.getMessage()


def test_another_stores_file_under_this_name_is_not_used(
    saved: tuple[str, Path], seeds: list[Path], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    db, path = saved
    other = tmp_path / "other"
    other.mkdir()
    url = f"sqlite:///{other / 'store.db'}"
    _ingest(url, seeds[3:], StoryOptions(persist=False))
    # The first store's file, relabelled as this store's: its memberships and vectors give it away.
    _rewrite(path, db, store=store_key(url))
    shutil.copy(path, other / path.name)
    with caplog.at_level(logging.INFO, logger=_LOG):
        index, _waiting, version = load_index(_open(url), StoryOptions(), other / path.name)
    assert version is None and _groups(index) == _groups(_rebuilt(url)) and len(index) == 2
    assert not set(index.members) - set(_rebuilt(url).members)
    assert len(caplog.records) == 1


def test_two_writers_at_once_leave_one_whole_file(saved: tuple[str, Path]) -> None:
    db, path = saved
    snap = read_snapshot(path, store=store_key(db), model=MODEL_ID, dim=DIM)
    errors: list[BaseException] = []

    def write_many() -> None:
        try:
            for _ in range(10):
                write_snapshot(path, snap, store=store_key(db), model=MODEL_ID, dim=DIM)
        except BaseException as exc:  # reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=write_many) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(read_snapshot(path, store=store_key(db), model=MODEL_ID, dim=DIM).ids) == 3
    assert [p.name for p in path.parent.iterdir() if p.name.endswith(".tmp")] == []


def test_an_unwritable_index_folder_is_a_warning_not_a_failure(
    sqlite_url: str, seeds: list[Path], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    with caplog.at_level(logging.WARNING, logger=_LOG):
        builder = _ingest(sqlite_url, seeds[:2], StoryOptions(index_dir=blocker))
    assert len(builder.assignments) == 2
    assert any("cannot be written" in r.getMessage() for r in caplog.records)


def test_where_index_files_live(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(INDEX_DIR_ENV_VAR, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert default_index_path(f"sqlite:///{tmp_path}/news.db") == tmp_path / "news.db.storyindex"
    monkeypatch.setenv(INDEX_DIR_ENV_VAR, str(tmp_path / "env"))  # for PostgreSQL only
    assert default_index_path(f"sqlite:///{tmp_path}/news.db") == tmp_path / "news.db.storyindex"
    monkeypatch.delenv(INDEX_DIR_ENV_VAR)
    assert default_index_path(f"sqlite:///{tmp_path}/news.db", tmp_path / "ix") == tmp_path / "ix/news.db.storyindex"
    assert default_index_path("sqlite://") is None and default_index_path("sqlite:///:memory:") is None
    pg = default_index_path("postgresql://user:secret@db.example/news")
    assert pg is not None and pg.parent == tmp_path / "cache" / "storyline" and "secret" not in str(pg)
    assert default_index_path("postgresql://user@db.example/news", tmp_path / "ix") == (tmp_path / "ix" / pg.name)
    monkeypatch.setenv(INDEX_DIR_ENV_VAR, str(tmp_path / "env"))
    assert default_index_path("postgresql://user:other@db.example/news") == tmp_path / "env" / pg.name
    assert store_key("postgresql://user:secret@db.example/news") == "postgresql://user@db.example/news"


def test_reading_a_file_that_is_not_there_says_so(tmp_path: Path) -> None:
    with pytest.raises(IndexFileError, match="no index file yet"):
        read_snapshot(tmp_path / "none.storyindex", store="", model=MODEL_ID, dim=DIM)


def test_a_postgresql_store_keeps_its_index_in_the_index_folder(
    postgres_url: str, seeds: list[Path], tmp_path: Path
) -> None:
    options = StoryOptions(index_dir=tmp_path / "ix")
    _ingest(postgres_url, seeds[:3], options)
    store = _open(postgres_url)
    path = index_path(store, options)
    assert path is not None and path.parent == tmp_path / "ix" and path.is_file()
    assert path.name.startswith("postgresql-") and path.suffix == ".storyindex"
    index, _waiting, version = load_index(store, options, path)
    assert version == store.story_version() and len(index) == 3
    _ingest(postgres_url, seeds[3:], options)
    index, _waiting, version = load_index(store, options, path)
    assert version == store.story_version() and _groups(index) == _groups(_rebuilt(postgres_url))


def test_a_small_change_leaves_the_file_and_the_next_load_applies_it(
    saved: tuple[str, Path], seeds: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    db, path = saved
    _ingest(db, seeds[3:4], StoryOptions(persist=False))  # one article the file does not hold
    before = path.read_bytes()
    # As in a large store, where one article is far under the 2% that makes a run rewrite the file.
    monkeypatch.setattr("storyline.stories.builder._REWRITE_SHARE", 1)
    builder = StoryBuilder(_open(db))
    builder.update()
    builder.finish()
    assert path.read_bytes() == before
    index, _waiting, version = load_index(_open(db), StoryOptions(), path)
    assert version is not None and version < _open(db).story_version()
    assert _groups(index) == _groups(_rebuilt(db)) and len(index) == 4


def test_the_command_line_puts_a_postgresql_stores_index_in_index_dir(
    postgres_url: str, seeds_dir: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "indexes"
    cmd = [
        sys.executable,
        "-m",
        "storyline",
        "--db",
        postgres_url,
        "--index-dir",
        str(folder),
        "ingest",
        str(seeds_dir),
    ]
    subprocess.run(cmd, check=True, capture_output=True, text=True)
    (path,) = folder.iterdir()
    store = _open(postgres_url)
    assert path == index_path(store, StoryOptions(index_dir=folder))
    _index, _waiting, version = load_index(store, StoryOptions(), path)
    assert version == store.story_version()
