"""What tells one event from another of the same kind: names, words, numbers and dates.

Embeddings carry the topic ("a celebrity enters rehab"); they barely separate two events of one
kind. The features here do: who and where (capitalised words that do not open a sentence: names
of people, places and organisations), what (the article's most frequent content words), how many
(figures) and when (years and days mentioned, and the publication date).

Names are read with a pattern, not spaCy's NER: on ECB+ dev, capitalised words over the whole
text separate same-kind events better than NER names over the lead (pair AUC 0.892 vs 0.874;
0.880 for NER over the whole text) and cost ~0.3 ms an article instead of ~35 ms (docs/stories.md).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..errors import OptionsError
from ..model import Article

__all__ = ["ArticleFeatures", "FeatureOptions", "extract_features", "features_of", "lead_text"]

TOP_WORDS = 100  # names and words kept per article: plenty for matching, a few KB stored
_SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+|\n")
_CAPITALISED = re.compile(r"[A-Za-z][\w'\-]*")
_CONTENT_WORD = re.compile(r"[a-z][a-z'\-]+")
# English function words and reporting verbs: frequent everywhere, they say nothing about an event.
STOPWORDS = frozenset(
    """a about above after again against all almost alone along already also although always am among an and
    another any anybody anyone anything anywhere are around as at back be became because become becomes been
    before beforehand behind being below beside besides between beyond both but by can cannot could did do does
    doing done down due during each either else elsewhere enough etc even ever every everyone everything
    everywhere except few for former formerly from further get go had has have he hence her here hers herself him
    himself his how however i ie if in indeed into is it its itself just last latter least less many may me
    meanwhile might mine more moreover most mostly much must my myself namely neither never nevertheless next no
    nobody none noone nor not nothing now nowhere of off often on once one only onto or other others otherwise
    our ours ourselves out over own per perhaps please rather re same see seem seemed seeming seems several she
    should since so some somehow someone something sometime sometimes somewhere still such than that the their
    them themselves then thence there thereafter thereby therefore therein thereupon these they this those though
    through throughout thru thus to together too toward towards under until up upon us very via was we well were
    what whatever when whence whenever where whereafter whereas whereby wherein whereupon wherever whether which
    while whither who whoever whole whom whose why will with within without would yet you your yours yourself
    yourselves said says say new like""".split()
)
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


@dataclass(frozen=True, slots=True, kw_only=True)
class FeatureOptions:
    """What is read of each article.

    Attributes:
        vector_chars: the article vector embeds the headline and this many characters of the body.
        vector_tokens: word pieces of that the model reads (on ECB+, 128 separates events as well as
            256, at twice the speed).
    """

    vector_chars: int = 1000
    vector_tokens: int = 128

    def __post_init__(self) -> None:
        if self.vector_chars < 100:
            raise OptionsError(f"vector_chars must be at least 100 (got {self.vector_chars})")
        if not 16 <= self.vector_tokens <= 512:
            raise OptionsError(f"vector_tokens must be between 16 and 512 (got {self.vector_tokens})")


@dataclass(frozen=True, slots=True)
class ArticleFeatures:
    """The event signature of one article.

    Attributes:
        names: capitalised words that do not open a sentence, case-folded, with counts (top 100).
        terms: content words, case-folded, with counts (top 100).
        numbers: figures mentioned (not years, not 0-10: they say little about which event).
        years: years mentioned, with counts; the publication year counts twice.
        days: (month, day) pairs mentioned, and the publication day.
        published: the publication date, when known.
    """

    names: dict[str, int] = field(default_factory=dict)
    terms: dict[str, int] = field(default_factory=dict)
    numbers: frozenset[str] = frozenset()
    years: dict[int, int] = field(default_factory=dict)
    days: frozenset[tuple[int, int]] = frozenset()
    published: dt.date | None = None

    @property
    def main_year(self) -> int | None:
        """The year the article is most about (the first mentioned on a tie), or None."""
        return max(self.years, key=lambda y: self.years[y]) if self.years else None

    def to_json(self) -> dict[str, Any]:
        """JSON-ready form, as stored."""
        return {
            "names": self.names,
            "terms": self.terms,
            "numbers": sorted(self.numbers),
            "years": {str(y): c for y, c in self.years.items()},
            "days": sorted([m, d] for m, d in self.days),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any], published: dt.date | None) -> ArticleFeatures:
        """Inverse of :meth:`to_json`."""
        return cls(
            names={str(k): int(v) for k, v in data.get("names", {}).items()},
            terms={str(k): int(v) for k, v in data.get("terms", {}).items()},
            numbers=frozenset(data.get("numbers", ())),
            years={int(y): int(c) for y, c in data.get("years", {}).items()},
            days=frozenset((int(m), int(d)) for m, d in data.get("days", ())),
            published=published,
        )


def lead_text(article: Article, chars: int) -> str:
    """The headline and the first `chars` characters of the body, cut at a word boundary."""
    body = article.text if len(article.text) <= chars else article.text[:chars].rsplit(" ", 1)[0]
    return f"{article.title}\n\n{body}" if article.title else body


def extract_features(articles: Sequence[Article]) -> list[ArticleFeatures]:
    """The event signature of each article, in order."""
    return [features_of(a) for a in articles]


def features_of(article: Article) -> ArticleFeatures:
    """The event signature of one article (pure; well under a millisecond for a long article)."""
    text = f"{article.title}\n\n{article.text}" if article.title else article.text
    years = Counter(years_in(article.text))
    days = set(days_in(article.text))
    if article.published:
        years[article.published.year] += 2
        days.add((article.published.month, article.published.day))
    return ArticleFeatures(
        names=dict(capitalised_words(text).most_common(TOP_WORDS)),
        terms=dict(content_words(text).most_common(TOP_WORDS)),
        numbers=frozenset(numbers_in(article.text)),
        years=dict(years),
        days=frozenset(days),
        published=article.published,
    )


def capitalised_words(text: str) -> Counter[str]:
    """Capitalised words that do not open a sentence: names of people, places, organisations.

    Case-folded, with a final possessive or plural "s" dropped ("Reid's" and "Reid" are one name).
    """
    counts: Counter[str] = Counter()
    for sentence in _SENTENCE_BREAK.split(text):
        for k, word in enumerate(_CAPITALISED.findall(sentence)):
            if k > 0 and word[0].isupper() and len(word) > 2:
                counts[word.lower().rstrip("'s")] += 1
    return counts


def content_words(text: str) -> Counter[str]:
    """Words of three letters or more that are not stopwords, case-folded."""
    words = (w.strip("'-") for w in _CONTENT_WORD.findall(text.lower()))
    return Counter(w for w in words if len(w) > 2 and w not in STOPWORDS)


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
