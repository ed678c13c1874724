#!/usr/bin/env python3
"""Score quote extraction (``storyline quotes``) on PolNeAR (``../shared/eval/quotes``).

Data. ``polnear-{dev,train}/text/<id>.txt`` are the articles; ``attributions/<id>_<annotator>.ann``
hold brat standoff annotations: ``T<n>\\t<Type> <start> <end>[;<start> <end>...]\\t<text>`` text
spans (``Source``, ``Cue``, ``Content``, ``Attribution``, ``Discard``, ``Discuss``) and event lines
``E<n>\\tAttribution:T4 Content:T3 Cue:T2 Source:T1`` (``Attribution-no-source:...`` has no Source)
that tie them together. Offsets are character offsets into the text file. Some articles were
annotated by two annotators and have two .ann files: only the first in sorted file-name order is
used. Lines that are not well-formed (the continuation of a span text over a line break, notes,
events without a Content, unknown keys such as ``Content2``) are skipped; span texts are taken
from the article at the offsets, not from the .ann line.

Gold. Every event with a Content is an attribution. A gold direct quote is an attribution whose
Content text (all fragments) holds a quotation mark (one of ``“ ” " « »``); this includes mixed
contents such as ``that X did Y to “keep details under wraps.”``. Its characters are the union of
its fragments, and a quote split around "he said" is one gold quote. The other attributions are
gold indirect ones (reported speech and thought without marks). The New York Times files write
quotation marks as two apostrophes (``''It is,'' she said``): by default these are not marks (so
such quotes count as indirect gold, and a direct prediction of one is only right by the lenient
precision); ``--double-apostrophe`` counts ``''`` as a mark (the result's ``counts`` say how many
gold contents that concerns).

Predictions. The real path: ``storyline ingest --no-stories`` of the text files into a fresh
SQLite store, then ``storyline quotes --format jsonl``: one object a quote mention, with
``article`` (the file name without ``.txt``), ``kind`` ("direct" or "indirect"), ``text``,
``start``/``end`` (offsets into the stored text, meant to equal the file text with NBSP made a
space and trailing white space trimmed), ``speaker``, ``speaker_span`` and more. A prediction
whose ``text`` is not at ``[start, end)`` of the file (the store may also collapse runs of
white space, which shifts later offsets) is moved to the nearest place that holds it, white space
compared loosely; its ``speaker_span`` moves to its ``speaker_text`` nearby, or by the same
shift. ``--predictions`` scores a saved JSON-lines file instead.

Scoring. A prediction [start, end) matches a gold quote when it overlaps at least 50% of the
gold quote's characters. Matching is one to one and greedy (pairs by overlap, largest first,
ties to the closer fit by character Jaccard; each gold and each prediction used at most once), per
article.

* ``direct_recall``: gold direct quotes matched by a ``direct`` prediction / gold direct quotes;
* ``direct_precision``: ``direct`` predictions matched to a gold direct quote / ``direct``
  predictions; ``direct_f1`` from the two;
* ``direct_precision_lenient``: as precision, but a ``direct`` prediction also counts as right
  when it overlaps >= 50% of any gold Content span (quoted or not, one to one or not), as PolNeAR
  sometimes annotates quoted text without its marks or splits it across attributions;
* ``direct_recall_any_kind``: gold direct quotes matched by a prediction of either kind
  (a separate one-to-one matching), and recall for pure quotes (the Content starts with an
  opening mark and ends with a closing one) and mixed ones;
* ``speaker_accuracy``: over matched (gold, direct prediction) pairs whose gold has a Source: the
  prediction's ``speaker_span`` overlaps a Source fragment, or the last capitalised name token of
  its ``speaker`` (titles and Jr./Sr. skipped) is a capitalised token of the Source text
  (gold "Mr. Barrett", predicted "John Barrett"); a gold pronoun or description ("he", "the
  official") is right only by span overlap. Matched gold quotes without a Source
  (``Attribution-no-source``) are counted apart, with how often the speaker predicted was null;
* ``indirect`` (information only): recall of ``indirect`` predictions over the gold
  attributions without marks (same 50% rule, one to one) and the share of ``indirect``
  predictions that overlap >= 50% of some gold Content.

Articles rejected at ingest keep their gold quotes (misses). ``--errors N`` prints N sampled
misses, N false positives and N wrong speakers with their context to stderr.

Usage::

    python eval/quotes.py                          # dev split (84 articles)
    python eval/quotes.py --split both --limit 200 # dev + train, the first 200 articles
    python eval/quotes.py --errors 10              # and show sampled errors
    python eval/quotes.py --save-predictions q.jsonl; python eval/quotes.py --predictions q.jsonl
    python eval/quotes.py --json                   # the JSON result only; --json FILE writes it there
    python eval/quotes.py --check                  # exit 1 below the "quotes" floors in eval/floors.json
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cli_runner import run_storyline
from floors import below_floors

EVAL_DIR = Path(__file__).resolve().parent
REPO_ROOT = EVAL_DIR.parent
DEFAULT_DATA = REPO_ROOT.parent / "shared" / "eval" / "quotes"
FLOORS_FILE = EVAL_DIR / "floors.json"
SECTION = "quotes"
MIN_OVERLAP = 0.5
QUOTE_MARKS = frozenset('“”"«»')
OPENING_MARKS = frozenset('“"«')
CLOSING_MARKS = frozenset('”"»')
SPAN_TYPES = frozenset({"Source", "Cue", "Content"})
EVENT_TYPES = frozenset({"Attribution", "Attribution-no-source"})
PRONOUNS = frozenset(
    "i me we us you he him she her it they them his hers its their theirs our ours my mine your yours".split()
)
# Capitalised tokens that do not name anyone: titles, honorifics, function words that open a sentence.
NOT_NAMES = frozenset(
    """
    the a an this that these those mr mrs ms miss dr prof sir dame sen senator rep representative gov governor
    president vice pres gen general col lt sgt adm capt secretary sec chairman chairwoman chair mayor judge
    justice rev father speaker leader former jr sr ii iii iv he she it they we i his her their its our my
    according but and or as in on at for of to by from with after while when
    """.split()
)
_NAME_TOKEN = re.compile(r"[A-Za-z][A-Za-z'’.-]*")

Span = tuple[int, int]


# --------------------------------------------------------------------------- gold


@dataclass
class GoldQuote:
    """One gold attribution: its Content (fragments), Source and Cue spans, and its texts."""

    article: str
    event: str
    fragments: list[Span]
    text: str
    source: list[Span] | None = None
    source_text: str = ""
    cue_text: str = ""
    no_source: bool = False
    direct: bool = False
    pure: bool = False

    @property
    def size(self) -> int:
        """Number of characters in the union of the fragments."""
        return len(char_set(self.fragments))


def has_quote_mark(text: str, double_apostrophe: bool = False) -> bool:
    """Whether `text` holds a quotation mark (with `double_apostrophe`, ``''`` counts as one)."""
    return any(ch in QUOTE_MARKS for ch in text) or (double_apostrophe and "''" in text)


def is_pure(pieces: Sequence[str], double_apostrophe: bool = False) -> bool:
    """Whether every fragment runs from an opening mark to a closing one (trailing punctuation aside)."""

    def pure(text: str) -> bool:
        stripped = text.strip().rstrip(".,;:!?—– ")
        if double_apostrophe and stripped.startswith("''") and stripped.endswith("''") and len(stripped) > 3:
            return True
        return bool(stripped) and stripped[0] in OPENING_MARKS and stripped[-1] in CLOSING_MARKS

    return bool(pieces) and all(pure(piece) for piece in pieces)


@dataclass
class GoldArticle:
    """An article's text, its gold attributions and every Content span of its annotation."""

    article: str
    text: str
    quotes: list[GoldQuote] = field(default_factory=list)
    contents: list[list[Span]] = field(default_factory=list)
    ann_file: str = ""
    skipped_lines: int = 0


def parse_fragments(spec: str) -> list[Span]:
    """``"35 40;12 30"`` -> ``[(12, 30), (35, 40)]`` (sorted); ValueError when malformed."""
    out = []
    for part in spec.split(";"):
        start, end = part.split()
        span = (int(start), int(end))
        if span[0] > span[1]:
            raise ValueError(f"reversed span {part!r}")
        out.append(span)
    return sorted(out)


def parse_ann(ann: str) -> tuple[dict[str, tuple[str, list[Span]]], list[tuple[str, str, dict[str, str]]], int]:
    """Parse brat standoff text: spans ``{T-id: (type, fragments)}``, events ``[(E-id, type, {role: T-id})]``
    and the number of lines skipped (continuations, notes, malformed lines)."""
    spans: dict[str, tuple[str, list[Span]]] = {}
    events: list[tuple[str, str, dict[str, str]]] = []
    skipped = 0
    for line in ann.splitlines():
        parts = line.split("\t")
        if not line.strip():
            continue
        ident = parts[0]
        try:
            if ident.startswith("T") and len(parts) >= 2:
                kind, _, frag = parts[1].partition(" ")
                spans[ident] = (kind, parse_fragments(frag))
            elif ident.startswith("E") and len(parts) >= 2 and parts[1].strip():
                args = parts[1].split()
                kind, _, trigger = args[0].partition(":")
                roles = {"trigger": trigger}
                for arg in args[1:]:
                    role, sep, target = arg.partition(":")
                    if not sep or not target:
                        raise ValueError(arg)
                    roles[role] = target
                events.append((ident, kind, roles))
            else:
                skipped += 1
        except ValueError:
            skipped += 1
    return spans, events, skipped


def span_text(text: str, fragments: Sequence[Span]) -> str:
    """The text of the fragments, joined by a line break."""
    return "\n".join(text[s:e] for s, e in fragments)


def gold_from_ann(article: str, text: str, ann: str, double_apostrophe: bool = False) -> GoldArticle:
    """The gold attributions of one article from its text and one .ann file's content
    (`double_apostrophe`: ``''``, as the New York Times writes quotation marks, counts as a mark)."""
    spans, events, skipped = parse_ann(ann)
    gold = GoldArticle(article=article, text=text, skipped_lines=skipped)
    gold.contents = [frags for kind, frags in spans.values() if kind == "Content"]
    for ident, kind, roles in events:
        content = spans.get(roles.get("Content", ""))
        if kind not in EVENT_TYPES or content is None or content[0] != "Content":
            gold.skipped_lines += 1
            continue
        source = spans.get(roles.get("Source", ""))
        cue = spans.get(roles.get("Cue", ""))
        src_frags = source[1] if source and source[0] == "Source" else None
        pieces = [text[s:e] for s, e in content[1]]
        direct = has_quote_mark("\n".join(pieces), double_apostrophe)
        gold.quotes.append(
            GoldQuote(
                article=article,
                event=ident,
                fragments=content[1],
                text=span_text(text, content[1]),
                source=src_frags,
                source_text=span_text(text, src_frags) if src_frags else "",
                cue_text=span_text(text, cue[1]) if cue else "",
                no_source=kind == "Attribution-no-source",
                direct=direct,
                pure=direct and is_pure(pieces, double_apostrophe),
            )
        )
    gold.quotes.sort(key=lambda q: q.fragments[0])
    return gold


def ann_files(split_dir: Path) -> dict[str, Path]:
    """Article id -> its .ann file (``<id>_<annotator>.ann``; the first in sorted order when two)."""
    out: dict[str, Path] = {}
    for path in sorted((split_dir / "attributions").glob("*.ann")):
        article = path.stem.rsplit("_", 1)[0]
        out.setdefault(article, path)
    return out


def load_split(split_dir: Path, double_apostrophe: bool = False) -> list[GoldArticle]:
    """Every article of one split folder (``polnear-dev``) with an annotation, in file-name order."""
    anns = ann_files(split_dir)
    out = []
    for path in sorted((split_dir / "text").glob("*.txt")):
        ann = anns.get(path.stem)
        if ann is None:
            continue
        text = path.read_text(encoding="utf-8")
        gold = gold_from_ann(path.stem, text, ann.read_text(encoding="utf-8"), double_apostrophe)
        gold.ann_file = ann.name
        out.append(gold)
    return out


def load(
    data_dir: Path, split: str, limit: int | None = None, double_apostrophe: bool = False
) -> tuple[list[GoldArticle], dict[str, Path]]:
    """The gold articles of `split` (dev, train or both) and article id -> text file."""
    articles: list[GoldArticle] = []
    files: dict[str, Path] = {}
    for name in ("dev", "train") if split == "both" else (split,):
        split_dir = data_dir / f"polnear-{name}"
        for gold in load_split(split_dir, double_apostrophe):
            articles.append(gold)
            files[gold.article] = split_dir / "text" / f"{gold.article}.txt"
    if limit is not None:
        articles = articles[:limit]
        files = {a.article: files[a.article] for a in articles}
    return articles, files


# --------------------------------------------------------------------------- predictions


@dataclass
class Prediction:
    """One predicted quote mention (a line of ``storyline quotes --format jsonl``)."""

    article: str
    kind: str
    start: int
    end: int
    text: str = ""
    speaker: str | None = None
    speaker_span: Span | None = None
    raw: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_json(cls, row: dict[str, Any]) -> Prediction:
        """From one JSON object; a missing span becomes (0, 0)."""
        span = row.get("speaker_span")
        return cls(
            article=str(row.get("article", "")),
            kind=str(row.get("kind", "")),
            start=int(row.get("start") or 0),
            end=int(row.get("end") or 0),
            text=str(row.get("text") or ""),
            speaker=row.get("speaker") or None,
            speaker_span=(int(span[0]), int(span[1])) if span and len(span) == 2 else None,
            raw=row,
        )


def _norm(text: str) -> str:
    return text.replace("\xa0", " ")


def find_near(text: str, needle: str, near: int) -> Span | None:
    """The occurrence of `needle` in `text` nearest to offset `near`, white space matching any run
    of white space (NBSP included), as [start, end); None when there is none."""
    words = needle.split()
    if not words:
        return None
    pattern = re.compile(r"\s+".join(re.escape(w) for w in words))
    found = [(m.start(), m.end()) for m in pattern.finditer(text)]
    return min(found, key=lambda m: abs(m[0] - near)) if found else None


def relocate(pred: Prediction, text: str) -> str:
    """Make sure ``text[start:end]`` is the prediction's text: "ok", "moved" (to the nearest
    occurrence, white space compared loosely; the speaker span moved to its own text near the
    same shift, or shifted alike) or "lost" (not found; left where it was)."""
    if not pred.text or _norm(text[pred.start : pred.end]) == _norm(pred.text):
        return "ok"
    span = find_near(text, pred.text, pred.start)
    if span is None:
        return "lost"
    delta = span[0] - pred.start
    pred.start, pred.end = span
    if pred.speaker_span is not None:
        s, e = pred.speaker_span[0] + delta, pred.speaker_span[1] + delta
        said = str(pred.raw.get("speaker_text") or "")
        if said and _norm(text[s:e]) != _norm(said):
            s, e = find_near(text, said, s) or (s, e)
        pred.speaker_span = (s, e)
    return "moved"


def read_predictions(lines: Iterable[str]) -> list[Prediction]:
    """Predictions from JSON lines (blank lines skipped)."""
    return [Prediction.from_json(json.loads(line)) for line in lines if line.strip()]


def predict(files: dict[str, Path], save: Path | None = None) -> tuple[list[Prediction], list[str], float]:
    """Run ingest and ``storyline quotes`` on `files` in a fresh store: predictions, ids rejected, seconds."""
    with tempfile.TemporaryDirectory() as tmp:
        db = f"sqlite:///{tmp}/q.db"
        dirs = {p.parent for p in files.values()}
        whole = all(len(list(d.glob("*.txt"))) == sum(1 for p in files.values() if p.parent == d) for d in dirs)
        sources = sorted(str(d) for d in dirs) if whole else [str(p) for p in files.values()]
        start = time.perf_counter()
        ingested = json.loads(run_storyline("--db", db, "ingest", "--no-stories", "--format", "json", *sources))
        stored = {str(o.get("id")) for o in ingested.get("outcomes", []) if o.get("status") != "rejected"}
        out = run_storyline("--db", db, "quotes", "--format", "jsonl")
        seconds = time.perf_counter() - start
    if save is not None:
        save.write_text(out, encoding="utf-8")
    return read_predictions(out.splitlines()), sorted(set(files) - stored), seconds


# --------------------------------------------------------------------------- scoring


def char_set(fragments: Iterable[Span]) -> set[int]:
    """The character positions covered by the fragments."""
    return {i for s, e in fragments for i in range(s, e)}


def overlap(gold: Iterable[Span], start: int, end: int) -> int:
    """Characters of the union of `gold` inside [start, end)."""
    return sum(1 for i in char_set(gold) if start <= i < end)


def covers(gold: Sequence[Span], pred: Prediction, share: float = MIN_OVERLAP) -> bool:
    """Whether `pred` overlaps at least `share` of the gold span's characters."""
    size = len(char_set(gold))
    return size > 0 and overlap(gold, pred.start, pred.end) >= share * size


def match(golds: Sequence[Sequence[Span]], preds: Sequence[Prediction]) -> list[tuple[int, int]]:
    """One-to-one greedy matching: (gold index, prediction index) pairs, largest overlap first (ties:
    the closer fit, by character Jaccard), among pairs where the prediction overlaps >= 50% of the gold."""
    candidates = []
    for gi, gold in enumerate(golds):
        chars = char_set(gold)
        if not chars:
            continue
        for pi, pred in enumerate(preds):
            hit = sum(1 for i in chars if pred.start <= i < pred.end)
            if hit >= MIN_OVERLAP * len(chars):
                jaccard = hit / (len(chars) + max(0, pred.end - pred.start) - hit)
                candidates.append((-hit, -jaccard, gi, pi))
    pairs, used_g, used_p = [], set(), set()
    for _, _, gi, pi in sorted(candidates):
        if gi not in used_g and pi not in used_p:
            pairs.append((gi, pi))
            used_g.add(gi)
            used_p.add(pi)
    return sorted(pairs)


def name_tokens(text: str) -> list[str]:
    """Capitalised tokens of `text` that may be names (titles and function words left out), lower-cased."""
    out = []
    for tok in _NAME_TOKEN.findall(text):
        word = re.sub(r"['’]s?$", "", tok).strip(".-")
        if word[:1].isupper() and len(word) > 1 and word.lower() not in NOT_NAMES:
            out.append(word.lower())
    return out


def surname(name: str) -> str | None:
    """The last capitalised name token of `name` (lower-cased), or None."""
    tokens = name_tokens(name)
    return tokens[-1] if tokens else None


def speaker_correct(gold: GoldQuote, pred: Prediction) -> str | None:
    """How the predicted speaker matches the gold Source: "span", "name" or None (wrong)."""
    if gold.source is None:
        return None
    if pred.speaker_span is not None:
        s, e = pred.speaker_span
        if any(s < ge and gs < e for gs, ge in gold.source):
            return "span"
    last = surname(pred.speaker or "")
    if last and last in name_tokens(gold.source_text):
        return "name"
    return None


def is_pronoun(text: str) -> bool:
    """Whether a Source text is a bare pronoun."""
    return text.strip().lower() in PRONOUNS


def _ratio(a: int, b: int) -> float:
    return a / b if b else 0.0


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Tally:
    """Counts summed over articles, and the examples kept for --errors."""

    counts: dict[str, int] = field(default_factory=dict)
    misses: list[tuple[GoldArticle, GoldQuote, list[Prediction]]] = field(default_factory=list)
    false_positives: list[tuple[GoldArticle, Prediction]] = field(default_factory=list)
    wrong_speakers: list[tuple[GoldArticle, GoldQuote, Prediction]] = field(default_factory=list)

    def add(self, key: str, n: int = 1) -> None:
        """Add `n` to a count."""
        self.counts[key] = self.counts.get(key, 0) + n

    def __getitem__(self, key: str) -> int:
        return self.counts.get(key, 0)


def score_article(gold: GoldArticle, preds: Sequence[Prediction], tally: Tally) -> None:
    """Add one article's counts to `tally`."""
    direct_gold = [q for q in gold.quotes if q.direct]
    indirect_gold = [q for q in gold.quotes if not q.direct]
    direct = [p for p in preds if p.kind == "direct"]
    indirect = [p for p in preds if p.kind == "indirect"]
    tally.add("gold_direct", len(direct_gold))
    tally.add("gold_direct_pure", sum(q.pure for q in direct_gold))
    tally.add("gold_indirect", len(indirect_gold))
    tally.add("gold_indirect_with_double_apostrophe", sum("''" in q.text for q in indirect_gold))
    tally.add("pred_direct", len(direct))
    tally.add("pred_indirect", len(indirect))
    tally.add("pred_other_kind", len(preds) - len(direct) - len(indirect))

    pairs = match([q.fragments for q in direct_gold], direct)
    tally.add("matched_direct", len(pairs))
    tally.add("matched_direct_pure", sum(direct_gold[gi].pure for gi, _ in pairs))
    matched_g = {gi for gi, _ in pairs}
    matched_p = {pi for _, pi in pairs}
    lenient = [pi in matched_p or any(covers(c, p) for c in gold.contents) for pi, p in enumerate(direct)]
    tally.add("pred_direct_lenient", sum(lenient))
    tally.add("matched_any_kind", len(match([q.fragments for q in direct_gold], preds)))

    for gi, pi in pairs:
        quote, pred = direct_gold[gi], direct[pi]
        if quote.source is None:
            tally.add("matched_no_source")
            tally.add("matched_no_source_null_speaker", pred.speaker is None)
            continue
        how = speaker_correct(quote, pred)
        pronoun = is_pronoun(quote.source_text)
        tally.add("matched_with_source")
        tally.add("matched_pronoun_source", pronoun)
        tally.add("speaker_null", pred.speaker is None)
        if how:
            tally.add("speaker_correct")
            tally.add(f"speaker_correct_by_{how}")
            tally.add("speaker_correct_pronoun_source", pronoun)
        else:
            tally.wrong_speakers.append((gold, quote, pred))

    for gi, quote in enumerate(direct_gold):
        if gi not in matched_g:
            near = [p for p in preds if p.start < quote.fragments[-1][1] and quote.fragments[0][0] < p.end]
            tally.misses.append((gold, quote, near))
    for pi, pred in enumerate(direct):
        if pi not in matched_p:
            tally.false_positives.append((gold, pred))

    ind_pairs = match([q.fragments for q in indirect_gold], indirect)
    tally.add("matched_indirect", len(ind_pairs))
    tally.add("pred_indirect_on_content", sum(any(covers(c, p) for c in gold.contents) for p in indirect))


def score(gold: Sequence[GoldArticle], preds: Iterable[Prediction], rejected: Sequence[str] = ()) -> dict[str, Any]:
    """Score predictions against gold articles; the result dict (see the module docstring)."""
    result, _ = score_with_tally(gold, preds, rejected)
    return result


def score_with_tally(
    gold: Sequence[GoldArticle], preds: Iterable[Prediction], rejected: Sequence[str] = ()
) -> tuple[dict[str, Any], Tally]:
    """Score predictions; the result dict and the tally (with the examples for --errors)."""
    by_article: dict[str, list[Prediction]] = {g.article: [] for g in gold}
    texts = {g.article: g.text for g in gold}
    tally = Tally()
    for pred in preds:
        if pred.article not in by_article:
            tally.add("pred_unknown_article")
            continue
        tally.add(f"located_{relocate(pred, texts[pred.article])}")
        by_article[pred.article].append(pred)
    for article in gold:
        score_article(article, by_article[article.article], tally)
        tally.add("ann_lines_skipped", article.skipped_lines)

    t = tally
    recall = _ratio(t["matched_direct"], t["gold_direct"])
    precision = _ratio(t["matched_direct"], t["pred_direct"])
    result: dict[str, Any] = {
        "direct_recall": recall,
        "direct_precision": precision,
        "direct_f1": _f1(precision, recall),
        "direct_precision_lenient": _ratio(t["pred_direct_lenient"], t["pred_direct"]),
        "direct_recall_any_kind": _ratio(t["matched_any_kind"], t["gold_direct"]),
        "direct_recall_pure": _ratio(t["matched_direct_pure"], t["gold_direct_pure"]),
        "direct_recall_mixed": _ratio(
            t["matched_direct"] - t["matched_direct_pure"], t["gold_direct"] - t["gold_direct_pure"]
        ),
        "speaker_accuracy": _ratio(t["speaker_correct"], t["matched_with_source"]),
        "counts": {
            "articles": len(gold),
            "rejected_at_ingest": len(rejected),
            "gold_direct": t["gold_direct"],
            "gold_direct_pure": t["gold_direct_pure"],
            "gold_indirect": t["gold_indirect"],
            "gold_indirect_with_double_apostrophe": t["gold_indirect_with_double_apostrophe"],
            "pred_direct": t["pred_direct"],
            "pred_indirect": t["pred_indirect"],
            "pred_other_kind": t["pred_other_kind"],
            "pred_unknown_article": t["pred_unknown_article"],
            "matched_direct": t["matched_direct"],
            "pred_direct_lenient": t["pred_direct_lenient"],
            "matched_any_kind": t["matched_any_kind"],
            "relocated": t["located_moved"],
            "not_located": t["located_lost"],
            "ann_lines_skipped": t["ann_lines_skipped"],
        },
        "speaker": {
            "matched_with_source": t["matched_with_source"],
            "correct": t["speaker_correct"],
            "correct_by_span": t["speaker_correct_by_span"],
            "correct_by_name": t["speaker_correct_by_name"],
            "null_speaker": t["speaker_null"],
            "pronoun_source": t["matched_pronoun_source"],
            "pronoun_source_correct": t["speaker_correct_pronoun_source"],
            "matched_no_source": t["matched_no_source"],
            "no_source_null_speaker": t["matched_no_source_null_speaker"],
        },
        "indirect": {
            "recall": _ratio(t["matched_indirect"], t["gold_indirect"]),
            "on_content": _ratio(t["pred_indirect_on_content"], t["pred_indirect"]),
            "matched": t["matched_indirect"],
            "gold": t["gold_indirect"],
            "predicted": t["pred_indirect"],
        },
        "rejected": list(rejected),
    }
    return result, tally


# --------------------------------------------------------------------------- reporting


def _context(text: str, start: int, end: int, width: int = 80) -> str:
    left = text[max(0, start - width) : start]
    right = text[end : end + width]
    return " ".join(f"…{left}[[{text[start:end]}]]{right}…".split())


def print_errors(tally: Tally, n: int, seed: int, out: Any = sys.stderr) -> None:
    """Print `n` sampled misses, false positives and wrong speakers with their context."""
    rng = random.Random(seed)

    def sample(items: list[Any]) -> list[Any]:
        return rng.sample(items, min(n, len(items)))

    print(f"=== {min(n, len(tally.misses))} of {len(tally.misses)} missed gold direct quotes", file=out)
    for gold, quote, near in sample(tally.misses):
        s, e = quote.fragments[0][0], quote.fragments[-1][1]
        print(f"- {gold.article} {quote.event} {quote.fragments} source {quote.source_text!r}", file=out)
        print(f"  gold: {_context(gold.text, s, e)}", file=out)
        for p in near:
            print(f"  near: {p.kind} [{p.start},{p.end}) {' '.join(p.text.split())[:160]!r}", file=out)
    print(f"=== {min(n, len(tally.false_positives))} of {len(tally.false_positives)} false positives", file=out)
    for gold, pred in sample(tally.false_positives):
        print(f"- {gold.article} [{pred.start},{pred.end}) speaker {pred.speaker!r}", file=out)
        print(f"  pred: {_context(gold.text, pred.start, pred.end)}", file=out)
        for q in gold.quotes:
            if q.fragments[0][0] < pred.end and pred.start < q.fragments[-1][1]:
                kind = "direct" if q.direct else "indirect"
                print(f"  gold {kind} {q.event} {q.fragments}: {' '.join(q.text.split())[:160]!r}", file=out)
    print(f"=== {min(n, len(tally.wrong_speakers))} of {len(tally.wrong_speakers)} wrong speakers", file=out)
    for gold, quote, pred in sample(tally.wrong_speakers):
        print(
            f"- {gold.article} gold {quote.source_text!r} {quote.source} | predicted {pred.speaker!r}"
            f" {pred.speaker_span} {pred.raw.get('speaker_text')!r}",
            file=out,
        )
        print(f"  quote: {' '.join(quote.text.split())[:160]!r}", file=out)


def summary(r: dict[str, Any]) -> str:
    """A few lines for people."""
    c, s, ind = r["counts"], r["speaker"], r["indirect"]
    return "\n".join(
        [
            f"{c['articles']} articles ({c['rejected_at_ingest']} rejected at ingest): {c['gold_direct']} gold direct"
            f" quotes ({c['gold_direct_pure']} pure), {c['pred_direct']} predicted direct,"
            f" {c['pred_indirect']} indirect ({c['relocated']} relocated, {c['not_located']} not located)",
            f"direct: P {r['direct_precision']:.4f} R {r['direct_recall']:.4f} F1 {r['direct_f1']:.4f}"
            f" | lenient P {r['direct_precision_lenient']:.4f} | R any kind {r['direct_recall_any_kind']:.4f}"
            f" | R pure {r['direct_recall_pure']:.4f} mixed {r['direct_recall_mixed']:.4f}",
            f"speaker accuracy {r['speaker_accuracy']:.4f} ({s['correct']}/{s['matched_with_source']}:"
            f" {s['correct_by_span']} by span, {s['correct_by_name']} by name; {s['null_speaker']} null;"
            f" pronoun sources {s['pronoun_source_correct']}/{s['pronoun_source']})"
            f" | no-source gold matched {s['matched_no_source']}, speaker null for {s['no_source_null_speaker']}",
            f"indirect (info): R {ind['recall']:.4f} ({ind['matched']}/{ind['gold']}),"
            f" on some gold content {ind['on_content']:.4f} of {ind['predicted']}",
        ]
    )


def check_floors(result: dict[str, Any], floors_file: Path = FLOORS_FILE) -> list[str]:
    """Messages for metrics below the floors (section "quotes": "<metric>" or "<group>.<metric>")."""
    return below_floors(result, SECTION, floors_file)


# --------------------------------------------------------------------------- command line


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help=f"PolNeAR folder (default {DEFAULT_DATA})")
    parser.add_argument("--split", choices=["dev", "train", "both"], default="dev", help="which split (default dev)")
    parser.add_argument("--limit", type=int, help="only the first N articles (file-name order, dev before train)")
    parser.add_argument("--predictions", type=Path, help="score this JSON-lines file instead of running the CLI")
    parser.add_argument("--save-predictions", type=Path, help="write the CLI's JSON lines to this file")
    parser.add_argument(
        "--double-apostrophe",
        action="store_true",
        help="count '' (the New York Times' quotation mark in these files) as a quotation mark in gold contents",
    )
    parser.add_argument("--errors", type=int, default=0, metavar="N", help="print N sampled errors of each kind")
    parser.add_argument("--seed", type=int, default=13, help="seed for sampling --errors")
    parser.add_argument(
        "--json",
        nargs="?",
        const="-",
        metavar="FILE",
        help="print only the JSON result; with FILE, write it there (and print the summary)",
    )
    parser.add_argument("--check", action="store_true", help=f"exit 1 if a metric is below {FLOORS_FILE.name}")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run the evaluation; return the exit code."""
    args = _parse_args(argv)
    if not args.data.is_dir():
        print(f"no PolNeAR data at {args.data}", file=sys.stderr)
        return 2
    gold, files = load(args.data, args.split, args.limit, args.double_apostrophe)
    rejected: list[str] = []
    seconds = None
    if args.predictions:
        preds = read_predictions(args.predictions.read_text(encoding="utf-8").splitlines())
    else:
        preds, rejected, seconds = predict(files, args.save_predictions)
    result, tally = score_with_tally(gold, preds, rejected)
    result["split"] = args.split
    result["double_apostrophe"] = args.double_apostrophe
    result["seconds"] = seconds
    if args.errors:
        print_errors(tally, args.errors, args.seed)
    text = json.dumps(result, indent=2)
    if args.json == "-":
        print(text)
    else:
        print(summary(result))
        if args.json:
            Path(args.json).write_text(text + "\n", encoding="utf-8")
        else:
            print(text)
    failures = check_floors(result) if args.check else []
    for line in failures:
        print(line, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
