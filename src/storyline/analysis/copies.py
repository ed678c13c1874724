"""Copies and provenance: which articles are verbatim, trimmed or rewritten copies of others.

Two routes find candidate pairs. MinHash LSH over word 3-gram shingles (rensa) catches
syndication with small edits among any set of articles; within a story every pair is a
candidate, since rewrites share few shingles. Each candidate pair is then aligned sentence by
sentence, in order: two sentences align when their MiniLM vectors or their content words agree
enough, and a longest-path alignment keeps the order. An article whose sentences largely align
to another's is a copy of it; the aligned pairs, with their character spans, are the evidence.

The direction comes from publication dates, from completeness (the copy is the subset), and
otherwise stays open: when both articles credit the same upstream report ("per Bloomberg") and
nothing else tells, they are siblings sharing that upstream.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from ..errors import OptionsError
from ..model import Article
from ..model.serial import Record
from ..stories.embed import EmbedFunction
from ..text.sentences import Sentence, split_sentences
from .upstream import find_upstream

__all__ = [
    "AlignedPair",
    "CopyLink",
    "CopyOptions",
    "align",
    "find_copies",
    "independent_sources",
    "shingles",
    "source_groups",
]

CopyKind = Literal["verbatim", "trimmed", "paraphrase", "sibling"]
_WORD = re.compile(r"\w+")


@dataclass(frozen=True, slots=True, kw_only=True)
class CopyOptions:
    """How copies are found.

    Attributes:
        num_perm: MinHash permutations.
        lsh_threshold: least estimated share of the shorter article's shingles found in the other for
            LSH to propose a pair (low: reprints with new headlines, trims and noise often share only
            ~30% of their 3-gram shingles).
        semantic: least cosine of two sentences' vectors for them to align.
        lexical: least overlap of two sentences' content words (share of the shorter) to align.
        min_pairs: fewest aligned sentences for a link.
        min_share: least share of the copy's sentences that must align.
        verbatim: mean word Jaccard of aligned sentences above which the copy keeps the wording.
    """

    num_perm: int = 128
    lsh_threshold: float = 0.2
    semantic: float = 0.8
    lexical: float = 0.7
    min_pairs: int = 3
    min_share: float = 0.4
    verbatim: float = 0.9

    def __post_init__(self) -> None:
        for name in ("lsh_threshold", "semantic", "lexical", "min_share", "verbatim"):
            if not 0.0 < getattr(self, name) <= 1.0:
                raise OptionsError(f"{name} must be in (0, 1] (got {getattr(self, name)})")
        if self.num_perm < 16 or self.min_pairs < 1:
            raise OptionsError("num_perm must be at least 16 and min_pairs at least 1")


@dataclass(frozen=True, slots=True)
class AlignedPair:
    """A sentence of the copy aligned with a sentence of its source, with both spans."""

    copy_sentence: int
    copy_start: int
    copy_end: int
    of_sentence: int
    of_start: int
    of_end: int
    similarity: float
    overlap: float

    def to_json(self) -> dict[str, Any]:
        """The record as a JSON-ready dict."""
        return {
            "copy": {"sentence": self.copy_sentence, "start": self.copy_start, "end": self.copy_end},
            "of": {"sentence": self.of_sentence, "start": self.of_start, "end": self.of_end},
            "similarity": self.similarity,
            "overlap": self.overlap,
        }


@dataclass(frozen=True, slots=True)
class CopyLink(Record):
    """`copy` derives from `of` (or, for siblings, both derive from `upstream`)."""

    copy: str
    of: str
    kind: CopyKind
    share: float
    direction_evidence: tuple[str, ...]
    upstream: str | None
    aligned: tuple[AlignedPair, ...]


@dataclass(slots=True)
class _Doc:
    article: Article
    sentences: list[Sentence]
    words: list[frozenset[str]]
    vectors: npt.NDArray[np.float32]
    _upstream: list[str] | None = None

    @property
    def upstream(self) -> list[str]:
        """Names of the upstream reports the article cites, in text order (found once, on first use)."""
        if self._upstream is None:
            self._upstream = [u.name for u in find_upstream(self.article)]
        return self._upstream


def shingles(text: str, n: int = 3) -> list[str]:
    """Word n-gram shingles of a text, case-folded."""
    words = _WORD.findall(text.casefold())
    return [" ".join(words[i : i + n]) for i in range(max(1, len(words) - n + 1))] if words else []


def find_copies(
    articles: Sequence[Article],
    embed: EmbedFunction,
    options: CopyOptions | None = None,
    *,
    groups: Sequence[Sequence[int]] | None = None,
    same_story: bool = True,
    focus: Collection[int] | None = None,
) -> list[CopyLink]:
    """Copy links among `articles`.

    Candidates: every pair inside each of `groups` (indexes into `articles`: the stories), or
    every pair when no groups are given and `same_story` is set; plus the MinHash LSH pairs
    across all of them; with `focus`, only pairs that include one of those indexes. Only
    articles in a candidate pair are split and embedded.
    """
    options = options or CopyOptions()
    pairs = _lsh_pairs(articles, options)
    if groups is None and same_story:
        groups = [range(len(articles))]
    for group in groups or ():
        pairs |= {(min(i, j), max(i, j)) for i, j in itertools.combinations(group, 2)}
    if focus is not None:
        wanted = set(focus)
        pairs = {(i, j) for i, j in pairs if i in wanted or j in wanted}
    involved = sorted({i for pair in pairs for i in pair})
    docs = dict(zip(involved, _prepare([articles[i] for i in involved], embed), strict=True))
    links = []
    for i, j in sorted(pairs):
        link = _link(docs[i], docs[j], options)
        if link is not None:
            links.append(link)
    return links


def _prepare(articles: Sequence[Article], embed: EmbedFunction) -> list[_Doc]:
    split = [split_sentences(a.text) for a in articles]
    texts = [s.text_in(a.text) for a, sents in zip(articles, split, strict=True) for s in sents]
    vectors = embed(texts)
    docs, at = [], 0
    for a, sents in zip(articles, split, strict=True):
        words = [_content(s.text_in(a.text)) for s in sents]
        docs.append(_Doc(a, sents, words, vectors[at : at + len(sents)]))
        at += len(sents)
    return docs


def _content(sentence: str) -> frozenset[str]:
    return frozenset(w for w in _WORD.findall(sentence.casefold()) if len(w) > 2)


def _lsh_pairs(articles: Sequence[Article], options: CopyOptions) -> set[tuple[int, int]]:
    from rensa import RMinHash, RMinHashLSH

    bands = 64 if options.lsh_threshold < 0.3 else 32
    lsh = RMinHashLSH(threshold=options.lsh_threshold, num_perm=options.num_perm, num_bands=bands)
    hashes, sizes = [], []
    for i, a in enumerate(articles):
        grams = set(shingles(a.text))
        m = RMinHash(num_perm=options.num_perm, seed=42)
        m.update(list(grams))
        hashes.append(m)
        sizes.append(max(1, len(grams)))
        lsh.insert(i, m)
    found: set[tuple[int, int]] = set()
    for i, m in enumerate(hashes):
        for j in lsh.query(m):
            if j != i and _containment(m.jaccard(hashes[j]), sizes[i], sizes[j]) >= options.lsh_threshold:
                found.add((min(i, j), max(i, j)))
    return found


def _containment(jaccard: float, size_a: int, size_b: int) -> float:
    """Share of the smaller shingle set inside the larger, from their Jaccard and sizes: a trimmed
    copy is fully contained in its source while their Jaccard is only its relative length."""
    shared = jaccard * (size_a + size_b) / (1.0 + jaccard)
    return min(1.0, shared / min(size_a, size_b))


def align(a: _Doc, b: _Doc, options: CopyOptions) -> list[tuple[int, int, float, float]]:
    """In-order alignment of a's sentences to b's: (i, j, cosine, overlap), best total first found."""
    if not a.sentences or not b.sentences:
        return []
    cos = a.vectors @ b.vectors.T
    near = cos >= options.semantic - 0.2  # no pair below this aligns, however many words it shares
    if min(near.any(axis=1).sum(), near.any(axis=0).sum()) < options.min_pairs:
        return []  # too few sentences could align at all: most candidate pairs stop here
    # Word overlap only where it can matter (it is the costly part: Python sets per sentence pair).
    overlap = np.zeros(cos.shape, dtype=np.float32)
    for i, j in zip(*np.nonzero(near), strict=True):
        x, y = a.words[i], b.words[j]
        overlap[i, j] = len(x & y) / max(1, min(len(x), len(y)))
    ok = (cos >= options.semantic) | ((overlap >= options.lexical) & near)
    if min(ok.any(axis=1).sum(), ok.any(axis=0).sum()) < options.min_pairs:
        return []
    # Rows and columns with no possible pair cannot be on the chain: drop them (same answer, and
    # the grid below is walked in Python).
    rows, cols = np.nonzero(ok.any(axis=1))[0], np.nonzero(ok.any(axis=0))[0]
    sub_ok = ok[np.ix_(rows, cols)]
    score = np.where(sub_ok, cos[np.ix_(rows, cols)] + overlap[np.ix_(rows, cols)], 0.0)
    # Longest (heaviest) chain of aligned pairs increasing in both articles: an LCS over the grid.
    n, m = score.shape
    best = np.zeros((n + 1, m + 1), dtype=np.float32)
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            take = best[i - 1, j - 1] + score[i - 1, j - 1] if sub_ok[i - 1, j - 1] else 0.0
            best[i, j] = max(best[i - 1, j], best[i, j - 1], take)
    out = []
    i, j = n, m
    while i > 0 and j > 0:
        if sub_ok[i - 1, j - 1] and best[i, j] == best[i - 1, j - 1] + score[i - 1, j - 1]:
            r, c = int(rows[i - 1]), int(cols[j - 1])
            out.append((r, c, float(cos[r, c]), float(overlap[r, c])))
            i, j = i - 1, j - 1
        elif best[i - 1, j] >= best[i, j - 1]:
            i -= 1
        else:
            j -= 1
    return out[::-1]


def _link(a: _Doc, b: _Doc, options: CopyOptions) -> CopyLink | None:
    pairs = align(a, b, options)
    if len(pairs) < options.min_pairs:
        return None
    share_a, share_b = len(pairs) / len(a.sentences), len(pairs) / len(b.sentences)
    if max(share_a, share_b) < options.min_share:
        return None
    copy, source, evidence = _direction(a, b, share_a, share_b)
    if copy is b:
        pairs = [(j, i, c, o) for i, j, c, o in pairs]
    share = round(share_a if copy is a else share_b, 3)
    upstream = _shared_upstream(a, b)
    dated = bool(evidence) and "published first" in evidence[0]
    respelled = _respellings(copy, source, pairs)
    kind: CopyKind
    if _mean_jaccard(copy, source, pairs) >= options.verbatim:
        kind = "verbatim" if abs(len(a.sentences) - len(b.sentences)) <= 1 else "trimmed"
    elif upstream and not dated and (respelled or not evidence):
        # A copy keeps its source's spelling; two rewrites of one upstream report need not.
        kind = "sibling"
        why = "nothing tells which came first"
        if respelled:
            why = f"{copy.article.external_id} spells {respelled[0][0]!r} where the other spells {respelled[0][1]!r}"
        evidence = [f"both cite {upstream}; {why}"]
    else:
        kind = "paraphrase"
        evidence += [f"spells {x!r} where the other spells {y!r}" for x, y in respelled[:2]]
    if not evidence:
        evidence = ["direction undetermined: no dates tell, and each covers the other about equally"]
    return CopyLink(
        copy=copy.article.external_id,
        of=source.article.external_id,
        kind=kind,
        share=share,
        direction_evidence=tuple(evidence),
        upstream=upstream,
        aligned=tuple(_pair(copy, source, p) for p in pairs),
    )


_NAME_WORD = re.compile(r"\b[A-Z][a-z]{3,}\b")


def _respellings(copy: _Doc, source: _Doc, pairs: Sequence[tuple[int, int, float, float]]) -> list[tuple[str, str]]:
    """Names spelled differently in aligned sentences ("Zelenskiy" vs "Zelensky"): tell-tale wording."""
    found: list[tuple[str, str]] = []
    for i, j, _cos, _overlap in pairs:
        mine = set(_NAME_WORD.findall(copy.sentences[i].text_in(copy.article.text)))
        theirs = set(_NAME_WORD.findall(source.sentences[j].text_in(source.article.text)))
        for x in sorted(mine - theirs):
            for y in sorted(theirs - mine):
                if x[:4] == y[:4] and 0 < abs(len(x) - len(y)) + _differing(x, y) <= 2:
                    found.append((x, y))
    return list(dict.fromkeys(found))


def _differing(x: str, y: str) -> int:
    return sum(1 for p, q in zip(x, y, strict=False) if p != q)


def _mean_jaccard(copy: _Doc, source: _Doc, pairs: Sequence[tuple[int, int, float, float]]) -> float:
    """Mean word Jaccard of the aligned sentences: near 1 only when the copy keeps the wording."""
    total = 0.0
    for i, j, _cos, _overlap in pairs:
        x, y = copy.words[i], source.words[j]
        total += len(x & y) / max(1, len(x | y))
    return total / len(pairs)


def _direction(a: _Doc, b: _Doc, share_a: float, share_b: float) -> tuple[_Doc, _Doc, list[str]]:
    """(copy, source, evidence): the later one copies; else the one mostly contained in the other."""
    da, db = a.article.published, b.article.published
    if da and db and da != db:
        copy, source = (a, b) if da > db else (b, a)
        return copy, source, [f"{source.article.external_id} was published first ({min(da, db)} vs {max(da, db)})"]
    if abs(share_a - share_b) >= 0.2:
        copy, source = (a, b) if share_a > share_b else (b, a)
        covered = max(share_a, share_b)
        note = f"{covered:.0%} of {copy.article.external_id}'s sentences are in the other; not the reverse"
        return copy, source, [note]
    return (a, b, []) if len(a.sentences) <= len(b.sentences) else (b, a, [])  # no evidence: undetermined


def _shared_upstream(a: _Doc, b: _Doc) -> str | None:
    names_a = set(a.upstream)
    shared = [name for name in b.upstream if name in names_a and name != "agencies"]
    return shared[0] if shared else None


def _pair(copy: _Doc, source: _Doc, p: tuple[int, int, float, float]) -> AlignedPair:
    i, j, cos, overlap = p
    sc, ss = copy.sentences[i], source.sentences[j]
    return AlignedPair(i, sc.start, sc.end, j, ss.start, ss.end, round(cos, 3), round(overlap, 3))


def independent_sources(articles: Sequence[Article], links: Sequence[CopyLink]) -> int:
    """How many independent sources `articles` amount to: copies and siblings collapsed into one,
    and articles of one outlet counted once."""
    return len(set(source_groups(articles, links).values()))


def source_groups(articles: Sequence[Article], links: Sequence[CopyLink]) -> dict[str, str]:
    """Each article's independent source: the external id standing for its group of copies, siblings
    and same-outlet articles."""
    return group_sources([(a.external_id, a.outlet) for a in articles], [(x.copy, x.of) for x in links])


def group_sources(articles: Sequence[tuple[str, str | None]], links: Sequence[tuple[str, str]]) -> dict[str, str]:
    """:func:`source_groups` over plain data: (external id, outlet) pairs and (copy, of) pairs."""
    parent = {ext: ext for ext, _ in articles}

    def root(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def join(x: str, y: str) -> None:
        if x in parent and y in parent:
            parent[root(x)] = root(y)

    for copy, of in links:
        join(copy, of)
    by_outlet: dict[str, str] = {}
    for ext, outlet in articles:
        if outlet:
            join(ext, by_outlet.setdefault(outlet.casefold(), ext))
    return {ext: root(ext) for ext, _ in articles}
