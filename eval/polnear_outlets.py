#!/usr/bin/env python3
"""PolNeAR (``../shared/eval/quotes``) as JSON lines for ``storyline ingest``: a real corpus of seven
outlets for the outlet profiles (docs/outlets.md).

PolNeAR's text files carry neither outlet nor date; its ``polnear-metadata.tsv`` has both (the
``publisher`` code and ``publication_date``, also in the file names: ``nyt_2016-01-04_...``), and
the title. This writes one JSON object per article of the chosen compartments (default: train and
dev) with ``id`` (the file name without ``.txt``), ``text``, ``title``, ``published`` and
``outlet``, the publisher's name as the corpus README spells it ("Huffington Post", "Western
Journalism"): Storyline's outlet identities fold those into HuffPost and The Western Journal.

Usage::

    python eval/polnear_outlets.py -o polnear.jsonl
    storyline --db sqlite:///polnear.db ingest polnear.jsonl --analyse
    storyline --db sqlite:///polnear.db outlets --analyse
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path

QUOTES = Path(__file__).resolve().parents[1].parent / "shared" / "eval" / "quotes"
PUBLISHERS = {
    "huff-post": "Huffington Post",
    "breitbart": "Breitbart",
    "nyt": "New York Times",
    "politico": "Politico",
    "wash-post": "Washington Post",
    "west-journal": "Western Journalism",
    "usa-today": "USA Today",
}


def records(root: Path, compartments: set[str]) -> list[dict[str, str]]:
    """The articles of `compartments` with their outlet, date and title from the metadata."""
    out = []
    with (root / "polnear-metadata.tsv").open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            if row["compartment"] not in compartments:
                continue
            path = root / f"polnear-{row['compartment']}" / "text" / f"{row['filename']}.txt"
            out.append(
                {
                    "id": row["filename"],
                    "text": path.read_text(encoding="utf-8"),
                    "title": row["title"],
                    "published": row["publication_date"],
                    "outlet": PUBLISHERS[row["publisher"]],
                }
            )
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-o", "--output", type=Path, required=True, help="the JSON lines file to write")
    parser.add_argument("--root", type=Path, default=QUOTES, help="PolNeAR's folder (default: %(default)s)")
    parser.add_argument("--compartments", default="train,dev", help="comma-separated (default: %(default)s)")
    args = parser.parse_args(argv)
    rows = records(args.root, set(args.compartments.split(",")))
    with args.output.open("w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"{len(rows)} articles -> {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
