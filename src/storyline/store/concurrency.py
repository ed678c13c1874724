"""Concurrent writers: the store's story lock, and write transactions retried when they collide.

**The story lock**: one process at a time writes stories, whichever processes store articles.

Story building keeps an index of the store's stories in memory and hands out new story ids from
it, so two builders writing at once (two `storyline ingest` runs, a web ingest beside a CLI run)
would give the same new id to two events and overwrite each other's summaries. They take this
lock around every update instead; articles are stored without it.

- PostgreSQL: a session-level advisory lock on a connection of its own (keyed on the schema, so
  stores in different schemas of one database do not wait for each other). The server drops it
  when the holder's connection ends, also when the process is killed.
- SQLite: an exclusive `flock` on a file beside the database (`news.db.lock`). The kernel drops
  it when the holder's process ends, however it ends. (A SQLite write transaction would do too,
  but it would also stop every other process from storing articles while one embeds.)
- An in-memory SQLite database is seen by one process only: a thread lock does.

**Retries** (:func:`write`): a write transaction that PostgreSQL aborts as a deadlock or a
serialization failure (two batches inserting the same articles in different orders), or that
finds SQLite still locked after its busy timeout, rolls back whole; it is run again a few times.
"""

from __future__ import annotations

import contextlib
import logging
import os
import random
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

log = logging.getLogger(__name__)
T = TypeVar("T")

_PG_STORY_LOCK = 0x5703_5707  # any constant: the first half of the two-part advisory key
_memory_locks: dict[str, threading.Lock] = {}
_memory_guard = threading.Lock()


@contextlib.contextmanager
def pg_advisory_lock(engine: Engine, *, wait: bool = True) -> Iterator[bool]:
    """Hold the schema's story lock on PostgreSQL for the block; yield False when `wait` is False
    and another session holds it."""
    key = "(:k, hashtext(current_schema()))"
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        if wait:
            conn.execute(sa.text(f"SELECT pg_advisory_lock{key}"), {"k": _PG_STORY_LOCK})
            held = True
        else:
            held = bool(conn.execute(sa.text(f"SELECT pg_try_advisory_lock{key}"), {"k": _PG_STORY_LOCK}).scalar())
        try:
            yield held
        finally:
            if held:
                # A broken connection has lost the lock with its session already.
                with contextlib.suppress(sa.exc.SQLAlchemyError):
                    conn.execute(sa.text(f"SELECT pg_advisory_unlock{key}"), {"k": _PG_STORY_LOCK})


@contextlib.contextmanager
def file_lock(path: Path, *, wait: bool = True) -> Iterator[bool]:
    """Hold an exclusive lock on `path` (created if missing) for the block; yield False when `wait`
    is False and another holder has it. Each call opens the file anew, so two threads of one
    process exclude each other as two processes do."""
    import fcntl

    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
            held = True
        except BlockingIOError:
            held = False
        try:
            yield held
        finally:
            if held:
                fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


@contextlib.contextmanager
def thread_lock(name: str, *, wait: bool = True) -> Iterator[bool]:
    """A process-wide lock by name, for stores no other process can open."""
    with _memory_guard:
        lock = _memory_locks.setdefault(name, threading.Lock())
    held = lock.acquire(blocking=wait)
    try:
        yield held
    finally:
        if held:
            lock.release()


def sqlite_lock_path(engine: Engine) -> Path | None:
    """The lock file beside a SQLite database file (None for an in-memory database)."""
    database = engine.url.database
    if not database or database == ":memory:" or database.startswith("file::memory:"):
        return None
    return Path(database).expanduser().with_name(Path(database).name + ".lock")


_TRANSIENT_STATES = {"40P01", "40001"}  # PostgreSQL: deadlock detected, serialization failure
_TRANSIENT_SQLITE = ("database is locked", "database is busy", "database table is locked")


def is_transient(exc: BaseException) -> bool:
    """True for a write that failed only because another writer was in the way."""
    orig = getattr(exc, "orig", None)
    if getattr(orig, "sqlstate", None) in _TRANSIENT_STATES:
        return True
    return isinstance(exc, sa.exc.OperationalError) and any(m in str(orig or exc) for m in _TRANSIENT_SQLITE)


def write(engine: Engine, work: Callable[[Connection], T], *, attempts: int = 5) -> T:
    """Run `work` in one transaction, again from the start when it collided with another writer."""
    for attempt in range(1, attempts + 1):
        try:
            with engine.begin() as conn:
                return work(conn)
        except sa.exc.DBAPIError as exc:
            if attempt == attempts or not is_transient(exc):
                raise
            log.info("write collided with another writer (attempt %d): %s", attempt, str(exc.orig).strip()[:200])
            time.sleep(0.05 * 2**attempt * (1 + random.random()))
    raise AssertionError("unreachable")
