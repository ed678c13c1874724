#!/usr/bin/env python3
"""Score claim alignment: are aligned claim pairs true paraphrases, and how much do they cover?

Two sets of same-story article pairs, each article its own source:

- ``similarity``: the English-English pairs of the SemEval-2022 Task 8 sample
  (``../shared/eval/similarity``) with ``Overall`` <= 2 (same story; texts cut to head and tail);
- ``stories``: pairs of ECB+ dev articles of the same gold story (``../shared/eval/stories``),
  a seeded sample (60 by default) of all such pairs.

Each article goes through ``storyline.ingest.extract.extract`` (plain text), ``article_units``,
``embed_units`` (MiniLM, 128 tokens, as the report uses) and ``group_claims(units, vectors, {a: a,
b: b})``. A claim group with one occurrence from each article is an **aligned pair**.

Metrics:

- **alignment precision**: of the aligned pairs labelled by hand in ``eval/claims_labels.jsonl``,
  the share labelled ``same``; also the share labelled ``same`` or ``related``;
- **coverage**: per article, the share of the characters of its claim units that belong to an
  aligned pair, averaged over the two articles of a pair and then over pairs (articles without
  units are left out); also the same share of the whole article text;
- **aligned pairs per article pair** (mean) and the share of article pairs with at least one.

Labelling rule (for ``eval/claims_labels.jsonl``; see docs/claims-eval.md):

- ``same``: both assert the same fact: the same event, entities and figures. Wording, attribution
  and hedging may differ; one may carry extra detail as long as its main statement is the other's.
- ``related``: the same topic or event but a different fact (cause vs consequence, different
  figures for different things, two different steps of the event).
- ``different``: unrelated statements.

Precision counts ``same`` only. The sample is 100 aligned pairs drawn with a seed, half from each
set where possible. When the code changes, a run's aligned pairs may no longer match the labelled
file: only the labelled pairs the run still finds are scored, and the rest are counted (``not
found``: the article pair was run but the claim pair is no longer aligned; ``outside run``: its
article pair was not part of this run, e.g. with ``--pairs``). ``--relabel`` rewrites the file
with a fresh sample and ``label: null`` for a person to fill in.

Usage::

    python eval/claims.py                       # both sets, about a minute on 2 cores
    python eval/claims.py --pairs 20 --json out.json
    python eval/claims.py --relabel             # new sample, labels null
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path
from typing import Any

EVAL_DIR = Path(__file__).resolve().parent
SHARED = EVAL_DIR.parent.parent / "shared" / "eval"
DEFAULT_SIMILARITY = SHARED / "similarity" / "semeval2022t8-train.csv"
DEFAULT_STORIES = SHARED / "stories"
LABELS_FILE = EVAL_DIR / "claims_labels.jsonl"
SOURCES = ("similarity", "stories")
LABELS = ("same", "related", "different")
SAMPLE_SIZE = 100
STORY_PAIRS = 60


@dataclass(frozen=True, slots=True)
class Doc:
    """One article of the evaluation: its id and raw text."""

    id: str
    text: str


@dataclass(frozen=True, slots=True)
class Aligned:
    """One aligned claim pair: a unit of article `a` and one of article `b`."""

    id: str
    source: str
    a: str
    b: str
    cosine: float


def similarity_pairs(path: Path) -> list[tuple[Doc, Doc]]:
    """English-English SemEval pairs with Overall <= 2, in file order."""
    csv.field_size_limit(sys.maxsize)
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return [
        (Doc(f"{r['pair_id']}:1", r["text1"]), Doc(f"{r['pair_id']}:2", r["text2"]))
        for r in rows
        if r["lang1"] == "en" and r["lang2"] == "en" and float(r["Overall"]) <= 2
    ]


def story_pairs(data_dir: Path, count: int, seed: int) -> list[tuple[Doc, Doc]]:
    """A seeded sample of `count` pairs of ECB+ dev articles of the same gold story."""
    gold = json.loads((data_dir / "ecbplus-dev.gold.json").read_text(encoding="utf-8"))
    with (data_dir / "ecbplus-dev.articles.jsonl").open(encoding="utf-8") as fh:
        texts = {r["id"]: r["text"] for r in map(json.loads, fh)}
    by_story: dict[str, list[str]] = defaultdict(list)
    for art in sorted(texts):
        if art in gold:
            by_story[gold[art]].append(art)
    every = [pair for story in sorted(by_story) for pair in combinations(by_story[story], 2)]
    chosen = random.Random(seed).sample(every, min(count, len(every)))
    return [(Doc(a, texts[a]), Doc(b, texts[b])) for a, b in chosen]


class Analyser:
    """Units and vectors of articles (cached: an ECB+ article may be in several pairs)."""

    def __init__(self) -> None:
        from storyline.stories.embed import default_embedder

        self.embed = default_embedder(128)
        self.cache: dict[str, tuple[Any, list[Any], Any]] = {}
        self.rejected = 0

    def article(self, doc: Doc) -> tuple[Any, list[Any], Any]:
        """(Article, units, vectors) of one document."""
        if doc.id not in self.cache:
            from storyline.analysis.claims import article_units, embed_units
            from storyline.ingest.extract import extract
            from storyline.model import Article, RawDocument

            art = extract(RawDocument(source="eval", external_id=doc.id, content=doc.text.encode(), kind="text"))
            if not isinstance(art, Article):  # too short to be an article: score the raw text anyway
                self.rejected += 1
                art = Article(external_id=doc.id, text=doc.text, content_hash="", source="eval")
            units = article_units(art)
            self.cache[doc.id] = (art, units, embed_units(units, self.embed))
        return self.cache[doc.id]

    def pair(self, source: str, a: Doc, b: Doc) -> dict[str, Any]:
        """Aligned claim pairs and coverage of one article pair."""
        import numpy as np

        from storyline.analysis.claims import group_claims

        art_a, units_a, vec_a = self.article(a)
        art_b, units_b, vec_b = self.article(b)
        units = units_a + units_b
        vectors = np.concatenate([vec_a, vec_b]) if units else np.zeros((0, 384), dtype=np.float32)
        groups = group_claims(units, vectors, {a.id: a.id, b.id: b.id})
        aligned: list[Aligned] = []
        covered: dict[str, int] = {a.id: 0, b.id: 0}
        for g in groups:
            if len(g.occurrences) != 2 or len({o.unit.evidence.article for o in g.occurrences}) != 2:
                continue
            ua, ub = sorted((o.unit for o in g.occurrences), key=lambda u: u.evidence.article != a.id)
            ea, eb = ua.evidence, ub.evidence
            cosine = float(vectors[units.index(ua)] @ vectors[units.index(ub)])
            pair_id = f"{source}|{a.id}|{b.id}|{ea.start}-{ea.end}|{eb.start}-{eb.end}"
            aligned.append(Aligned(pair_id, source, ea.text, eb.text, cosine))
            covered[a.id] += ea.end - ea.start
            covered[b.id] += eb.end - eb.start
        unit_share, text_share = [], []
        for doc, art, doc_units in ((a, art_a, units_a), (b, art_b, units_b)):
            unit_chars = sum(u.evidence.end - u.evidence.start for u in doc_units)
            if unit_chars:
                unit_share.append(covered[doc.id] / unit_chars)
            text_share.append(covered[doc.id] / max(1, len(art.text)))
        return {
            "aligned": aligned,
            "units": len(units),
            "coverage_units": sum(unit_share) / len(unit_share) if unit_share else None,
            "coverage_text": sum(text_share) / len(text_share),
        }


def summarise(results: list[dict[str, Any]]) -> dict[str, Any]:
    """Per-set figures from the per-pair results."""
    n = len(results)
    counts = [len(r["aligned"]) for r in results]
    unit_cov = [r["coverage_units"] for r in results if r["coverage_units"] is not None]
    return {
        "article_pairs": n,
        "aligned_pairs": sum(counts),
        "aligned_per_pair": sum(counts) / n if n else 0.0,
        "pairs_with_alignment": sum(1 for c in counts if c) / n if n else 0.0,
        "units_per_pair": sum(r["units"] for r in results) / n if n else 0.0,
        "coverage_units": sum(unit_cov) / len(unit_cov) if unit_cov else 0.0,
        "coverage_text": sum(r["coverage_text"] for r in results) / n if n else 0.0,
        "pairs_without_units": n - len(unit_cov),
    }


def sample(aligned: dict[str, list[Aligned]], size: int, seed: int) -> list[Aligned]:
    """A seeded sample of `size` aligned pairs, half from each set where possible."""
    pools = {}
    for source in SOURCES:
        pool = sorted(aligned.get(source, []), key=lambda x: x.id)
        random.Random(f"{seed}:{source}").shuffle(pool)
        pools[source] = pool
    quota = {s: min(size // len(SOURCES), len(pools[s])) for s in SOURCES}
    spare = size - sum(quota.values())
    for s in SOURCES:  # fill from the other set when one has too few
        extra = min(spare, len(pools[s]) - quota[s])
        quota[s] += extra
        spare -= extra
    return [x for s in SOURCES for x in pools[s][: quota[s]]]


def read_labels(path: Path) -> list[dict[str, Any]]:
    """The labelled file's records (an empty list when it does not exist)."""
    if not path.is_file():
        return []
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def write_labels(path: Path, chosen: list[Aligned]) -> None:
    """The sample, unlabelled, one JSON object a line."""
    with path.open("w", encoding="utf-8") as fh:
        for x in chosen:
            record = {"id": x.id, "source": x.source, "a": x.a, "b": x.b, "label": None, "note": None}
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")


def score_labels(
    records: list[dict[str, Any]], aligned: dict[str, list[Aligned]], run_pairs: set[str]
) -> dict[str, Any]:
    """Precision over the labelled pairs that this run still aligns (overall, by set and by cosine band)."""
    from storyline.analysis.claims import ClaimOptions

    cosine = {x.id: x.cosine for pool in aligned.values() for x in pool}
    found_ids = set(cosine)
    labelled = [r for r in records if r.get("label") in LABELS]
    found, not_found, outside = [], 0, 0
    for r in labelled:
        if r["id"] in found_ids:
            found.append(r)
        elif "|".join(r["id"].split("|")[:3]) in run_pairs:
            not_found += 1
        else:
            outside += 1

    def precision(rows: list[dict[str, Any]]) -> dict[str, Any]:
        c = Counter(r["label"] for r in rows)
        n = len(rows)
        return {
            "scored": n,
            "counts": {lab: c.get(lab, 0) for lab in LABELS},
            "precision_same": c["same"] / n if n else None,
            "precision_same_or_related": (c["same"] + c["related"]) / n if n else None,
        }

    return {
        "records": len(records),
        "labelled": len(labelled),
        "unlabelled": len(records) - len(labelled),
        "not_found": not_found,
        "outside_run": outside,
        **precision(found),
        "by_source": {s: precision([r for r in found if r["source"] == s]) for s in SOURCES},
        "by_cosine": {
            f"{low:.2f}-{high:.2f}": precision([r for r in found if low <= cosine[r["id"]] < high])
            for low, high in _bands(ClaimOptions().link)
        },
    }


def _bands(link: float) -> list[tuple[float, float]]:
    """Cosine bands: below `link` (aligned only through a shared name or figure), then two above it."""
    return [(0.0, link), (link, 0.8), (0.8, 1.01)]


def evaluate(args: argparse.Namespace) -> tuple[dict[str, Any], dict[str, list[Aligned]]]:
    """Run both sets; the figures and every aligned pair by set."""
    start = time.perf_counter()
    sets: dict[str, list[tuple[Doc, Doc]]] = {}
    if args.similarity.is_file():
        sim = similarity_pairs(args.similarity)
        random.Random(args.seed).shuffle(sim)
        sets["similarity"] = sim[: args.pairs] if args.pairs else sim
    else:
        print(f"no similarity data at {args.similarity}", file=sys.stderr)
    if args.stories.is_dir():
        sets["stories"] = story_pairs(args.stories, args.pairs or STORY_PAIRS, args.seed)
    else:
        print(f"no ECB+ data at {args.stories}", file=sys.stderr)
    analyser = Analyser()
    result: dict[str, Any] = {}
    aligned: dict[str, list[Aligned]] = {}
    run_pairs: set[str] = set()
    for source, pairs in sets.items():
        per_pair = [analyser.pair(source, a, b) for a, b in pairs]
        run_pairs.update(f"{source}|{a.id}|{b.id}" for a, b in pairs)
        aligned[source] = [x for r in per_pair for x in r["aligned"]]
        result[source] = summarise(per_pair)
    result["rejected_by_extraction"] = analyser.rejected
    result["labels"] = score_labels(read_labels(args.labels), aligned, run_pairs)
    result["seconds"] = time.perf_counter() - start
    return result, aligned


def _print_text(result: dict[str, Any], labels_file: Path) -> None:
    for source in SOURCES:
        if source not in result:
            continue
        r = result[source]
        print(
            f"{source:10} {r['article_pairs']} article pairs: {r['aligned_pairs']} aligned claim pairs"
            f" ({r['aligned_per_pair']:.2f} per pair, {r['pairs_with_alignment']:.0%} of pairs have one);"
            f" coverage {r['coverage_units']:.1%} of claim-unit chars, {r['coverage_text']:.1%} of text"
        )
    lab = result["labels"]
    print(
        f"labels     {lab['labelled']} labelled in {labels_file.name}: {lab['scored']} found in this run,"
        f" {lab['not_found']} not found (no longer aligned), {lab['outside_run']} outside this run"
    )

    def fmt(p: dict[str, Any]) -> str:
        if not p["scored"]:
            return "no labelled pairs"
        c = p["counts"]
        return (
            f"precision {p['precision_same']:.1%} (same), {p['precision_same_or_related']:.1%} (same+related)"
            f" on {p['scored']}: {c['same']} same / {c['related']} related / {c['different']} different"
        )

    print(f"  all        {fmt(lab)}")
    for source in SOURCES:
        print(f"  {source:10} {fmt(lab['by_source'][source])}")
    for band, p in lab["by_cosine"].items():
        print(f"  cos {band:7}  {fmt(p)}")
    print(f"time {result['seconds']:.1f} s")


def main(argv: list[str] | None = None) -> int:
    """Run the evaluation; return the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--similarity", type=Path, default=DEFAULT_SIMILARITY, help="the SemEval CSV")
    parser.add_argument("--stories", type=Path, default=DEFAULT_STORIES, help="the ECB+ folder")
    parser.add_argument("--labels", type=Path, default=LABELS_FILE, help=f"labelled pairs (default {LABELS_FILE})")
    parser.add_argument(
        "--pairs", type=int, help=f"at most N article pairs from each set (default: all similarity, {STORY_PAIRS} ECB+)"
    )
    parser.add_argument("--seed", type=int, default=13, help="sampling seed")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the figures as JSON to FILE")
    parser.add_argument(
        "--relabel",
        action="store_true",
        help=f"rewrite the labels file with a fresh sample of {SAMPLE_SIZE}, unlabelled",
    )
    args = parser.parse_args(argv)
    if not args.similarity.is_file() and not args.stories.is_dir():
        print("no evaluation data found", file=sys.stderr)
        return 2
    result, aligned = evaluate(args)
    if args.relabel:
        chosen = sample(aligned, SAMPLE_SIZE, args.seed)
        write_labels(args.labels, chosen)
        print(f"wrote {len(chosen)} unlabelled pairs to {args.labels}")
    _print_text(result, args.labels)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
