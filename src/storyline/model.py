"""Typed records passed between Storyline's stages.

Records are frozen dataclasses with slots; plain dicts appear only at the storage
and JSON boundaries (see :func:`Article.to_json`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Literal

DocumentKind = Literal["text", "html"]


@dataclass(frozen=True, slots=True)
class Hints:
    """Metadata an input carried beside its content (a JSON record's fields, a feed entry)."""

    url: str | None = None
    title: str | None = None
    published: dt.date | None = None
    outlet: str | None = None


@dataclass(frozen=True, slots=True)
class RawDocument:
    """One unit of input before extraction: a file, a JSON line, a WARC record, a fetched page.

    Attributes:
        source: where it came from, for messages (`path`, `path:line`, a URL, `<stdin>`).
        external_id: the id shown to users (JSON `id`, else file name without extensions, else URL).
        content: the raw bytes (decoded later, so encoding problems become `Rejected`).
        kind: whether the content is HTML or plain text.
        hints: metadata given beside the content; it wins over what extraction finds.
    """

    source: str
    external_id: str
    content: bytes
    kind: DocumentKind
    hints: Hints = field(default_factory=Hints)


@dataclass(frozen=True, slots=True)
class Rejected:
    """An input that could not be read or is not an article. Counted and shown, never dropped."""

    source: str
    reason: str
    external_id: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The record as a JSON-ready dict."""
        return {"id": self.external_id, "source": self.source, "rejected": self.reason}


@dataclass(frozen=True, slots=True)
class Article:
    """A cleaned news article: the body text without page furniture, and its metadata.

    `text` is the canonical cleaned text: every character span reported by later
    stages points into it. `id` is the store's row id, None until stored.
    """

    external_id: str
    text: str
    content_hash: str
    source: str
    title: str | None = None
    published: dt.date | None = None
    outlet: str | None = None
    url: str | None = None
    language: str | None = None
    id: int | None = None

    @property
    def word_count(self) -> int:
        """Number of words in the body (see :func:`storyline.text.clean.count_words`)."""
        from storyline.text.clean import count_words

        return count_words(self.text)

    def to_json(self, *, with_text: bool = True) -> dict[str, Any]:
        """The record as a JSON-ready dict (dates as ISO strings)."""
        data: dict[str, Any] = {
            "id": self.external_id,
            "title": self.title,
            "published": self.published.isoformat() if self.published else None,
            "outlet": self.outlet,
            "url": self.url,
            "language": self.language,
            "words": self.word_count,
            "source": self.source,
        }
        if with_text:
            data["text"] = self.text
        return data


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


@dataclass(frozen=True, slots=True)
class StoryArticle:
    """One article of a story, as listed with it (the text stays in the article).

    An input that duplicated a stored article (same URL or same text) under another id is listed
    too, with `duplicate_of` naming the article it was stored as, so every input can be found.
    """

    id: int
    external_id: str
    outlet: str | None
    published: dt.date | None
    title: str | None = None
    duplicate_of: str | None = None  # set for an input stored once under another id (same URL or text)

    def to_json(self) -> dict[str, Any]:
        """The record as a JSON-ready dict."""
        data: dict[str, Any] = {
            "id": self.id,
            "external_id": self.external_id,
            "outlet": self.outlet,
            "published": _iso(self.published),
            "title": self.title,
        }
        if self.duplicate_of:
            data["duplicate_of"] = self.duplicate_of
        return data


@dataclass(frozen=True, slots=True)
class Story:
    """One real-world event and the stored articles that report it.

    Attributes:
        id: stable id; a story keeps it while articles join it.
        headline: the title of its most central article (or the first words of its earliest one).
        first_seen: the earliest publication date among its articles (None when none is dated).
        last_seen: the latest publication date.
        article_count: number of articles.
        outlets: distinct outlets, most frequent first.
        names: the people, organisations and places it is most about.
        articles: its articles, earliest first (may be empty when only the summary was loaded).
    """

    id: int
    headline: str
    first_seen: dt.date | None
    last_seen: dt.date | None
    article_count: int
    outlets: tuple[str, ...] = ()
    names: tuple[str, ...] = ()
    articles: tuple[StoryArticle, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """The record as a JSON-ready dict."""
        return {
            "id": self.id,
            "headline": self.headline,
            "first_seen": _iso(self.first_seen),
            "last_seen": _iso(self.last_seen),
            "article_count": self.article_count,
            "outlets": list(self.outlets),
            "names": list(self.names),
            "articles": [a.to_json() for a in self.articles],
        }


@dataclass(frozen=True, slots=True)
class Upstream:
    """An upstream report an article cites ("per Bloomberg"), with the evidence.

    Attributes:
        name: the outlet or agency, canonical ("Bloomberg" for "Bloomberg News"); "agencies" for
            "(With inputs from agencies)".
        article_id: the citing article's external id.
        sentence: index of the citing sentence (see :func:`storyline.text.sentences.split_sentences`).
        start: start of the name in the article's text.
        end: end of the name in the article's text.
        sentence_text: the citing sentence.
    """

    name: str
    article_id: str
    sentence: int
    start: int
    end: int
    sentence_text: str

    def to_json(self) -> dict[str, Any]:
        """The record as a JSON-ready dict."""
        return {
            "name": self.name,
            "article": self.article_id,
            "sentence": self.sentence,
            "start": self.start,
            "end": self.end,
            "text": self.sentence_text,
        }


@dataclass(frozen=True, slots=True)
class Evidence:
    """Where a statement is: an article (external id), a sentence index and a character span.

    `text` is the article's text from `start` to `end` (see :func:`storyline.text.sentences.split_sentences`
    for the sentence indexes).
    """

    article: str
    sentence: int
    start: int
    end: int
    text: str

    def to_json(self) -> dict[str, Any]:
        """The record as a JSON-ready dict."""
        return {
            "article": self.article,
            "sentence": self.sentence,
            "start": self.start,
            "end": self.end,
            "text": self.text,
        }


IngestStatus = Literal["stored", "already stored", "rejected"]


@dataclass(frozen=True, slots=True)
class IngestOutcome:
    """What happened to one input during ingest."""

    status: IngestStatus
    source: str
    external_id: str | None
    detail: str = ""

    def to_json(self) -> dict[str, Any]:
        """The record as a JSON-ready dict."""
        return {
            "status": self.status,
            "id": self.external_id,
            "source": self.source,
            "detail": self.detail,
        }


@dataclass(frozen=True, slots=True)
class IngestReport:
    """The outcome of one ingest run: one entry per input, and the counts."""

    outcomes: tuple[IngestOutcome, ...]

    def count(self, status: IngestStatus) -> int:
        """How many inputs ended with `status`."""
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def counts(self) -> dict[str, int]:
        """Counts per status, in the order users read them."""
        return {s: self.count(s) for s in ("stored", "already stored", "rejected")}

    @property
    def readable(self) -> bool:
        """True when at least one input was an article (stored now or before)."""
        return self.count("stored") + self.count("already stored") > 0
