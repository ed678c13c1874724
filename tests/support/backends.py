"""Stores for tests that share one across a module: a SQLite file, or a fresh PostgreSQL schema.

The conftest fixtures `sqlite_url`, `postgres_url` and `db_url` make one store per test; module
fixtures that seed a store once (web and report tests) take `BACKENDS` as their params and open
the store with :func:`store_url`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

import conftest

BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@contextmanager
def store_url(backend: str, folder: Path) -> Iterator[str]:
    """The URL of an empty store: `folder`/store.db, or a PostgreSQL schema dropped afterwards.

    Skips the test (with the reason) when PostgreSQL is asked for and no server answers.
    """
    if backend == "sqlite":
        yield f"sqlite:///{folder / 'store.db'}"
        return
    with conftest.fresh_schema_url() as url:
        yield url
