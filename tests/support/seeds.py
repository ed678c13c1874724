"""The bundled seed articles, extracted as ingest would, without a store."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from storyline.ingest.extract import extract
from storyline.model import Article, RawDocument


def seed_articles(seeds_dir: Path) -> list[Article]:
    """The seeds in file order, with row ids 1, 2, … as if stored."""
    out = []
    for i, path in enumerate(sorted(seeds_dir.iterdir()), start=1):
        art = extract(RawDocument(source=str(path), external_id=path.stem, content=path.read_bytes(), kind="text"))
        assert isinstance(art, Article), art
        out.append(dataclasses.replace(art, id=i))
    return out
