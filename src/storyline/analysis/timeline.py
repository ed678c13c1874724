"""When things happened: the dated statements of a story's articles, as one timeline.

The date expressions and how they resolve are :mod:`storyline.analysis.dates`.

**Events.** Every mention of the story's articles is a dated statement, except the ones that date
nothing: a sentence that is only the date ("Published: Jan 26, 2024 10:00 AM by Jane Doe" left by
extraction: no lowercase word besides date, time and publishing words), and a wire dateline
("FLINT, Mich., Oct. 4 (UPI) — …"). (A headline in
title case with a date is skipped too; the body says it again.) A sentence naming
one date twice counts once. Statements of different articles with the same resolved date (same
ISO string) that say the same thing are one event: MiniLM cosine of their sentences at least
`same_event` when an embedding function is given, else overlap of their content words at least
`same_event_words` (shared words over the smaller set). Grouping is greedy in article order: a
statement joins the most similar event of its date (mean similarity to the event's statements).
Each event lists, per article, the first sentence that dates it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from ..errors import OptionsError
from ..model import Article, Evidence
from ..model.serial import SKIP, Record
from ..stories.embed import EmbedFunction
from ..stories.features import STOPWORDS
from ..text.sentences import split_sentences
from .dates import FULL_MONTH, FUTURE_DAYS, MONTHS, WEEKDAYS, DateMention, Precision, dates_in_sentences, find_dates

# DateMention, FUTURE_DAYS, Precision and find_dates are re-exported: callers imported them from here.
__all__ = [
    "FUTURE_DAYS",
    "DateMention",
    "Precision",
    "TimelineEvent",
    "TimelineOptions",
    "build_timeline",
    "find_dates",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class TimelineOptions:
    """How dated statements are merged into events.

    Measured on the seeds: same-date statements of different events score a cosine of 0.455 or less;
    the cross-article pairs of the expected events 0.57 to 0.79 (0.48 for the two New York Times
    December reports; 0.34 and 0.42 for two sentences whose article joins the event through another).
    Content-word overlap: 0.28 to 0.8 for the expected events' pairs, 0.21 or less between different
    events but for one pair (0.43).

    Attributes:
        same_event: least MiniLM cosine for two statements of one date to be one event.
        same_event_words: least content-word overlap (shared over the smaller set) when no
            embedding function is given.
        text_chars: an event's description is cut to about this many characters.
    """

    same_event: float = 0.46
    same_event_words: float = 0.25
    text_chars: int = 200

    def __post_init__(self) -> None:
        for name in ("same_event", "same_event_words"):
            if not 0.0 < getattr(self, name) <= 1.0:
                raise OptionsError(f"{name} must be in (0, 1] (got {getattr(self, name)})")
        if self.text_chars < 40:
            raise OptionsError(f"text_chars must be at least 40 (got {self.text_chars})")


@dataclass(frozen=True, slots=True)
class TimelineEvent(Record):
    """Something that happened on a date, as the story's articles date it.

    Attributes:
        date: the date at its precision ("2024-01-17", "2024-01", "2024").
        precision: "day", "month" or "year".
        day: the first day of the period, for sorting.
        text: what happened: the clause of the first source around its date expression.
        expression: the date words of the first source ("last month", "on Friday" → "Friday").
        sources: for each supporting article, the sentence that dates the event.
    """

    date: str
    precision: Precision
    day: dt.date = field(metadata=SKIP)
    text: str
    expression: str
    sources: tuple[Evidence, ...]

    @property
    def articles(self) -> tuple[str, ...]:
        """External ids of the supporting articles, in source order."""
        return tuple(s.article for s in self.sources)


def build_timeline(
    articles: Sequence[Article],
    anchor: dt.date | None = None,
    embed: EmbedFunction | None = None,
    *,
    options: TimelineOptions | None = None,
) -> list[TimelineEvent]:
    """The story's events, earliest first, each with the sentences that date it.

    Args:
        articles: the story's articles (their order decides which source describes an event).
        anchor: the story's date, for articles without a publication date.
        embed: texts → unit vectors (e.g. :func:`storyline.stories.embed.default_embedder`); without it,
            statements are compared by content words.
        options: merge thresholds; defaults when None.

    Returns:
        Events sorted by date (a year before its months, a month before its days), then by number
        of supporting articles, most first.
    """
    opts = options or TimelineOptions()
    statements = [s for article in articles for s in _statements(article, anchor)]
    if not statements:
        return []
    similarity, threshold = _similarity([s.evidence.text for s in statements], embed, opts)
    groups = _group(statements, similarity, threshold)
    events = [_event(statements, members, opts.text_chars) for members in groups]
    precision_rank = {"year": 0, "month": 1, "day": 2}
    order = sorted(
        range(len(events)),
        key=lambda k: (events[k].day, precision_rank[events[k].precision], -len(events[k].sources), k),
    )
    return [events[k] for k in order]


def _similarity(
    texts: list[str], embed: EmbedFunction | None, opts: TimelineOptions
) -> tuple[Callable[[int, int], float], float]:
    """How alike two of `texts` are (by index), and the least value for one event."""
    if embed is not None:
        vectors: npt.NDArray[np.float32] = np.asarray(embed(texts), dtype=np.float32)

        def cosine(i: int, j: int) -> float:
            return float(vectors[i] @ vectors[j])

        return cosine, opts.same_event
    words = [_content_words(t) for t in texts]

    def overlap(i: int, j: int) -> float:
        return _overlap(words[i], words[j])

    return overlap, opts.same_event_words


@dataclass(frozen=True, slots=True)
class _Statement:
    mention: DateMention
    evidence: Evidence  # the whole sentence


def _statements(article: Article, anchor: dt.date | None) -> list[_Statement]:
    """The article's dated sentences, one statement per (sentence, date); date-only lines skipped."""
    text = article.text
    sentences = split_sentences(text)
    seen: set[tuple[int, str]] = set()
    out: list[_Statement] = []
    for mention in dates_in_sentences(article, anchor, sentences):
        key = (mention.sentence, mention.iso)
        if key in seen:
            continue
        seen.add(key)
        sentence = sentences[mention.sentence]
        chunk = sentence.text_in(text)
        if _dates_nothing(chunk, mention.start - sentence.start, mention.end - sentence.start):
            continue
        evidence = Evidence(article.external_id, sentence.index, sentence.start, sentence.end, chunk)
        out.append(_Statement(mention, evidence))
    return out


_DATELINE_WORDS = re.compile(
    r"\b(?i:published|updated|posted|modified|last|on|at|by|am|pm|a\.m|p\.m|gmt|utc|[ecmp][sd]t|bst|cet|ist|"
    rf"{'|'.join(WEEKDAYS)}|{FULL_MONTH}|jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec)\b|\d+"
)
_WORD = re.compile(r"[A-Za-z][\w’'-]*")
_LOWERCASE_WORD = re.compile(r"(?<![\w’'-])[a-z][a-z’'-]+")
# A wire dateline before the story: "FLINT, Mich., Oct. 4 (UPI) — ".
_DATELINE_PLACE = re.compile(r"[A-Z][A-Z .'’-]+,(?:\s+[A-Z][\w.]*,)*\s*")
_DATELINE_END = re.compile(r"\s*(?:\([^()]{1,30}\)\s*)?[—–-]")


def _dates_nothing(sentence: str, start: int, end: int) -> bool:
    """True for a date that only dates the article: a date-only line or a wire dateline.

    A date-only line has no lowercase word besides date, time and publishing words ("Published:
    Friday, Jan 26, 2024 by J. Doe").
    """
    if _DATELINE_PLACE.fullmatch(sentence, 0, start) and _DATELINE_END.match(sentence, end):
        return True
    rest = _DATELINE_WORDS.sub(" ", sentence[:start] + " " + sentence[end:])
    return _LOWERCASE_WORD.search(rest) is None


def _group(statements: list[_Statement], similarity: Callable[[int, int], float], threshold: float) -> list[list[int]]:
    """Greedy grouping of statements by date: each joins the most similar group of its date, or starts one."""
    groups: list[list[int]] = []
    by_date: dict[str, list[int]] = {}
    for i, statement in enumerate(statements):
        best, best_score = None, threshold
        for g in by_date.get(statement.mention.iso, []):
            score = sum(similarity(i, j) for j in groups[g]) / len(groups[g])
            if score >= best_score:
                best, best_score = g, score
        if best is None:
            by_date.setdefault(statement.mention.iso, []).append(len(groups))
            groups.append([i])
        else:
            groups[best].append(i)
    return groups


def _event(statements: list[_Statement], members: list[int], text_chars: int) -> TimelineEvent:
    first = statements[members[0]]
    sources: dict[str, Evidence] = {}
    for i in members:
        sources.setdefault(statements[i].evidence.article, statements[i].evidence)
    mention = first.mention
    offset = first.evidence.start
    return TimelineEvent(
        date=mention.iso,
        precision=mention.precision,
        day=mention.date,
        text=_describe(first.evidence.text, mention.start - offset, mention.end - offset, text_chars),
        expression=mention.expression,
        sources=tuple(sources.values()),
    )


_CLAUSE_BREAK = re.compile(r"[,;:]\s+|\s+[—–-]\s+|\s+[—–]|[—–]\s+")


def _describe(sentence: str, start: int, end: int, limit: int) -> str:
    """The sentence, or when longer than `limit` about `limit` characters of it from the clause of `start:end`.

    The piece starts at the clause holding the expression (earlier clauses are added when the
    sentence's end is reached with room to spare) and ends at the last clause break or space that fits.
    """
    if len(sentence) <= limit:
        return sentence
    cuts = sorted({0, *(m.end() for m in _CLAUSE_BREAK.finditer(sentence))})
    lo = max(c for c in cuts if c <= start)
    if end - lo > limit:  # a long clause before the expression: start in its middle, at a space
        lo = max(sentence.find(" ", end - limit, start) + 1, lo)
    hi = len(sentence)
    if hi - lo > limit:
        stop = max(lo + limit, end)
        enough = max(end, lo + limit * 3 // 5)  # a clause break ends the piece only if the piece is long enough
        hi = max((c for c in cuts if enough < c <= stop), default=0) or _space_before(sentence, stop, end)
    else:
        lo = min((c for c in cuts if hi - c <= limit), default=lo)
    piece = sentence[lo:hi].strip(" ,;:—–-")
    return ("…" if lo > 0 else "") + piece + ("…" if hi < len(sentence) else "")


def _space_before(sentence: str, stop: int, end: int) -> int:
    """The last space in `end:stop`, else `stop`."""
    space = sentence.rfind(" ", end, stop + 1)
    return space if space >= 0 else stop


_DATE_WORDS = frozenset(
    {m.lower() for m in MONTHS}
    | {w.lower() for w in WEEKDAYS}
    | {"day", "days", "month", "months", "year", "years", "ago", "today", "yesterday", "tomorrow", "week"}
)


def _content_words(text: str) -> frozenset[str]:
    """Lowercased content words, cut to five letters so "signals" and "signalling" match."""
    words = (w.lower() for w in _WORD.findall(text))
    return frozenset(w[:5] for w in words if len(w) > 2 and w not in STOPWORDS and w not in _DATE_WORDS)


def _overlap(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))
