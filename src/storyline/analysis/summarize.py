"""A short summary of a story in which every sentence cites the articles it comes from.

**Extractive (the default).** Sentences are the outlets' own words: the representative wording of
claim groups, most independently supported first (consensus), then notable additions that only
one or two sources carry (those with names or figures first), then the conflicts (the denial's own
sentence). A candidate too close in meaning to one already chosen (MiniLM cosine ≥ `redundancy`)
is skipped, as is a clause that does not stand alone (it starts in lower case). Each sentence cites
the articles of its claim group (or the conflict side it comes from) whose own occurrence states
every number and every name of the sentence (numbers as digits or words, "20,000" = "20000",
"five" = "5"; names: capitalised words after the first), so no article is cited for a figure or a
name it does not give. With the story's facts (`storyline.analysis.facts`), the sentence whose own
evidence states the most widely stated facts (the event's core: what, when, the key counts) opens
the summary, and a count it gives that is developing or disputed is noted with all its values.
A claim every outlet rests on one upstream report for carries a note saying so.

**Abstractive (optional).** With `llm_url`, the extractive sentences are sent, numbered, to an
OpenAI-compatible chat-completions endpoint that the user runs, asked to rewrite each one more
briefly as `[n] text`; each rewritten sentence keeps the citations of sentence n. Any failure
(network, format, a missing number) keeps the extractive sentence and says so in `note`.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

import httpx
import numpy as np
import numpy.typing as npt

from ..errors import OptionsError
from ..model import Evidence
from ..model.serial import OMIT_EMPTY, Record
from .claims import ClaimGroup
from .conflicts import Conflict
from .facts import Fact

__all__ = ["SummaryOptions", "SummarySentence", "rewrite_with_llm", "summarize"]

log = logging.getLogger(__name__)

SentenceKind = Literal["consensus", "addition", "conflict"]


@dataclass(frozen=True, slots=True, kw_only=True)
class SummaryOptions:
    """How long the summary is and how different its sentences must be.

    Attributes:
        min_sentences: at least this many, when the story has them.
        max_sentences: at most this many.
        redundancy: a candidate this close (cosine) to a chosen sentence is skipped.
        additions: at most this many single- or two-source additions.
    """

    min_sentences: int = 5
    max_sentences: int = 8
    redundancy: float = 0.8
    additions: int = 2

    def __post_init__(self) -> None:
        if not 1 <= self.min_sentences <= self.max_sentences:
            raise OptionsError("need 1 <= min_sentences <= max_sentences")
        if not 0.0 < self.redundancy <= 1.0:
            raise OptionsError(f"redundancy must be in (0, 1] (got {self.redundancy})")


@dataclass(frozen=True, slots=True)
class SummarySentence(Record):
    """One sentence of the summary with the articles that say it."""

    text: str
    citations: tuple[str, ...]
    evidence: tuple[Evidence, ...]
    kind: SentenceKind
    note: str | None = field(default=None, metadata=OMIT_EMPTY)


def summarize(
    groups: Sequence[ClaimGroup],
    conflicts: Sequence[Conflict],
    embed: Callable[[list[str]], npt.NDArray[np.float32]],
    options: SummaryOptions | None = None,
    facts: Sequence[Fact] = (),
) -> list[SummarySentence]:
    """The cited extractive summary of a story's claim groups and conflicts; with the story's
    facts, it opens with the sentence that states most of the event's core (see `_core_first`)."""
    options = options or SummaryOptions()
    candidates = _candidates(groups, conflicts, options)
    if not candidates:
        return []
    # The sentences' own words as the articles have them (vectors cached when the articles were analysed).
    vectors = np.asarray(embed([c.evidence[0].text if c.evidence else c.text for c in candidates]), dtype=np.float32)
    candidates, vectors = _on_topic_additions(candidates, vectors, options)
    chosen: list[int] = []
    for i, cand in enumerate(candidates):
        if len(chosen) >= options.max_sentences:
            break
        if any(float(vectors[i] @ vectors[j]) >= options.redundancy for j in chosen):
            continue
        if cand.kind == "conflict" and any(candidates[j].kind == "conflict" for j in chosen) and len(chosen) >= 5:
            continue
        chosen.append(i)
    # Keep the reading order: consensus, additions, conflicts.
    order = {"consensus": 0, "addition": 1, "conflict": 2}
    return _core_first(sorted((candidates[i] for i in chosen), key=lambda c: order[c.kind]), facts)


def _core_first(sentences: list[SummarySentence], facts: Sequence[Fact]) -> list[SummarySentence]:
    """The sentence whose evidence states the most widely stated facts goes first, with the status
    of the counts it gives when they are not agreed ("people killed: developing, 1 then 2")."""

    def states(sentence: SummarySentence, fact: Fact) -> bool:
        spans = {(e.article, e.start) for e in sentence.evidence[:1]}
        return any((e.article, e.start) in spans for v in fact.values for e in v.evidence)

    scored = [(sum(len(f.articles) for f in facts if states(s, f)), i) for i, s in enumerate(sentences)]
    best, index = max(scored, default=(0, -1))
    if best == 0:
        return sentences
    first = sentences[index]
    moving = [f for f in facts if states(first, f) and f.status != "agreed" and f.kind == "count"]
    for f in moving:
        values = ", ".join(f"{v.qualifier} {v.value}".strip() for v in f.values)
        first = replace(first, note=_add(first.note, f"{f.slot}: {f.status} ({values})"))
    return [first, *(s for i, s in enumerate(sentences) if i != index)]


def _on_topic_additions(
    candidates: list[SummarySentence], vectors: npt.NDArray[np.float32], options: SummaryOptions
) -> tuple[list[SummarySentence], npt.NDArray[np.float32]]:
    """Keep the additions closest to what the story is about (the consensus claims' centroid): a
    detail of the event rather than background."""
    wide = [i for i, c in enumerate(candidates) if c.kind == "consensus"]
    extra = [i for i, c in enumerate(candidates) if c.kind == "addition"]
    if not wide or len(extra) <= options.additions:
        return candidates, vectors
    centre = vectors[wide].mean(axis=0)
    keep = set(sorted(extra, key=lambda i: -float(vectors[i] @ centre))[: options.additions])
    rows = [i for i, c in enumerate(candidates) if c.kind != "addition" or i in keep]
    return [candidates[i] for i in rows], vectors[rows]


def _candidates(
    groups: Sequence[ClaimGroup], conflicts: Sequence[Conflict], options: SummaryOptions
) -> list[SummarySentence]:
    def stands_alone(text: str) -> bool:
        t = text.strip()
        return bool(t) and (t[0].isupper() or t[0] in "“\"‘'") and len(t.split()) >= 6

    wide = [g for g in groups if g.status == "consensus" and stands_alone(g.text)]
    narrow = [g for g in groups if g.status != "consensus" and stands_alone(g.text)]
    narrow.sort(key=lambda g: (-_informative(g.text), -g.independent_support, -len(g.articles)))
    out = [_from_group(g, "consensus") for g in wide]
    conflict_sentences = [_from_conflict(c) for c in conflicts if c.b.evidence]
    # Conflicts go before the long tail of consensus claims: a summary must say what is disputed.
    head, tail = out[: max(1, options.min_sentences - 3)], out[max(1, options.min_sentences - 3) :]
    additions = [_from_group(g, "addition") for g in narrow[:30]]
    return head + conflict_sentences[:2] + additions + tail


def _informative(text: str) -> int:
    return len(re.findall(r"\d", text)) + len(re.findall(r"(?<=\s)[A-Z][a-z]+", text))


def _from_group(g: ClaimGroup, kind: SentenceKind) -> SummarySentence:
    rep = max(g.occurrences, key=lambda o: o.similarity)
    note = None
    if g.echo and g.attributed_to:
        note = f"widely repeated, single-sourced: every outlet credits {g.attributed_to}"
    # The representative first: its words are the sentence's. Another article is cited only when
    # its own occurrence states every number and name of the sentence.
    text = rep.unit.evidence.text
    others = [o.unit.evidence for o in g.occurrences if o is not rep and _states_all(text, o.unit.evidence.text)]
    evidence = (rep.unit.evidence, *others)
    cited = {e.article for e in evidence}
    return SummarySentence(_sentence(text), tuple(a for a in g.articles if a in cited), evidence, kind, note)


_NUMBER_WORDS = {
    w: str(i)
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
        "sixteen seventeen eighteen nineteen twenty".split()
    )
}
_NUMBER_WORDS.update(
    {w: str(10 * i) for i, w in enumerate("thirty forty fifty sixty seventy eighty ninety".split(), 3)}
)
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*|\b(?:" + "|".join(_NUMBER_WORDS) + r")\b", re.IGNORECASE)
_NAME = re.compile(r"(?<=[\s(“\"‘'])[A-Z][\w’'-]*[a-z][\w’'-]*")
_NOT_NAMES = frozenset(
    "The A An In On At He She It They We I But And Or As If When While After Before This That".split()
)


def _numbers(text: str) -> set[str]:
    """The numbers of a text, as digits without separators ('20,000' = '20000', 'five' = '5')."""
    out = set()
    for m in _NUMBER.finditer(text):
        tok = m.group(0).lower()
        if tok in _NUMBER_WORDS:
            out.add(_NUMBER_WORDS[tok])
        elif re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?", tok):
            out.add(tok.replace(",", ""))
        else:
            out.add(tok)
    return out


def _names(text: str) -> set[str]:
    """Capitalised words inside a sentence (names and places), its first word left out."""
    return {m.group(0).lower().rstrip("’'s") for m in _NAME.finditer(text) if m.group(0) not in _NOT_NAMES}


def _states_all(sentence: str, other: str) -> bool:
    """Does `other` state every number and every name of `sentence`?"""
    if not _numbers(sentence) <= _numbers(other):
        return False
    low = other.lower()
    return all(name in low for name in _names(sentence))


def _from_conflict(c: Conflict) -> SummarySentence:
    first = c.b.evidence[0]
    citations = tuple(dict.fromkeys(e.article for e in c.b.evidence))
    return SummarySentence(_sentence(first.text), citations, c.b.evidence, "conflict", f"{c.kind}: {c.description}")


def _sentence(text: str) -> str:
    text = " ".join(text.split())
    return text if text.endswith((".", "!", "?", "”", '"')) else text.rstrip(",;:") + "."


def rewrite_with_llm(
    sentences: Sequence[SummarySentence],
    url: str,
    *,
    model: str = "default",
    client: httpx.Client | None = None,
    timeout: float = 60.0,
) -> list[SummarySentence]:
    """The summary rewritten by an OpenAI-compatible endpoint, citations kept per sentence.

    Args:
        sentences: the extractive summary.
        url: the endpoint's base URL (".../v1"); "/chat/completions" is appended.
        model: the model name the endpoint expects.
        client: an httpx client (tests pass one bound to a local server).
        timeout: seconds to wait.
    """
    if not sentences:
        return []
    numbered = "\n".join(f"[{i}] {s.text}" for i, s in enumerate(sentences, start=1))
    body = {
        "model": model,
        "temperature": 0,
        "messages": [
            {
                "role": "system",
                "content": "Rewrite each numbered news sentence more briefly and plainly. Keep every fact, "
                "add none. Answer with one line per sentence, each starting with its number in brackets.",
            },
            {"role": "user", "content": numbered},
        ],
    }
    own = client is None
    http = client or httpx.Client(timeout=timeout)
    try:
        response = http.post(url.rstrip("/") + "/chat/completions", json=body)
        response.raise_for_status()
        content = response.json()["choices"][0]["message"]["content"]
    except (httpx.HTTPError, KeyError, IndexError, TypeError, ValueError) as exc:
        log.warning(
            "LLM rewrite failed, keeping the extractive summary: %s", str(exc).splitlines()[0] if str(exc) else exc
        )
        return [replace(s, note=_add(s.note, "LLM rewrite failed; extractive")) for s in sentences]
    finally:
        if own:
            http.close()
    rewritten = {int(m.group(1)): m.group(2).strip() for m in re.finditer(r"^\s*\[(\d+)\]\s*(.+)$", str(content), re.M)}
    out = []
    for i, s in enumerate(sentences, start=1):
        text = rewritten.get(i)
        if text:
            out.append(replace(s, text=text, note=_add(s.note, "rewritten by LLM from the cited sentences")))
        else:
            out.append(replace(s, note=_add(s.note, "LLM gave no rewrite; extractive")))
    return out


def _add(note: str | None, more: str) -> str:
    return f"{note}; {more}" if note else more
