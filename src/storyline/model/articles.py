"""Records of articles and stories: an article, a story and its articles, an upstream citation, evidence.

Records are frozen dataclasses with slots; plain dicts appear only at the storage and JSON
boundaries, through the one serialiser derived from the fields (:mod:`storyline.model.serial`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, ClassVar

from .serial import OMIT_EMPTY, SKIP, Record, key

__all__ = ["Article", "Evidence", "Story", "StoryArticle", "Upstream"]


@dataclass(frozen=True, slots=True)
class Article(Record):
    """A cleaned news article: the body text without page furniture, and its metadata.

    `text` is the canonical cleaned text: every character span reported by later
    stages points into it. `id` is the store's row id, None until stored.
    """

    __json_extra__: ClassVar[dict[str, str]] = {"words": "word_count"}

    external_id: str = field(metadata=key("id"))
    text: str
    content_hash: str = field(metadata=SKIP)
    source: str
    title: str | None = None
    published: dt.date | None = None
    outlet: str | None = None
    url: str | None = None
    language: str | None = None
    id: int | None = field(default=None, metadata=SKIP)

    @property
    def word_count(self) -> int:
        """Number of words in the body (see :func:`storyline.text.clean.count_words`)."""
        from storyline.text.clean import count_words

        return count_words(self.text)

    def to_json(self, *, with_text: bool = True) -> dict[str, Any]:
        """The record as a JSON-ready dict (dates as ISO strings); `with_text=False` leaves the body out."""
        data = Record.to_json(self)
        if not with_text:
            data.pop("text")
        return data


@dataclass(frozen=True, slots=True)
class StoryArticle(Record):
    """One article of a story, as listed with it (the text stays in the article).

    An input that duplicated a stored article (same URL or same text) under another id is listed
    too, with `duplicate_of` naming the article it was stored as, so every input can be found.
    """

    id: int
    external_id: str
    outlet: str | None
    published: dt.date | None
    title: str | None = None
    duplicate_of: str | None = field(default=None, metadata=OMIT_EMPTY)  # an input stored under another id


@dataclass(frozen=True, slots=True)
class Story(Record):
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


@dataclass(frozen=True, slots=True)
class Upstream(Record):
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
    article_id: str = field(metadata=key("article"))
    sentence: int
    start: int
    end: int
    sentence_text: str = field(metadata=key("text"))


@dataclass(frozen=True, slots=True)
class Evidence(Record):
    """Where a statement is: an article (external id), a sentence index and a character span.

    `text` is the article's text from `start` to `end` (see :func:`storyline.text.sentences.split_sentences`
    for the sentence indexes).
    """

    article: str
    sentence: int
    start: int
    end: int
    text: str
