#!/usr/bin/env python3
"""Score article similarity on the SemEval-2022 Task 8 sample (``../shared/eval/similarity``).

Each row pairs two news articles with a human `Overall` similarity from 1 (same story) to 4
(unrelated). The score is the Pearson correlation between Storyline's similarity and the negated
`Overall`, on English-English pairs and on all pairs. Two similarities are scored: the cosine of
the article vectors (headline and lead through MiniLM) and the log-odds of the same-event model that
story clustering uses (vectors plus names, words, numbers and dates; ``storyline.stories.cluster.pair_logit``).

Usage::

    python eval/similarity.py            # all 1,283 pairs
    python eval/similarity.py --limit 200 --json
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import sys
import time
from pathlib import Path
from typing import Any

EVAL_DIR = Path(__file__).resolve().parent
DEFAULT_FILE = EVAL_DIR.parent.parent / "shared" / "eval" / "similarity" / "semeval2022t8-train.csv"


def pearson(xs: list[float], ys: list[float]) -> float:
    """Pearson correlation of two equally long lists (0.0 when either is constant)."""
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    sx = math.sqrt(sum((x - mx) ** 2 for x in xs))
    sy = math.sqrt(sum((y - my) ** 2 for y in ys))
    return sxy / (sx * sy) if sx and sy else 0.0


def load(path: Path, limit: int | None) -> list[dict[str, str]]:
    """The rows of the CSV (all columns as strings)."""
    csv.field_size_limit(sys.maxsize)
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return rows[:limit] if limit else rows


def similarities(rows: list[dict[str, str]]) -> tuple[list[float], list[float]]:
    """(cosine, same-event probability) for each row's two texts."""
    from storyline.model import Article
    from storyline.stories.builder import StoryOptions, describe
    from storyline.stories.cluster import DocFreq, pair_logit
    from storyline.stories.embed import default_embedder

    articles = [
        Article(external_id=f"{i}:{side}", text=row[side] or " ", content_hash="", source="semeval", id=2 * i + k)
        for i, row in enumerate(rows)
        for k, side in enumerate(("text1", "text2"))
    ]
    options = StoryOptions()
    members = describe(articles, options, default_embedder(options.features.vector_tokens))
    df = DocFreq()
    for m in members:
        df.add(m.features)
    pairs = [(members[2 * i], members[2 * i + 1]) for i in range(len(rows))]
    cosine = [float(a.vector @ b.vector) for a, b in pairs]
    event = [pair_logit(a, b, df) for a, b in pairs]
    return cosine, event


def evaluate(rows: list[dict[str, str]]) -> dict[str, Any]:
    """Pearson correlations for English-English pairs and for all pairs."""
    start = time.perf_counter()
    cosine, event = similarities(rows)
    gold = [-float(r["Overall"]) for r in rows]
    english = [i for i, r in enumerate(rows) if r["lang1"] == "en" and r["lang2"] == "en"]
    result: dict[str, Any] = {"pairs": len(rows), "english_pairs": len(english)}
    for name, values in (("cosine", cosine), ("same_event", event)):
        result[name] = {
            "all": pearson(values, gold),
            "en_en": pearson([values[i] for i in english], [gold[i] for i in english]) if english else None,
        }
    result["seconds"] = time.perf_counter() - start
    return result


def main(argv: list[str] | None = None) -> int:
    """Run the evaluation; return the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--file", type=Path, default=DEFAULT_FILE, help=f"the CSV (default {DEFAULT_FILE})")
    parser.add_argument("--limit", type=int, help="only the first N pairs")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args(argv)
    if not args.file.is_file():
        print(f"no similarity data at {args.file}", file=sys.stderr)
        return 2
    result = evaluate(load(args.file, args.limit))
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(f"similarity: {result['pairs']} pairs ({result['english_pairs']} English-English), Pearson with -Overall")
    for name in ("cosine", "same_event"):
        r = result[name]
        en = f"{r['en_en']:.4f}" if r["en_en"] is not None else "–"
        print(f"  {name:10} all {r['all']:.4f}  en-en {en}")
    print(f"time {result['seconds']:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
