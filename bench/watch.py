"""Watch benchmark: what one `storyline watch` round costs over a folder, on SQLite and PostgreSQL.

Writes N distinct plain-text articles into a folder, then times, for each backend:

* the first round (every file read, extracted and stored; no story grouping, so the figure is the
  watch's own cost and not the embedding model's);
* an idle round (nothing new: the folder is listed and each file's time and size compared);
* a round after 1% of the files were added.

PostgreSQL is used when a server answers at --pg (a fresh schema, dropped afterwards).

    .venv/bin/python bench/watch.py --files 5000
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from storyline.ingest.watch import Watcher, WatchOptions
from storyline.store import open_store

_SUBJECTS = ("The city council", "The port authority", "The water board", "The rail operator", "The hospital")
_VERBS = ("approved", "delayed", "announced", "rejected", "published")


def article(n: int) -> str:
    """A distinct article of about 70 words."""
    rng = random.Random(n)
    return (
        f"{rng.choice(_SUBJECTS)} {rng.choice(_VERBS)} plan number {n} on Tuesday, officials said. "
        f"The decision affects about {1000 + n * 7} households and follows {rng.randint(2, 9)} months of debate. "
        "Residents asked for more details about the timetable and the costs at a public meeting. "
        f"A spokesperson said the full report, reference {n:06d}, would be published within a week."
    )


def write_files(folder: Path, start: int, count: int) -> None:
    """Files `start` .. `start + count - 1`, each written under a hidden name and renamed."""
    for n in range(start, start + count):
        tmp = folder / f".{n:06d}.tmp"
        tmp.write_text(article(n), encoding="utf-8")
        tmp.rename(folder / f"{n:06d}.txt")


def rounds(url: str, files: int, folder: Path) -> dict[str, Any]:
    """Time the three rounds over a fresh copy of the folder into the store at `url`."""
    write_files(folder, 0, files)
    store = open_store(url)
    timings: dict[str, Any] = {}
    try:
        with Watcher([str(folder)], store, WatchOptions(stories=None)) as watcher:
            for name, before in (
                ("first", None),
                ("idle", None),
                ("1% new", lambda: write_files(folder, files, files // 100)),
            ):
                if before:
                    before()
                start = time.perf_counter()
                report = watcher.run_round()
                seconds = time.perf_counter() - start
                timings[name] = {"seconds": round(seconds, 3), "counts": report.counts}
    finally:
        store.close()
    timings["first"]["articles/s"] = round(files / timings["first"]["seconds"], 1)
    return timings


def main() -> None:
    """Run the benchmark and print the figures (JSON)."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", type=int, default=5000, help="articles in the watched folder")
    parser.add_argument("--pg", default="postgresql+psycopg://127.0.0.1:5432/test", help="PostgreSQL admin URL")
    args = parser.parse_args()
    results: dict[str, Any] = {"files": args.files}
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        (base / "sqlite").mkdir()
        results["sqlite"] = rounds(f"sqlite:///{base / 'watch.db'}", args.files, base / "sqlite")
        schema = f"bench_{uuid.uuid4().hex[:10]}"
        try:
            admin = sa.create_engine(args.pg, connect_args={"connect_timeout": 3})
            with admin.begin() as conn:
                conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        except sa.exc.OperationalError as exc:
            results["postgresql"] = f"skipped: {str(exc).splitlines()[0]}"
        else:
            try:
                (base / "pg").mkdir()
                url = f"{args.pg}?options=-csearch_path%3D{schema}"
                results["postgresql"] = rounds(url, args.files, base / "pg")
            finally:
                with admin.begin() as conn:
                    conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
                admin.dispose()
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
