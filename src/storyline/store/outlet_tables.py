"""The store's part for outlets: each article's identity, report findings per article, the outlet file.

A mixin of :class:`~storyline.store.sql.SqlStore`. Profiles are read as a few grouped queries
(one row per outlet identity and story, not per article); the report findings are written when a
story's report is made (migration 0008, docs/outlets.md).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from storyline.model import Article
from storyline.model.outlets import (
    ArticleFacts,
    ArticleOutlet,
    CopiedFrom,
    FactSums,
    OutletArticleRow,
    OutletMetadata,
    OutletRow,
)
from storyline.store.concurrency import write
from storyline.store.schema import (
    article_outlets,
    articles,
    outlet_cache,
    outlet_facts,
    outlet_metadata,
    store_state,
    story_members,
)

_COUNTS = ("credited", "uncredited", "verbatim", "partial", "altered", "paraphrased", "lone_conflicts")
# Every write that changes what profiles say moves this on (in the same transaction).
_BUMP = sa.update(store_state).where(store_state.c.key == "outlets_version").values(value=store_state.c.value + 1)
_IDENTIFIED = (articles, article_outlets)  # as many rows in both: every article has its identity
_HEAD = 400  # characters of the body handed over for byline detection


class OutletTables:
    """Outlet identities, findings and metadata over the engine of the class that mixes this in."""

    engine: Engine
    _insert: Any

    def articles_without_outlet(self, limit: int = 5000) -> list[Article]:
        """Up to `limit` stored articles with no identity yet, with only the head of their body (the
        quick answer, none, when every article has one: the two tables hold as many rows)."""
        with self.engine.connect() as conn:
            counts = [
                conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
                for t in (articles, article_outlets)
            ]
            if counts[0] == counts[1]:
                return []
            a = articles.c
            query = (
                sa.select(
                    a.id,
                    a.external_id,
                    a.outlet,
                    a.url,
                    a.published,
                    a.language,
                    a.content_hash,
                    a.source,
                    sa.func.substr(a.text, 1, _HEAD).label("head"),
                )
                .where(a.id.not_in(sa.select(article_outlets.c.article_id)))
                .order_by(a.id)
                .limit(limit)
            )
            return [
                Article(
                    id=r.id,
                    external_id=r.external_id,
                    text=str(r.head or ""),
                    content_hash=r.content_hash,
                    source=r.source,
                    outlet=r.outlet,
                    url=r.url,
                    published=r.published,
                    language=r.language,
                )
                for r in conn.execute(query)
            ]

    def save_article_outlets(self, rows: Sequence[ArticleOutlet]) -> None:
        """Keep articles' identities (an article that has one keeps it)."""
        if not rows:
            return
        values = [
            {
                "article_id": r.article_id,
                "name": r.name,
                "name_key": r.name_key,
                "domain": r.domain,
                "via": r.via,
                "wire": r.wire,
                "published": r.published,
                "language": r.language,
            }
            for r in rows
        ]
        stmt = self._insert(article_outlets).on_conflict_do_nothing()

        def work(conn: Connection) -> None:
            conn.execute(_BUMP)
            conn.execute(stmt, values)

        write(self.engine, work)

    def outlet_rows(self) -> list[OutletRow]:
        """Identified articles grouped by identity, story and language (give every article its
        identity first: :meth:`articles_without_outlet`)."""
        o, m = article_outlets.c, story_members.c
        cols = (o.name_key, o.name, o.domain, m.story_id, o.language)
        query = (
            sa.select(*cols, sa.func.count(), sa.func.min(o.published), sa.func.max(o.published))
            .select_from(article_outlets.outerjoin(story_members, m.article_id == o.article_id))
            .group_by(*cols)
        )
        with self.engine.connect() as conn:
            return [
                OutletRow(name_key=k, name=n, domain=d, story_id=s, language=lang, articles=int(c), first=lo, last=hi)
                for k, n, d, s, lang, c, lo, hi in conn.execute(query)
            ]

    def save_outlet_facts(self, story_id: int, facts: Sequence[ArticleFacts]) -> None:
        """Replace what earlier reports found about a story's articles (and about articles now in it)."""
        now = dt.datetime.now(dt.UTC)
        values = [
            {
                "article_id": f.article_id,
                "story_id": story_id,
                "originality": f.originality,
                "copy_of": f.copy_of,
                **{c: getattr(f, c) for c in _COUNTS},
                "evidence": json.dumps(f.evidence, ensure_ascii=False),
                "analysed_at": now,
            }
            for f in facts
        ]
        ids = [f.article_id for f in facts]
        f_ = outlet_facts.c

        def work(conn: Connection) -> None:
            conn.execute(_BUMP)
            conn.execute(outlet_facts.delete().where(sa.or_(f_.story_id == story_id, f_.article_id.in_(ids))))
            if values:
                conn.execute(self._insert(outlet_facts), values)

        write(self.engine, work)

    def stories_without_outlet_facts(self, limit: int | None = None) -> list[int]:
        """Stories with an article that no report has found anything about yet, by id."""
        m, f = story_members.c, outlet_facts.c
        query = (
            sa.select(m.story_id)
            .where(m.article_id.not_in(sa.select(f.article_id)))
            .group_by(m.story_id)
            .order_by(m.story_id)
            .limit(limit)
        )
        with self.engine.connect() as conn:
            return [int(s) for s in conn.execute(query).scalars()]

    def outlet_fact_sums(self) -> list[FactSums]:
        """Report findings summed by identity."""
        f, o = outlet_facts.c, article_outlets.c
        query = (
            sa.select(
                o.name_key,
                o.domain,
                sa.func.count(),
                sa.func.sum(sa.case((f.originality == "copy", 1), else_=0)),
                sa.func.sum(sa.case((f.originality == "rewrite", 1), else_=0)),
                *(sa.func.sum(getattr(f, c)) for c in _COUNTS),
            )
            .select_from(outlet_facts.outerjoin(article_outlets, o.article_id == f.article_id))
            .group_by(o.name_key, o.domain)
        )
        with self.engine.connect() as conn:
            return [FactSums(*(r[:2]), *(int(x or 0) for x in r[2:])) for r in conn.execute(query)]

    def outlet_copied_from(self) -> list[CopiedFrom]:
        """How many copies and rewrites each identity took from each other identity."""
        f = outlet_facts.c
        mine, theirs = article_outlets.alias("mine"), article_outlets.alias("theirs")
        cols = (mine.c.name_key, mine.c.domain, theirs.c.name_key, theirs.c.domain)
        query = (
            sa.select(*cols, sa.func.count())
            .select_from(
                outlet_facts.outerjoin(mine, mine.c.article_id == f.article_id).outerjoin(
                    theirs, theirs.c.article_id == f.copy_of
                )
            )
            .where(f.copy_of.is_not(None))
            .group_by(*cols)
        )
        with self.engine.connect() as conn:
            return [CopiedFrom(k, d, ok, od, int(n)) for k, d, ok, od, n in conn.execute(query)]

    def outlet_wires(self) -> list[CopiedFrom]:
        """Articles whose dateline names a wire agency (`of_name_key` holds it as written), by
        identity; articles a report found to copy a stored article are left out (counted there)."""
        o, f = article_outlets.c, outlet_facts.c
        copied = sa.select(f.article_id).where(f.originality != "original")
        query = (
            sa.select(o.name_key, o.domain, o.wire, sa.func.count())
            .where(o.wire.is_not(None), o.article_id.not_in(copied))
            .group_by(o.name_key, o.domain, o.wire)
        )
        with self.engine.connect() as conn:
            return [CopiedFrom(k, d, w, None, int(n)) for k, d, w, n in conn.execute(query)]

    def outlet_names(self) -> list[OutletRow]:
        """Stored names and domains with their article counts (what an outlet index is built from)."""
        o = article_outlets.c
        query = sa.select(o.name_key, o.name, o.domain, sa.func.count()).group_by(o.name_key, o.name, o.domain)
        with self.engine.connect() as conn:
            return [OutletRow(k, n, d, None, None, int(c), None, None) for k, n, d, c in conn.execute(query)]

    def outlet_articles(
        self, name_keys: Sequence[str], domains: Sequence[str], *, unknown: bool = False
    ) -> list[OutletArticleRow]:
        """Stored articles whose identity has one of these folded names or domains (`unknown`: or
        neither), with their stories and report findings, oldest first."""
        a, o, m, f = articles.c, article_outlets.c, story_members.c, outlet_facts.c
        src = articles.alias("src")
        src_o = article_outlets.alias("src_o")
        match: list[sa.ColumnElement[bool]] = [o.name_key.in_(list(name_keys)), o.domain.in_(list(domains))]
        if unknown:
            match.append(sa.and_(o.name_key.is_(None), o.domain.is_(None)))
        query = (
            sa.select(
                a.external_id,
                a.title,
                a.published,
                m.story_id,
                o.name_key,
                o.domain,
                *(getattr(f, c) for c in ("story_id", "originality", "copy_of", *_COUNTS, "evidence")),
                src.c.external_id,
                src_o.c.name_key,
                src_o.c.domain,
                a.id,
                o.wire,
            )
            .select_from(
                articles.outerjoin(article_outlets, o.article_id == a.id)
                .outerjoin(story_members, m.article_id == a.id)
                .outerjoin(outlet_facts, f.article_id == a.id)
                .outerjoin(src, src.c.id == f.copy_of)
                .outerjoin(src_o, src_o.c.article_id == f.copy_of)
            )
            .where(sa.or_(*match))
            .order_by(a.published, a.id)
        )
        with self.engine.connect() as conn:
            return [_article_row(tuple(r)) for r in conn.execute(query)]

    def outlet_stamp(self) -> str:
        """A text that changes whenever the outlet profiles may: a story write, a new identity, a
        report's findings, a new outlet file, or an article stored or removed."""
        with self.engine.connect() as conn:
            state: dict[str, int] = {str(k): int(v) for k, v in conn.execute(outlet_stamp_query())}
            count = conn.execute(sa.select(sa.func.count()).select_from(articles)).scalar_one()
        return f"{state.get('story_version', 0)}.{state.get('outlets_version', 0)}.{count}"

    def load_outlet_cache(self, key: str = "profiles") -> tuple[str, str] | None:
        """The cached (stamp, JSON text) under `key`, or None."""
        c = outlet_cache.c
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(c.stamp, c.data).where(c.key == key)).first()
        return (str(row[0]), str(row[1])) if row else None

    def save_outlet_cache(self, stamp: str, data: str, key: str = "profiles") -> None:
        """Cache JSON text under `key` with the stamp it was computed at."""
        stmt = self._insert(outlet_cache).values(key=key, stamp=stamp, data=data)
        stmt = stmt.on_conflict_do_update(index_elements=[outlet_cache.c.key], set_={"stamp": stamp, "data": data})
        write(self.engine, lambda conn: conn.execute(stmt))

    def replace_outlet_metadata(self, rows: Sequence[OutletMetadata]) -> None:
        """Replace the outlet file's rows, all at once."""
        values = [
            {
                "name": r.name,
                "domains": json.dumps(list(r.domains)),
                "aliases": json.dumps(list(r.aliases), ensure_ascii=False),
                "columns": json.dumps(r.columns, ensure_ascii=False),
            }
            for r in rows
        ]

        def work(conn: Connection) -> None:
            conn.execute(_BUMP)
            conn.execute(outlet_metadata.delete())
            if values:
                conn.execute(outlet_metadata.insert(), values)

        write(self.engine, work)

    def load_outlet_metadata(self) -> list[OutletMetadata]:
        """The outlet file's rows as last loaded (none when no file was)."""
        t = outlet_metadata.c
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(t.name, t.domains, t.aliases, t.columns).order_by(t.id)).all()
        return [
            OutletMetadata(
                name=n, domains=tuple(json.loads(d)), aliases=tuple(json.loads(al)), columns=json.loads(c), line=i + 1
            )
            for i, (n, d, al, c) in enumerate(rows)
        ]


def outlet_stamp_query() -> sa.Select[Any]:
    """The story and outlet versions, with the article count."""
    state = sa.select(store_state.c.key, store_state.c.value).where(
        store_state.c.key.in_(["story_version", "outlets_version"])
    )
    return state


def _article_row(r: tuple[Any, ...]) -> OutletArticleRow:
    (ext, title, published, story, key, domain, f_story, originality, copy_of, *rest) = r
    counts, (evidence, src_ext, src_key, src_domain, row_id, wire) = rest[: len(_COUNTS)], rest[len(_COUNTS) :]
    facts = None
    if originality is not None:
        facts = ArticleFacts(
            article_id=int(row_id),
            story_id=int(f_story),
            originality=originality,
            copy_of=copy_of,
            **{c: int(v or 0) for c, v in zip(_COUNTS, counts, strict=True)},
            evidence=json.loads(evidence or "{}"),
        )
    return OutletArticleRow(
        external_id=ext,
        title=title,
        published=published,
        story_id=story,
        name_key=key,
        domain=domain,
        facts=facts,
        copy_of=src_ext,
        copy_of_key=src_key,
        copy_of_domain=src_domain,
        wire=wire,
    )
