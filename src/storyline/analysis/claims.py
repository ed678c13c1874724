"""Claims: the checkable statements of a story's articles, aligned across outlets.

**Units.** Each sentence of an article is a claim, cut into clauses where it carries several facts
(after a leading subordinate clause, at a semicolon, at ", while" / ", but" / ", and" / ", which",
and before a condition "if …", between two clauses of five words or more, never inside quotation
marks).
Headlines repeated as the first line, questions, and sentences that are mostly a quotation are left
to the quotes stage. Each unit keeps:

- its **attribution**: the upstream report it is credited to ("according to Bloomberg", "the
  publication cited two people close to the Kremlin" in an article that cites Bloomberg) — an
  unnamed-source cue ("reportedly", "sources close to", "the report said") in an article that cites
  exactly one upstream report is credited to that report;
- its **hedge** ("may", "reportedly", "could", "would be willing to") and whether it is negated;
- its figures (numbers with the word after them, the unit).

**Groups.** Units of different articles that state the same fact are one claim group: MiniLM
cosine at least `link` (or at least `link_with_names` when they share a name or a figure), greedy,
best pair first, never two units of one article in a group, and a unit joins a group only if it is
close enough to the group's first unit too (`member`), so chains do not drift. Then a context
pass: outlets retell a report in its order, so two units that each follow an occurrence of one
group are linked at a lower cosine (`context`, with some shared words).

**Support.** A group's independent support counts sources, not articles: copies and siblings of
one upstream (`storyline.analysis.copies`) and articles of one outlet are one source. Status: `consensus`
when more than half of the story's independent sources carry it (and at least two), `partial`
when two or more do, `single` otherwise.

**Echo.** When every occurrence credits the claim to the same upstream report, the claim is widely
repeated but single-sourced: `echo` is true and `attributed_to` names the report. Outlets that
report it on their own (an on-record spokesperson, their own reporters) count as independent.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from ..errors import OptionsError
from ..model import Article, Evidence, Upstream
from ..model.serial import Record
from ..stories.embed import EmbedFunction
from ..text.marks import find_quotations
from ..text.sentences import split_sentences
from .upstream import KNOWN_OUTLETS, find_upstream

__all__ = ["ClaimGroup", "ClaimOccurrence", "ClaimOptions", "ClaimUnit", "article_units", "group_claims"]

ClaimStatus = Literal["consensus", "partial", "single"]

_HEDGES = re.compile(
    r"\b(reportedly|allegedly|may|might|could|possibly|perhaps|likely|apparently|appears? to|seems? to|"
    r"would be willing|is said to|are said to|purportedly|supposed(?:ly)?|potentially)\b",
    re.IGNORECASE,
)
_NEGATION = re.compile(r"\b(not|no|never|n't|neither|nor|none|without)\b|n’t\b", re.IGNORECASE)
_UNNAMED = re.compile(
    r"\b(reportedly|sources?|people (?:close to|familiar with)|insiders?|the (?:report|publication|"
    r"outlet|newspaper|agency)|according to (?:the|a) report|citing|they said|was said to|were said to)\b",
    re.IGNORECASE,
)
_CLAUSE_CUT = re.compile(r";\s+|,\s+(?=(?:while|but|whereas|and|which)\s)|,?\s+(?=if\s)")
_NUMBER = re.compile(r"(?<![\w.])(\$|€|£)?(\d[\d,]*(?:\.\d+)?)\s*(%|percent|per cent)?\s*([a-z]+)?", re.IGNORECASE)
_WORD = re.compile(r"[A-Za-z][\w’'-]+")
_STOP = frozenset(
    """the a an and or of to in on for with by at from as that this these those is are was were be been has have
    had will would may might could can its it his her their they he she we you i not no but if than then also
    which who whom what when where while about into over after before said says say""".split()
)


@dataclass(frozen=True, slots=True, kw_only=True)
class ClaimOptions:
    """How claims are aligned.

    Attributes:
        link: least cosine for two units to state the same fact.
        link_with_names: least cosine when they share a name or a figure.
        sure: cosine above which no shared words are needed.
        overlap: below `sure`, least share of content words (of the shorter unit) they must share
            (0: none needed; 0.4 raised precision on the labelled pairs from 0.67 to 0.79 but lost
            cross-outlet restatements of the seeds).
        overlap_with_names: the same for pairs linked only through a shared name or figure (these
            were right 36% of the time without it; see docs/claims-eval.md).
        member: least cosine between a unit and its group's first unit.
        context: least cosine for two units that each follow an occurrence of one claim group
            (with a share `context_overlap` of content words).
        min_words: units shorter than this are not claims.
    """

    link: float = 0.66
    link_with_names: float = 0.56
    sure: float = 0.8
    overlap: float = 0.0
    overlap_with_names: float = 0.5
    member: float = 0.5
    context: float = 0.5
    context_overlap: float = 0.2
    min_words: int = 6

    def __post_init__(self) -> None:
        for name in ("link", "link_with_names", "sure", "member", "context"):
            if not 0.0 < getattr(self, name) <= 1.0:
                raise OptionsError(f"{name} must be in (0, 1] (got {getattr(self, name)})")
        if self.min_words < 1:
            raise OptionsError("min_words must be at least 1")


@dataclass(frozen=True, slots=True)
class ClaimUnit:
    """One checkable statement of one article (a sentence or a clause of it)."""

    evidence: Evidence
    outlet: str | None
    attribution: str | None  # the upstream report it is credited to
    hedge: str | None
    negated: bool
    figures: tuple[tuple[float, str], ...]  # (value, unit)
    names: frozenset[str] = field(default_factory=frozenset)
    cites: frozenset[str] = field(default_factory=frozenset)  # upstream reports the article cites
    on_record: bool = False  # a named speaker states it ("US officials told Bloomberg …")


@dataclass(frozen=True, slots=True)
class ClaimOccurrence:
    """A claim as one article states it."""

    unit: ClaimUnit
    similarity: float  # cosine to the group's first unit

    def to_json(self) -> dict[str, Any]:
        """The record as a JSON-ready dict."""
        return {**self.unit.evidence.to_json(), "attribution": self.unit.attribution, "hedge": self.unit.hedge}


@dataclass(frozen=True, slots=True)
class ClaimGroup(Record):
    """One fact as the story's outlets state it."""

    id: int
    text: str
    status: ClaimStatus
    independent_support: int
    outlets: tuple[str, ...]
    articles: tuple[str, ...]
    attributed_to: str | None
    echo: bool
    hedged: bool
    occurrences: tuple[ClaimOccurrence, ...]


def article_units(
    article: Article, options: ClaimOptions | None = None, *, upstream: Sequence[Upstream] | None = None
) -> list[ClaimUnit]:
    """The claims one article makes, with their attribution, hedging and figures (`upstream`: the
    article's :func:`~storyline.analysis.upstream.find_upstream`, when the caller has it already)."""
    options = options or ClaimOptions()
    text = article.text
    cited: dict[int, list[str]] = defaultdict(list)
    for up in find_upstream(article) if upstream is None else upstream:
        cited[up.sentence].append(up.name)
    counts = Counter(n for names in cited.values() for n in names)
    main_upstream = counts.most_common(1)[0][0] if counts else None
    quoted = [f for q in find_quotations(text) for f in q.fragments]
    title = (article.title or "").strip().casefold()
    units: list[ClaimUnit] = []
    for sentence in split_sentences(text):
        body = text[sentence.start : sentence.end]
        if body.strip().casefold() == title or body.rstrip().endswith("?"):
            continue
        if _quoted_share(quoted, sentence.start, sentence.end) > 0.5:
            continue  # a quote: the quotes stage has it
        on_record = _on_record(body)
        attribution = None if on_record else _attribution(body, cited.get(sentence.index, []), main_upstream)
        for start, end in _clauses(text, sentence.start, sentence.end):
            clause = text[start:end]
            if len(_WORD.findall(clause)) < options.min_words:
                continue
            hedge = _HEDGES.search(clause)
            units.append(
                ClaimUnit(
                    evidence=Evidence(article.external_id, sentence.index, start, end, clause),
                    outlet=article.outlet,
                    attribution=attribution,
                    on_record=on_record,
                    cites=frozenset(counts),
                    hedge=hedge.group(0).lower() if hedge else None,
                    negated=bool(_NEGATION.search(clause)),
                    figures=tuple(_figures(clause)),
                    names=frozenset(_NAME.findall(clause)),
                )
            )
    return units


_SPEAKER_FIRST = re.compile(
    r"^(?P<who>(?:[A-Z][\w.’'-]*\s+|(?:the|a|an|of|and)\s+){0,7}?(?:officials?|spokes(?:man|woman|person)|[A-Z][\w’'-]+))"
    r"\s+(?:told|said|says|stated|claim(?:s|ed)?|noted|added|confirmed|denied|was asked|were asked)\b"
)
_NAME = re.compile(r"(?<=\s)[A-Z][a-z]{2,}\b")


def _attribution(sentence: str, cited: Sequence[str], main_upstream: str | None) -> str | None:
    """Who the claim is credited to when it is an upstream report's: the report cited in the sentence,
    or the article's main upstream report for an unnamed-source cue. (A sentence on the record, "US
    officials told Bloomberg …", is not asked: it is credited to no upstream report.)"""
    if cited:
        return cited[0]
    if main_upstream and _UNNAMED.search(sentence):
        return main_upstream
    return None


_SPEAKER_LAST = re.compile(
    r"(?P<who>(?:\b[A-Z][\w.’'-]*\s+){1,6})(?:said|says|told|stated|added|confirmed)\b[^.!?]{0,60}[.!?]?\s*$"
)


def _on_record(sentence: str) -> bool:
    """A named speaker (not an outlet) states it: "US officials told Bloomberg …", "…,” Watson said."."""
    for m in (_SPEAKER_FIRST.match(sentence.strip()), _SPEAKER_LAST.search(sentence.strip())):
        # The speaker must not be an outlet ("Bloomberg said" is the report, not a source on the record).
        if m is not None and not any(name in m.group("who") for name in KNOWN_OUTLETS if len(name) > 3):
            return True
    return False


def _quoted_share(quoted: Sequence[tuple[int, int]], start: int, end: int) -> float:
    inside = sum(max(0, min(end, b) - max(start, a)) for a, b in quoted)
    return inside / max(1, end - start)


_LEADING = re.compile(
    r"(?:As|While|Although|Though|Even if|Even though|When|After|Before|Since|If|Days after|Weeks after)\b[^,]{8,}?,\s+"
)


def _clauses(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Cut a sentence at clause boundaries where both sides are long enough to stand alone: after a
    leading subordinate clause ("As the war heads into its third year, …"), at a semicolon, at
    ", while" / ", but" / ", and" / ", which" between two clauses, and before a condition ("… if Kyiv
    accepted Kremlin control …"); never inside quotation marks."""
    cuts = [start]
    lead = _LEADING.match(text, start, end)
    if lead and len(text[lead.end() : end].split()) >= 5:
        cuts.append(lead.end())
    for m in _CLAUSE_CUT.finditer(text, start, end):
        left = text[cuts[-1] : m.start()]
        right = text[m.end() : end]
        if len(left.split()) >= 5 and len(right.split()) >= 5 and not _inside_quote(text, start, m.start()):
            cuts.append(m.end())
    spans = [(a, b) for a, b in zip(cuts, [*cuts[1:], end], strict=True)]
    out = []
    for a, b in spans:
        piece = text[a:b].rstrip(" ,;")
        out.append((a, a + len(piece)))
    return out


def _inside_quote(text: str, start: int, at: int) -> bool:
    """Whether position `at` of a sentence starting at `start` is inside quotation marks."""
    before = text[start:at]
    curly = before.count("“") - before.count("”") + before.count("«") - before.count("»")
    return curly > 0 or before.count('"') % 2 == 1


def _figures(clause: str) -> list[tuple[float, str]]:
    out = []
    for m in _NUMBER.finditer(clause):
        currency, number, percent, word = m.groups()
        try:
            value = float(number.replace(",", ""))
        except ValueError:
            continue
        if 1900 <= value <= 2100 and not (currency or percent):
            continue  # a year, for the timeline
        unit = "%" if percent else (currency or "") + (word or "").lower()
        out.append((value, unit))
    return out


def group_claims(
    units: Sequence[ClaimUnit],
    vectors: npt.NDArray[np.float32],
    sources: dict[str, str],
    options: ClaimOptions | None = None,
) -> list[ClaimGroup]:
    """Claim groups of a story's units (`vectors`: their unit vectors, in order; `sources`: each
    article's independent source, see :func:`storyline.analysis.copies.source_groups`)."""
    options = options or ClaimOptions()
    n = len(units)
    if n == 0:
        return []
    sims = vectors @ vectors.T
    group_of = list(range(n))
    members: dict[int, list[int]] = {i: [i] for i in range(n)}
    articles_of: dict[int, set[str]] = {i: {units[i].evidence.article} for i in range(n)}

    def merge(i: int, j: int) -> None:
        gi, gj = group_of[i], group_of[j]
        if gi == gj or articles_of[gi] & articles_of[gj]:
            return
        first_i, first_j = members[gi][0], members[gj][0]
        if sims[first_i, j] < options.member or sims[first_j, i] < options.member:
            return
        keep, gone = (gi, gj) if len(members[gi]) >= len(members[gj]) else (gj, gi)
        for k in members.pop(gone):
            group_of[k] = keep
            members[keep].append(k)
        articles_of[keep] |= articles_of.pop(gone)

    for i, j in _pairs(units, sims, options):
        merge(i, j)
    for i, j in _context_pairs(units, sims, group_of, options):
        merge(i, j)
    total = len(set(sources.values())) or 1
    groups = [_group(units, sims, idx, sources, total) for idx in members.values()]
    groups.sort(key=lambda g: (-g.independent_support, -len(g.articles), g.occurrences[0].unit.evidence.start))
    return [_with_id(g, i) for i, g in enumerate(groups, start=1)]


def _pairs(units: Sequence[ClaimUnit], sims: npt.NDArray[np.float32], options: ClaimOptions) -> list[tuple[int, int]]:
    """Cross-article pairs that state one fact, best first.

    A pair needs the cosine (`link`, or `link_with_names` when the two share a name or a figure)
    and, below `sure`, shared content words too (`overlap`, `overlap_with_names`): MiniLM puts
    neighbouring facts of one event close together, and a restatement keeps most of the words.
    """
    ii, jj = np.nonzero(np.triu(sims >= options.link_with_names, k=1))
    words = [_content_words(u.evidence.text) for u in units]
    pairs: list[tuple[float, int, int]] = []
    for i, j in zip(ii.tolist(), jj.tolist(), strict=True):
        a, b = units[i], units[j]
        if a.evidence.article == b.evidence.article:
            continue
        s = float(sims[i, j])
        overlap = len(words[i] & words[j]) / max(1, min(len(words[i]), len(words[j])))
        shared = bool(a.names & b.names) or bool(set(a.figures) & set(b.figures))
        restated = s >= options.sure or (s >= options.link and overlap >= options.overlap)
        named = shared and s >= options.link_with_names and overlap >= options.overlap_with_names
        if restated or named:
            pairs.append((s, i, j))
    pairs.sort(reverse=True)
    return [(i, j) for _, i, j in pairs]


def _context_pairs(
    units: Sequence[ClaimUnit], sims: npt.NDArray[np.float32], group_of: Sequence[int], options: ClaimOptions
) -> list[tuple[int, int]]:
    """Cross-article pairs that follow two occurrences of one claim, best first.

    Outlets retell a report in its order, so the statement right after two aligned ones is often the
    same fact in other words ("But it would come at a cost …" / "This, the report added, may come
    once …"). Such a pair needs only the cosine `context` and a share `context_overlap` of content
    words, where a pair out of context needs `link`.
    """
    n = len(units)
    prev = [i - 1 if i and units[i - 1].evidence.article == units[i].evidence.article else -1 for i in range(n)]
    words = [_content_words(u.evidence.text) for u in units]
    pairs: list[tuple[float, int, int]] = []
    for i in range(n):
        if prev[i] < 0:
            continue
        for j in range(i + 1, n):
            if prev[j] < 0 or units[i].evidence.article == units[j].evidence.article:
                continue
            if group_of[prev[i]] != group_of[prev[j]] or group_of[i] == group_of[j]:
                continue
            s = float(sims[i, j])
            overlap = len(words[i] & words[j]) / max(1, min(len(words[i]), len(words[j])))
            if s >= options.context and overlap >= options.context_overlap:
                pairs.append((s, i, j))
    pairs.sort(reverse=True)
    return [(i, j) for _, i, j in pairs]


def _content_words(text: str) -> frozenset[str]:
    """Content words, cut to six letters so that inflections agree ("signalling", "signalled")."""
    return frozenset(w[:6] for w in re.findall(r"[a-z]+", text.lower()) if len(w) > 2 and w not in _STOP)


def _group(
    units: Sequence[ClaimUnit], sims: npt.NDArray[np.float32], idx: list[int], sources: dict[str, str], total: int
) -> ClaimGroup:
    idx = sorted(idx, key=lambda k: (units[k].evidence.article, units[k].evidence.start))
    # The representative: the unit closest to all others (the medoid).
    rep = max(idx, key=lambda k: float(sum(sims[k, m] for m in idx)))
    occurrences = tuple(ClaimOccurrence(units[k], float(sims[rep, k])) for k in idx)
    arts = tuple(dict.fromkeys(units[k].evidence.article for k in idx))
    support = len({sources.get(a, a) for a in arts})
    status: ClaimStatus = "single"
    if support >= 2:
        status = "consensus" if support * 2 > total else "partial"
    attributed_to = _single_upstream([units[k] for k in idx])
    outlets = tuple(Counter(o for o in (units[k].outlet for k in idx) if o).keys())
    return ClaimGroup(
        id=0,
        text=units[rep].evidence.text,
        status=status,
        independent_support=support,
        outlets=outlets,
        articles=arts,
        attributed_to=attributed_to,
        echo=attributed_to is not None and len(arts) >= 2,
        hedged=all(units[k].hedge for k in idx),
        occurrences=occurrences,
    )


def _single_upstream(units: Sequence[ClaimUnit]) -> str | None:
    """The one upstream report every occurrence rests on: each credits it, or states the claim
    without attribution in an article that cites it; None when any is on the record or credits
    another source."""
    credited = {u.attribution for u in units if u.attribution}
    if len(credited) != 1:
        return None
    (name,) = credited
    for u in units:
        if u.on_record or (u.attribution is None and name not in u.cites):
            return None
    return name


def _with_id(g: ClaimGroup, i: int) -> ClaimGroup:
    from dataclasses import replace

    return replace(g, id=i)


def embed_units(units: Sequence[ClaimUnit], embed: EmbedFunction) -> npt.NDArray[np.float32]:
    """Unit vectors of the units' texts (an empty (0, d) array for no units)."""
    if not units:
        return np.zeros((0, 384), dtype=np.float32)
    return np.asarray(embed([u.evidence.text for u in units]), dtype=np.float32)
