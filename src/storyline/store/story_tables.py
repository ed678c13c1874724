"""The store's part for clustering: cached article vectors and features, stories and their members.

A mixin of :class:`~storyline.store.sql.SqlStore`, kept apart so each file stays about one thing.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from collections.abc import Iterator, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from storyline.errors import NotFoundError
from storyline.model import Article, Story
from storyline.store.base import FeatureRow, StoredFeatures
from storyline.store.concurrency import write
from storyline.store.rows import row_to_article, row_to_story, story_articles
from storyline.store.schema import (
    article_features,
    article_quotes,
    articles,
    store_state,
    stories,
    stories_pending,
    story_members,
    text_vectors,
)

_FETCH = 2000  # rows per round trip when reading features back


class StoryTables:
    """Vectors, features and stories over the engine of the class that mixes this in."""

    engine: Engine
    _insert: Any

    def articles_without_features(self, model: str, limit: int = 500) -> list[Article]:
        """Up to `limit` stored articles that have no vector from `model` yet, in ingest order."""
        have = sa.select(article_features.c.article_id).where(article_features.c.model == model)
        query = sa.select(articles).where(articles.c.id.not_in(have)).order_by(articles.c.id).limit(limit)
        with self.engine.connect() as conn:
            return [row_to_article(row) for row in conn.execute(query)]

    def articles_by_id(self, ids: Sequence[int]) -> list[Article]:
        """The stored articles with these row ids (missing ids are skipped), in id order."""
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(articles).where(articles.c.id.in_(list(ids))).order_by(articles.c.id))
            return [row_to_article(row) for row in rows]

    def save_features(self, rows: Sequence[FeatureRow]) -> None:
        """Cache vectors and features, replacing older ones."""
        if not rows:
            return
        values = [
            {
                "article_id": r.article_id,
                "model": r.model,
                "vector": r.vector,
                "features": json.dumps(r.features),
                "label": r.label,
            }
            for r in rows
        ]
        stmt = self._insert(article_features)
        columns = ("model", "vector", "features", "label")
        stmt = stmt.on_conflict_do_update(
            index_elements=[article_features.c.article_id], set_={c: getattr(stmt.excluded, c) for c in columns}
        )
        write(self.engine, lambda conn: conn.execute(stmt, values))

    def load_quotes(self, article_ids: Sequence[int], version: str) -> dict[int, list[dict[str, Any]]]:
        """Cached quotes (JSON dicts) of these articles, for those cached under `version`."""
        out: dict[int, list[dict[str, Any]]] = {}
        q = article_quotes.c
        with self.engine.connect() as conn:
            for i in range(0, len(article_ids), 500):
                chunk = list(article_ids[i : i + 500])
                rows = conn.execute(
                    sa.select(q.article_id, q.quotes).where(q.article_id.in_(chunk), q.version == version)
                )
                for article_id, data in rows:
                    out[article_id] = json.loads(data)
        return out

    def load_vectors(self, keys: Sequence[str]) -> dict[str, bytes]:
        """Cached text vectors (raw float32 bytes) by key; missing keys are left out."""
        out: dict[str, bytes] = {}
        with self.engine.connect() as conn:
            for i in range(0, len(keys), 500):
                rows = conn.execute(
                    sa.select(text_vectors.c.key, text_vectors.c.vector).where(
                        text_vectors.c.key.in_(keys[i : i + 500])
                    )
                )
                out.update({k: bytes(v) for k, v in rows})
        return out

    def save_vectors(self, rows: Sequence[tuple[str, bytes]]) -> None:
        """Cache text vectors (key, raw float32 bytes); keys already there are kept."""
        if not rows:
            return
        stmt = self._insert(text_vectors).on_conflict_do_nothing()
        values = [{"key": k, "vector": v} for k, v in rows]
        write(self.engine, lambda conn: conn.execute(stmt, values))

    def save_quotes(self, rows: Sequence[tuple[int, str, list[dict[str, Any]]]]) -> None:
        """Cache (article id, version, quotes as JSON dicts) rows, replacing older ones."""
        if not rows:
            return
        values = [{"article_id": a, "version": v, "quotes": json.dumps(qs, ensure_ascii=False)} for a, v, qs in rows]
        stmt = self._insert(article_quotes)
        stmt = stmt.on_conflict_do_update(
            index_elements=[article_quotes.c.article_id],
            set_={"version": stmt.excluded.version, "quotes": stmt.excluded.quotes},
        )
        write(self.engine, lambda conn: conn.execute(stmt, values))

    def iter_features(
        self, model: str, article_ids: Sequence[int] | None = None, *, vectors_only: bool = False
    ) -> Iterator[StoredFeatures]:
        """Cached vectors and features with the metadata clustering needs, in ingest order.

        With `vectors_only` the features are left out (`features` is None): much less to read.
        """
        a, f, m = articles.c, article_features.c, story_members.c
        feature_column = sa.null().label("features") if vectors_only else f.features
        query = (
            sa.select(a.id, a.published, a.title, a.outlet, f.vector, f.label, feature_column, m.story_id)
            .join(article_features, f.article_id == a.id)
            .outerjoin(story_members, m.article_id == a.id)
            .where(f.model == model)
            .order_by(a.id)
        )
        chunks = [None] if article_ids is None else [article_ids[i : i + 500] for i in range(0, len(article_ids), 500)]
        with self.engine.connect() as conn:
            for chunk in chunks:
                q = query if chunk is None else query.where(a.id.in_(chunk))
                for row in conn.execution_options(yield_per=_FETCH).execute(q):
                    yield StoredFeatures(
                        article_id=row.id,
                        published=row.published,
                        title=row.title,
                        outlet=row.outlet,
                        vector=row.vector,
                        features=json.loads(row.features) if row.features is not None else None,
                        story_id=row.story_id,
                        label=row.label,
                    )

    def feature_memberships(self, model: str) -> dict[int, int | None]:
        """Every article with a cached vector from `model`: its story id (None: not in a story yet).

        Ids only: at 100,000 stored a fraction of a second, so a saved story index is checked
        against it on every load."""
        f, m = article_features.c, story_members.c
        query = (
            sa.select(f.article_id, m.story_id)
            .outerjoin(story_members, m.article_id == f.article_id)
            .where(f.model == model)
        )
        with self.engine.connect() as conn:
            return {int(a): (int(s) if s is not None else None) for a, s in conn.execute(query)}

    def save_stories(
        self,
        summaries: Sequence[Story],
        members: Sequence[tuple[int, int, float | None]],
        *,
        replace: bool = False,
        provisional: bool = False,
    ) -> None:
        """Write story summaries and (article id, story id, score) memberships in one transaction.

        With `replace`, every existing story and membership is dropped first (a re-clustering).
        `provisional` marks these stories as grouped online, waiting for an end-of-run rebuild
        (:meth:`pending_stories`); otherwise they are settled. The same transaction moves the story
        version on and records the largest story id used. Story writers hold the story lock
        (:meth:`story_lock`); this does not take it.
        """
        now = dt.datetime.now(dt.UTC)
        top = max([s.id for s in summaries] + [story for _a, story, _s in members], default=0)
        ids = [s.id for s in summaries]

        def work(conn: Connection) -> None:
            # The first statement writes: a SQLite transaction that began with a read could not
            # take the write lock once another process had written (it would fail, not wait).
            conn.execute(_bump("story_version"))
            if replace:
                conn.execute(sa.delete(story_members))
                conn.execute(sa.delete(stories))
            self._upsert_members(conn, members)
            self._upsert_summaries(conn, summaries, now)
            gone = sa.select(story_members.c.story_id).distinct()
            conn.execute(sa.delete(stories).where(stories.c.id.not_in(gone)))
            conn.execute(_raise_to("story_id", top))
            self._mark_pending(conn, ids, provisional)

        write(self.engine, work)

    def _mark_pending(self, conn: Connection, ids: Sequence[int], pending: bool) -> None:
        p = stories_pending.c
        if pending and ids:
            conn.execute(self._insert(stories_pending).on_conflict_do_nothing(), [{"story_id": i} for i in ids])
        elif ids:
            for i in range(0, len(ids), 500):
                conn.execute(sa.delete(stories_pending).where(p.story_id.in_(ids[i : i + 500])))
        conn.execute(sa.delete(stories_pending).where(p.story_id.not_in(sa.select(stories.c.id))))

    def pending_stories(self) -> set[int]:
        """Stories grouped online that no end-of-run rebuild has settled yet (a run was stopped first)."""
        with self.engine.connect() as conn:
            return {int(i) for i in conn.execute(sa.select(stories_pending.c.story_id)).scalars()}

    def story_version(self) -> int:
        """A number that every story write changes: equal numbers, the same stories."""
        with self.engine.connect() as conn:
            return int(conn.execute(_state_value("story_version")).scalar() or 0)

    def _upsert_members(self, conn: Connection, members: Sequence[tuple[int, int, float | None]]) -> None:
        if not members:
            return
        stmt = self._insert(story_members)
        stmt = stmt.on_conflict_do_update(
            index_elements=[story_members.c.article_id],
            set_={"story_id": stmt.excluded.story_id, "score": stmt.excluded.score},
        )
        conn.execute(stmt, [{"article_id": a, "story_id": s, "score": sc} for a, s, sc in members])

    def _upsert_summaries(self, conn: Connection, summaries: Sequence[Story], now: dt.datetime) -> None:
        if not summaries:
            return
        stmt = self._insert(stories)
        columns = ("headline", "first_seen", "last_seen", "article_count", "outlets", "names", "updated_at")
        stmt = stmt.on_conflict_do_update(
            index_elements=[stories.c.id], set_={c: getattr(stmt.excluded, c) for c in columns}
        )
        rows = [
            {
                "id": s.id,
                "headline": s.headline,
                "first_seen": s.first_seen,
                "last_seen": s.last_seen,
                "article_count": s.article_count,
                "outlets": json.dumps(list(s.outlets)),
                "names": json.dumps(list(s.names)),
                "updated_at": now,
            }
            for s in summaries
        ]
        conn.execute(stmt, rows)

    def max_story_id(self) -> int:
        """The largest story id ever handed out, also of stories merged away since (0 when none)."""
        with self.engine.connect() as conn:
            in_members = conn.execute(sa.select(sa.func.max(story_members.c.story_id))).scalar()
            in_stories = conn.execute(sa.select(sa.func.max(stories.c.id))).scalar()
            ever = conn.execute(_state_value("story_id")).scalar()
        return max(int(in_members or 0), int(in_stories or 0), int(ever or 0))

    def list_stories(self, *, limit: int | None = None, offset: int = 0) -> list[Story]:
        """Stories, most recently active first (undated ones last), each with its articles."""
        s = stories.c
        query = (
            sa.select(stories)
            .order_by(s.last_seen.is_(None), s.last_seen.desc(), s.article_count.desc(), s.id)
            .offset(offset)
            .limit(limit)
        )
        with read_snapshot(self.engine) as conn:
            rows = conn.execute(query).all()
            listed = story_articles(conn, [r.id for r in rows])
        return [row_to_story(r, listed.get(r.id, ())) for r in rows]

    def get_story(self, story_id: int) -> Story:
        """One story with its articles; NotFoundError when there is none with this id."""
        with read_snapshot(self.engine) as conn:
            row = conn.execute(sa.select(stories).where(stories.c.id == story_id)).first()
            if row is None:
                raise NotFoundError(f"no story with id {story_id}")
            listed = story_articles(conn, [story_id])
        return row_to_story(row, listed.get(story_id, ()))

    def count_stories(self) -> int:
        """Number of stories."""
        with self.engine.connect() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(stories)).scalar_one())


@contextlib.contextmanager
def read_snapshot(engine: Engine) -> Iterator[Connection]:
    """A connection whose reads all see the store as it was at the first one, so a story and the
    articles listed with it agree while other processes write."""
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn:
            yield conn
        return
    with engine.connect() as conn:
        # pysqlite opens no transaction for reads (each SELECT would see its own state): open one.
        # It is rolled back when the connection goes back to the pool.
        conn.exec_driver_sql("BEGIN")
        yield conn


def _state_value(key: str) -> sa.Select[Any]:
    return sa.select(store_state.c.value).where(store_state.c.key == key)


def _bump(key: str) -> sa.Update:
    return sa.update(store_state).where(store_state.c.key == key).values(value=store_state.c.value + 1)


def _raise_to(key: str, value: int) -> sa.Update:
    column = store_state.c.value
    raised = sa.case((column < value, sa.literal(value, sa.BigInteger)), else_=column)
    return sa.update(store_state).where(store_state.c.key == key).values(value=raised)
