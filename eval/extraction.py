#!/usr/bin/env python3
"""Score article-body extraction on the Zyte article-extraction-benchmark pages.

The metric replicates the benchmark's own ``evaluate.py``: each text is split
into ``\\w+`` tokens (case kept), turned into word 4-gram shingles (a text of
1-3 tokens gives one shorter shingle, an empty text none), and per page the
shingle multisets give true positives, false positives and false negatives,
which are normalised to sum 1. Precision is averaged over pages with any
prediction (tp + fp > 0), recall over pages with any gold text (tp + fn > 0),
and F1 is the harmonic mean of the two averages.

Usage::

    python eval/extraction.py                  # run `storyline extract` and score it
    python eval/extraction.py --worst 10       # also list the ten worst pages
    python eval/extraction.py --predictions out.jsonl --json
    python eval/extraction.py --check          # exit 1 if F1 is below eval/floors.json
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

EVAL_DIR = Path(__file__).resolve().parent
REPO_ROOT = EVAL_DIR.parent
DEFAULT_DATA = REPO_ROOT.parent / "shared" / "eval" / "extraction"
FLOORS_FILE = EVAL_DIR / "floors.json"
SECTION = "extraction"
SHINGLE_N = 4
_TOKEN = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True, slots=True)
class PageCounts:
    """Normalised shingle counts of one page (tp + fp + fn == 1 unless all are 0)."""

    tp: float
    fp: float
    fn: float

    @property
    def precision(self) -> float | None:
        """Page precision as evaluate.py defines it; None when the page has no prediction."""
        if self.tp + self.fp <= 0:
            return None
        return 1.0 if self.fp == self.fn == 0 else self.tp / (self.tp + self.fp)

    @property
    def recall(self) -> float | None:
        """Page recall as evaluate.py defines it; None when the page has no gold text."""
        if self.tp + self.fn <= 0:
            return None
        return 1.0 if self.fp == self.fn == 0 else self.tp / (self.tp + self.fn)


def shingles(text: str, n: int = SHINGLE_N) -> Counter[tuple[str, ...]]:
    """Count the word n-gram shingles of a text.

    Args:
        text: any text; ``None``-like empty strings give no shingles.
        n: shingle length in tokens.

    Returns:
        Multiset of shingles. Texts shorter than ``n`` tokens yield one short shingle.
    """
    tokens = _TOKEN.findall(text or "")
    if not tokens:
        return Counter()
    return Counter(tuple(tokens[i : i + n]) for i in range(max(1, len(tokens) - n + 1)))


def page_counts(gold: str, pred: str) -> PageCounts:
    """Compare one predicted body with its gold body.

    Args:
        gold: the human-extracted article body.
        pred: the extracted body ("" when nothing was extracted).

    Returns:
        True positive, false positive and false negative shingle counts, normalised to sum 1.
    """
    true, found = shingles(gold), shingles(pred)
    tp = float(sum((true & found).values()))
    fp = float(sum((found - true).values()))
    fn = float(sum((true - found).values()))
    total = tp + fp + fn
    if total > 0:
        tp, fp, fn = tp / total, fp / total, fn / total
    return PageCounts(tp, fp, fn)


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def score(predictions: dict[str, str], gold: dict[str, str]) -> dict[str, Any]:
    """Score predicted article bodies against gold bodies.

    Args:
        predictions: page id -> extracted body; missing ids count as empty predictions.
        gold: page id -> gold article body; only these ids are scored.

    Returns:
        ``{"precision", "recall", "f1", "n", "empty"}``: averaged metrics, pages scored,
        and pages with an empty prediction.
    """
    pages = {key: page_counts(body, predictions.get(key, "")) for key, body in gold.items()}
    precision = _mean([p for c in pages.values() if (p := c.precision) is not None])
    recall = _mean([r for c in pages.values() if (r := c.recall) is not None])
    f1 = 2 * precision * recall / (precision + recall) if precision + recall > 0 else 0.0
    empty = sum(1 for key in gold if not _TOKEN.search(predictions.get(key, "") or ""))
    return {"precision": precision, "recall": recall, "f1": f1, "n": len(pages), "empty": empty}


def worst_pages(predictions: dict[str, str], gold: dict[str, str], count: int) -> list[dict[str, Any]]:
    """List the pages with the lowest per-page F1.

    Args:
        predictions: page id -> extracted body.
        gold: page id -> gold article body.
        count: how many pages to return.

    Returns:
        Dicts with ``id``, ``precision``, ``recall`` and ``f1`` (None where undefined), worst first.
    """
    rows = []
    for key, body in gold.items():
        counts = page_counts(body, predictions.get(key, ""))
        p, r = counts.precision, counts.recall
        f1 = 2 * p * r / (p + r) if p is not None and r is not None and p + r > 0 else 0.0
        rows.append({"id": key, "precision": p, "recall": r, "f1": f1})
    rows.sort(key=lambda row: (row["f1"], row["id"]))
    return rows[:count]


def load_gold(data_dir: Path) -> tuple[dict[str, str], dict[str, str]]:
    """Read ``ground-truth-dev.json``.

    Returns:
        (id -> articleBody, id -> url).
    """
    raw = json.loads((data_dir / "ground-truth-dev.json").read_text(encoding="utf-8"))
    bodies = {key: item.get("articleBody") or "" for key, item in raw.items()}
    urls = {key: item.get("url") or "" for key, item in raw.items()}
    return bodies, urls


def parse_jsonl(lines: list[str]) -> tuple[dict[str, str], dict[str, str]]:
    """Read `storyline extract --format jsonl` output.

    Args:
        lines: one JSON object per line, with ``id`` and either ``text`` or ``rejected``.

    Returns:
        (id -> text, with "" for rejected pages; id -> rejection reason).
    """
    texts: dict[str, str] = {}
    rejected: dict[str, str] = {}
    for line in lines:
        if not line.strip():
            continue
        row = json.loads(line)
        key = _page_id(str(row.get("id") or row.get("source") or ""))
        if "rejected" in row:
            rejected[key] = str(row["rejected"])
        texts[key] = row.get("text") or ""
    return texts, rejected


def _page_id(name: str) -> str:
    """Reduce a file name or path to the page id (name without directories or extensions)."""
    return Path(name).name.split(".", 1)[0]


def run_cli(data_dir: Path, extra_args: list[str]) -> tuple[list[str], float]:
    """Run ``storyline extract --format jsonl`` over the HTML folder.

    Returns:
        (stdout lines, wall-clock seconds).

    Raises:
        SystemExit: the command failed without producing any output.
    """
    cmd = [sys.executable, "-m", "storyline", "extract", "--format", "jsonl", *extra_args, str(data_dir / "html")]
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0 and not proc.stdout.strip():
        sys.stderr.write(proc.stderr)
        raise SystemExit(f"extraction command failed ({proc.returncode}): {' '.join(cmd)}")
    return proc.stdout.splitlines(), elapsed


def check_floors(result: dict[str, Any], floors_file: Path = FLOORS_FILE) -> list[str]:
    """Compare metrics with the floors in ``floors.json`` (section -> metric -> floor).

    Returns:
        One message per metric below its floor; empty when all pass.
    """
    floors = json.loads(floors_file.read_text(encoding="utf-8")).get(SECTION, {})
    return [
        f"{SECTION} {metric} = {result.get(metric, 0.0):.4f} is below the floor {floor:.4f} ({floors_file})"
        for metric, floor in floors.items()
        if result.get(metric, 0.0) < floor
    ]


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help=f"benchmark folder (default {DEFAULT_DATA})")
    parser.add_argument("--predictions", type=Path, help="score this jsonl file instead of running the CLI")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.add_argument("--check", action="store_true", help=f"exit 1 if a metric is below {FLOORS_FILE.name}")
    parser.add_argument("--worst", type=int, default=0, metavar="N", help="list the N worst pages")
    parser.add_argument("--cli-arg", action="append", default=[], help="extra argument for `storyline extract`")
    return parser.parse_args(argv)


def _print_text(result: dict[str, Any]) -> None:
    print(
        f"extraction: F1 {result['f1']:.4f}  precision {result['precision']:.4f}  recall {result['recall']:.4f}"
        f"  pages {result['n']}  empty {result['empty']}"
    )
    if result.get("seconds"):
        print(f"time {result['seconds']:.1f} s ({result['n'] / result['seconds']:.1f} pages/s, whole command)")
    for row in result.get("worst", []):
        reason = f"  rejected: {row['rejected']}" if row.get("rejected") else ""
        print(f"  {row['id'][:16]}  F1 {row['f1']:.3f}  P {_fmt(row['precision'])}  R {_fmt(row['recall'])}{reason}")


def _fmt(value: float | None) -> str:
    return "  -  " if value is None else f"{value:.3f}"


def main(argv: list[str] | None = None) -> int:
    """Run the evaluation; return the process exit status."""
    args = _parse_args(argv)
    gold, _urls = load_gold(args.data)
    seconds = 0.0
    if args.predictions:
        lines = args.predictions.read_text(encoding="utf-8").splitlines()
    else:
        lines, seconds = run_cli(args.data, args.cli_arg)
    predictions, rejected = parse_jsonl(lines)
    result = score(predictions, gold)
    result["rejected"] = sum(1 for key in rejected if key in gold)
    result["missing"] = sum(1 for key in gold if key not in predictions)
    if seconds:
        result["seconds"] = seconds
    if args.worst > 0:
        result["worst"] = [
            {**row, "rejected": rejected.get(row["id"])} for row in worst_pages(predictions, gold, args.worst)
        ]
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        _print_text(result)
    failures = check_floors(result) if args.check else []
    for message in failures:
        print(f"FAIL: {message}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
