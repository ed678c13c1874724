"""Same story or not, on SemEval-2022 Task 8 English pairs, ingested as a user would.

Each pair's two texts go, as a JSON-lines file of two rows, through ``storyline ingest``'s own
function (``services.ingest``: extraction, storing, grouping, the end-of-run rebuild) into a fresh
SQLite store; the pair counts as grouped when both articles end in one story. Pairs with
``Overall`` <= 1.5 are the same story, >= 3.5 unrelated (the graded ones between are left out).
Balanced accuracy is the mean of the share of same-story pairs grouped and the share of unrelated
pairs kept apart. Used by ``eval/stories.py`` (``--corpus semeval`` or ``both``).
"""

from __future__ import annotations

import csv
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

SAME, UNRELATED = 1.5, 3.5


def load_pairs(path: Path) -> list[dict[str, str]]:
    """English-English pairs that are clearly the same story or clearly unrelated."""
    csv.field_size_limit(sys.maxsize)
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return [r for r in rows if r["lang1"] == "en" and r["lang2"] == "en" and not SAME < float(r["Overall"]) < UNRELATED]


def grouped(texts: tuple[str, str], workdir: Path, name: str) -> bool:
    """Whether the two texts, ingested into a fresh store, end in one story."""
    from storyline import services
    from storyline.store import open_store

    src = workdir / f"{name}.jsonl"
    src.write_text("".join(json.dumps({"id": f"{name}:{k}", "text": t}) + "\n" for k, t in enumerate(texts)))
    store = open_store(f"sqlite:///{workdir / name}.db")
    try:
        services.ingest([str(src)], store)
        stories = {a.external_id: s.id for s in store.list_stories() for a in s.articles}
    finally:
        store.close()
    return len(stories) == 2 and len(set(stories.values())) == 1


def evaluate(path: Path) -> dict[str, Any]:
    """Balanced accuracy, the two rates, counts, the pairs missed each way, and the time taken."""
    pairs = load_pairs(path)
    start = time.perf_counter()
    outcomes: list[tuple[bool, bool, str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for k, row in enumerate(pairs):
            same = float(row["Overall"]) <= SAME
            outcomes.append((same, grouped((row["text1"], row["text2"]), Path(tmp), f"pair{k}"), row["pair_id"]))
    positives = [g for s, g, _ in outcomes if s]
    negatives = [g for s, g, _ in outcomes if not s]
    recall = sum(positives) / len(positives) if positives else 1.0
    apart = 1 - sum(negatives) / len(negatives) if negatives else 1.0
    return {
        "balanced_accuracy": (recall + apart) / 2,
        "same_grouped": recall,
        "unrelated_apart": apart,
        "same_pairs": len(positives),
        "unrelated_pairs": len(negatives),
        "split": [p for s, g, p in outcomes if s and not g],
        "merged": [p for s, g, p in outcomes if not s and g],
        "seconds": time.perf_counter() - start,
    }
