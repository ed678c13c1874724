"""The storage interface every backend implements."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Protocol

from storyline.model import Article, Rejected, Story
from storyline.model.outlets import (
    ArticleFacts,
    ArticleOutlet,
    CopiedFrom,
    FactSums,
    OutletArticleRow,
    OutletMetadata,
    OutletRow,
)
from storyline.store.search import SearchHit, StoryQuery


@dataclass(frozen=True, slots=True)
class AddResult:
    """What the store did with one article.

    `stored` is the article with its new row id, or None when it was not stored;
    then `existing` names the stored article it duplicates (`reason` says how) or
    `conflict` explains why it could not be stored.
    """

    article: Article
    stored: Article | None = None
    existing: str | None = None
    reason: str = ""
    conflict: str | None = None


@dataclass(frozen=True, slots=True)
class FeatureRow:
    """What is cached for one article: its vector from `model`, its features, a label for untitled ones."""

    article_id: int
    model: str
    vector: bytes
    features: dict[str, Any]
    label: str | None = None


@dataclass(frozen=True, slots=True)
class StoredFeatures:
    """An article's cached vector (and features, unless only vectors were asked for), with what
    clustering reads of its metadata."""

    article_id: int
    published: dt.date | None
    title: str | None
    outlet: str | None
    vector: bytes
    features: dict[str, Any] | None
    story_id: int | None
    label: str | None = None


class ArticleStore(Protocol):
    """Where articles live. Adding the same article twice changes nothing."""

    url: str

    def upgrade(self) -> str:
        """Apply pending migrations; return the schema revision now in place."""
        ...

    def add_articles(self, articles: Sequence[Article]) -> list[AddResult]:
        """Store a batch atomically; duplicates (same URL or same cleaned text) are skipped."""
        ...

    def add_rejections(self, rejected: Iterable[Rejected]) -> None:
        """Record inputs that were not articles."""
        ...

    def get_article(self, external_id: str) -> Article:
        """The stored article with this external id (or row id); NotFoundError if none."""
        ...

    def iter_articles(self, *, limit: int | None = None, offset: int = 0) -> Iterator[Article]:
        """Stored articles, oldest ingest first."""
        ...

    def count_articles(self) -> int:
        """Number of stored articles."""
        ...

    def iter_rejections(self) -> Iterator[Rejected]:
        """Recorded rejections, most recent first."""
        ...

    def known_urls(self, urls: Iterable[str]) -> set[str]:
        """The subset of `urls` already stored (so fetchers can skip them)."""
        ...

    def close(self) -> None:
        """Release connections."""
        ...


class FeatureStore(Protocol):
    """Each article's cached lead vector and features, with its story membership (the story index reads them)."""

    def articles_without_features(self, model: str, limit: int = 500) -> list[Article]:
        """Stored articles with no cached vector from `model`, oldest first."""
        ...

    def articles_by_id(self, ids: Sequence[int]) -> list[Article]:
        """The stored articles with these row ids."""
        ...

    def save_features(self, rows: Sequence[FeatureRow]) -> None:
        """Cache vectors and features."""
        ...

    def iter_features(
        self, model: str, article_ids: Sequence[int] | None = None, *, vectors_only: bool = False
    ) -> Iterator[StoredFeatures]:
        """Cached features (all, or of `article_ids`; without the features with `vectors_only`), with
        story membership."""
        ...

    def feature_memberships(self, model: str) -> dict[int, int | None]:
        """Every article with a cached vector from `model`: its story id (None: not in a story yet)."""
        ...


class AnalysisCache(Protocol):
    """What a report computes once per article and per text: parsed quotes and embedded texts (also fact mentions)."""

    def load_quotes(self, article_ids: Sequence[int], version: str) -> dict[int, list[dict[str, Any]]]:
        """Cached quotes of these articles under extraction `version`."""
        ...

    def save_quotes(self, rows: Sequence[tuple[int, str, list[dict[str, Any]]]]) -> None:
        """Cache quotes: (article id, version, JSON dicts) rows."""
        ...

    def load_vectors(self, keys: Sequence[str]) -> dict[str, bytes]:
        """Cached text vectors by key."""
        ...

    def save_vectors(self, rows: Sequence[tuple[str, bytes]]) -> None:
        """Cache text vectors: (key, raw float32 bytes) rows."""
        ...


class StoryStore(Protocol):
    """The stories: written under the story lock, with a version that moves on with every change."""

    def save_stories(
        self,
        summaries: Sequence[Story],
        members: Sequence[tuple[int, int, float | None]],
        *,
        replace: bool = False,
        provisional: bool = False,
    ) -> None:
        """Write story summaries and memberships atomically (`replace`: drop all stories first;
        `provisional`: these stories wait for an end-of-run rebuild, else they are settled)."""
        ...

    def pending_stories(self) -> set[int]:
        """Stories written provisionally that no rebuild has settled yet."""
        ...

    def max_story_id(self) -> int:
        """The largest story id handed out so far, also of stories gone since (0 if none)."""
        ...

    def story_version(self) -> int:
        """A number every story write changes: while it stays the same, so do the stories."""
        ...

    def story_lock(self, *, wait: bool = True) -> AbstractContextManager[bool]:
        """Hold the store's story lock for a block: one story writer at a time, across processes.

        Yields True once held; with `wait=False`, False at once when another holder has it.
        """
        ...

    def list_stories(self, *, limit: int | None = None, offset: int = 0) -> list[Story]:
        """Stories, most recently active first, with their articles."""
        ...

    def get_story(self, story_id: int) -> Story:
        """One story; NotFoundError if none."""
        ...

    def count_stories(self) -> int:
        """Number of stories."""
        ...


class SearchStore(Protocol):
    """Full-text search over articles and stories, and the outlet counts the web lists."""

    def search_articles(self, query: str, *, limit: int = 20, offset: int = 0) -> tuple[list[SearchHit], int]:
        """Articles whose title or body holds every word of `query`, best first; and how many match."""
        ...

    def search_stories(self, query: StoryQuery, *, limit: int = 20, offset: int = 0) -> tuple[list[Story], int]:
        """Stories matching words, a date range and an outlet, most recently active first; and how many."""
        ...

    def outlets(self, limit: int = 200) -> list[tuple[str, int]]:
        """The outlets with most stored articles, with their counts."""
        ...

    def stories_of(self, article_ids: Sequence[int]) -> dict[int, int]:
        """The story id of each of these articles (row ids; articles in no story are left out)."""
        ...


class OutletStore(Protocol):
    """Outlet identities, the per-article findings of reports, the profiles' cache and the user's outlet file."""

    def articles_without_outlet(self, limit: int = 5000) -> list[Article]:
        """Stored articles with no outlet identity yet (their text cut to its head)."""
        ...

    def save_article_outlets(self, rows: Sequence[ArticleOutlet]) -> None:
        """Keep articles' outlet identities."""
        ...

    def outlet_rows(self) -> list[OutletRow]:
        """Stored articles grouped by outlet identity, story and language."""
        ...

    def save_outlet_facts(self, story_id: int, facts: Sequence[ArticleFacts]) -> None:
        """Replace what earlier reports found about a story's articles."""
        ...

    def stories_without_outlet_facts(self, limit: int | None = None) -> list[int]:
        """Stories with an article that no report has found anything about yet."""
        ...

    def outlet_fact_sums(self) -> list[FactSums]:
        """Report findings summed by outlet identity."""
        ...

    def outlet_copied_from(self) -> list[CopiedFrom]:
        """Copies and rewrites by outlet identity and the identity of the article copied."""
        ...

    def outlet_wires(self) -> list[CopiedFrom]:
        """Wire copies by a dateline's agency, by outlet identity (not those a report found)."""
        ...

    def outlet_names(self) -> list[OutletRow]:
        """Stored names and domains with their article counts."""
        ...

    def outlet_articles(
        self, name_keys: Sequence[str], domains: Sequence[str], *, unknown: bool = False
    ) -> list[OutletArticleRow]:
        """Stored articles with one of these folded names or domains, with stories and findings."""
        ...

    def outlet_stamp(self) -> str:
        """A text that changes whenever the outlet profiles may."""
        ...

    def load_outlet_cache(self, key: str = "profiles") -> tuple[str, str] | None:
        """The cached (stamp, JSON text) under `key`, or None."""
        ...

    def save_outlet_cache(self, stamp: str, data: str, key: str = "profiles") -> None:
        """Cache JSON text under `key` with the stamp it was computed at."""
        ...

    def replace_outlet_metadata(self, rows: Sequence[OutletMetadata]) -> None:
        """Replace the outlet file's rows, all at once."""
        ...

    def load_outlet_metadata(self) -> list[OutletMetadata]:
        """The outlet file's rows as last loaded."""
        ...


class Store(ArticleStore, FeatureStore, AnalysisCache, StoryStore, SearchStore, OutletStore, Protocol):
    """The whole store (`SqlStore` on SQLite or PostgreSQL). Code that needs one role takes that role's
    protocol (`CachedEmbedder` takes an `AnalysisCache`), so a test or another backend can give less."""
