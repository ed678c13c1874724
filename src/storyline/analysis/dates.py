"""Dates in article text: found, and resolved against the article's own publication date.

**Finding dates.** Regular expressions find candidate date expressions in the article text; plain
calendar arithmetic resolves them against an anchor: the article's publication date, else the
story's date given by the caller. Each mention keeps its exact character span, the sentence it is
in, the first day of the period it names and its precision (day, month or year):

- absolute: "2024-01-17", "January 17, 2024", "17 January 2024", "September 2023", "spring of 2022"
  (a season is given year precision: "2022-03" would claim it was March), "in 2022" (a year needs a
  cue word before it, "in", "since", "by", "mid-"…, so "2000 troops" is not a year);
- a day or month without a year ("Jan. 17", "17 January", "in December", "since September"): the
  latest such day or month not after the anchor, so December in a January 2024 article is 2023-12;
  a day up to `FUTURE_DAYS` (60) after the anchor is upcoming instead ("the Nov. 8 election" in a
  September article: 6 of 6 such dates in 50 PolNeAR dev articles were upcoming);
  "May" and "March" count only after a cue word ("in May", "since March": "Theresa May" is a name);
- weekdays ("on Friday", "Thursday's report"): the latest such day on or before the anchor, the
  anchor itself when it is that weekday; "last Tuesday" is strictly before it, "next Tuesday" after;
- "yesterday", "today", "tomorrow", "last night", "the day before" (only when no noun follows it:
  "the day before the vote" counts from the vote, which is not known here);
- "last month", "this month", "next month", "last year", "this year", "next year", "last
  September" (the latest September before the anchor's month), "April last year" (April of the
  year before the anchor's), and "two years ago", "three months ago", "five days ago" (a year,
  month or day: "two years ago" in January 2024 is 2022);
- a weekday with its date in brackets ("Tuesday (6 January)"): the date it gives.

Durations and ordinals are not dates: "five years", "a third year", "24-hour", "in recent months",
"9/11" (slashed dates are left out: 1/2 is January 2nd or February 1st depending on the outlet).
Weeks are left out ("last week" names no day, month or year). Without an anchor only expressions
that carry their year resolve. Tenses are not read: "on Friday" is the past Friday even in "will
meet on Friday".

`dateparser` is not used to resolve: once the pattern has the parts, arithmetic is exact and
~100× faster, and dateparser 1.5 resolves a weekday equal to the anchor's to the week before and
returns nothing for "last September", "the day before" or "spring 2022".

The timeline of a story (:mod:`storyline.analysis.timeline`) and the facts (:mod:`storyline.analysis.facts`)
read their dates from here.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from ..model import Article
from ..text.sentences import Sentence, split_sentences

__all__ = [
    "FULL_MONTH",
    "FUTURE_DAYS",
    "MONTHS",
    "WEEKDAYS",
    "DateMention",
    "Precision",
    "dates_in_sentences",
    "find_dates",
]

Precision = Literal["day", "month", "year"]

_MONTHS = "January February March April May June July August September October November December".split()
_MONTH_NUMBER = {name: i for i, name in enumerate(_MONTHS, start=1)}
_MONTH_NUMBER |= {name[:3]: i for name, i in _MONTH_NUMBER.items()} | {"Sept": 9}
_WEEKDAYS = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()
_NUMBER_WORDS = {
    w: i for i, w in enumerate("one two three four five six seven eight nine ten eleven twelve".split(), 1)
}
_NUMBER_WORDS |= {"a": 1, "an": 1}

_FULL_MONTH = "|".join(_MONTHS)
_ANY_MONTH = rf"(?P<month>(?:{_FULL_MONTH})\b|(?:Sept|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\b\.?)"
_YEAR = r"(?P<year>(?:19|20)\d\d)(?![\d%]|[.,]\d|['’]?s\b|\s*(?i:per\s?cent)\b)"  # not "1990s", "5%"
# "the Sept. 11 attacks" name an event of 2001, not the latest September 11th.
_DAY = r"(?P<day>\d{1,2})(?!\d)(?:st|nd|rd|th)?\b(?![^\S\n]+(?:terror\w*|attacks?|hijack\w*|conspirac\w*)\b)"
_CUE = r"(?i:in|since|until|till|through|throughout|during|before|after|from|by|between|around)"
_QUALIFIER = (
    r"(?:(?i:at\s+least|as\s+early\s+as|as\s+late\s+as|early|late|the\s+(?:end|start|beginning|middle)\s+of)\s+)"
)
# Every pattern's match holds one of these: sentences without one are not searched.
_TRIGGER = re.compile(
    r"\d|Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec|(?i:day|night|tonight|tomorrow|month|year|morning|afternoon|evening)"
)
_NOT_A_DAY_BEFORE = r"(?!\s+(?:the|a|an|his|her|its|their|our|this|that|these|those|yesterday|[A-Z0-9])\b)"
# Named days that are holidays, events or shows ("Fox News Sunday"), not "the latest such weekday".
_HOLIDAY = "".join(
    f"(?<!{w} )"
    for w in ("Good", "Black", "Cyber", "Super", "Holy", "Easter", "Palm", "Ash", "Maundy", "Bloody", "News")
)
#: A day without a year this many days after the anchor or fewer is upcoming ("the Nov. 8 election"
#: in a late-September article), not last year's.
FUTURE_DAYS = 60
# The month and weekday names, for the timeline's dateline test.
MONTHS, WEEKDAYS, FULL_MONTH = _MONTHS, _WEEKDAYS, _FULL_MONTH


@dataclass(frozen=True, slots=True)
class DateMention:
    """One date expression in an article, resolved.

    Attributes:
        article: the article's external id.
        sentence: index of the sentence it is in (see :func:`storyline.text.sentences.split_sentences`).
        start: start of the expression in the article's text.
        end: end of the expression.
        expression: the words (``text[start:end]``).
        date: the first day of the period it names.
        precision: how much of `date` is known.
    """

    article: str
    sentence: int
    start: int
    end: int
    expression: str
    date: dt.date
    precision: Precision

    @property
    def iso(self) -> str:
        """The date at its precision: "2024-01-17", "2024-01" or "2024"."""
        return _iso(self.date, self.precision)

    def to_json(self) -> dict[str, Any]:
        """The record as a JSON-ready dict."""
        return {
            "article": self.article,
            "sentence": self.sentence,
            "start": self.start,
            "end": self.end,
            "expression": self.expression,
            "date": self.iso,
            "precision": self.precision,
        }


def find_dates(article: Article, anchor: dt.date | None = None) -> list[DateMention]:
    """The date expressions of `article`, resolved, in text order.

    Args:
        article: the article; its `published` date is the anchor for relative expressions.
        anchor: the story's date, used when the article has no publication date.

    Returns:
        One mention per expression that resolves; relative ones are left out when neither date is known.
    """
    return dates_in_sentences(article, anchor, split_sentences(article.text))


def dates_in_sentences(article: Article, anchor: dt.date | None, sentences: list[Sentence]) -> list[DateMention]:
    text, base = article.text, article.published or anchor
    patterns = [p for p in _PATTERNS if base is not None or not p.needs_anchor]
    mentions: list[DateMention] = []
    for sentence in sentences:
        if not _TRIGGER.search(text, sentence.start, sentence.end):  # most sentences name no date
            continue
        found = [
            (*_span(m), i, m)
            for i, p in enumerate(patterns)
            for m in p.regex.finditer(text, sentence.start, sentence.end)
        ]
        found.sort(key=lambda f: (f[0] - f[1], f[2], f[0]))  # longest first, then pattern order
        taken: list[DateMention] = []
        for start, end, i, m in found:
            if any(start < t.end and t.start < end for t in taken):
                continue
            resolved = _resolve(patterns[i], m, base)
            if resolved is not None:
                taken.append(DateMention(article.external_id, sentence.index, start, end, text[start:end], *resolved))
        mentions.extend(sorted(taken, key=lambda d: d.start))
    return mentions


# --- resolving -----------------------------------------------------------------------------------


def _span(m: re.Match[str]) -> tuple[int, int]:
    for name in ("span", "cued"):
        if name in m.re.groupindex and m.group(name) is not None:
            return m.span(name)
    return m.span()


def _resolve(pattern: _Pattern, m: re.Match[str], anchor: dt.date | None) -> tuple[dt.date, Precision] | None:
    """The first day and precision of what `m` names, or None when it names no valid date."""
    try:
        return pattern.resolve(m, anchor)
    except ValueError:  # February 30th and the like
        return None


def _iso(day: dt.date, precision: Precision) -> str:
    if precision == "year":
        return f"{day.year:04d}"
    if precision == "month":
        return f"{day.year:04d}-{day.month:02d}"
    return day.isoformat()


def _month_of(m: re.Match[str]) -> int:
    name = m.group("cued") if "cued" in m.re.groupindex and m.group("cued") else m.group("month")
    return _MONTH_NUMBER[name.rstrip(".")]


def _latest_month(month: int, anchor: dt.date, *, strictly_before: bool = False) -> dt.date:
    """The first day of the latest `month` not after (or strictly before) the anchor's month."""
    year = anchor.year if month < anchor.month or (month == anchor.month and not strictly_before) else anchor.year - 1
    return dt.date(year, month, 1)


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def _resolve_iso(m: re.Match[str], anchor: dt.date | None) -> tuple[dt.date, Precision] | None:
    return dt.date(int(m.group("year")), int(m.group("mon")), int(m.group("day"))), "day"


def _resolve_day(m: re.Match[str], anchor: dt.date | None) -> tuple[dt.date, Precision] | None:
    month, day = _month_of(m), int(m.group("day"))
    if m.group("year"):
        return dt.date(int(m.group("year")), month, day), "day"
    if anchor is None:
        return None
    year = anchor.year if (month, day) <= (anchor.month, anchor.day) else anchor.year - 1
    upcoming = dt.date(year + 1, month, day)
    return (upcoming if (upcoming - anchor).days <= FUTURE_DAYS else dt.date(year, month, day)), "day"


def _resolve_month_year(m: re.Match[str], anchor: dt.date | None) -> tuple[dt.date, Precision] | None:
    return dt.date(int(m.group("year")), _month_of(m), 1), "month"


def _resolve_year(m: re.Match[str], anchor: dt.date | None) -> tuple[dt.date, Precision] | None:
    return dt.date(int(m.group("year")), 1, 1), "year"


def _resolve_month(m: re.Match[str], anchor: dt.date | None) -> tuple[dt.date, Precision] | None:
    assert anchor is not None
    return _latest_month(_month_of(m), anchor), "month"


def _resolve_relative_month(m: re.Match[str], anchor: dt.date | None) -> tuple[dt.date, Precision] | None:
    assert anchor is not None
    month, rel = _month_of(m), m.group("rel").lower()
    if rel == "last":
        return _latest_month(month, anchor, strictly_before=True), "month"
    if rel == "this":
        return dt.date(anchor.year, month, 1), "month"
    year = anchor.year if month > anchor.month else anchor.year + 1
    return dt.date(year, month, 1), "month"


def _resolve_month_of_year(m: re.Match[str], anchor: dt.date | None) -> tuple[dt.date, Precision] | None:
    """ "April last year" in a 2024 article is 2023-04; "in May this year" 2024-05."""
    assert anchor is not None
    shift = {"last": -1, "this": 0, "next": 1}[m.group("rel").lower()]
    return dt.date(anchor.year + shift, _month_of(m), 1), "month"


def _resolve_weekday(m: re.Match[str], anchor: dt.date | None) -> tuple[dt.date, Precision] | None:
    assert anchor is not None
    back = (anchor.weekday() - _WEEKDAYS.index(m.group("weekday"))) % 7
    rel = (m.group("rel") or "").lower()
    if rel == "last" and back == 0:
        back = 7
    if rel == "next":
        return anchor + dt.timedelta(days=(7 - back) if back else 7), "day"
    return anchor - dt.timedelta(days=back), "day"


_DEICTIC_OFFSET = {"yesterday": -1, "today": 0, "tonight": 0, "tomorrow": 1, "last night": -1}


def _resolve_deictic(m: re.Match[str], anchor: dt.date | None) -> tuple[dt.date, Precision] | None:
    assert anchor is not None
    word = " ".join(m.group("word").lower().split())
    if word.startswith("this "):
        return anchor, "day"
    if word.startswith("the day "):
        return anchor + dt.timedelta(days=-2 if word.endswith("yesterday") else 2), "day"
    return anchor + dt.timedelta(days=_DEICTIC_OFFSET[word]), "day"


def _resolve_day_before(m: re.Match[str], anchor: dt.date | None) -> tuple[dt.date, Precision] | None:
    assert anchor is not None
    return anchor - dt.timedelta(days=1), "day"


def _resolve_relative_unit(m: re.Match[str], anchor: dt.date | None) -> tuple[dt.date, Precision] | None:
    assert anchor is not None
    step = {"last": -1, "this": 0, "next": 1}[m.group("rel").lower()]
    if m.group("unit") == "year":
        return dt.date(anchor.year + step, 1, 1), "year"
    return _add_months(anchor, step), "month"


def _resolve_ago(m: re.Match[str], anchor: dt.date | None) -> tuple[dt.date, Precision] | None:
    assert anchor is not None
    raw = m.group("n").lower()
    n = int(raw) if raw.isdigit() else _NUMBER_WORDS[raw]
    unit = m.group("unit")
    if unit == "year":
        return dt.date(anchor.year - n, 1, 1), "year"
    if unit == "month":
        return _add_months(anchor, -n), "month"
    return anchor - dt.timedelta(days=n), "day"


_Resolver = Callable[[re.Match[str], dt.date | None], tuple[dt.date, Precision] | None]


@dataclass(frozen=True, slots=True)
class _Pattern:
    regex: re.Pattern[str]
    resolve: _Resolver
    needs_anchor: bool = True


# Where two matches overlap the longer span wins, then the earlier pattern. Group "span" or "cued"
# (when present) is the date expression; otherwise the whole match is.
_PATTERNS = [
    _Pattern(
        re.compile(r"(?<![\d-])(?P<year>(?:19|20)\d\d)-(?P<mon>0[1-9]|1[0-2])-(?P<day>\d\d)(?![\d-])"),
        _resolve_iso,
        needs_anchor=False,
    ),
    _Pattern(re.compile(rf"\b{_ANY_MONTH}\s+{_DAY}(?:,?\s+{_YEAR})?"), _resolve_day, needs_anchor=False),
    _Pattern(
        re.compile(rf"(?<![\d.,$€£])\b{_DAY}\s+(?:of\s+)?{_ANY_MONTH}(?:,?\s+{_YEAR})?"),
        _resolve_day,
        needs_anchor=False,
    ),
    _Pattern(re.compile(rf"\b{_ANY_MONTH}\s+(?:of\s+)?{_YEAR}"), _resolve_month_year, needs_anchor=False),
    _Pattern(
        re.compile(rf"\b(?i:spring|summer|autumn|fall|winter)\s+(?:of\s+)?{_YEAR}"), _resolve_year, needs_anchor=False
    ),
    _Pattern(
        re.compile(rf"\b(?:{_CUE}\s+{_QUALIFIER}?|(?i:mid)-)(?P<span>{_YEAR})"), _resolve_year, needs_anchor=False
    ),
    _Pattern(
        re.compile(rf"\b(?P<month>{_FULL_MONTH})\s+(?:of\s+)?(?P<rel>(?i:last|this|next))\s+year\b"),
        _resolve_month_of_year,
    ),
    _Pattern(
        re.compile(
            rf"\b(?P<weekday>{'|'.join(_WEEKDAYS)})\s*\(\s*{_DAY}\s+(?:of\s+)?{_ANY_MONTH}(?:,?\s+{_YEAR})?\s*\)"
        ),
        _resolve_day,
        needs_anchor=False,
    ),
    _Pattern(re.compile(rf"\b(?P<rel>(?i:last|this|next))\s+(?P<month>{_FULL_MONTH})\b"), _resolve_relative_month),
    _Pattern(
        re.compile(
            rf"\b(?:(?P<month>(?:{_FULL_MONTH.replace('March|', '').replace('May|', '')}))"
            rf"|(?:{_CUE}|(?i:mid))[\s-]+{_QUALIFIER}?(?P<cued>March|May))\b(?!\s*\d)"
        ),
        _resolve_month,
    ),
    _Pattern(
        re.compile(rf"\b{_HOLIDAY}(?:(?P<rel>(?i:last|next|this))\s+)?(?P<weekday>{'|'.join(_WEEKDAYS)})\b(?![-–]\w)"),
        _resolve_weekday,
    ),
    _Pattern(
        re.compile(
            r"\b(?P<word>[Tt]he\s+day\s+before\s+yesterday|[Tt]he\s+day\s+after\s+tomorrow|[Yy]esterday|"
            r"today|(?<![\w,] )Today|"  # not "USA Today", "Russia Today"
            r"[Tt]onight|[Tt]omorrow|[Ll]ast\s+night|[Tt]his\s+(?:morning|afternoon|evening))\b"
        ),
        _resolve_deictic,
    ),
    _Pattern(
        re.compile(
            rf"\b(?i:the\s+(?:day|night)\s+before|the\s+previous\s+(?:day|evening|night)|(?:a|the)\s+day\s+earlier)\b"
            rf"{_NOT_A_DAY_BEFORE}"
        ),
        _resolve_day_before,
    ),
    _Pattern(
        re.compile(r"(?<!the )(?<!The )\b(?P<rel>(?i:last|this|next))\s+(?P<unit>month|year)\b"), _resolve_relative_unit
    ),
    _Pattern(
        re.compile(
            r"(?<!-)\b(?P<n>\d{1,2}|(?i:an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve))\s+"
            r"(?P<unit>year|month|day)s?\s+ago\b"
        ),
        _resolve_ago,
    ),
]
