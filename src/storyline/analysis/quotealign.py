"""Quotes across a story: one speaker under all their spellings, one quote with all its occurrences.

**Canonical speakers.** Names are grouped by a spelling-tolerant surname key (Zelensky, Zelenskiy
and Zelenskyy agree; see :func:`storyline.analysis.quotes.name_key`) when their first names do not
disagree; the group is named by its most frequent full name ("Peskov" and "Kremlin spokesman
Dmitry Peskov" are Dmitry Peskov).

**Units.** A direct quote is cut into sentences. Where another outlet quotes the same passage
starting or ending at one of those sentence boundaries, word for word, the quote is cut there:
outlet A quoting four sentences in one run and outlet B quoting the first alone and the other
three later are two statements, not one. A boundary seen only in an altered version (“[We] would
prefer …”) does not cut.

**Alignment.** Two units of different articles are the same quote when their speakers agree (or
one is unknown) and their words agree: all of them (verbatim), all of the shorter one in one run
(partial), or most of the shorter one (altered: words replaced, dropped or inserted, brackets
included). Each group's text is its longest version quoted word for word by most outlets; every
occurrence is marked against it, with the differing words. Reported speech of the same speaker
whose meaning is close to a quote (MiniLM cosine) is an occurrence marked paraphrased.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

import numpy as np

from ..model.serial import Record
from ..stories.embed import EmbedFunction
from ..text.sentences import split_sentences
from .quotes import QuoteMention, name_key

__all__ = [
    "AlignOptions",
    "Quote",
    "QuoteOccurrence",
    "align_quotes",
    "canonical_speakers",
]

Fidelity = Literal["verbatim", "partial", "altered", "paraphrased"]
_WORD = re.compile(r"\[[^\]]*\]|[\w’'-]+")
_TITLE_WORDS = frozenset(
    "mr mrs ms dr president vice secretary senator sen rep gov governor minister prime spokesman "
    "spokeswoman kremlin state chancellor general".split()
)


@dataclass(frozen=True, slots=True, kw_only=True)
class AlignOptions:
    """How quotes are aligned.

    Attributes:
        altered: least share of the shorter version's words the longer one must carry, in order, for
            an altered occurrence.
        min_words: fewest shared words for an altered match.
        paraphrase: least cosine between reported speech and a quote for a paraphrase.
        short: quotes with fewer words than this match only under the same named speaker.
    """

    altered: float = 0.6
    min_words: int = 3
    paraphrase: float = 0.62
    short: int = 4


@dataclass(frozen=True, slots=True)
class QuoteOccurrence:
    """One outlet's version of a quote, marked against the quote's text."""

    mention: QuoteMention
    fidelity: Fidelity
    start: int
    end: int
    text: str
    differences: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """The record as a JSON-ready dict."""
        m = self.mention
        return {
            "article": m.article,
            "fidelity": self.fidelity,
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "kind": m.kind,
            "speaker_as_written": m.speaker_text,
            "speaker_span": list(m.speaker_span) if m.speaker_span else None,
            "differences": list(self.differences),
        }


@dataclass(frozen=True, slots=True)
class Quote(Record):
    """One statement quoted in one or more articles of a story."""

    __json_extra__: ClassVar[dict[str, str]] = {"articles": "articles"}

    id: int
    speaker: str | None
    text: str
    kind: Literal["direct", "indirect"]
    occurrences: tuple[QuoteOccurrence, ...]
    roles: tuple[str, ...] = ()

    @property
    def articles(self) -> list[str]:
        """The articles that carry it, in order of first occurrence."""
        return list(dict.fromkeys(o.mention.article for o in self.occurrences))

    def in_articles(self, fidelity: Fidelity) -> list[str]:
        """The articles whose occurrence has this fidelity."""
        return list(dict.fromkeys(o.mention.article for o in self.occurrences if o.fidelity == fidelity))


def canonical_speakers(names: Sequence[str]) -> dict[str, str]:
    """Each person name → the name its group is known by (non-person sources map to themselves)."""
    groups: dict[str, list[list[str]]] = defaultdict(list)
    counts = Counter(names)
    for name in counts:
        parts = [p for p in name.replace("’s", "").split() if p.lower().strip(".") not in _TITLE_WORDS]
        if not parts or not parts[-1][:1].isupper():
            continue
        key = name_key(parts[-1])
        for group in groups[key]:
            firsts = {name_key(g.split()[0]) for g in group if len(g.split()) > 1}
            if len(parts) == 1 or not firsts or name_key(parts[0])[:1] in {f[:1] for f in firsts}:
                group.append(name)
                break
        else:
            groups[key].append([name])
    out = {n: n for n in counts}
    for key_groups in groups.values():
        for group in key_groups:
            full = [g for g in group if len(g.split()) > 1] or group
            best = max(full, key=lambda g: (sum(counts[x] for x in group if x == g), -len(g.split()), g))
            for g in group:
                out[g] = best
    return out


@dataclass(slots=True)
class _Unit:
    mention: QuoteMention
    words: list[str]
    norm: list[str]
    start: int
    end: int
    text: str
    speaker: str | None
    vocabulary: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        self.vocabulary = frozenset(self.norm)


def _words(text: str) -> list[str]:
    return _WORD.findall(text)


def _norm(words: Sequence[str]) -> list[str]:
    return [w.lower().replace("’", "'") for w in words]


def _segments(m: QuoteMention) -> list[tuple[int, int, str]]:
    """Sentences of a direct quote's quoted words, as (start, end, text) in the article."""
    out: list[tuple[int, int, str]] = []
    for a, b in m.fragments:
        inner_a, inner_b = a + 1, b - 1 if b - a > 1 else b
        frag = _slice(m, inner_a, inner_b)
        for s in split_sentences(frag):
            piece = frag[s.start : s.end]
            if re.search(r"\w", piece):
                out.append((inner_a + s.start, inner_a + s.end, piece))
    return out


def _slice(m: QuoteMention, a: int, b: int) -> str:
    return m.text[a - m.start : b - m.start] if m.start <= a and b <= m.end else ""


def align_quotes(
    mentions: Sequence[QuoteMention],
    *,
    embed: EmbedFunction | None = None,
    options: AlignOptions | None = None,
) -> list[Quote]:
    """Group a story's quote mentions into quotes, each occurrence marked by fidelity."""
    options = options or AlignOptions()
    canon = canonical_speakers([m.speaker for m in mentions if m.speaker])
    units = _units([m for m in mentions if m.kind == "direct"], canon)
    by_group = _group_units(units, options)
    quotes: list[tuple[list[_Unit], _Unit]] = []
    for group in by_group.values():
        quotes.append((group, _canonical_unit(group)))
    quotes.sort(key=lambda g: (-len({u.mention.article for u in g[0]}), min(u.mention.start for u in g[0])))
    paraphrases = _paraphrases(mentions, quotes, canon, embed, options)
    out: list[Quote] = []
    for qid, (group, best) in enumerate(quotes, start=1):
        occurrences = [_occurrence(u, best) for u in sorted(group, key=lambda u: (u.mention.article, u.start))]
        occurrences.extend(paraphrases.get(qid - 1, []))
        speakers = Counter(u.speaker for u in group if u.speaker)
        roles = tuple(dict.fromkeys(u.mention.role for u in group if u.mention.role))
        out.append(
            Quote(
                id=qid,
                speaker=speakers.most_common(1)[0][0] if speakers else None,
                text=best.text,
                kind="direct",
                occurrences=tuple(occurrences),
                roles=roles,
            )
        )
    used = {id(o.mention) for q in out for o in q.occurrences if o.fidelity == "paraphrased"}
    for m in mentions:
        if m.kind == "indirect" and id(m) not in used:
            occ = QuoteOccurrence(m, "verbatim", m.start, m.end, m.text)
            speaker = canon.get(m.speaker or "", m.speaker)
            out.append(Quote(len(out) + 1, speaker, m.text, "indirect", (occ,), (m.role,) if m.role else ()))
    return out


def _units(direct: Sequence[QuoteMention], canon: dict[str, str]) -> list[_Unit]:
    """Direct quotes cut into units at the sentence boundaries other outlets quote apart."""
    segs = {id(m): _segments(m) for m in direct}
    cuts = _cuts(direct, segs)
    units: list[_Unit] = []
    for m in direct:
        pieces = segs[id(m)]
        run: list[tuple[int, int, str]] = []
        for i, piece in enumerate(pieces):
            run.append(piece)
            if i not in cuts[id(m)] and i != len(pieces) - 1:
                continue
            words = [w for p in run for w in _words(p[2])]
            if words:
                text = " ".join(p[2] for p in run).rstrip(",;: ")
                speaker = canon.get(m.speaker or "", m.speaker)
                units.append(_Unit(m, words, _norm(words), run[0][0], run[-1][1], text, speaker))
            run = []
    return units


def comparable_texts(mentions: Sequence[QuoteMention]) -> list[str]:
    """Every text alignment may embed for these mentions (their reported clauses, and each run of
    consecutive sentences of a direct quote: a quote's units depend on the other outlets' cuts), so
    they can be embedded ahead of time."""
    out: list[str] = []
    for m in mentions:
        if m.kind == "indirect":
            out.append(_clause(m.text))
            continue
        pieces = _segments(m)
        for i in range(len(pieces)):
            for j in range(i, min(len(pieces), i + 6)):
                out.append(" ".join(p[2] for p in pieces[i : j + 1]).rstrip(",;: "))
    return out


def _group_units(units: Sequence[_Unit], options: AlignOptions) -> dict[int, list[_Unit]]:
    """Units of different articles that match, grouped (union-find over matching pairs)."""
    parent = list(range(len(units)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, a in enumerate(units):
        for j in range(i + 1, len(units)):
            b = units[j]
            if a.mention.article != b.mention.article and _match(a, b, options) is not None:
                parent[find(i)] = find(j)
    by_group: dict[int, list[_Unit]] = defaultdict(list)
    for i, u in enumerate(units):
        by_group[find(i)].append(u)
    return by_group


def _cuts(direct: Sequence[QuoteMention], segs: dict[int, list[tuple[int, int, str]]]) -> dict[int, set[int]]:
    """Sentence boundaries (index of the sentence before the cut) where each quote is cut."""
    norm = {id(m): [tuple(_norm(_words(p[2]))) for p in segs[id(m)]] for m in direct}
    # Sentences that open or close some article's quote, word for word, with that article.
    opens: dict[tuple[str, ...], set[str]] = defaultdict(set)
    closes: dict[tuple[str, ...], set[str]] = defaultdict(set)
    for m in direct:
        s = norm[id(m)]
        if s:
            opens[s[0]].add(m.article)
            closes[s[-1]].add(m.article)
    out: dict[int, set[int]] = {}
    for m in direct:
        s = norm[id(m)]
        cut: set[int] = set()
        for i in range(len(s) - 1):
            if (closes[s[i]] - {m.article}) or (opens[s[i + 1]] - {m.article}):
                cut.add(i)
        out[id(m)] = cut
    return out


def _match(a: _Unit, b: _Unit, options: AlignOptions) -> str | None:
    if a.speaker and b.speaker and a.speaker != b.speaker:
        return None
    short, long_ = (a, b) if len(a.norm) <= len(b.norm) else (b, a)
    if len(short.norm) < options.short and not (a.speaker and a.speaker == b.speaker):
        return None
    if a.norm == b.norm:
        return "verbatim"
    # No order-aware matching is needed when too few words are shared at all (most pairs).
    shared = len(short.vocabulary & long_.vocabulary)
    if shared < len(short.vocabulary) and shared < min(options.min_words, len(short.vocabulary)):
        return None
    if shared < options.altered * len(set(_plain(short.norm))) and not set(short.norm) <= long_.vocabulary:
        return None
    if _contiguous(short.norm, long_.norm):
        return "partial"
    matched = _matched(short.norm, long_.norm)
    if matched >= options.min_words and matched >= options.altered * len(_plain(short.norm)):
        return "altered"
    return None


def _plain(words: Sequence[str]) -> list[str]:
    return [w for w in words if not w.startswith("[")]


def _contiguous(short: Sequence[str], long_: Sequence[str]) -> bool:
    n = len(short)
    return any(list(long_[i : i + n]) == list(short) for i in range(len(long_) - n + 1))


def _matched(a: Sequence[str], b: Sequence[str]) -> int:
    sm = difflib.SequenceMatcher(None, list(a), list(b), autojunk=False)
    return sum(block.size for block in sm.get_matching_blocks())


def _canonical_unit(group: Sequence[_Unit]) -> _Unit:
    """The version most outlets quote word for word; among those, the longest."""
    counts = Counter(tuple(u.norm) for u in group)
    return max(group, key=lambda u: (counts[tuple(u.norm)] > 1, len(u.norm), counts[tuple(u.norm)]))


def _occurrence(u: _Unit, best: _Unit) -> QuoteOccurrence:
    if u.norm == best.norm:
        return QuoteOccurrence(u.mention, "verbatim", u.start, u.end, u.text)
    if _contiguous(u.norm, best.norm):
        return QuoteOccurrence(u.mention, "partial", u.start, u.end, u.text)
    return QuoteOccurrence(u.mention, "altered", u.start, u.end, u.text, tuple(_differences(best.words, u.words)))


def _differences(original: Sequence[str], version: Sequence[str]) -> list[str]:
    """The edits that turn the quote's text into this version, in words."""
    sm = difflib.SequenceMatcher(None, _norm(original), _norm(version), autojunk=False)
    out: list[str] = []
    for op, i1, i2, j1, j2 in sm.get_opcodes():
        before, after = " ".join(original[i1:i2]), " ".join(version[j1:j2])
        if op == "replace":
            out.append(f"replaced “{before}” with “{after}”")
        elif op == "delete":
            out.append(f"dropped “{before}”")
        elif op == "insert":
            out.append(f"inserted “{after}”")
    return out


def _paraphrases(
    mentions: Sequence[QuoteMention],
    quotes: Sequence[tuple[list[_Unit], _Unit]],
    canon: dict[str, str],
    embed: EmbedFunction | None,
    options: AlignOptions,
) -> dict[int, list[QuoteOccurrence]]:
    """Reported speech that restates a quote of the same speaker, by quote index.

    Only pairs that could be one (the same speaker; an outlet that does not quote it directly) are
    embedded, so a story with many quotes costs little."""
    if embed is None:
        return {}
    by_speaker: dict[str, list[int]] = defaultdict(list)
    for qi, (_, best) in enumerate(quotes):
        if best.speaker:
            by_speaker[best.speaker].append(qi)
    pairs: list[tuple[QuoteMention, list[int]]] = []
    for m in mentions:
        if m.kind != "indirect" or not m.speaker:
            continue
        speaker = canon.get(m.speaker, m.speaker)
        # An outlet that also quotes it directly is not paraphrasing it.
        found = [qi for qi in by_speaker.get(speaker, []) if all(u.mention.article != m.article for u in quotes[qi][0])]
        if found:
            pairs.append((m, found))
    if not pairs:
        return {}
    wanted = sorted({qi for _, found in pairs for qi in found})
    row = {qi: i for i, qi in enumerate(wanted)}
    texts = [quotes[qi][1].text for qi in wanted] + [_clause(m.text) for m, _ in pairs]
    vectors = np.asarray(embed(texts), dtype=np.float32)
    qv, iv = vectors[: len(wanted)], vectors[len(wanted) :]
    out: dict[int, list[QuoteOccurrence]] = defaultdict(list)
    for k, (m, found) in enumerate(pairs):
        sims = {qi: float(iv[k] @ qv[row[qi]]) for qi in found}
        best_qi = max(sims, key=lambda qi: sims[qi])
        if sims[best_qi] >= options.paraphrase:
            out[best_qi].append(QuoteOccurrence(m, "paraphrased", m.start, m.end, m.text))
    return out


def _clause(text: str) -> str:
    return re.sub(r"^that\s+", "", text.strip())
