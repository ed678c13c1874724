"""Storage behind a small interface, chosen by URL.

`open_store("sqlite:///storyline.db")` or `open_store("postgresql://host/db")`
returns a :class:`Store`; any other scheme raises
:class:`~storyline.errors.UnsupportedDatabaseError` with the accepted forms.
"""

from __future__ import annotations

import os

from storyline.store.base import AddResult, Store
from storyline.store.sql import SqlStore, normalise_url

DEFAULT_DB_URL = "sqlite:///storyline.db"
DB_ENV_VAR = "STORYLINE_DB"

__all__ = ["DB_ENV_VAR", "DEFAULT_DB_URL", "AddResult", "SqlStore", "Store", "open_store", "resolve_db_url"]


def resolve_db_url(url: str | None) -> str:
    """The database URL to use: the one given, else `$STORYLINE_DB`, else a local SQLite file."""
    return url or os.environ.get(DB_ENV_VAR) or DEFAULT_DB_URL


def open_store(url: str | None = None, *, migrate: bool = True) -> Store:
    """Open (and by default migrate to the latest schema) the store at `url`.

    Args:
        url: `sqlite:///path.db`, `postgresql://user@host:port/db`, or None for the default.
        migrate: apply pending schema migrations first (on by default; `storyline db upgrade`
            does it explicitly on a shared server).

    Raises:
        UnsupportedDatabaseError: the URL's scheme is not SQLite or PostgreSQL.
        StoreError: the database cannot be reached or migrated.
    """
    store = SqlStore(normalise_url(resolve_db_url(url)))
    if migrate:
        store.upgrade()
    return store
