"""Facts: the checkable slots of an event and the value each article gives them.

A **fact mention** is one value stated in one sentence of one article, with its evidence (article
external id, sentence index, character span of the sentence in the article's cleaned text):

- `count`: a number and what it counts, tied through spaCy's dependency parse to its noun ("31
  pieces of apparatus", "three ladder trucks") and, for people, to the predicate that says what
  happened to them ("killed 24 people", "24 were killed", "24 dead", "the death toll rose to 24",
  "injuring two"): the predicate is normalised (killed / dead / died / deaths / death toll ->
  "people killed"; wounded / hurt / injuries -> "people injured"; and missing, arrested, evacuated,
  rescued, displaced, hospitalized, crowd, votes). People words ("people", "men", "victims",
  "others", "employees") count as "people"; other nouns stay themselves ("children killed").
- `measure`: a number with a unit: length (km, miles, feet; `depth` when "deep"/"depth" is said,
  else the distance or length of what the parse ties it to), speed, weight, volume, area,
  duration, money ($, dollars, euros, pounds sterling), percentage, temperature, magnitude, age
  ("Anthony LaCalamita III, 38,", "the 63-year-old receptionist", "aged 35": the age of the named
  person or the noun), and sports scores ("won 3-1").
- `time`: a clock time ("3:30 a.m.", "10 a.m.", "midnight"), the slot named by the verb it dates.
- `date`: the date expressions of :func:`storyline.analysis.timeline.find_dates`, resolved against the
  article's own publication date ("today" in an article of 2 July is 2 July); the slot is named by
  the verb the expression dates ("was convicted on March 20" -> "date convicted").
- `place`: a distance and direction from a place ("55 km west of Palu" -> slot "distance from
  Palu", value "55 km west").

Numbers are digits ("24", "15,000", "6.1", "-5", "1.5 million") or words ("five", "twenty-five",
"a hundred", "two dozen"); "dozens", "hundreds" and "several" are not values. Qualifiers are kept
and read as ranges: "at least 5" is [5, inf) and agrees with 7; "up to 30", "nearly 30", "more
than 100", "about 20,000" (+-10%). No number is taken from a URL, a dateline ("POSTED: 1052 GMT"),
an identifier ("I-75", "Route 66", "No. 5", "a 2007 Ford"), a year, or a line with more than six
numbers (a table of scores or a list: nothing there can be tied to a slot safely).

**Slots across a story.** Mentions with the same kind and slot key (kind, counted noun or
predicate, unit dimension, person for ages, anchor verb for times and dates) are one slot; slots
are never compared with each other (a depth is not a distance, the dead are not the injured, one
school's 350 are not all shelters' 15,000). A slot's mentions are grouped into values: two
mentions are one value when their ranges meet once units are converted (km / miles, mph / km/h,
pounds / kg, ...) with the rounding a writer may do (8.7 acres is 9 acres; 30 miles is 48 km).
Status: `agreed` (one value), `developing` (several values that change with the articles'
publication dates: every article of a later value was published after every article of an
earlier one, and the numbers move one way, like a rising toll), else `disputed`. A slot for which
one article itself gives two values that do not agree is not one slot (two victims' ages, two
different days' counts) and is left out. Only slots stated by at least two articles are kept
(for a story of one article: its counts of people killed, injured or missing).

The parse is spaCy's small English pipeline loaded once per process (see
:func:`storyline.analysis.quotes.load_parser`); only sentences with a number or a date are parsed, in one
`nlp.pipe` batch. The stage is pure: articles in, facts out.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import json
import math
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Literal, Protocol

from ..model import Article, Evidence
from ..model.serial import SKIP, Record
from ..text.sentences import Sentence, split_sentences
from .dates import DateMention, find_dates

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc, Token

__all__ = [
    "FACTS_VERSION",
    "Fact",
    "FactMention",
    "FactValue",
    "align_facts",
    "cached_mentions",
    "extract_facts",
    "extract_many",
    "find_facts",
    "parse_number",
]

#: Bumped whenever extraction changes, so cached mentions are computed again.
FACTS_VERSION = "facts-5"

FactKind = Literal["count", "measure", "time", "date", "place"]
FactStatus = Literal["agreed", "disputed", "developing"]

# ------------------------------------------------------------------------------------ numbers

_UNITS_WORDS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen"
).split()
_TENS_WORDS = "twenty thirty forty fifty sixty seventy eighty ninety".split()
_WORD_VALUE: dict[str, float] = {w: float(i) for i, w in enumerate(_UNITS_WORDS)}
_WORD_VALUE.update({w: float(10 * i) for i, w in enumerate(_TENS_WORDS, 2)})
_SCALE = {"hundred": 100.0, "thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
_SMALL = "|".join(sorted([*_WORD_VALUE, *_TENS_WORDS], key=len, reverse=True))
_ONE_WORD = rf"(?:{_SMALL})(?:-(?:{_SMALL}))?"
_WORDNUM = rf"(?:{_ONE_WORD}|an?)(?:\s+(?:hundred|thousand|million|billion|dozen)(?:\s+and)?(?:\s+{_ONE_WORD})?)*"
_DIGITS = r"-?\d{1,3}(?:,\d{3})+(?:\.\d+)?|-?\d+(?:\.\d+)?"
_QUALIFIERS = {
    "at least": "min",
    "more than": "min",
    "over": "min",
    "upwards of": "min",
    "in excess of": "min",
    "no fewer than": "min",
    "up to": "max",
    "as many as": "max",
    "at most": "max",
    "no more than": "max",
    "less than": "max",
    "fewer than": "max",
    "under": "max",
    "nearly": "near",
    "almost": "near",
    "about": "about",
    "around": "about",
    "approximately": "about",
    "roughly": "about",
    "some": "about",
    "an estimated": "about",
    "estimated": "about",
    "close to": "near",
    "shortly after": "after",
    "just after": "after",
    "after": "after",
    "shortly before": "before",
    "just before": "before",
    "before": "before",
    "by": "before",
}
_QUAL = "|".join(sorted(map(re.escape, _QUALIFIERS), key=len, reverse=True))
_NUMBER = re.compile(
    rf"(?<![\w./:#-])(?:(?P<qual>{_QUAL})\s+)?(?P<num>(?P<money>(?:US)?[$€£]\s?)?(?:{_DIGITS}|\b{_WORDNUM}\b)"
    r"(?:\s+(?:million|billion|trillion|thousand))?)(?!\.\d|:\d|,\d|/)(?=\W|$|(?:km|kms|kg|mph|ft|lbs?|mi|m)\b)",
    re.IGNORECASE,
)
_NOT_A_NUMBER = frozenset({"a", "an", "some", "one of"})


def parse_number(words: str) -> float | None:
    """The value of a number written in digits or words ("15,000", "6.1", "twenty-five", "a hundred",
    "two dozen", "1.5 million"); None when it is not a number ("dozens", "a").

    >>> parse_number("twenty-five"), parse_number("1.5 million"), parse_number("dozens")
    (25.0, 1500000.0, None)
    """
    s = words.strip().lower().replace("us$", "").strip("$€£ ")
    digits = re.fullmatch(r"(-?[\d,]*\d(?:\.\d+)?)(?:\s+(million|billion|trillion|thousand))?", s)
    if digits:
        value = float(digits.group(1).replace(",", ""))
        return value * _SCALE.get(digits.group(2) or "", 1.0)
    total, current, seen = 0.0, 0.0, False
    for part in re.split(r"[\s-]+", s):
        if part in _WORD_VALUE:
            current += _WORD_VALUE[part]
            seen = True
        elif part in {"a", "an"}:
            current += 1
        elif part == "dozen":
            current = (current or 1) * 12
            seen = True
        elif part == "hundred":
            current = (current or 1) * 100
            seen = True
        elif part in _SCALE:
            total += (current or 1) * _SCALE[part]
            current, seen = 0.0, True
        elif part != "and":
            return None
    return total + current if seen else None


# ------------------------------------------------------------------------------------ units

# unit words -> (dimension, factor to the dimension's base unit)
_UNIT_TABLE: dict[str, tuple[str, float]] = {}
for _names, _dim, _factor in (
    ("km kms kilometre kilometres kilometer kilometers", "length", 1.0),
    ("mile miles mi", "length", 1.609344),
    ("m metre metres meter meters", "length", 0.001),
    ("ft foot feet", "length", 0.0003048),
    ("yard yards", "length", 0.0009144),
    ("inch inches", "length", 0.0000254),
    ("mph", "speed", 1.609344),
    ("km/h kph kmh", "speed", 1.0),
    ("kg kilogram kilograms kilo kilos", "weight", 1.0),
    ("pound pounds lb lbs", "weight", 0.45359237),
    ("ton tons tonne tonnes", "weight", 1000.0),
    ("gallon gallons", "volume", 3.785411784),
    ("litre litres liter liters", "volume", 1.0),
    ("acre acres", "area", 0.40468564),
    ("hectare hectares", "area", 1.0),
    ("second seconds", "duration", 1 / 60),
    ("minute minutes", "duration", 1.0),
    ("hour hours", "duration", 60.0),
    ("day days", "duration", 1440.0),
    ("week weeks", "duration", 10080.0),
    ("month months", "duration", 43800.0),
    ("year years", "duration", 525600.0),
    ("% percent per-cent", "percentage", 1.0),
    ("degree degrees", "temperature", 1.0),
    ("dollar dollars", "money:$", 1.0),
    ("euro euros", "money:€", 1.0),
):
    for _name in _names.split():
        _UNIT_TABLE[_name] = (_dim, _factor)
_UNIT_AFTER = re.compile(
    r"\A(?:-|\s)?(?P<unit>%|per cent|miles per hour|miles an hour|kilometres per hour|kilometers per hour|km/h|"
    + "|".join(sorted((re.escape(u) for u in _UNIT_TABLE if u not in {"%"}), key=len, reverse=True))
    + r")(?![\w])(?P<old>-old)?",
    re.IGNORECASE,
)
_HYPHEN_ADJ = re.compile(
    r"\A-(?!year-old|magnitude)[a-z]+", re.IGNORECASE
)  # "12-gauge", "three-storey": not quantities
_PER_HOUR = {
    "miles per hour": "mph",
    "miles an hour": "mph",
    "kilometres per hour": "km/h",
    "kilometers per hour": "km/h",
}

# ------------------------------------------------------------------------------------ predicates

_PREDICATES: dict[str, str] = {}
for _slot, _words in (
    (
        "killed",
        "kill kills killed killing dead die died dies dying death deaths toll fatalities fatality fatal perished "
        "lives slain murdered",
    ),
    ("injured", "injure injures injured injuring injury injuries wound wounds wounded wounding hurt"),
    ("missing", "missing unaccounted"),
    ("arrested", "arrest arrests arrested arresting detained detain detains held"),
    ("evacuated", "evacuate evacuates evacuated evacuating evacuees evacuation"),
    ("rescued", "rescue rescues rescued rescuing"),
    ("displaced", "displaced homeless"),
    ("hospitalized", "hospitalized hospitalised hospital"),
    ("in the crowd", "crowd attended attend attending gathered rally marched"),
    ("votes", "vote votes voted"),
    ("charged", "charged charges"),
):
    for _w in _words.split():
        _PREDICATES[_w] = _slot
_PEOPLE = frozenset(
    "people person persons man men woman women victim victims other others individual individuals employee "
    "employees worker workers resident residents civilian civilians passenger passengers".split()
)
_PERSON_NOUNS = frozenset(
    "man woman boy girl male female resident native father mother son daughter husband wife teenager".split()
)
_CORE = frozenset({"people killed", "people injured", "people missing"})
_OF_NOUNS = frozenset({"piece", "pieces", "number", "total", "group", "set", "pair", "unit", "units", "dozen"})
_VAGUE_VERBS = frozenset(
    "is was were are be been being has have had do did does said says say told make made makes get got".split()
)
_VAGUE_ANCHORS = frozenset("work worked working serve served live lived spend spent be have has had say said".split())
_HEDGE = re.compile(r"\b(?:might|may|could|possibly|perhaps|if)\b", re.IGNORECASE)
_NOT_COUNTED = frozenset(
    "age ages year years time times count counts way ways point points percent thing things one ones".split()
)
_EXACT_NOUNS = frozenset({"block", "blocks", "floor", "route", "number"})
_SKIP_LINE = re.compile(
    r"^\s*(?:posted|updated|last updated|first published|published|copyright|©|by\b)|https?:|www\.|"
    r"\b(?:updated|posted|published)\s+(?:on\s+)?(?:[A-Z][a-z]+\.? \d{1,2}, \d{4}|\d)",
    re.IGNORECASE,
)
_NAME_SUFFIX = frozenset({"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"})
_AGE_AFTER_NAME = re.compile(r"(?P<name>(?:[A-Z][\w'’.-]+\s+){0,3}[A-Z][\w'’.-]+),\s+(?P<age>\d{1,3}),(?=\s)")
_YEAR_OLD = re.compile(r"\b(?P<age>\d{1,3}|[a-z]+(?:-[a-z]+)?)[- ]year[- ]old\b(?P<rest>(?:\s+[\w'’-]+){0,4})", re.I)
_AGED = re.compile(r"\b(?:aged|age)\s+(?P<age>\d{1,3})\b")
_CLOCK = re.compile(
    r"(?<![\w:])(?:(?P<qual>shortly after|just after|shortly before|just before|about|around|after|before|by|at)\s+)?"
    r"(?P<time>(?P<h>\d{1,2})(?::(?P<m>\d{2}))?\s?(?P<ampm>a\.?m\.?|p\.?m\.?)(?![a-z])|(?P<word>midnight|noon))",
    re.IGNORECASE,
)
_DIRECTION = re.compile(
    r"(?i:(?P<dist>\d[\d,.]*\d|\d|[a-z]+)\s*(?P<unit>km|kilometres|kilometers|kilometre|kilometer|miles|mile|mi)\b"
    r"(?:\s*\([^)]{0,30}\))?\s+(?P<dir>(?:north|south|east|west|north-?east|north-?west|south-?east|south-?west)(?:ern)?)"
    r"\s+(?:of|from)\s+)(?P<place>(?:the\s+)?[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+){0,3})",
)
_SHARE_OF = re.compile(
    r"(?i:\s*(?:%|per ?cent)\s+of\s+(?:the\s+|its\s+|their\s+)?)"
    r"(?P<whole>[A-Za-z][\w-]*"
    r"(?:\s+(?!(?:was|were|is|are|has|had|have|and|or|but|that|which|to|in|from|between|across|at|on)\b)[a-z][\w-]*)?"
    r"(?:\s+[A-Z][\w-]*)*"
    r"(?:\s+(?:to|in|from|between|across)\s+(?:the\s+)?[A-Z][\w-]*(?:\s+[A-Z][\w-]*)*)?)"
)
_DIRECTIONS = ("north", "south", "east", "west")
_SCORE = re.compile(r"(?<![\w.-])(?P<a>\d{1,3})-(?P<b>\d{1,3})(?![\w.-])")
_SCORE_CUE = re.compile(r"\b(?:won|win|wins|beat|beats|defeat(?:ed|s)?|lost|loses|drew|victory|score[ds]?)\b", re.I)
_MAX_NUMBERS = 6

# ------------------------------------------------------------------------------------ records


@dataclass(frozen=True, slots=True)
class FactMention:
    """One value of one slot as one sentence of one article states it.

    Attributes:
        article: the article's external id.
        kind: count, measure, time, date or place.
        slot: the slot in plain words ("people killed", "depth", "age of Ortiz", "date convicted").
        value: the value as written canonically ("24", "10 km", "2007-04-09", "15:30", "55 km west").
        number: the value as a number in the slot's base unit (minutes of the day for a time; the
            ordinal day for a date), for comparing.
        low: the lowest number the statement allows (its qualifier read as a range).
        high: the highest.
        qualifier: the qualifying words as written ("at least", "about"), "" when none.
        unit: the unit as written ("km", "%", "$"), "" for a bare count.
        evidence: the sentence.
        published: the article's publication date.
        written: for a date, its words as written (a year left out was inferred).
    """

    article: str
    kind: FactKind
    slot: str
    value: str
    number: float
    low: float
    high: float
    qualifier: str
    unit: str
    evidence: Evidence
    published: dt.date | None = None
    written: str = ""  # a date's words as written ("Monday", "June 24, 2005")


@dataclass(frozen=True, slots=True)
class FactValue(Record):
    """One value of a slot and the articles that give it, with the sentences that say so."""

    value: str
    qualifier: str
    unit: str
    articles: tuple[str, ...]
    first_published: dt.date | None
    evidence: tuple[Evidence, ...]
    group: int = field(default=0, metadata=SKIP)  # values of one group agree with each other (30 miles and 48 km)


@dataclass(frozen=True, slots=True)
class Fact(Record):
    """One slot of the story's event and every value its articles give it."""

    slot: str
    kind: FactKind
    status: FactStatus
    values: tuple[FactValue, ...]

    def disagree(self, a: FactValue, b: FactValue) -> bool:
        """Do two of the slot's values disagree (neither the same value nor the same once converted,
        rounded or read as a range)?"""
        return a.group != b.group

    @property
    def articles(self) -> list[str]:
        """The articles that state the slot, in value order."""
        return list(dict.fromkeys(a for v in self.values for a in v.articles))


# ------------------------------------------------------------------------------------ extraction


@dataclass(slots=True)
class _Candidate:
    """A number found by the patterns, waiting for the parse to tie it to a slot."""

    start: int  # in the article
    end: int
    qualifier: str
    number: float
    unit: str
    dimension: str  # "" for a bare count
    factor: float


def find_facts(
    articles: Sequence[Article],
    mentions: Sequence[FactMention] | None = None,
    *,
    anchor: dt.date | None = None,
    nlp: Language | None = None,
) -> list[Fact]:
    """The facts of a story: its articles' fact mentions (extracted here when not given, e.g. from
    :func:`cached_mentions`) aligned into slots (see the module docstring). `anchor` (the story's
    date) dates the sentences of articles without a date of their own, to leave out counts of
    earlier events ("In February, a gunman killed five people")."""
    if mentions is None:
        mentions = [m for found in extract_many(articles, nlp=nlp) for m in found]
    ids = {a.external_id for a in articles}
    earlier = _earlier_sentences([a for a in articles if a.published is None], anchor)
    story = [
        _synonym(m)
        for m in mentions
        if m.article in ids and not (m.kind == "count" and (m.article, m.evidence.sentence) in earlier)
    ]
    story.extend(_lead_dates(story))
    return align_facts(story, single_article=len(ids) == 1)


def _earlier_sentences(undated: Sequence[Article], anchor: dt.date | None) -> set[tuple[str, int]]:
    """(article, sentence) of undated articles' sentences that tell of a time before the story's."""
    if anchor is None:
        return set()
    by_sentence: dict[tuple[str, int], list[DateMention]] = defaultdict(list)
    for a in undated:
        for d in find_dates(a, anchor):
            by_sentence[(a.external_id, d.sentence)].append(d)
    return {key for key, dates in by_sentence.items() if _background(dates, anchor)}


def _lead_dates(mentions: Sequence[FactMention]) -> list[FactMention]:
    """The event's date as each article's lead gives it: its first day-precise date in the first
    three sentences that state a fact (slot "date of the event")."""
    out = []
    seen: set[str] = set()
    for m in sorted(mentions, key=lambda m: (m.article, m.evidence.start)):
        if m.article in seen or m.kind != "date" or m.evidence.sentence > 3:
            continue
        if len(m.value) == 10:
            seen.add(m.article)
            out.append(replace(m, slot="date of the event"))
    return out


def extract_facts(article: Article, *, nlp: Language | None = None) -> list[FactMention]:
    """The fact mentions of one article, in text order."""
    return extract_many([article], nlp=nlp)[0]


class VectorCache(Protocol):
    """A content-keyed byte cache: the store's `load_vectors` / `save_vectors` (40-character keys)."""

    def load_vectors(self, keys: Sequence[str]) -> dict[str, bytes]: ...

    def save_vectors(self, rows: Sequence[tuple[str, bytes]]) -> None: ...


def cached_mentions(cache: VectorCache, articles: Sequence[Article]) -> list[FactMention]:
    """Fact mentions of `articles`, read from `cache` where an article (same id, date and text) was
    parsed before under this `FACTS_VERSION`, the rest extracted and cached. The parse is the cost of
    this stage; with `storyline ingest --analyse` it is paid as articles arrive."""
    keys = {a.external_id: _cache_key(a) for a in articles}
    found = cache.load_vectors(list(keys.values()))
    out: list[FactMention] = []
    missing = [a for a in articles if keys[a.external_id] not in found]
    for a in articles:
        if keys[a.external_id] in found:
            out.extend(_mention_from_json(d) for d in json.loads(found[keys[a.external_id]].decode("utf-8")))
    if missing:
        extracted = extract_many(missing)
        rows = []
        for a, mentions in zip(missing, extracted, strict=True):
            out.extend(mentions)
            blob = json.dumps([_mention_to_json(m) for m in mentions], ensure_ascii=False).encode("utf-8")
            rows.append((keys[a.external_id], blob))
        cache.save_vectors(rows)
    return out


def _cache_key(article: Article) -> str:
    published = article.published.isoformat() if article.published else ""
    return hashlib.sha1(
        "\x1f".join((FACTS_VERSION, article.external_id, published, article.text)).encode("utf-8")
    ).hexdigest()


def _mention_to_json(m: FactMention) -> dict[str, Any]:
    return {
        "article": m.article,
        "kind": m.kind,
        "slot": m.slot,
        "value": m.value,
        "number": m.number,
        "low": _finite(m.low),
        "high": _finite(m.high),
        "qualifier": m.qualifier,
        "unit": m.unit,
        "evidence": m.evidence.to_json(),
        "published": m.published.isoformat() if m.published else None,
        "written": m.written,
    }


def _finite(x: float) -> float | str:
    return x if math.isfinite(x) else ("inf" if x > 0 else "-inf")


def _mention_from_json(d: dict[str, Any]) -> FactMention:
    e = d["evidence"]
    return FactMention(
        d["article"],
        d["kind"],
        d["slot"],
        d["value"],
        float(d["number"]),
        float(d["low"]),
        float(d["high"]),
        d["qualifier"],
        d["unit"],
        Evidence(e["article"], e["sentence"], e["start"], e["end"], e["text"]),
        dt.date.fromisoformat(d["published"]) if d["published"] else None,
        d["written"],
    )


def extract_many(articles: Sequence[Article], *, nlp: Language | None = None) -> list[list[FactMention]]:
    """Fact mentions of several articles, parsing the sentences that hold a number or a date in one
    batch. Relative dates are resolved against each article's own publication date only (an
    article without one gives only dates that carry their year), so an article's mentions do not
    depend on the story it is in and can be cached."""
    plans: list[tuple[Article, list[tuple[Sentence, list[_Candidate], list[DateMention]]]]] = []
    batch: list[str] = []
    for article in articles:
        # relative dates only against the article's own date: another article's would move them
        per_sentence: dict[int, list[DateMention]] = defaultdict(list)
        for d in find_dates(article, None):
            per_sentence[d.sentence].append(d)
        chosen = []
        for sentence in split_sentences(article.text):
            text = sentence.text_in(article.text)
            if _SKIP_LINE.search(text):
                continue
            candidates = _numbers(article.text, sentence)
            if candidates or per_sentence.get(sentence.index) or _CLOCK.search(text) or _YEAR_OLD.search(text):
                chosen.append((sentence, candidates, per_sentence.get(sentence.index, [])))
                batch.append(text)
        plans.append((article, chosen))
    if not batch:
        return [[] for _ in articles]
    if nlp is None:
        from .quotes import load_parser

        nlp = load_parser()
    docs = iter(nlp.pipe(batch, batch_size=128))
    out: list[list[FactMention]] = []
    for article, chosen in plans:
        found: list[FactMention] = []
        for sentence, candidates, dates in chosen:
            facts = _SentenceFacts(article, sentence, next(docs))
            background = _background(dates, article.published)
            for m in facts.mentions(candidates, dates):
                if m.kind == "count" and background:
                    continue  # "In February, a gunman killed five people": another event
                found.append(m)
        out.append(sorted(found, key=lambda m: (m.evidence.start, m.slot)))
    return out


def _numbers(text: str, sentence: Sentence) -> list[_Candidate]:
    """The numbers of one sentence with their qualifier and unit (identifiers, years, URLs and
    crowded lines left out)."""
    found: list[_Candidate] = []
    for m in _NUMBER.finditer(text, sentence.start, sentence.end):
        words = m.group("num")
        if words.lower() in _NOT_A_NUMBER or re.fullmatch(r"an?(?:\s+and)?", words, re.I):
            continue
        number = parse_number(words)
        if number is None:
            continue
        after = text[m.end() : min(m.end() + 40, sentence.end)]
        before = text[max(sentence.start, m.start() - 12) : m.start()]
        if _identifier(words, before, after, number):
            continue
        unit, dimension, factor = "", "", 1.0
        if m.group("money"):
            unit, dimension = m.group("money").strip(), "money:" + m.group("money").strip()[-1]
        u = _UNIT_AFTER.match(after)
        if u and not dimension:
            name = u.group("unit").lower()
            unit = _PER_HOUR.get(name, "%" if name in {"per cent", "percent"} else name)
            if u.group("old"):
                continue  # ages are read apart, with the person they belong to
            dimension, factor = _UNIT_TABLE.get(unit, ("speed", 1.0) if unit == "km/h" else ("", 1.0))
        elif not dimension and _HYPHEN_ADJ.match(after):
            continue
        qualifier = (m.group("qual") or "").lower()
        if _QUALIFIERS.get(qualifier) in {"after", "before"}:
            qualifier = ""  # "survived by two sons", "after 15 minutes": those qualify times
        found.append(_Candidate(m.start(), m.end(), qualifier, number, unit, dimension, factor))
    digits = sum(1 for c in found if any(ch.isdigit() for ch in text[c.start : c.end]))
    return [] if digits > _MAX_NUMBERS else found


def _identifier(words: str, before: str, after: str, number: float) -> bool:
    """Is this number part of a name, a clock time, a year or a reference rather than a quantity?"""
    if re.search(r"(?:[A-Za-z]-|No\.\s?|#|\b(?:route|interstate|highway|room|flight|channel|page)\s)$", before, re.I):
        return True
    if re.match(r"\s?(?:a\.?m\b|p\.?m\b|gmt|utc|est|edt|pst|pdt|hkt|bst|cst|cdt)", after, re.I):
        return True
    if re.match(r"\s?(?:st|nd|rd|th)\b", after):
        return True
    # a year ("in 2007", "a 2007 Ford"); dates come from the timeline's finder
    return bool(re.fullmatch(r"(?:1[5-9]|20)\d\d", words.strip())) and number == int(number)


_VERB_TAGS = frozenset({"VERB", "AUX"})


class _SentenceFacts:
    """Mentions of one parsed sentence."""

    def __init__(self, article: Article, sentence: Sentence, doc: Doc) -> None:
        self.article = article
        self.sentence = sentence
        self.text = article.text
        self.doc = doc
        self.evidence = Evidence(
            article.external_id, sentence.index, sentence.start, sentence.end, sentence.text_in(article.text)
        )

    def token_at(self, pos: int) -> Token | None:
        """The token covering article position `pos`."""
        offset = pos - self.sentence.start
        for tok in self.doc:
            if tok.idx <= offset < tok.idx + max(1, len(tok.text)):
                return tok
        return None

    def mention(
        self, kind: FactKind, slot: str, value: str, number: float, qualifier: str, unit: str, *, spread: float = 0.0
    ) -> FactMention:
        low, high = _range(number, qualifier, spread)
        return FactMention(
            self.article.external_id,
            kind,
            slot,
            value,
            number,
            low,
            high,
            qualifier,
            unit,
            self.evidence,
            self.article.published,
        )

    def mentions(self, candidates: Sequence[_Candidate], dates: Sequence[DateMention]) -> list[FactMention]:
        out: list[FactMention] = []
        taken: list[tuple[int, int]] = []
        out.extend(self._ages(taken))
        out.extend(self._places(taken))
        out.extend(self._times(taken))
        out.extend(self._scores(taken))
        for c in candidates:
            if any(c.start < b and a < c.end for a, b in taken):
                continue
            m = self._quantity(c)
            if m is not None:
                out.append(m)
        for d in dates:
            m = self._date(d)
            if m is not None:
                out.append(m)
        return out

    # -------------------------------------------------------------- ages, places, times, scores

    def _ages(self, taken: list[tuple[int, int]]) -> Iterable[FactMention]:
        s, e = self.sentence.start, self.sentence.end
        for m in _AGE_AFTER_NAME.finditer(self.text, s, e):
            person = _surname(m.group("name"))
            if person:
                taken.append(m.span("age"))
                years = float(m.group("age"))
                found = self.mention("measure", f"age of {person}", m.group("age"), years, "", "years")
                yield replace(found, written=_first_name(m.group("name")))
        for m in _YEAR_OLD.finditer(self.text, s, e):
            age = parse_number(m.group("age"))
            if age is None:
                continue
            who, given = _age_owner(m.group("rest"))
            taken.append(m.span("age"))
            if who:
                yield replace(self.mention("measure", f"age of {who}", _fmt(age), age, "", "years"), written=given)
        for m in _AGED.finditer(self.text, s, e):
            taken.append(m.span("age"))

    def _places(self, taken: list[tuple[int, int]]) -> Iterable[FactMention]:
        for m in _DIRECTION.finditer(self.text, self.sentence.start, self.sentence.end):
            dist = parse_number(m.group("dist"))
            if dist is None:
                continue
            unit = m.group("unit").lower()
            factor = _UNIT_TABLE.get(unit, ("length", 1.0))[1]
            direction = m.group("dir").lower().replace("-", "").removesuffix("ern")
            place = re.sub(r"^the\s+", "", m.group("place"), flags=re.I)
            qual = _qualifier_before(self.text, m.start(), self.sentence.start)
            taken.append(m.span("dist"))
            located = self._located(m.start("dist"))
            yield self.mention(
                "place",
                f"distance of {located} from {place}" if located else f"distance from {place}",
                f"{_fmt(dist)} {unit} {direction}",
                dist * factor,
                qual,
                unit,
                spread=0.1,
            )

    def _located(self, pos: int) -> str | None:
        """What a distance locates: "the office building is 15 miles north of Detroit" -> building,
        "a motorist 50 miles north of Detroit" -> motorist; None for a verb ("struck 55 km west")."""
        node = self.token_at(pos)
        for _ in range(5):
            if node is None or node.head is node:
                return None
            node = node.head
            word = node.text.lower()
            if word in _UNIT_TABLE or node.pos_ in {"NUM", "ADP", "ADV", "ADJ"} or word.startswith(_DIRECTIONS):
                continue
            if node.pos_ == "NOUN":
                return _singular(node)
            if node.pos_ in _VERB_TAGS:
                subject = [c for c in node.children if c.dep_ in {"nsubj", "nsubjpass"} and c.pos_ == "NOUN"]
                return _singular(subject[0]) if subject and word in _VAGUE_VERBS | {"located", "lies", "sits"} else None
            return None
        return None

    def _times(self, taken: list[tuple[int, int]]) -> Iterable[FactMention]:
        for m in _CLOCK.finditer(self.text, self.sentence.start, self.sentence.end):
            if m.group("word"):
                minutes = 0.0 if m.group("word").lower() == "midnight" else 720.0
                if m.group("word").lower() == "midnight":
                    minutes = 1440.0
            else:
                hour = int(m.group("h")) % 12 + (12 if m.group("ampm").lower().startswith("p") else 0)
                minutes = hour * 60.0 + int(m.group("m") or 0)
            verb = self._verb_of(m.start("time"), m.end("time"))
            if verb is None:
                continue
            qual = (m.group("qual") or "").lower()
            qual = "" if qual == "at" else qual
            taken.append(m.span("time"))
            value = f"{int(minutes // 60) % 24:02d}:{int(minutes % 60):02d}"
            yield self.mention("time", f"time {verb}", value, minutes, qual, "", spread=15.0)

    def _scores(self, taken: list[tuple[int, int]]) -> Iterable[FactMention]:
        sentence = self.evidence.text
        if not _SCORE_CUE.search(sentence):
            return
        for m in _SCORE.finditer(self.text, self.sentence.start, self.sentence.end):
            a, b = int(m.group("a")), int(m.group("b"))
            taken.append(m.span())
            yield self.mention("measure", "score", f"{a}-{b}", a * 1000.0 + b, "", "")

    # -------------------------------------------------------------- counts and measures

    def _quantity(self, c: _Candidate) -> FactMention | None:
        tok = self.token_at(c.end - 1)
        if tok is None:
            return None
        before = self.text[max(self.sentence.start, c.start - 12) : c.start]
        after = self.text[c.end : min(self.sentence.end, c.end + 25)]
        if re.search(r"magnitude[\s-]*(?:of\s+)?$", before, re.I) or re.match(
            r"[\s-]*(?:magnitude|on the richter scale)", after, re.I
        ):
            return self.mention("measure", "magnitude", _fmt(c.number), c.number, c.qualifier, "", spread=0.0)
        unit_token = None
        if c.dimension and not c.dimension.startswith("money"):
            unit_token = self.token_at(c.end + 1) or tok
        if c.dimension:
            slot = self._measure_slot(c, unit_token or tok)
            if slot is None:
                return None
            value = (
                f"{_fmt(c.number)}{'' if c.unit == '%' else ' '}{c.unit}".strip()
                if not c.dimension.startswith("money")
                else f"{c.unit}{_fmt(c.number)}"
            )
            return self.mention("measure", slot, value, c.number * c.factor, c.qualifier, c.unit, spread=0.0)
        slot = self._count_slot(tok)
        if slot is None:
            return None
        return self.mention("count", slot, _fmt(c.number), c.number, c.qualifier, "")

    def _measure_slot(self, c: _Candidate, tok: Token) -> str | None:
        window = self.text[max(self.sentence.start, c.start - 40) : min(self.sentence.end, c.end + 40)].lower()
        if c.dimension == "length" and re.search(r"\bdeep\b|\bdepth\b|below the (?:surface|sea)", window):
            return "depth"
        if c.dimension == "percentage":
            # "18% of Ukraine", "40 percent of the vote": the share is of what follows
            of = _SHARE_OF.match(self.text, c.end, self.sentence.end)
            if of:
                return f"share of {of.group('whole').lower()}"
        if c.dimension in {"temperature", "percentage"}:
            anchor = self._anchor_word(tok)
            return f"{c.dimension} ({anchor})" if anchor else None
        anchor = self._anchor_word(tok)
        if anchor is None or anchor in _VAGUE_ANCHORS:
            return None
        if c.dimension.startswith("money"):
            # what a sum is of depends on who pays, raises or values: "the building was valued at"
            # and "Mat Maid was valued at" are two slots
            owner = self._subject_of(tok)
            return f"money ({anchor}: {owner})" if owner else None
        return f"{c.dimension} ({anchor})"

    def _subject_of(self, tok: Token) -> str | None:
        """The noun subject of the clause a token is in ("the building ... was valued at $380,600")."""
        node = tok
        for _ in range(6):
            if node.pos_ in _VERB_TAGS:
                subject = [c for c in node.children if c.dep_ in {"nsubj", "nsubjpass"}]
                if subject and subject[0].pos_ in {"NOUN", "PROPN"}:
                    return _singular(subject[0])
            if node.head is node:
                return None
            node = node.head
        return None

    def _anchor_word(self, tok: Token) -> str | None:
        """The noun or verb a measure belongs to: up the parse from the unit, past prepositions and
        units ("a 30-mile pursuit" -> pursuit, "chased him for 30 miles" -> chased)."""
        node = tok
        for _ in range(4):
            head = node.head
            if head is node:
                break
            node = head
            word = node.text.lower()
            if word in _UNIT_TABLE or node.pos_ in {"ADP", "NUM", "DET", "PUNCT", "CCONJ"}:
                continue
            if node.pos_ in {"NOUN", "PROPN"}:
                return _singular(node)
            if node.pos_ in _VERB_TAGS and word not in {"is", "was", "be", "are", "were", "been", "has", "had", "have"}:
                return _verb_key(node)
        return None

    def _count_slot(self, tok: Token) -> str | None:
        """The slot a bare number counts: "people killed", "ladder trucks", None when unclear."""
        nxt = tok.nbor(1) if tok.i + 1 < len(self.doc) else None
        if nxt is not None and nxt.text.lower() in _PREDICATES and nxt.pos_ in {"ADJ", "VERB", "NOUN"}:
            return f"people {_PREDICATES[nxt.text.lower()]}"  # "24 dead", "2 hurt", "1 dead"
        if tok.dep_ == "pobj" and tok.head.text.lower() == "of":
            return _of_owner_slot(tok)
        if tok.text.lower() == "one" and tok.dep_ in {"nsubj", "nsubjpass"}:
            return None  # "when one is killed, all of us lose": a pronoun
        if _HEDGE.search(self.evidence.text):
            return None  # "there might have been two people killed": not a count anyone gives
        noun = None
        if tok.dep_ in {"nummod", "quantmod", "amod", "compound"} and tok.head.pos_ in {"NOUN", "PROPN"}:
            noun = tok.head
        if noun is not None and noun.text.lower() in _OF_NOUNS:
            objects = [o for p in noun.children if p.text.lower() == "of" for o in p.children if o.dep_ == "pobj"]
            noun = objects[0] if objects else noun
        if noun is not None and noun.dep_ == "pobj" and noun.head.text.lower() == "of" and noun.head.head.pos_ == "NUM":
            return None  # "two of the three victims died": the three are not the dead
        word = noun.text.lower() if noun is not None else ""
        if word in _UNIT_TABLE or word in _NOT_COUNTED:
            return None
        if word in _PREDICATES:  # "24 deaths", "two injuries"
            return f"people {_PREDICATES[word]}"
        if noun is None or word in _PEOPLE:
            pred = self._predicate(noun if noun is not None else tok)
            return f"people {pred}" if pred else None
        if noun.pos_ == "PROPN" or not noun.text.isalpha() or len(word) < 3 or _hyphenated(noun):
            return None
        if word in _EXACT_NOUNS:  # "the 12000 block of East 223rd Street": which block of which street
            of = [o for p in noun.children if p.text.lower() == "of" for o in p.children if o.dep_ == "pobj"]
            return f"{word} of {' '.join(t.text.lower() for t in list(of[0].subtree)[-2:])}" if of else None
        pred = self._predicate(noun)
        return f"{_noun_phrase(noun)} {pred}" if pred else _noun_phrase(noun)

    def _predicate(self, node: Token) -> str | None:
        """What happened to the counted people: a clause on them ("people killed", "who died"), the
        verb they are the subject or object of ("killing one", "two were wounded", "injured two
        others"), or the subject of "rose to 24" ("the death toll rose to 24")."""
        for child in node.children:
            if child.dep_ in {"acl", "relcl", "amod"} and child.text.lower() in _PREDICATES:
                return _PREDICATES[child.text.lower()]
            if child.dep_ == "relcl":
                hit = next((t.text.lower() for t in child.subtree if t.text.lower() in _PREDICATES), None)
                if hit:
                    return _PREDICATES[hit]
        if node.dep_ in {"nsubj", "nsubjpass", "dobj", "attr"}:
            word = node.head.text.lower()
            if word in _PREDICATES:
                return _PREDICATES[word]
            if node.dep_ == "dobj" and node.head.text.lower() in {"leaves", "left", "leave", "leaving"}:
                return next((_PREDICATES[c.text.lower()] for c in node.children if c.text.lower() in _PREDICATES), None)
        if node.dep_ == "pobj" and node.head.text.lower() in {"to", "at"}:
            verb = node.head.head
            if verb.text.lower() in {"rose", "risen", "climbed", "reached", "stood", "stands", "jumped", "increased"}:
                for child in verb.children:
                    if child.dep_ in {"nsubj", "nsubjpass"}:
                        hit = next((t.text.lower() for t in child.subtree if t.text.lower() in _PREDICATES), None)
                        if hit:
                            return _PREDICATES[hit]
        return None

    def _verb_of(self, start: int, end: int | None = None) -> str | None:
        """What a date or time dates: the verb it hangs from ("was convicted March 20" -> convict), or
        the noun it modifies ("the June 20, 2005 attempted murder" -> murder)."""
        inside = range(start - self.sentence.start, (end or start + 1) - self.sentence.start)
        node = self.token_at(start)
        first_outside = True
        for _ in range(8):
            if node is None or node.head is node:
                break
            node = node.head
            if node.idx in inside:
                continue
            if first_outside and node.pos_ == "NOUN":
                mods = [c.text.lower() for c in node.lefts if c.dep_ in {"amod", "compound"} and c.idx not in inside]
                return " ".join([*mods, _singular(node)])
            first_outside = False
            if node.pos_ in _VERB_TAGS and node.text.lower() not in _VAGUE_VERBS:
                return _verb_key(node)
        return None

    def _date(self, d: DateMention) -> FactMention | None:
        if d.precision == "year" and not re.search(r"\d", d.expression):
            return None
        verb = self._verb_of(d.start, d.end)
        if verb is None:
            return None
        return FactMention(
            self.article.external_id,
            "date",
            f"date {verb}",
            d.iso,
            float(d.date.toordinal()),
            float(d.date.toordinal()),
            float(_period_end(d).toordinal()),
            "",
            "",
            self.evidence,
            self.article.published,
            d.expression,
        )


_ANCHOR_SYNONYMS = {"pursuit": "chase", "chas": "chase", "chased": "chase"}


def _synonym(m: FactMention) -> FactMention:
    """The slot with its anchor word normalised ("length (pursuit)" = "length (chase)")."""
    found = re.fullmatch(r"(\w+) \((\w+)\)", m.slot)
    if found and found.group(2) in _ANCHOR_SYNONYMS:
        return replace(m, slot=f"{found.group(1)} ({_ANCHOR_SYNONYMS[found.group(2)]})")
    return m


def _background(dates: Sequence[DateMention], day: dt.date | None) -> bool:
    """Does the sentence tell of an earlier time than the article's (a month or more before)?"""
    if day is None:
        return False
    for d in dates:
        if d.precision == "day" and (day - d.date).days > 14:
            return True
        if d.precision == "month" and (d.date.year, d.date.month) < (day.year, day.month):
            return True
        if d.precision == "year" and d.date.year < day.year:
            return True
    return False


def _of_owner_slot(tok: Token) -> str | None:
    """ "a death toll of 24" -> people killed; "two of the three" and "a crowd of 5,000" -> None (the
    first is a part of a whole, the second names no predicate)."""
    owner = tok.head.head
    if owner.pos_ != "NOUN":
        return None
    words = [owner.text.lower(), *(c.text.lower() for c in owner.lefts)]
    hit = next((w for w in words if w in _PREDICATES), None)
    return f"people {_PREDICATES[hit]}" if hit else None


def _period_end(d: DateMention) -> dt.date:
    if d.precision == "day":
        return d.date
    if d.precision == "month":
        nxt = dt.date(d.date.year + (d.date.month == 12), d.date.month % 12 + 1, 1)
        return nxt - dt.timedelta(days=1)
    return dt.date(d.date.year, 12, 31)


def _qualifier_before(text: str, start: int, limit: int) -> str:
    m = re.search(rf"\b({_QUAL})\s+$", text[max(limit, start - 20) : start], re.I)
    return m.group(1).lower() if m else ""


def _range(number: float, qualifier: str, spread: float) -> tuple[float, float]:
    """The values a statement allows: "at least 5" -> [5, inf), "about 20" -> [18, 22], "7" -> [7, 7]."""
    kind = _QUALIFIERS.get(qualifier, "")
    width = max(spread, abs(number) * 0.1) if kind == "about" else spread
    if kind in {"min", "after"}:
        return number, math.inf
    if kind in {"max", "before"}:
        return -math.inf if number < 0 else 0.0, number
    if kind == "near":
        return number - max(spread, abs(number) * 0.2), number
    return number - width, number + width


def _verb_key(tok: Token) -> str:
    word = tok.text.lower()
    if word in _PREDICATES:
        return _PREDICATES[word]
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    return word


def _singular(tok: Token) -> str:
    word = tok.text.lower()
    if tok.tag_ in {"NNS", "NNPS"} and word.endswith("s") and not word.endswith("ss"):
        word = word[:-3] + "y" if word.endswith("ies") else word[:-1]
    return word


def _hyphenated(tok: Token) -> bool:
    doc = tok.doc
    return (tok.i > 0 and doc[tok.i - 1].text == "-") or (tok.i + 1 < len(doc) and doc[tok.i + 1].text == "-")


def _noun_phrase(noun: Token) -> str:
    """The counted noun with its compounds ("ladder trucks"), in the plural as written."""
    parts = [c.text.lower() for c in noun.lefts if c.dep_ == "compound" and c.text.isalpha()]
    word = noun.text.lower()
    if noun.tag_ == "NN" and not word.endswith("s"):
        word += "s"
    return " ".join([*parts, word])


def _surname(name: str) -> str | None:
    words = [w for w in name.split() if w.lower().strip(",") not in _NAME_SUFFIX]
    if not words or (words[0].lower() in {"the", "a", "an"} and len(words) == 1):
        return None
    last = words[-1].strip(".,'’")
    if not last[:1].isupper() or last.lower() in {"monday", "tuesday", "wednesday", "thursday", "friday"}:
        return None
    if len(words) == 1 and words[0] in {"He", "She", "It", "They", "The", "In", "On", "At"}:
        return None
    return last


_TITLE_WORDS = frozenset(
    """deputy sheriff officer mr mrs ms dr sgt lt capt chief president judge detective gov sen rep gen
    col prof rev st mayor police fire sergeant lieutenant captain""".split()
)


def _first_name(name: str) -> str:
    """The given name in "Deputy Jerry Ortiz" (Jerry), "" when there is none."""
    words = [w.strip(".,'’\"") for w in name.split()]
    words = [w for w in words if w and w.lower() not in _TITLE_WORDS and w.lower() not in _NAME_SUFFIX]
    return words[0] if len(words) >= 2 else ""


def _age_owner(rest: str) -> tuple[str | None, str]:
    """Whose age "N-year-old ..." gives, and their given name: the named person after it ("38-year-old
    Anthony LaCalamita" -> LaCalamita, Anthony), else the noun ("a 63-year-old woman" -> woman, "the
    39-year-old Troy man" -> man)."""
    names: list[str] = []
    for w in rest.split():
        clean = w.strip(",.;:'’\"")
        if clean[:1].isupper() and clean.lower() not in _NAME_SUFFIX:
            names.append(clean)
            continue
        if clean.lower() in _PERSON_NOUNS:
            return clean.lower(), ""
        break
    if names:
        return names[-1], names[0] if len(names) > 1 else ""
    first = rest.split(maxsplit=1)[0].strip(",.;:") if rest.split() else ""
    return (first.lower(), "") if first.isalpha() and first.lower() not in {"the", "a", "an", "and"} else (None, "")


def _fmt(number: float) -> str:
    return str(int(number)) if number == int(number) else f"{number:g}"


# ------------------------------------------------------------------------------------ slots


def align_facts(mentions: Sequence[FactMention], *, single_article: bool = False) -> list[Fact]:
    """Facts of a story from its articles' mentions: one per slot, with its values and status."""
    by_slot: dict[tuple[FactKind, str], list[FactMention]] = defaultdict(list)
    for m in mentions:
        by_slot[(m.kind, m.slot)].append(m)
    facts: list[Fact] = []
    for (kind, slot), found in by_slot.items():
        articles = {m.article for m in found}
        if len(articles) < 2 and not (single_article and slot in _CORE):
            continue
        groups = _value_groups(found)
        if slot == "date of the event":
            # later articles lead with later happenings (an arraignment, a verdict): the event's
            # date is the one most leads give
            groups = sorted(groups, key=lambda g: -len({m.article for m in g}))[:1]
            if len({m.article for m in groups[0]}) < 2:
                continue
        if len(groups) > 1 and (
            (slot.startswith("age of ") and _different_people(groups))
            or (kind == "place" and not slot.startswith("distance of "))
        ):
            # people of one surname with different given names; distances from one place of things
            # the parse could not name: not one slot, so each value stands alone
            facts.extend(Fact(slot, kind, "agreed", _values([g])) for g in groups if len({m.article for m in g}) >= 2)
            continue
        split = any(sum(1 for g in groups if any(m.article == a for m in g)) > 1 for a in articles)
        if split and kind != "count":
            continue  # one article gives two values: two things under one name (two people's ages)
        # an article that itself gives two counts of one slot tells a change ("originally reported two")
        status: FactStatus = "developing" if split else _status(groups, kind)
        if status == "disputed" and _far_apart(groups, kind):
            # a month or more between two dates, ten times between two figures: other events
            # under one verb (an earlier quake "hit" in February), not one fact told two ways
            facts.extend(Fact(slot, kind, "agreed", _values([g])) for g in groups if len({m.article for m in g}) >= 2)
            continue
        facts.append(Fact(slot, kind, status, _values(groups)))
    facts.sort(key=lambda f: (-len(f.articles), f.slot))
    return facts


def _far_apart(groups: Sequence[Sequence[FactMention]], kind: str) -> bool:
    """Are two of the values so far apart that they are about different things?"""
    firsts = [g[0] for g in groups]
    if kind == "date":
        # years one or two apart ("2009" and "2010" for one vote) are a real dispute; days and
        # months more than a month apart, or years further apart, are other events
        limit = 2 * 366 if any(len(m.value) == 4 for m in firsts) else 31
        days = sorted(m.number for m in firsts)
        return any(b - a > limit for a, b in itertools.pairwise(days))
    if kind in {"count", "measure"}:
        numbers = [abs(m.number) for m in firsts if m.number]
        return len(numbers) > 1 and max(numbers) > 10 * min(numbers)
    return False


def _different_people(groups: Sequence[Sequence[FactMention]]) -> bool:
    """Do the values of an age slot belong to people of one surname with different given names?"""
    names = [{m.written for m in g if m.written} for g in groups]
    return all(names) and all(not (a & b) for i, a in enumerate(names) for b in names[i + 1 :])


def _compatible(a: FactMention, b: FactMention) -> bool:
    if a.kind == "place" and a.value.split()[-1] != b.value.split()[-1]:
        return False  # another direction
    if a.kind == "date":
        return _same_date(a, b)
    if a.kind == "time" or a.slot.split()[0] in _EXACT_NOUNS or a.slot == "score":
        return a.low <= b.high and b.low <= a.high
    tolerance = 0.0
    if a.unit != b.unit:
        tolerance = 0.05 * max(abs(a.number), abs(b.number))
    for m in (a, b):
        if m.number != int(m.number) or "." in m.value.split()[0]:
            tolerance = max(tolerance, 0.0)
        elif m.kind == "measure" and m.qualifier == "" and abs(m.number) >= 1:
            tolerance = max(tolerance, 0.5 * _unit_of_rounding(m))
    return a.low - tolerance <= b.high and b.low - tolerance <= a.high


def _same_date(a: FactMention, b: FactMention) -> bool:
    """Dates agree when their periods meet; a day whose year the writer left out ("June 24") agrees
    with the same day of another year (the year was inferred), and a relative day ("Monday",
    "today") with the day before or after (articles updated overnight keep their words)."""
    if a.low <= b.high and b.low <= a.high:
        return True
    da, db = dt.date.fromordinal(int(a.number)), dt.date.fromordinal(int(b.number))
    day_precise = len(a.value) == 10 and len(b.value) == 10
    years = [bool(re.search(r"\b\d{4}\b", m.written)) for m in (a, b)]
    if day_precise and not all(years) and (da.month, da.day) == (db.month, db.day):
        return True
    relative = not re.search(r"\d", a.written) or not re.search(r"\d", b.written)
    return day_precise and relative and abs((da - db).days) <= 1


def _unit_of_rounding(m: FactMention) -> float:
    """How much a round figure may have been rounded, in the slot's base unit (9 acres: 1 acre)."""
    digits = m.value.split()[0].lstrip("$€£")
    try:
        written = float(digits.replace(",", ""))
    except ValueError:
        return 0.0
    if written == 0 or written != int(written):
        return 0.0
    factor = m.number / written if written else 1.0
    step = 1.0
    n = int(abs(written))
    while n and n % 10 == 0 and step < 1e9:
        n //= 10
        step *= 10
    return step * abs(factor) if step >= 100 or written < 100 else abs(factor)


def _value_groups(found: Sequence[FactMention]) -> list[list[FactMention]]:
    """Mentions grouped into values: a mention joins the first value it agrees with entirely."""
    groups: list[list[FactMention]] = []
    ordered = sorted(found, key=lambda m: (m.published or dt.date.max, m.qualifier != "", m.article, m.evidence.start))
    for m in ordered:
        for g in groups:
            if all(_compatible(m, o) for o in g):
                g.append(m)
                break
        else:
            groups.append([m])
    return groups


def _status(groups: Sequence[Sequence[FactMention]], kind: str) -> FactStatus:
    if len(groups) == 1:
        return "agreed"
    spans = []
    for g in groups:
        known = [m.published for m in g if m.published is not None]
        if not known:
            return "disputed"
        spans.append((min(known), max(known), g[0].number))
    spans.sort()
    later = all(spans[i][1] < spans[i + 1][0] for i in range(len(spans) - 1))
    numbers = [s[2] for s in spans]
    monotone = numbers == sorted(numbers) or numbers == sorted(numbers, reverse=True)
    if kind in {"count", "measure"} and later and monotone:
        return "developing"
    return "disputed"


def _values(groups: Sequence[Sequence[FactMention]]) -> tuple[FactValue, ...]:
    """The values of a slot as written: one per value and qualifier ("120 mph" and "more than 100
    mph" are two values of one agreeing group), a group's most stated first."""
    out: list[FactValue] = []
    for i, group in enumerate(groups):
        written: dict[tuple[str, str], list[FactMention]] = defaultdict(list)
        for m in group:
            written[(m.value, m.qualifier)].append(m)
        ordered = sorted(written.values(), key=lambda ms: -len({m.article for m in ms}))
        out.extend(replace(_value(ms), group=i) for ms in ordered)
    return tuple(out)


def _value(group: Sequence[FactMention]) -> FactValue:
    best = group[0]
    days = [m.published for m in group if m.published]
    evidence = list({(m.article, m.evidence.start): m.evidence for m in group}.values())
    return FactValue(
        best.value,
        best.qualifier,
        best.unit,
        tuple(dict.fromkeys(m.article for m in group)),
        min(days) if days else None,
        tuple(evidence),
    )
