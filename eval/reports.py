#!/usr/bin/env python3
"""Score story reports against the analysts' answer keys in ``../shared/eval/reports``.

For each key (``ecb-*.json``) the story's articles (the key's ``article_ids``, read from
``../shared/eval/stories/ecbplus-dev.articles.jsonl``) go through the real path, as a user would:
``storyline ingest`` of a JSON-lines file into a fresh SQLite store, ``storyline stories --format
json``, then ``storyline report ID --format json`` of the story holding most of them. The key's
own ``score.py`` scores that report; when clustering split the articles, the report is scored a
second time with ``--restrict`` (the key limited to the report's articles: the report's own work
apart from the clustering). Both rows are printed.

The figures shown: conflict precision / recall and not-conflict violations, fact recall, fact
status accuracy and false disputes, the share of (summary sentence, cited article) pairs whose
every number is in the article, the claim-support Jaccard and the timeline recall, per story and
their mean (a figure a report cannot have, such as precision with nothing reported, is left out
of the mean). ``--check`` compares the means of the unrestricted rows with the ``reports``
section of ``eval/floors.json``.

The seeds (``../shared/seeds``) are scored too, the way ``tests/test_report.py`` reads
``expected.json``: the share of its claims whose article set a report claim has exactly.

Usage::

    python eval/reports.py                   # all keys, a table
    python eval/reports.py --keys 13,16,18   # the development keys only
    python eval/reports.py --check           # exit 1 when a mean is below its floor
    python eval/reports.py --json
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from cli_runner import run_storyline
from floors import below_floors

EVAL_DIR = Path(__file__).resolve().parent
REPO_ROOT = EVAL_DIR.parent
SHARED = REPO_ROOT.parent / "shared"
KEYS_DIR = SHARED / "eval" / "reports"
ARTICLES = SHARED / "eval" / "stories" / "ecbplus-dev.articles.jsonl"
SEEDS = SHARED / "seeds"
SEED_ARTICLES = REPO_ROOT / "examples" / "seeds"
SECTION = "reports"

#: The figures of score.py shown in the table, with their short column names.
FIGURES = {
    "conflict_precision": "c.prec",
    "conflict_recall": "c.rec",
    "not_conflict_violations": "nc.viol",
    "fact_recall": "f.rec",
    "fact_status_accuracy": "f.stat",
    "fact_false_disputes": "f.false",
    "summary_number_faithful": "s.num",
    "claim_support_jaccard": "cl.jac",
    "timeline_date_recall": "tl.rec",
}


def _keys(spec: str | None) -> list[Path]:
    paths = sorted(KEYS_DIR.glob("ecb-*.json"))
    if not spec:
        return paths
    wanted = {f"ecb-{n.strip()}_" for n in spec.split(",")}
    return [p for p in paths if any(p.name.startswith(w) for w in wanted)]


def _score(key: Path, report: Path, *, restrict: bool, details: Path | None = None) -> dict[str, Any]:
    cmd = [sys.executable, str(KEYS_DIR / "score.py"), str(key), str(report)]
    if restrict:
        cmd.append("--restrict")
    if details is not None:
        details.mkdir(parents=True, exist_ok=True)
        name = key.stem + (".restricted" if restrict else "")
        cmd += ["--details", str(details / f"{name}.details.json")]
        (details / f"{key.stem}.report.json").write_bytes(report.read_bytes())
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return result


def _report_of(rows: list[dict[str, Any]], ids: list[str], tmp: Path) -> tuple[Path, int, int]:
    """Ingest rows into a fresh store; write the report of the story holding most of `ids`.
    Returns its path, the number of stories the ids landed in and the article count of the chosen one."""
    src = tmp / "articles.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    db = f"sqlite:///{tmp}/eval.db"
    run_storyline("--db", db, "ingest", str(src))
    listed = json.loads(run_storyline("--db", db, "stories", "--format", "json"))
    wanted = set(ids)
    counts = Counter({s["id"]: sum(a["external_id"] in wanted for a in s["articles"]) for s in listed})
    story, size = counts.most_common(1)[0]
    report = tmp / "report.json"
    report.write_text(run_storyline("--db", db, "report", str(story), "--format", "json"), encoding="utf-8")
    return report, sum(1 for n in counts.values() if n), size


def score_key(key: Path, articles: dict[str, dict[str, Any]], details: Path | None = None) -> dict[str, Any]:
    """The scores of one key: the report of its largest story, and restricted when the story was split."""
    data = json.loads(key.read_text(encoding="utf-8"))
    ids = data["article_ids"]
    rows = [articles[i] for i in ids if i in articles]
    with tempfile.TemporaryDirectory() as tmp:
        report, stories, size = _report_of(rows, ids, Path(tmp))
        result: dict[str, Any] = {"key": data["story"], "stories": stories, "articles": len(ids), "reported": size}
        result["full"] = _score(key, report, restrict=False, details=details)
        if stories > 1:
            result["restricted"] = _score(key, report, restrict=True, details=details)
    return result


def score_seeds() -> dict[str, Any]:
    """Seeds: the share of expected claims whose exact article set one report claim has."""
    expected = json.loads((SEEDS / "expected.json").read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory() as tmp:
        db = f"sqlite:///{tmp}/seeds.db"
        run_storyline("--db", db, "ingest", str(SEED_ARTICLES))
        listed = json.loads(run_storyline("--db", db, "stories", "--format", "json"))
        story = max(listed, key=lambda s: len(s["articles"]))["id"]
        report = json.loads(run_storyline("--db", db, "report", str(story), "--format", "json"))
    sets = {frozenset(c["articles"]) for c in report["claims"]}
    items = expected["claims_with_wide_support"] + expected["claims_from_one_or_two_sources"]
    exact = sum(frozenset(c["in"]) in sets for c in items)
    return {
        "claims_expected": len(items),
        "claims_with_exact_articles": round(exact / len(items), 3),
        "conflicts_reported": len(report["conflicts"]),
        "facts_reported": len(report.get("facts", [])),
    }


def mean_figures(results: list[dict[str, Any]], part: str = "full") -> dict[str, float | None]:
    """Mean of each figure over the keys that have it (None when none has)."""
    means: dict[str, float | None] = {}
    for name in FIGURES:
        values = [r[part][name] for r in results if r.get(part, {}).get(name) is not None]
        means[name] = round(sum(values) / len(values), 3) if values else None
    return means


def _print_table(results: list[dict[str, Any]], means: dict[str, Any], seeds: dict[str, Any] | None) -> None:
    head = f"{'story':22} {'split':>5} " + " ".join(f"{c:>7}" for c in FIGURES.values())
    print(head)
    print("-" * len(head))

    def line(label: str, split: str, figures: dict[str, Any]) -> None:
        cells = ["      -" if figures.get(n) is None else f"{figures[n]:7.3g}" for n in FIGURES]
        print(f"{label:22} {split:>5} " + " ".join(cells))

    for r in results:
        line(r["key"], f"{r['reported']}/{r['articles']}", r["full"])
        if "restricted" in r:
            line("  --restrict", "", r["restricted"])
    print("-" * len(head))
    line("mean", "", means)
    if seeds:
        print("seeds:", json.dumps(seeds))


def main(argv: list[str] | None = None) -> int:
    """Run the evaluation; return the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--keys", help="only these keys by topic number, e.g. 13,16,18 (default: all)")
    parser.add_argument("--no-seeds", action="store_true", help="do not score the seeds")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument("--details", type=Path, help="write each report and score.py's details into this folder")
    parser.add_argument("--check", action="store_true", help="exit 1 when a mean is below eval/floors.json")
    args = parser.parse_args(argv)
    if not ARTICLES.exists():
        print(f"no ECB+ articles at {ARTICLES}", file=sys.stderr)
        return 2
    with ARTICLES.open(encoding="utf-8") as f:
        articles = {d["id"]: d for d in map(json.loads, filter(str.strip, f))}
    results = [score_key(k, articles, args.details) for k in _keys(args.keys)]
    means = mean_figures(results)
    seeds = None if args.no_seeds else score_seeds()
    if args.json:
        print(json.dumps({"stories": results, "mean": means, "seeds": seeds}, indent=2))
    else:
        _print_table(results, means, seeds)
    if args.check:
        failures = below_floors({"mean": means}, SECTION)
        for message in failures:
            print(message, file=sys.stderr)
        return 1 if failures else 0
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
