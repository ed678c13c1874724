"""Row mappers: database rows into records, public to every table mixin of the store.

They lived as private helpers in `sql.py` and `story_tables.py`, and the mixins imported them from
each other inside functions (the package's import cycle); here every mixin imports them at the top.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from storyline.model import Article, Story, StoryArticle
from storyline.store.schema import article_aliases, articles, story_members

__all__ = ["aliases", "row_to_article", "row_to_story", "story_articles"]


def row_to_article(row: sa.Row[Any]) -> Article:
    return Article(
        id=row.id,
        external_id=row.external_id,
        text=row.text,
        content_hash=row.content_hash,
        source=row.source,
        title=row.title,
        published=row.published,
        outlet=row.outlet,
        url=row.url,
        language=row.language,
    )


def story_articles(conn: Connection, story_ids: Sequence[int]) -> dict[int, list[StoryArticle]]:
    a, m = articles.c, story_members.c
    out: dict[int, list[StoryArticle]] = defaultdict(list)
    for i in range(0, len(story_ids), 500):
        query = (
            sa.select(m.story_id, a.id, a.external_id, a.outlet, a.published, a.title)
            .join(articles, a.id == m.article_id)
            .where(m.story_id.in_(story_ids[i : i + 500]))
            .order_by(m.story_id, a.published.is_(None), a.published, a.id)
        )
        listed = conn.execute(query).all()
        found_aliases = aliases(conn, [row.id for row in listed])
        for row in listed:
            out[row.story_id].append(
                StoryArticle(
                    id=row.id, external_id=row.external_id, outlet=row.outlet, published=row.published, title=row.title
                )
            )
            out[row.story_id] += [
                StoryArticle(
                    id=row.id,
                    external_id=alias,
                    outlet=row.outlet,
                    published=row.published,
                    title=row.title,
                    duplicate_of=row.external_id,
                )
                for alias in found_aliases.get(row.id, ())
            ]
    return out


def aliases(conn: Connection, article_ids: Sequence[int]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = defaultdict(list)
    for i in range(0, len(article_ids), 500):
        query = (
            sa.select(article_aliases.c.article_id, article_aliases.c.external_id)
            .where(article_aliases.c.article_id.in_(article_ids[i : i + 500]))
            .order_by(article_aliases.c.external_id)
        )
        for row in conn.execute(query):
            found[row.article_id].append(row.external_id)
    return found


def row_to_story(row: sa.Row[Any], listed: Sequence[StoryArticle]) -> Story:
    return Story(
        id=row.id,
        headline=row.headline,
        first_seen=row.first_seen,
        last_seen=row.last_seen,
        article_count=row.article_count,
        outlets=tuple(json.loads(row.outlets)),
        names=tuple(json.loads(row.names)),
        articles=tuple(listed),
    )
