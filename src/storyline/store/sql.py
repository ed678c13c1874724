"""The SQL store: SQLAlchemy 2 Core over SQLite (default) or PostgreSQL (psycopg 3).

Schema changes go through Alembic migrations shipped in the package
(`storyline/store/migrations`), applied on open or by `storyline db upgrade`.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import logging
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine

from storyline.errors import NotFoundError, StoreError, UnsupportedDatabaseError
from storyline.model import Article, Rejected
from storyline.store.base import AddResult
from storyline.store.concurrency import file_lock, pg_advisory_lock, sqlite_lock_path, thread_lock, write
from storyline.store.outlet_tables import OutletTables
from storyline.store.rows import row_to_article
from storyline.store.schema import article_aliases, articles, rejections
from storyline.store.search import SearchTables
from storyline.store.story_tables import StoryTables

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
_PG_MIGRATION_LOCK = 0x5703_7E11  # any constant; serialises concurrent `upgrade` runs
_ACCEPTED = "use sqlite:///path/to/file.db or postgresql://user@host:5432/dbname"


def normalise_url(url: str) -> str:
    """Map a user-facing database URL to a SQLAlchemy URL, rejecting unknown schemes.

    Raises:
        UnsupportedDatabaseError: for anything but SQLite and PostgreSQL URLs.
    """
    scheme, sep, rest = url.partition("://")
    if not sep:
        raise UnsupportedDatabaseError(f"not a database URL: {url!r}; {_ACCEPTED}")
    scheme = scheme.lower()
    if scheme in {"postgresql", "postgres", "postgresql+psycopg"}:
        return f"postgresql+psycopg://{rest}"
    if scheme == "sqlite":
        return f"sqlite://{rest}"
    raise UnsupportedDatabaseError(f"unsupported database URL scheme {scheme!r}; {_ACCEPTED}")


def _make_engine(url: str) -> Engine:
    if not url.startswith("sqlite"):
        return sa.create_engine(url, pool_pre_ping=True)
    path = sa.engine.make_url(url).database
    if path and path != ":memory:":
        Path(path).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(url, connect_args={"timeout": 30})

    @sa.event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn: Any, _record: Any) -> None:
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")  # readers never block the writer
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    return engine


class SqlStore(StoryTables, SearchTables, OutletTables):
    """A :class:`~storyline.store.base.Store` over any SQLAlchemy engine Storyline supports."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = _make_engine(url)
        self._insert = postgresql.insert if self.is_postgres else sqlite.insert
        # Built once: compiling a fresh statement per row was ~10% of text ingest time.
        self._insert_article = self._insert(articles).on_conflict_do_nothing().returning(articles.c.id)

    @property
    def is_postgres(self) -> bool:
        """True when the backend is PostgreSQL."""
        return self.engine.dialect.name == "postgresql"

    def upgrade(self) -> str:
        """Apply pending Alembic migrations; return the revision now in place."""
        from alembic import command
        from alembic.config import Config
        from alembic.runtime.migration import MigrationContext
        from alembic.script import ScriptDirectory

        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
        head = ScriptDirectory.from_config(cfg).get_current_head() or ""
        try:
            if not self.is_postgres and self.revision() == head:
                return head  # the usual case, without waiting for a lock
            with self._migration_lock(), self.engine.begin() as conn:
                if self.is_postgres:
                    conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_MIGRATION_LOCK})
                else:
                    # pysqlite runs DDL outside any transaction: open one, so that a process killed
                    # half-way through a migration leaves the schema as it was, not half made.
                    conn.exec_driver_sql("BEGIN IMMEDIATE")
                if MigrationContext.configure(conn).get_current_revision() != head:
                    cfg.attributes["connection"] = conn
                    command.upgrade(cfg, "head")
        except sa.exc.SQLAlchemyError as exc:
            raise StoreError(f"cannot open the store at {self._safe_url}: {_first_line(exc)}") from exc
        return head

    def _migration_lock(self) -> contextlib.AbstractContextManager[bool]:
        """Two processes opening a new SQLite file at once must not both create its tables: the
        second waits on the file lock, then finds the schema in place (PostgreSQL locks inside the
        migration's transaction instead)."""
        if self.is_postgres:
            return contextlib.nullcontext(True)
        return self.story_lock()

    def story_lock(self, *, wait: bool = True) -> contextlib.AbstractContextManager[bool]:
        """Hold the store's story lock for a block (see :mod:`storyline.store.concurrency`).

        Yields True once held; with `wait=False`, yields False at once when another holder has it.
        Not re-entrant: a holder that asks again waits for itself.
        """
        if self.is_postgres:
            return pg_advisory_lock(self.engine, wait=wait)
        path = sqlite_lock_path(self.engine)
        return file_lock(path, wait=wait) if path else thread_lock(f"sqlite:{id(self.engine)}", wait=wait)

    def revision(self) -> str | None:
        """The schema revision in the database (None for an empty database)."""
        from alembic.runtime.migration import MigrationContext

        with self.engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()

    def add_articles(self, batch: Sequence[Article]) -> list[AddResult]:
        """Store a batch in one transaction; duplicates are reported, not stored."""
        now = dt.datetime.now(dt.UTC)
        try:
            return write(self.engine, lambda conn: [self._add_one(conn, art, now) for art in batch])
        except sa.exc.SQLAlchemyError as exc:
            raise StoreError(f"cannot write to the store: {_first_line(exc)}") from exc

    def _add_one(self, conn: Connection, art: Article, now: dt.datetime) -> AddResult:
        values = {
            "external_id": art.external_id,
            "url": art.url,
            "content_hash": art.content_hash,
            "title": art.title,
            "published": art.published,
            "outlet": art.outlet,
            "language": art.language,
            "source": art.source,
            "text": art.text,
            "ingested_at": now,
        }
        new_id = conn.execute(self._insert_article, values).scalar()
        if new_id is not None:
            return AddResult(article=art, stored=_with_id(art, new_id))
        return self._explain_conflict(conn, art, values)

    def _explain_conflict(self, conn: Connection, art: Article, values: dict[str, Any]) -> AddResult:
        cols = articles.c
        match = sa.or_(cols.content_hash == art.content_hash, cols.external_id == art.external_id)
        if art.url:
            match = sa.or_(match, cols.url == art.url)
        query = sa.select(cols.id, cols.external_id, cols.url, cols.content_hash, cols.source).where(match)
        rows = conn.execute(query).all()
        for row in rows:
            if art.url and row.url == art.url:
                return self._duplicate(conn, art, (row.id, row.external_id), "same URL")
        for row in rows:
            if row.content_hash == art.content_hash:
                return self._duplicate(conn, art, (row.id, row.external_id), "same text")
        other = rows[0].source if rows else "?"
        taken = f"id {art.external_id!r} is already used by a different article (from {other})"
        # Ids come from file names, and `2024/a/index.html` and `2024/b/index.html` are both "index":
        # keep the second article under an id made unique by its text (the same on every run, so
        # reading it again finds it stored) rather than refuse it.
        alt = dataclasses.replace(art, external_id=f"{art.external_id}~{art.content_hash[:8]}")
        if "~" not in art.external_id and (
            new_id := conn.execute(self._insert_article, {**values, "external_id": alt.external_id}).scalar()
        ):
            return AddResult(
                article=art, stored=_with_id(alt, new_id), reason=f"{taken}: stored as {alt.external_id!r}"
            )
        return AddResult(article=art, conflict=taken)

    def _duplicate(self, conn: Connection, art: Article, existing: tuple[int, str], reason: str) -> AddResult:
        """Record an input under another id that duplicates a stored article, so it can be found."""
        row_id, external_id = existing
        if external_id != art.external_id:
            alias = {"external_id": art.external_id, "article_id": row_id, "reason": reason, "source": art.source}
            conn.execute(self._insert(article_aliases).values(alias).on_conflict_do_nothing())
        return AddResult(article=art, existing=external_id, reason=reason)

    def add_rejections(self, rejected: Iterable[Rejected]) -> None:
        """Record rejected inputs; seeing the same source again updates its row."""
        now = dt.datetime.now(dt.UTC)
        rows = [
            {"source": r.source, "external_id": r.external_id, "reason": r.reason, "first_seen": now, "last_seen": now}
            for r in rejected
        ]
        if not rows:
            return

        def work(conn: Connection) -> None:
            for row in rows:
                stmt = self._insert(rejections).values(row)
                stmt = stmt.on_conflict_do_update(
                    index_elements=[rejections.c.source],
                    set_={
                        "reason": stmt.excluded.reason,
                        "last_seen": stmt.excluded.last_seen,
                        "times": rejections.c.times + 1,
                    },
                )
                conn.execute(stmt)

        write(self.engine, work)

    def get_article(self, external_id: str) -> Article:
        """The article with this external id, or with this row id when given digits."""
        if "\x00" in external_id:  # no stored id holds NUL (PostgreSQL text cannot), and PostgreSQL refuses the query
            raise NotFoundError(f"no stored article with id {external_id!r}")
        cond = articles.c.external_id == external_id
        if external_id.isascii() and external_id.isdigit() and len(external_id) < 19:  # a row id (PostgreSQL bigint)
            cond = sa.or_(cond, articles.c.id == int(external_id))
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(articles).where(cond).order_by(articles.c.external_id != external_id)).first()
        if row is None:
            raise NotFoundError(f"no stored article with id {external_id!r}")
        return row_to_article(row)

    def iter_articles(self, *, limit: int | None = None, offset: int = 0) -> Iterator[Article]:
        """Stored articles in ingest order."""
        query = sa.select(articles).order_by(articles.c.id).offset(offset).limit(limit)
        with self.engine.connect() as conn:
            for row in conn.execute(query):
                yield row_to_article(row)

    def count_articles(self) -> int:
        """Number of stored articles."""
        with self.engine.connect() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(articles)).scalar_one())

    def iter_rejections(self) -> Iterator[Rejected]:
        """Recorded rejections, most recent first."""
        query = sa.select(rejections).order_by(rejections.c.last_seen.desc(), rejections.c.id.desc())
        with self.engine.connect() as conn:
            for row in conn.execute(query):
                yield Rejected(source=row.source, reason=row.reason, external_id=row.external_id)

    def known_urls(self, urls: Iterable[str]) -> set[str]:
        """The subset of `urls` already stored, as an article's URL or as its id (URL inputs use the
        requested URL as id, while `url` holds the URL after redirects)."""
        wanted = list(dict.fromkeys(urls))
        found: set[str] = set()
        with self.engine.connect() as conn:
            for i in range(0, len(wanted), 500):
                chunk = wanted[i : i + 500]
                by_url = sa.select(articles.c.url).where(articles.c.url.in_(chunk))
                by_id = sa.select(articles.c.external_id).where(articles.c.external_id.in_(chunk))
                found.update(conn.execute(by_url.union(by_id)).scalars())
        return found

    def close(self) -> None:
        """Dispose of the connection pool."""
        self.engine.dispose()

    @property
    def _safe_url(self) -> str:
        return sa.engine.make_url(self.url).render_as_string(hide_password=True)


def _with_id(art: Article, new_id: int) -> Article:
    from dataclasses import replace

    return replace(art, id=new_id)


def _first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc)
    return text.strip().splitlines()[0] if text.strip() else type(exc).__name__
