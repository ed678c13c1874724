"""The store's part for finding things: full-text search over articles, and stories by filters.

A mixin of :class:`~storyline.store.sql.SqlStore`. The index is built by migration 0005: an FTS5
table on SQLite (Porter stemming, bm25 ranking, title weighted above body), a GIN index on the
English tsvector on PostgreSQL (`ts_rank` over the newest matches). A query is reduced to its
words (at most :data:`MAX_TERMS`), every one of which must match: no query syntax reaches the
database, so no input can make a search fail.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from storyline.model import Story
from storyline.store.rows import row_to_story, story_articles
from storyline.store.schema import articles, stories, story_members

__all__ = ["MAX_TERMS", "SNIPPET_END", "SNIPPET_START", "SearchHit", "SearchTables", "StoryQuery", "search_terms"]

MAX_TERMS = 16
MAX_COUNT = 10_000  # totals above this are reported as this (counting every match costs as much as finding it)
PG_RANKED = 2_000  # on PostgreSQL, the newest matches ranked by relevance
SNIPPET_START, SNIPPET_END = "\x02", "\x03"  # around matched words in snippets; never in stored text
_WORD = re.compile(r"\w+", re.UNICODE)
_CONTROL = re.compile(r"[\x00\x01\x04-\x08\x0b\x0c\x0e-\x1f]")  # keeps the snippet marks
_PG_DOCUMENT = "to_tsvector('english', coalesce(a.title, '') || ' ' || a.text)"  # the indexed expression


def search_terms(query: str) -> list[str]:
    """The words of a search query, lower-cased, without repeats, at most :data:`MAX_TERMS`."""
    return list(dict.fromkeys(w.casefold() for w in _WORD.findall(query)))[:MAX_TERMS]


@dataclass(frozen=True, slots=True)
class SearchHit:
    """An article that matches a search, with a snippet of its text around the matched words.

    `snippet` marks matched words with :data:`SNIPPET_START` and :data:`SNIPPET_END`.
    """

    article_id: int
    external_id: str
    title: str | None
    outlet: str | None
    published: dt.date | None
    snippet: str
    story_id: int | None


@dataclass(frozen=True, slots=True, kw_only=True)
class StoryQuery:
    """Which stories to list: words in their articles, a date range they overlap, an outlet.

    Attributes:
        text: words every matching story has in one article's title or body ("" for any).
        since: the story's last date is on or after this day (undated stories always match).
        until: the story's first date is on or before this day.
        outlet: one of its articles is from this outlet (exact name, case ignored).
    """

    text: str = ""
    since: dt.date | None = None
    until: dt.date | None = None
    outlet: str | None = None


class SearchTables:
    """Full-text search and story filters over the engine of the class that mixes this in."""

    engine: Engine

    @property
    def _postgres(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    def search_articles(self, query: str, *, limit: int = 20, offset: int = 0) -> tuple[list[SearchHit], int]:
        """Articles whose title or body holds every word of `query`, best match first.

        Returns:
            One page of hits and the number of matches (at most :data:`MAX_COUNT`).
        """
        terms = search_terms(query)
        if not terms or limit < 1:
            return [], 0
        with _read_snapshot(self.engine) as conn:  # the hits and their count from one state of the store
            if self._postgres:
                rows = conn.execute(
                    _PG_SEARCH, {"q": " ".join(terms), "ranked": PG_RANKED, "limit": limit, "offset": offset}
                )
            else:
                rows = conn.execute(_SQLITE_SEARCH, {"q": _fts_query(terms), "limit": limit, "offset": offset})
            hits = [_hit(row) for row in rows]
            total = conn.execute(
                sa.select(sa.func.count()).select_from(self._matches(terms).limit(MAX_COUNT).subquery())
            )
            return hits, int(total.scalar_one())

    def _matches(self, terms: Sequence[str]) -> sa.Select[Any]:
        """The row ids of the articles that hold every term."""
        if self._postgres:
            where = sa.text(f"{_PG_DOCUMENT} @@ plainto_tsquery('english', :q)").bindparams(q=" ".join(terms))
            return sa.select(sa.literal_column("a.id").label("id")).select_from(sa.text("articles AS a")).where(where)
        match = sa.text("articles_fts MATCH :q").bindparams(q=_fts_query(terms))
        return sa.select(sa.literal_column("rowid").label("id")).select_from(sa.text("articles_fts")).where(match)

    def search_stories(self, query: StoryQuery, *, limit: int = 20, offset: int = 0) -> tuple[list[Story], int]:
        """Stories that match `query`, most recently active first, and how many match in all."""
        s = stories.c
        where: list[sa.ColumnElement[bool]] = []
        if query.since:
            where.append(sa.or_(s.last_seen >= query.since, s.last_seen.is_(None)))
        if query.until:
            where.append(sa.or_(s.first_seen <= query.until, s.first_seen.is_(None)))
        if query.outlet and "\x00" in query.outlet:
            return [], 0  # no stored outlet holds NUL (PostgreSQL text cannot), and PostgreSQL refuses the query
        if query.outlet:
            from_outlet = sa.select(story_members.c.story_id).join(
                articles, articles.c.id == story_members.c.article_id
            )
            where.append(s.id.in_(from_outlet.where(sa.func.lower(articles.c.outlet) == query.outlet.casefold())))
        terms = search_terms(query.text)
        if terms:
            matching = self._matches(terms).subquery()
            where.append(
                s.id.in_(
                    sa.select(story_members.c.story_id).where(story_members.c.article_id.in_(sa.select(matching.c.id)))
                )
            )
        elif query.text.strip():
            return [], 0  # only punctuation: nothing can match
        order = (s.last_seen.is_(None), s.last_seen.desc(), s.article_count.desc(), s.id)
        with _read_snapshot(self.engine) as conn:
            rows = conn.execute(sa.select(stories).where(*where).order_by(*order).offset(offset).limit(limit)).all()
            total = conn.execute(sa.select(sa.func.count()).select_from(stories).where(*where)).scalar_one()
            listed = story_articles(conn, [r.id for r in rows])
        return [row_to_story(r, listed.get(r.id, ())) for r in rows], int(total)

    def outlets(self, limit: int = 200) -> list[tuple[str, int]]:
        """The outlets with most stored articles, with their counts."""
        a = articles.c
        query = (
            sa.select(a.outlet, sa.func.count().label("n"))
            .where(a.outlet.is_not(None))
            .group_by(a.outlet)
            .order_by(sa.desc("n"), a.outlet)
            .limit(limit)
        )
        with self.engine.connect() as conn:
            return [(str(outlet), int(n)) for outlet, n in conn.execute(query)]

    def stories_of(self, article_ids: Sequence[int]) -> dict[int, int]:
        """The story of each of these articles (row id → story id; articles in none are left out)."""
        with self.engine.connect() as conn:
            return _stories_of(conn, article_ids)


def _stories_of(conn: Connection, article_ids: Sequence[int]) -> dict[int, int]:
    m = story_members.c
    out: dict[int, int] = {}
    for i in range(0, len(article_ids), 500):
        rows = conn.execute(sa.select(m.article_id, m.story_id).where(m.article_id.in_(list(article_ids[i : i + 500]))))
        out.update({int(a): int(s) for a, s in rows})
    return out


def _fts_query(terms: Sequence[str]) -> str:
    """An FTS5 query that needs every term: each one quoted, so none is read as syntax."""
    return " ".join('"' + t.replace('"', '""') + '"' for t in terms)


def _hit(row: sa.Row[Any]) -> SearchHit:
    published = row.published
    if isinstance(published, str):  # raw SQL on SQLite returns the stored ISO text
        published = dt.date.fromisoformat(published)
    snippet = " ".join(_CONTROL.sub(" ", row.snippet or "").split())
    return SearchHit(
        article_id=int(row.id),
        external_id=row.external_id,
        title=row.title,
        outlet=row.outlet,
        published=published,
        snippet=snippet,
        story_id=row.story_id,
    )


_SQLITE_SEARCH = sa.text(
    "SELECT a.id, a.external_id, a.title, a.outlet, a.published, m.story_id, "
    "snippet(articles_fts, 1, char(2), char(3), '…', 28) AS snippet "
    "FROM articles_fts JOIN articles AS a ON a.id = articles_fts.rowid "
    "LEFT JOIN story_members AS m ON m.article_id = a.id "
    "WHERE articles_fts MATCH :q ORDER BY bm25(articles_fts, 4.0, 1.0), a.id DESC LIMIT :limit OFFSET :offset"
)

# The newest `ranked` matches (found through the GIN index) are ranked; only the page gets headlines.
_PG_SEARCH = sa.text(
    "WITH q AS (SELECT plainto_tsquery('english', :q) AS query), "
    f"hits AS (SELECT a.id FROM articles AS a, q WHERE {_PG_DOCUMENT} @@ q.query ORDER BY a.id DESC LIMIT :ranked), "
    f"page AS (SELECT a.id, ts_rank({_PG_DOCUMENT}, q.query) AS rank FROM articles AS a JOIN hits ON hits.id = a.id, q "
    "ORDER BY rank DESC, a.id DESC LIMIT :limit OFFSET :offset) "
    "SELECT a.id, a.external_id, a.title, a.outlet, a.published, m.story_id, "
    "ts_headline('english', a.text, q.query, 'StartSel=' || chr(2) || ', StopSel=' || chr(3) || "
    "', MaxWords=40, MinWords=15, MaxFragments=2, FragmentDelimiter=\" … \"') AS snippet "
    "FROM page JOIN articles AS a ON a.id = page.id LEFT JOIN story_members AS m ON m.article_id = a.id, q "
    "ORDER BY page.rank DESC, a.id DESC"
)


def _read_snapshot(engine: Any) -> Any:
    """`story_tables.read_snapshot`, imported when first used: `base` imports this module for its
    records, and `story_tables` imports `base`."""
    from storyline.store.story_tables import read_snapshot

    return read_snapshot(engine)
