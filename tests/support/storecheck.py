"""Read a store's tables directly and list every way its stories disagree with their memberships.

Used by the fault and concurrency tests: after any kill, and after concurrent writers, a store
must hold each article once and every story summary must match the articles it holds.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from storyline.store.sql import normalise_url
from storyline.store.story_tables import read_snapshot


@dataclass
class StoreState:
    """Row counts of a store, and the inconsistencies found in it (empty when all is well)."""

    articles: int = 0
    aliases: int = 0
    featured: int = 0  # articles with a cached vector
    members: int = 0  # articles in a story
    stories: int = 0
    pending: int = 0  # stories grouped online that no end-of-run rebuild has settled yet
    external_ids: set[str] = field(default_factory=set)
    alias_ids: set[str] = field(default_factory=set)
    hashes: set[str] = field(default_factory=set)
    problems: list[str] = field(default_factory=list)

    @property
    def phase(self) -> str:
        """Where a run stopped, read off the counts: what was stored but not yet embedded or grouped."""
        if self.featured < self.articles:
            return f"stored, not yet embedded: {self.articles - self.featured}"
        if self.members < self.featured:
            return f"embedded, not yet in a story: {self.featured - self.members}"
        return "every stored article in a story"


def read_state(url: str) -> StoreState:
    """Counts and consistency problems of the store at `url` (a Storyline database URL)."""
    engine = sa.create_engine(normalise_url(url))
    try:
        with read_snapshot(engine) as conn:  # one state of the store, while others may write
            return _state(conn)
    finally:
        engine.dispose()


def _state(conn: sa.Connection) -> StoreState:
    state = StoreState()
    q = conn.exec_driver_sql
    articles = q("SELECT id, external_id, content_hash, published, outlet, title FROM articles").all()
    state.articles = len(articles)
    state.external_ids = {r.external_id for r in articles}
    state.hashes = {r.content_hash for r in articles}
    for what, values in (
        ("external id", [r.external_id for r in articles]),
        ("hash", [r.content_hash for r in articles]),
    ):
        repeated = [v for v, n in Counter(values).items() if n > 1]
        if repeated:
            state.problems.append(f"{len(repeated)} {what}s stored more than once, e.g. {repeated[0]}")
    state.alias_ids = {r[0] for r in q("SELECT external_id FROM article_aliases").all()}
    state.aliases = len(state.alias_ids)
    if clash := state.alias_ids & state.external_ids:
        state.problems.append(f"{len(clash)} ids are both an article and an alias, e.g. {sorted(clash)[0]}")
    state.featured = q("SELECT count(*) FROM article_features").scalar_one()
    by_id = {r.id: r for r in articles}
    labels = dict(q("SELECT article_id, label FROM article_features").all())
    members = q("SELECT article_id, story_id FROM story_members").all()
    state.members = len(members)
    stories = {r.id: r for r in q("SELECT * FROM stories").all()}
    state.stories = len(stories)
    pending = {r[0] for r in q("SELECT story_id FROM stories_pending").all()}
    state.pending = len(pending)
    if pending - set(stories):
        state.problems.append(f"pending stories that do not exist: {sorted(pending - set(stories))[:5]}")
    held: dict[int, list[int]] = defaultdict(list)
    for article_id, story_id in members:
        held[story_id].append(article_id)
        if article_id not in by_id:
            state.problems.append(f"membership of missing article {article_id}")
    for story_id in sorted(set(held) - set(stories)):
        state.problems.append(f"story {story_id} has members but no summary")
    for story_id, row in sorted(stories.items()):
        if story_id not in held:
            state.problems.append(f"story {story_id} has a summary but no members")
            continue
        state.problems += _summary_problems(row, [by_id[i] for i in held[story_id] if i in by_id], labels)
    return state


def _summary_problems(row: Any, arts: list[Any], labels: dict[int, str | None]) -> list[str]:
    """How a story's summary row disagrees with the articles it holds."""
    found: list[str] = []
    sid = row.id
    if row.article_count != len(arts):
        found.append(f"story {sid}: article_count {row.article_count} but {len(arts)} members")
    dates = sorted(_date(a.published) for a in arts if a.published)
    first, last = _date(row.first_seen), _date(row.last_seen)
    if (first, last) != ((dates[0], dates[-1]) if dates else (None, None)):
        found.append(f"story {sid}: seen {first}..{last} but members published {dates[:1]}..{dates[-1:]}")
    outlets = set(json.loads(row.outlets))
    if outlets != {a.outlet for a in arts if a.outlet}:
        found.append(f"story {sid}: outlets {sorted(outlets)} differ from its members'")
    headlines = {a.title for a in arts} | {labels.get(a.id) for a in arts} | {"(untitled)"}
    if row.headline not in headlines:
        found.append(f"story {sid}: headline {row.headline!r} is no member's title")
    return found


def _date(value: object) -> str | None:
    return None if value is None else str(value)[:10]


class Counts:
    """Cheap row counts of a store, read again and again while another process writes to it."""

    def __init__(self, url: str) -> None:
        self.engine = sa.create_engine(normalise_url(url))

    def __call__(self) -> tuple[int, int, int]:
        """(stored articles, articles with a vector, articles in a story); zeros before the tables exist."""
        query = (
            "SELECT (SELECT count(*) FROM articles), (SELECT count(*) FROM article_features), "
            "(SELECT count(*) FROM story_members)"
        )
        try:
            with self.engine.connect() as conn:
                stored, embedded, grouped = conn.exec_driver_sql(query).one()
        except (sa.exc.OperationalError, sa.exc.ProgrammingError):
            return 0, 0, 0
        return int(stored), int(embedded), int(grouped)

    def close(self) -> None:
        """Release the connections."""
        self.engine.dispose()
