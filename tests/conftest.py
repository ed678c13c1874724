"""Shared fixtures: real SQLite files, a real PostgreSQL schema per test, the seed corpus."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "examples" / "seeds"
SHARED = REPO.parent / "shared"
PG_ADMIN_URL = "postgresql+psycopg://127.0.0.1:5432/test"


def _pg_available() -> str | None:
    """None when PostgreSQL answers, else the reason it does not."""
    try:
        engine = sa.create_engine(PG_ADMIN_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
        engine.dispose()
    except Exception as exc:  # any failure means: skip, and say why
        return f"no PostgreSQL server at 127.0.0.1:5432 (database test): {str(exc).splitlines()[0]}"
    return None


_PG_REASON = _pg_available()


@pytest.fixture(scope="session", autouse=True)
def _story_index_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Story index files of PostgreSQL stores go to a temporary folder, not the user's cache
    (SQLite stores keep theirs beside the file, in each test's own folder)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("STORYLINE_INDEX_DIR", str(tmp_path_factory.mktemp("story-index")))
        yield


@pytest.fixture
def seeds_dir() -> Path:
    """The bundled seed corpus (examples/seeds)."""
    return SEEDS


@pytest.fixture
def shared_dir() -> Path:
    """../shared beside the repository; tests that need it skip when it is absent."""
    if not SHARED.is_dir():
        pytest.skip("../shared is not beside the repository")
    return SHARED


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A fresh SQLite file URL."""
    return f"sqlite:///{tmp_path / 'store.db'}"


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A PostgreSQL URL whose search_path is a fresh schema, dropped afterwards."""
    with fresh_schema_url() as url:
        yield url


@contextmanager
def fresh_schema_url() -> Iterator[str]:
    """A PostgreSQL URL whose search_path is a fresh schema, dropped afterwards; skips the test
    (with the reason) when no server answers."""
    if _PG_REASON:
        pytest.skip(_PG_REASON)
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(PG_ADMIN_URL)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"postgresql://127.0.0.1:5432/test?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest) -> str:
    """Each storage test runs on a real SQLite file and on a real PostgreSQL schema."""
    name = "sqlite_url" if request.param == "sqlite" else "postgres_url"
    return str(request.getfixturevalue(name))
