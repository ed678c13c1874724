"""The storage interface every backend implements."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol

from storyline.model import Article, Rejected


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


class Store(Protocol):
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
