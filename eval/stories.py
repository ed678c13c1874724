#!/usr/bin/env python3
"""Score story clustering on ECB+ (``../shared/eval/stories``): BCubed and pairwise P/R/F1; and
same story or not on SemEval-2022 English pairs (``../shared/eval/similarity``): balanced accuracy.

Each ECB+ topic holds two different events of the same kind, so topic words alone cannot
separate them. The articles go through the real path: ``storyline ingest`` of a JSON-lines file
into a fresh SQLite store, then ``storyline stories --format json``; ``--batch`` also runs
``storyline recluster`` and scores that.

BCubed (per article: the share of its predicted story that shares its gold story, and the share
of its gold story that lands in its predicted story; averaged over articles). Pairwise: precision
and recall over all pairs of articles put together. An article missing from the output (rejected)
counts as a story of its own.

SemEval pairs (``eval/semeval_pairs.py``): each pair's two texts ingested into a fresh store, as a
user trying the tool would; balanced accuracy of "one story" against the pair's label (``Overall``
<= 1.5 same story, >= 3.5 unrelated).

Usage::

    python eval/stories.py                      # full dev set, shuffled and date order
    python eval/stories.py --topics 1-12 --check   # the CI subset, against eval/floors.json
    python eval/stories.py --order date --batch
    python eval/stories.py --corpus semeval        # SemEval pairs only (about a minute)
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import semeval_pairs
from cli_runner import run_storyline

EVAL_DIR = Path(__file__).resolve().parent
REPO_ROOT = EVAL_DIR.parent
DEFAULT_DATA = REPO_ROOT.parent / "shared" / "eval" / "stories"
DEFAULT_PAIRS = REPO_ROOT.parent / "shared" / "eval" / "similarity" / "semeval2022t8-train.csv"
FLOORS_FILE = EVAL_DIR / "floors.json"
SECTION = "stories"
CI_TOPICS = "1-12"


def bcubed(pred: dict[str, str], gold: dict[str, str]) -> dict[str, float]:
    """BCubed precision, recall and F1 of `pred` (article -> cluster) against `gold`."""
    ids = list(gold)
    clusters: dict[str, set[str]] = defaultdict(set)
    stories: dict[str, set[str]] = defaultdict(set)
    for i in ids:
        clusters[pred[i]].add(i)
        stories[gold[i]].add(i)
    p = sum(len(clusters[pred[i]] & stories[gold[i]]) / len(clusters[pred[i]]) for i in ids) / len(ids)
    r = sum(len(clusters[pred[i]] & stories[gold[i]]) / len(stories[gold[i]]) for i in ids) / len(ids)
    return {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0}


def pairwise(pred: dict[str, str], gold: dict[str, str]) -> dict[str, float]:
    """Precision, recall and F1 over the pairs of articles put in one cluster."""

    def pairs(labels: dict[str, str]) -> int:
        return sum(n * (n - 1) // 2 for n in Counter(labels[i] for i in gold).values())

    both = sum(n * (n - 1) // 2 for n in Counter((pred[i], gold[i]) for i in gold).values())
    p = both / pairs(pred) if pairs(pred) else 1.0
    r = both / pairs(gold) if pairs(gold) else 1.0
    return {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0}


def score(pred: dict[str, str], gold: dict[str, str]) -> dict[str, Any]:
    """Both metrics; articles missing from `pred` become singletons."""
    full = {i: pred.get(i, f"missing:{i}") for i in gold}
    b, pw = bcubed(full, gold), pairwise(full, gold)
    return {
        "bcubed_precision": b["precision"],
        "bcubed_recall": b["recall"],
        "bcubed_f1": b["f1"],
        "pairwise_precision": pw["precision"],
        "pairwise_recall": pw["recall"],
        "pairwise_f1": pw["f1"],
        "articles": len(gold),
        "missing": sum(1 for i in gold if i not in pred),
        "clusters": len(set(full.values())),
        "stories": len(set(gold.values())),
    }


def load(data_dir: Path, topics: str | None) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """The articles (in file order) and gold stories, limited to `topics` ("1-12" or "1,3,5")."""
    gold = json.loads((data_dir / "ecbplus-dev.gold.json").read_text(encoding="utf-8"))
    rows = [json.loads(line) for line in (data_dir / "ecbplus-dev.articles.jsonl").open(encoding="utf-8")]
    if topics:
        wanted = _topic_set(topics)
        rows = [r for r in rows if int(r["id"].split("_")[0]) in wanted]
    return rows, {r["id"]: gold[r["id"]] for r in rows}


def _topic_set(spec: str) -> set[int]:
    out: set[int] = set()
    for part in spec.split(","):
        low, _, high = part.partition("-")
        out.update(range(int(low), int(high or low) + 1))
    return out


def predicted(db: str) -> dict[str, str]:
    """Article external id -> story id, from `storyline stories --format json`."""
    listed = json.loads(run_storyline("--db", db, "stories", "--format", "json"))
    return {a["external_id"]: str(s["id"]) for s in listed for a in s["articles"]}


def run(rows: list[dict[str, Any]], gold: dict[str, str], *, batch: bool) -> dict[str, Any]:
    """Ingest `rows` in their order into a fresh store and score the stories (and the re-clustering)."""
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "articles.jsonl"
        src.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
        db = f"sqlite:///{tmp}/eval.db"
        start = time.perf_counter()
        run_storyline("--db", db, "ingest", str(src))
        result: dict[str, Any] = {"online": score(predicted(db), gold), "seconds": time.perf_counter() - start}
        if batch:
            run_storyline("--db", db, "recluster")
            result["batch"] = score(predicted(db), gold)
    return result


def check_floors(results: dict[str, Any], floors_file: Path = FLOORS_FILE) -> list[str]:
    """Messages for metrics below the floors (`stories` section: "<run>.<metric>" -> floor)."""
    floors = json.loads(floors_file.read_text(encoding="utf-8")).get(SECTION, {})
    failures = []
    for key, floor in floors.items():
        run_name, _, metric = key.partition(".")
        value = results.get(run_name, {}).get("online", {}).get(metric, 0.0)
        if value < floor:
            failures.append(f"{SECTION} {key} = {value:.4f} is below the floor {floor:.4f} ({floors_file})")
    return failures


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help=f"ECB+ folder (default {DEFAULT_DATA})")
    parser.add_argument("--topics", help="only these topics, e.g. 1-12 or 1,4,7 (default: all)")
    parser.add_argument(
        "--order",
        choices=["shuffled", "date", "file", "both", "all"],
        default="both",
        help="arrival order: shuffled, date, file (as in the data file); both = shuffled and date",
    )
    parser.add_argument("--seed", type=int, default=13, help="shuffle seed")
    parser.add_argument(
        "--corpus", choices=["ecb", "semeval", "both"], default="both", help="ECB+ stories, SemEval pairs, or both"
    )
    parser.add_argument("--pairs", type=Path, default=DEFAULT_PAIRS, help=f"SemEval CSV (default {DEFAULT_PAIRS})")
    parser.add_argument("--batch", action="store_true", help="also score `storyline recluster`")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument(
        "--check", action="store_true", help=f"score the CI topics ({CI_TOPICS}) and exit 1 below the floors"
    )
    return parser.parse_args(argv)


def _date_order(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    from storyline.ingest.extract import extract
    from storyline.model import Article, RawDocument

    def day(row: dict[str, Any]) -> str:
        art = extract(RawDocument(source="eval", external_id=row["id"], content=row["text"].encode(), kind="text"))
        return art.published.isoformat() if isinstance(art, Article) and art.published else "9999"

    return sorted(rows, key=day)  # stable: undated articles keep file order, after the dated ones


def main(argv: list[str] | None = None) -> int:
    """Run the evaluation; return the exit code."""
    args = _parse_args(argv)
    if args.corpus != "semeval" and not args.data.is_dir():
        print(f"no ECB+ data at {args.data}", file=sys.stderr)
        return 2
    if args.corpus != "ecb" and not args.pairs.is_file():
        print(f"no SemEval pairs at {args.pairs}", file=sys.stderr)
        return 2
    results: dict[str, Any] = {}
    if args.corpus != "semeval":
        results.update(_run_ecb(args))
    if args.corpus != "ecb":
        results["semeval"] = {"online": semeval_pairs.evaluate(args.pairs)}
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        _print_text(results)
    if args.check:
        failures = check_floors(results)
        for line in failures:
            print(line, file=sys.stderr)
        return 1 if failures else 0
    return 0


def _run_ecb(args: argparse.Namespace) -> dict[str, Any]:
    rows, gold = load(args.data, CI_TOPICS if args.check and not args.topics else args.topics)
    results: dict[str, Any] = {}
    if args.order in {"shuffled", "both", "all"}:
        shuffled = rows[:]
        random.Random(args.seed).shuffle(shuffled)
        results["shuffled"] = run(shuffled, gold, batch=args.batch)
    if args.order in {"date", "both", "all"}:
        results["date"] = run(_date_order(rows), gold, batch=args.batch)
    if args.order in {"file", "all"}:
        results["file"] = run(rows, gold, batch=args.batch)
    return results


def _print_text(results: dict[str, Any]) -> None:
    for order, result in results.items():
        if order == "semeval":
            r = result["online"]
            print(
                f"semeval  pairs  balanced accuracy {r['balanced_accuracy']:.4f} | same story grouped"
                f" {r['same_grouped']:.4f} of {r['same_pairs']}, unrelated apart {r['unrelated_apart']:.4f}"
                f" of {r['unrelated_pairs']} | {r['seconds']:.1f} s"
            )
            continue
        for mode in ("online", "batch"):
            if mode in result:
                r = result[mode]
                print(
                    f"{order:8} {mode:6} BCubed P {r['bcubed_precision']:.4f} R {r['bcubed_recall']:.4f}"
                    f" F1 {r['bcubed_f1']:.4f} | pairwise F1 {r['pairwise_f1']:.4f}"
                    f" | {r['clusters']} clusters / {r['stories']} stories, {r['articles']} articles"
                    f" ({r['missing']} missing)"
                )
        print(f"{order:8} ingest + cluster {result['seconds']:.1f} s")


if __name__ == "__main__":
    raise SystemExit(main())
