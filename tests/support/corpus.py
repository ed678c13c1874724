"""Many distinct articles as JSON records, real texts first.

The real texts are the seeds (examples/seeds), and when ../shared/eval is beside the repository,
ECB+ dev (772 news articles) and PolNeAR (924 political news articles, outlet and date from the
file name); generated articles (support.articles) make up the rest. Records are distinct articles
(by cleaned text and URL) and shuffled with a fixed seed, so a slice of any size mixes sources
the same way every time.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

from storyline.ingest.extract import extract
from storyline.ingest.inputs import record_to_document
from storyline.model import Article
from support.articles import article_text

REPO = Path(__file__).resolve().parents[2]
SEEDS = REPO / "examples" / "seeds"
EVAL = REPO.parent / "shared" / "eval"

Record = dict[str, Any]


def _seeds() -> Iterator[Record]:
    for path in sorted(SEEDS.glob("*.txt")):
        yield {"id": f"seed-{path.stem}", "text": path.read_text(encoding="utf-8")}


def _ecb() -> Iterator[Record]:
    path = EVAL / "stories" / "ecbplus-dev.articles.jsonl"
    if path.is_file():
        for line in path.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            yield {"id": f"ecb-{record['id']}", "text": record["text"]}


def _polnear() -> Iterator[Record]:
    for part in ("polnear-train", "polnear-dev"):
        for path in sorted((EVAL / "quotes" / part / "text").glob("*.txt")):
            outlet, published, _slug = [*path.stem.split("_", 2), "", ""][:3]
            yield {
                "id": f"polnear-{path.stem}",
                "text": path.read_text(encoding="utf-8"),
                "outlet": outlet,
                "published": published,
            }


@cache
def _real() -> tuple[Record, ...]:
    """The real records that are distinct articles: by cleaned text, and by the URL that the text
    may name on its first line (ECB+ holds a few updates of one live page), as the store tells
    articles apart. So every record is stored, whichever order or process comes first."""
    seen: set[str] = set()
    found: list[Record] = []
    for record in (*_seeds(), *_ecb(), *_polnear()):
        article = extract(record_to_document(record, "corpus", record["id"]))
        if not isinstance(article, Article) or len(record["text"].split()) < 20:
            continue
        keys = {article.content_hash, article.url or article.content_hash}
        if not keys & seen:
            seen |= keys
            found.append(record)
    return tuple(found)


def corpus(n: int, *, seed: int = 8) -> list[Record]:
    """`n` distinct article records (`id`, `text`, sometimes `outlet` and `published`)."""
    records = list(_real()[:n])
    records += [{"id": f"gen-{i}", "text": article_text(10_000 + i)} for i in range(n - len(records))]
    random.Random(seed).shuffle(records)
    return records


def write_jsonl(path: Path, records: Iterable[Record]) -> Path:
    """Write records one JSON object a line; return the path."""
    with path.open("w", encoding="utf-8") as fh:
        for record in records:
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path
