#!/usr/bin/env python3
"""One more article into a filled store: with the story index file beside it, and without.

For each SQLite store given, alternately (so a busy machine's load falls on both alike):

* ``storyline ingest`` of one new article of an existing story (the store's last article with a
  sentence added and an id of its own) in a fresh process, once with the index file in place and
  once with it removed first (the index is then rebuilt from the store, as before the file was
  kept, and written again);
* in a fresh process, ``load_index`` alone: from the file, and rebuilt from the store.

Medians over ``--reps`` rounds. Stores come from ``bench/scale.py --parts fill`` (its ``fill.db``).

Usage::

    python bench/story_index.py /tmp/s300/fill.db /tmp/s5800/fill.db --reps 5
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CLI = Path(sys.executable).with_name("storyline")
SUFFIX = ".storyindex"


def one_more(db: Path, tag: str, workdir: Path) -> Path:
    """A JSON-lines file holding a new article of the store's last article's story."""
    con = sqlite3.connect(db)
    external_id, text = con.execute("SELECT external_id, text FROM articles ORDER BY id DESC LIMIT 1").fetchone()
    con.close()
    lines = text.split("\n")
    lines.insert(
        max(1, len(lines) // 2), f"Correspondents added later that further accounts were being checked ({tag})."
    )
    path = workdir / f"{tag}.jsonl"
    path.write_text(json.dumps({"id": f"{external_id}+{tag}", "text": "\n".join(lines)}) + "\n", encoding="utf-8")
    return path


def timed_cli(db: Path, article: Path) -> float:
    start = time.perf_counter()
    proc = subprocess.run(
        [str(CLI), "--db", f"sqlite:///{db}", "ingest", "--format", "json", str(article)],
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - start
    if proc.returncode or '"stored": 1' not in proc.stdout:
        raise SystemExit(f"ingest failed: {proc.stderr[-1000:]}")
    return wall


def load_in_child(db: Path, from_file: bool) -> dict[str, Any]:
    """Child process: time load_index alone (from the file, or rebuilt from the store)."""
    code = f"""
import json, time
from pathlib import Path
from storyline.store import open_store
from storyline.stories.builder import StoryOptions, index_path, load_index
store = open_store("sqlite:///{db}")
options = StoryOptions()
path = index_path(store, options) if {from_file} else None
start = time.perf_counter()
index, waiting, version = load_index(store, options, path)
print(json.dumps({{"load_s": time.perf_counter() - start, "articles": len(index), "from_file": version is not None}}))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def measure(db: Path, reps: int, workdir: Path) -> dict[str, Any]:
    index_file = db.with_name(db.name + SUFFIX)
    warm: list[float] = []
    cold: list[float] = []
    load_file: list[float] = []
    load_rebuild: list[float] = []
    for rep in range(reps):
        warm.append(timed_cli(db, one_more(db, f"warm-{os.getpid()}-{rep}", workdir)))
        index_file.unlink(missing_ok=True)
        cold.append(timed_cli(db, one_more(db, f"cold-{os.getpid()}-{rep}", workdir)))
        loaded = load_in_child(db, True)
        assert loaded["from_file"], "the index file was not used"
        load_file.append(loaded["load_s"])
        load_rebuild.append(load_in_child(db, False)["load_s"])
    con = sqlite3.connect(db)
    stored = con.execute("SELECT count(*) FROM articles").fetchone()[0]
    con.close()
    return {
        "db": str(db),
        "stored": stored,
        "index_file_mb": round(index_file.stat().st_size / 1e6, 1),
        "ingest_one_with_file_s": round(statistics.median(warm), 2),
        "ingest_one_file_removed_s": round(statistics.median(cold), 2),
        "load_index_from_file_s": round(statistics.median(load_file), 3),
        "load_index_rebuilt_s": round(statistics.median(load_rebuild), 3),
        "runs": {"with_file": warm, "removed": cold, "load_file": load_file, "load_rebuilt": load_rebuild},
        "load_avg": os.getloadavg()[0],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("stores", nargs="+", type=Path, help="SQLite store files (bench/scale.py fill.db)")
    parser.add_argument("--reps", type=int, default=3, help="rounds per store (medians are reported)")
    parser.add_argument("--json", action="store_true", help="print JSON")
    args = parser.parse_args(argv)
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for db in args.stores:
            results.append(measure(db.resolve(), args.reps, Path(tmp)))
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    print(
        "| stored | `storyline ingest` of one article, index file beside the store | the same, file removed first"
        " | index load from the file | index load rebuilt | file MB | load avg |"
    )
    print("|---|---|---|---|---|---|---|")
    for r in results:
        print(
            f"| {r['stored']:,} | {r['ingest_one_with_file_s']} s | {r['ingest_one_file_removed_s']} s"
            f" | {r['load_index_from_file_s']} s | {r['load_index_rebuilt_s']} s | {r['index_file_mb']}"
            f" | {r['load_avg']:.1f} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
