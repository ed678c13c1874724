"""Stores for tests that share one across a module: a SQLite file, or a fresh PostgreSQL schema.

The conftest fixtures `sqlite_url`, `postgres_url` and `db_url` make one store per test; module
fixtures that seed a store once (web and report tests) take `BACKENDS` as their params and open
the store with :func:`store_url`.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa

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
    if conftest._PG_REASON:
        pytest.skip(conftest._PG_REASON)
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(conftest.PG_ADMIN_URL)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"postgresql://127.0.0.1:5432/test?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
