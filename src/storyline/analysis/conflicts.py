"""Conflicts: statements of a story that cannot all be true, or that changed meaning on the way.

Kinds, each with both sides and their evidence:

- `denial`: a party denies what others report ("That’s false information", "the Kremlin denied a
  report that …"). Sentences and quotes with a denial cue are one side; the other is the claim
  group they most likely deny: the best supported group closest in meaning to the denial, or the
  story's most widely carried claim when the denial names only "the report".
- `number` and `date`: a disputed slot of the story's facts (`storyline.analysis.facts`): incompatible
  values for the same slot (the dead, a depth, the age of one person, the date of one act) at the
  same time; each value that disagrees with the slot's most stated one is a conflict, its evidence
  the sentences that state each. A developing slot (a toll rising with the articles' publication
  times) is not a conflict, and slots are never compared with each other (a depth is not a
  distance). Without facts (a caller that has none), the older reading applies: occurrences of one
  claim group giving different figures in one unit, or different resolved dates of one precision.
- `negation`: an occurrence that states the group's fact negated, in nearly the same words.
- `distortion`: an occurrence whose polarity differs from the other outlets' while its wording
  differs too, and whose hedge is dropped or added against theirs (a change of meaning, not two
  wordings of one statement) ("would not oppose neutral status" where the others say he "may drop the
  insistence on" it).

Negation and distortion are found with cue lexicons over each occurrence (negators, negative
adjectives, hedges); when the user supplies an NLI cross-encoder (`--nli-model DIR`, see
`storyline.analysis.nli`), each candidate is scored by it and kept only when it says contradiction; its
score is reported.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import numpy.typing as npt

from ..model import Article, Evidence
from ..model.serial import Record, rounded
from ..text.sentences import split_sentences
from .claims import ClaimGroup, ClaimOccurrence
from .facts import Fact, FactValue
from .quotes import QuoteMention

__all__ = ["Conflict", "ConflictSide", "denied_texts", "find_conflicts"]

ConflictKind = Literal["denial", "negation", "number", "date", "distortion"]

_DENIAL = re.compile(
    r"\b(den(?:y|ies|ied|ying)|denial|false information|untrue|not true|fake news|baseless|groundless|"
    r"refut(?:e|es|ed|ing)|rebuff(?:s|ed)?|dismiss(?:es|ed)? (?:the|a|this|that|it|these|those) .{0,40}? as|"
    r"reject(?:s|ed)? (?:the|a) (?:report|claim|story)|completely wrong|nonsense)\b",
    re.IGNORECASE,
)
# Negators, and adjectives that carry their own ("unaware" = "not aware"), so that those two agree.
_NEGATIVE_WORDS = re.compile(
    r"\b(not|no|never|neither|nor|none|without|unaware|untrue|unable|unwilling|unlikely|yet to)\b|n[’']t\b",
    re.IGNORECASE,
)
_NOT_NEGATION = re.compile(r"\b(?:not\s+only|not\s+just|not\s+merely|no\s+doubt)\b", re.IGNORECASE)
# "denied" that is a refusal, not a denial of a report: "was denied a permit", "denying a motion"
_REFUSAL = re.compile(
    r"\b(?:was|were|been|be|is|are|being)\s+denied\b(?!\s+by\b)|"
    r"\bden(?:y|ies|ied|ying)\s+(?:\w+\s+){0,3}?(?:motion|request|bail|permit|appeal|application|visa|entry|"
    r"access|parole|petition|bond|permission|service|benefit)s?\b",
    re.IGNORECASE,
)
# what a denial denies: the clause after "denied that", "denied a report that", "dismissed ... as"
_DENIED_PART = re.compile(
    r"\b(?:den(?:y|ies|ied|ying)|rejected|dismissed)\s+(?:(?:a|the|media|news)\s+)*"
    r"(?:reports?|claims?|allegations?|suggestions?|stor(?:y|ies))?\s*(?:that|of)?\s+(?P<what>.+)",
    re.IGNORECASE,
)
_WORD = re.compile(r"[a-z]+")
_STOP = frozenset(
    "the a an and or of to in on for with by at from as that this is are was were be been has have had will "
    "would may might could can its it his her their they he she we not no".split()
)

DateOf = Callable[[Evidence], str | None]  # the one date an occurrence gives, None when none or several
ContradictionScore = Callable[[str, str], float]


@dataclass(frozen=True, slots=True)
class ConflictSide(Record):
    """One side of a conflict: a claim group (when there is one) and the evidence."""

    claim: int | None
    evidence: tuple[Evidence, ...]


@dataclass(frozen=True, slots=True)
class Conflict(Record):
    """Two statements of a story that cannot both be true (or a claim whose meaning changed)."""

    id: int
    kind: ConflictKind
    description: str
    score: float = field(metadata=rounded(3))
    a: ConflictSide
    b: ConflictSide


def find_conflicts(
    articles: Sequence[Article],
    groups: Sequence[ClaimGroup],
    quotes: Sequence[QuoteMention] = (),
    *,
    embed: Callable[[list[str]], npt.NDArray[np.float32]] | None = None,
    date_of: DateOf | None = None,
    contradiction: ContradictionScore | None = None,
    facts: Sequence[Fact] | None = None,
) -> list[Conflict]:
    """The conflicts of a story's claim groups, articles and quotes.

    Args:
        articles: the story's articles.
        groups: its claim groups (see :func:`storyline.analysis.claims.group_claims`).
        quotes: its quote mentions (denials are often quoted).
        embed: text → unit vectors, to find what a denial denies (else the widest claim).
        date_of: the resolved date (ISO) an occurrence gives its fact, or None.
        contradiction: an NLI contradiction score for two texts (both directions taken).
        facts: the story's facts (see :mod:`storyline.analysis.facts`); when given, number and date
            conflicts are its disputed slots only (a developing slot is no conflict), not the
            figures and dates of claim groups.
    """
    found: list[tuple[ConflictKind, str, float, ConflictSide, ConflictSide]] = []
    denial = _denial(articles, groups, quotes, embed)
    if denial is not None:
        found.append(denial)
    denied = {(e.article, e.sentence) for e in denial[4].evidence} if denial is not None else set()
    for group in groups:
        if len(group.articles) < 2:
            continue
        if facts is None:
            found.extend(_numbers(group))
            if date_of is not None:
                found.extend(_dates(group, date_of))
        # A denial is reported once, as a denial, not again as a negation of what it denies.
        found.extend(c for c in _polarity(group, contradiction) if not _within(c[4], denied))
    if facts is not None:
        found.extend(_disputed_facts(facts))
    return [Conflict(i, kind, text, score, a, b) for i, (kind, text, score, a, b) in enumerate(found, start=1)]


def denied_texts(articles: Sequence[Article], quotes: Sequence[QuoteMention] = ()) -> list[str]:
    """The texts a report embeds to find what each denial of these articles denies (so that
    `storyline ingest --analyse` can embed them ahead of time)."""
    out = []
    for art in articles:
        for s in split_sentences(art.text):
            body = art.text[s.start : s.end]
            if _DENIAL.search(body) and not _only_refusals(body):
                out.append(_denied_part(body))
    out.extend(_denied_part(q.text) for q in quotes if q.kind == "direct" and _DENIAL.search(q.quoted or ""))
    return out


def _only_refusals(sentence: str) -> bool:
    """Is every denial cue of the sentence a refusal ("was denied a handgun permit")?"""
    cues = [m.start() for m in _DENIAL.finditer(sentence)]
    refusals = [(m.start(), m.end()) for m in _REFUSAL.finditer(sentence)]
    return bool(cues) and all(any(a <= c < b for a, b in refusals) for c in cues)


def _denied_part(sentence: str) -> str:
    """What a denial sentence denies: the words after "denied (a report) that" when it has them."""
    m = _DENIED_PART.search(sentence)
    return m.group("what") if m and len(m.group("what").split()) >= 4 else sentence


def _disputed_facts(facts: Sequence[Fact]) -> list[tuple[ConflictKind, str, float, ConflictSide, ConflictSide]]:
    """One conflict per disputed slot and value that disagrees with the slot's most stated one."""
    out: list[tuple[ConflictKind, str, float, ConflictSide, ConflictSide]] = []
    for fact in facts:
        if fact.status != "disputed":
            continue
        kind: ConflictKind = "date" if fact.kind in {"date", "time"} else "number"
        common, *others = sorted(fact.values, key=lambda v: -len(v.articles))
        for value in others:
            if set(value.articles) <= set(common.articles) or not fact.disagree(common, value):
                continue
            text = (
                f"{fact.slot}: {_said(common)} in {', '.join(common.articles)} "
                f"but {_said(value)} in {', '.join(value.articles)}"
            )
            out.append((kind, text, 1.0, ConflictSide(None, common.evidence), ConflictSide(None, value.evidence)))
    return out


def _said(value: FactValue) -> str:
    return f"{value.qualifier} {value.value}".strip()


def _denial(
    articles: Sequence[Article],
    groups: Sequence[ClaimGroup],
    quotes: Sequence[QuoteMention],
    embed: Callable[[list[str]], npt.NDArray[np.float32]] | None,
) -> tuple[ConflictKind, str, float, ConflictSide, ConflictSide] | None:
    """All denials of the story as one side, against the claim they deny."""
    evidence: list[Evidence] = []
    for art in articles:
        for s in split_sentences(art.text):
            body = art.text[s.start : s.end]
            if _DENIAL.search(body) and not body.rstrip().endswith("?") and not _only_refusals(body):
                evidence.append(Evidence(art.external_id, s.index, s.start, s.end, body))
    for q in quotes:
        if (
            q.kind == "direct"
            and _DENIAL.search(q.quoted or "")
            and not any(e.article == q.article and e.start <= q.start < e.end for e in evidence)
        ):
            evidence.append(Evidence(q.article, q.sentence, q.start, q.end, q.text))
    if not evidence or not groups:
        return None
    denied_in = {e.article for e in evidence}
    own = {(e.article, e.sentence) for e in evidence}
    # never the denier's own statement: a group that holds a denial sentence is not what is denied
    candidates = [
        g
        for g in groups
        if len(g.articles) >= 2
        and not set(g.articles) <= denied_in
        and not any((o.unit.evidence.article, o.unit.evidence.sentence) in own for o in g.occurrences)
    ] or list(groups)
    target = candidates[0]
    if embed is not None:
        denied = [_denied_part(e.text) for e in evidence]
        vectors = np.asarray(embed(denied + [g.text for g in candidates]), dtype=np.float32)
        ev, gv = vectors[: len(evidence)], vectors[len(evidence) :]
        closeness = (ev @ gv.T).max(axis=0)
        weight = np.array([g.independent_support for g in candidates], dtype=np.float32)
        target = candidates[int(np.argmax(closeness * np.sqrt(weight)))]
    report_side = ConflictSide(target.id, tuple(o.unit.evidence for o in target.occurrences))
    by = ", ".join(sorted(denied_in))
    text = (
        f"Denied in {by}: “{_clip(evidence[0].text)}”, against “{_clip(target.text)}” ({len(target.articles)} articles)"
    )
    return "denial", text, 1.0, report_side, ConflictSide(None, tuple(evidence))


def _numbers(group: ClaimGroup) -> list[tuple[ConflictKind, str, float, ConflictSide, ConflictSide]]:
    by_unit: dict[str, dict[float, list[ClaimOccurrence]]] = {}
    for occ in group.occurrences:
        for value, unit in occ.unit.figures:
            if unit:
                by_unit.setdefault(unit, {}).setdefault(value, []).append(occ)
    out: list[tuple[ConflictKind, str, float, ConflictSide, ConflictSide]] = []
    for unit, values in by_unit.items():
        if len(values) < 2:
            continue
        (common, first), *others = sorted(values.items(), key=lambda kv: -len(kv[1]))
        for value, occs in others:
            if abs(value - common) <= 0.01 * max(abs(common), 1e-9):
                continue
            text = (
                f"{_fmt(common)} {unit} in {_arts(first)} but {_fmt(value)} {unit} in {_arts(occs)}: "
                f"“{_clip(group.text)}”"
            )
            out.append(("number", text, 1.0, _side(group, first), _side(group, occs)))
    return out


def _dates(group: ClaimGroup, date_of: DateOf) -> list[tuple[ConflictKind, str, float, ConflictSide, ConflictSide]]:
    dated: dict[str, list[ClaimOccurrence]] = {}
    for occ in group.occurrences:
        if occ.similarity < 0.7:
            continue  # only close restatements: a looser one may date another event of the claim
        when = date_of(occ.unit.evidence)
        if when:
            dated.setdefault(when, []).append(occ)
    # Only dates of one precision compare: 2023-12 and 2023-12-05 do not conflict.
    out: list[tuple[ConflictKind, str, float, ConflictSide, ConflictSide]] = []
    by_precision: dict[int, dict[str, list[ClaimOccurrence]]] = {}
    for when, occs in dated.items():
        by_precision.setdefault(len(when), {})[when] = occs
    for values in by_precision.values():
        if len(values) < 2:
            continue
        (common, first), *others = sorted(values.items(), key=lambda kv: -len(kv[1]))
        for when, occs in others:
            text = f"{common} in {_arts(first)} but {when} in {_arts(occs)}: “{_clip(group.text)}”"
            out.append(("date", text, 1.0, _side(group, first), _side(group, occs)))
    return out


def _polarity(
    group: ClaimGroup, contradiction: ContradictionScore | None
) -> list[tuple[ConflictKind, str, float, ConflictSide, ConflictSide]]:
    """Occurrences whose polarity differs from the majority's: a negation in nearly the same words,
    a distortion otherwise."""
    negative = {id(o): _negatives(o.unit.evidence.text) % 2 == 1 for o in group.occurrences}
    majority = Counter(negative.values()).most_common(1)[0][0]
    rest = [o for o in group.occurrences if negative[id(o)] == majority]
    flipped = [o for o in group.occurrences if negative[id(o)] != majority]
    if not rest or not flipped or len(flipped) >= len(rest):
        return []
    out: list[tuple[ConflictKind, str, float, ConflictSide, ConflictSide]] = []
    base = rest[0].unit.evidence.text
    hedged = sum(1 for o in rest if o.unit.hedge) * 2 > len(rest)
    for occ in flipped:
        if occ.similarity < 0.6:
            continue  # not aligned closely enough to say its meaning changed
        text = occ.unit.evidence.text
        score = 0.6
        if contradiction is not None:
            score = contradiction(base, text)
            if score < 0.5:
                continue
        kind: ConflictKind = "negation" if _overlap(base, text) >= 0.6 else "distortion"
        if kind == "distortion" and bool(occ.unit.hedge) == hedged:
            continue  # a distortion changes the meaning: the hedge dropped or added, not only the words
        what = "negates" if kind == "negation" else "changes the meaning of"
        description = f"{occ.unit.evidence.article} {what} what {_arts(rest)} say: “{_clip(text)}” vs “{_clip(base)}”"
        out.append((kind, description, score, _side(group, rest), _side(group, [occ])))
    return out


def _within(side: ConflictSide, sentences: set[tuple[str, int]]) -> bool:
    return any((e.article, e.sentence) in sentences for e in side.evidence)


def _negatives(text: str) -> int:
    # "not only ... but also", "not just", "no doubt": emphasis, not negation
    return len(_NEGATIVE_WORDS.findall(_NOT_NEGATION.sub(" ", text)))


def _overlap(a: str, b: str) -> float:
    wa = {w for w in _WORD.findall(a.lower()) if w not in _STOP}
    wb = {w for w in _WORD.findall(b.lower()) if w not in _STOP}
    return len(wa & wb) / max(1, min(len(wa), len(wb)))


def _side(group: ClaimGroup, occs: Sequence[ClaimOccurrence]) -> ConflictSide:
    return ConflictSide(group.id, tuple(o.unit.evidence for o in occs))


def _arts(occs: Sequence[ClaimOccurrence]) -> str:
    return ", ".join(dict.fromkeys(o.unit.evidence.article for o in occs))


def _fmt(value: float) -> str:
    return f"{value:g}"


def _clip(text: str, limit: int = 120) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
