"""Copies on the seeds (expected.json) and on copies made by hand: verbatim, trimmed, rewritten."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

import pytest

from storyline.analysis.copies import CopyOptions, find_copies, independent_sources, shingles
from storyline.errors import OptionsError
from storyline.model import Article
from storyline.stories.embed import default_embedder
from support.seeds import seed_articles


def _embed():  # type: ignore[no-untyped-def]
    return default_embedder(128)


def test_seed_000_is_a_paraphrase_of_001_and_nothing_else_is_linked(seeds_dir: Path, shared_dir: Path) -> None:
    expected = json.loads((shared_dir / "seeds" / "expected.json").read_text())
    articles = seed_articles(seeds_dir)
    links = find_copies(articles, _embed())
    (want,) = expected["derived_copies"]
    (link,) = links
    assert {link.copy, link.of} == {want["copy"], want["of"]}
    assert link.kind in {"paraphrase", "sibling"} and len(link.aligned) >= 8
    assert link.upstream == "Bloomberg"
    # 000 keeps Bloomberg's "Zelenskiy" where 001 writes "Zelensky": siblings of one upstream report.
    assert link.kind == "sibling" and "'Zelenskiy'" in link.direction_evidence[0]
    linked = {frozenset((x.copy, x.of)) for x in links}
    assert not any(frozenset(pair) in linked for pair in expected["not_copies"])
    texts = {a.external_id: a.text for a in articles}
    for pair in link.aligned:  # spans point at real sentences, in order
        assert texts[link.copy][pair.copy_start : pair.copy_end].strip()
        assert texts[link.of][pair.of_start : pair.of_end].strip()
    assert [p.copy_sentence for p in link.aligned] == sorted(p.copy_sentence for p in link.aligned)
    assert [p.of_sentence for p in link.aligned] == sorted(p.of_sentence for p in link.aligned)
    assert independent_sources(articles, links) == 4  # five articles, one of them derived


def _variant(art: Article, external_id: str, text: str, published: dt.date | None = None) -> Article:
    return dataclasses.replace(art, external_id=external_id, text=text, published=published, outlet=None, id=None)


def test_verbatim_and_trimmed_copies_are_told_apart(seeds_dir: Path) -> None:
    original = dataclasses.replace(seed_articles(seeds_dir)[1], published=dt.date(2024, 1, 26))
    paragraphs = original.text.split("\n\n")
    reprint = _variant(original, "reprint", "New headline for a reprint\n\n" + original.text, dt.date(2024, 1, 27))
    trimmed = _variant(
        original, "trimmed", "\n\n".join(paragraphs[:7]), dt.date(2024, 1, 27)
    )  # headline + 6 paragraphs
    links = {(x.copy, x.of): x for x in find_copies([original, reprint, trimmed], _embed(), same_story=False)}
    source = original.external_id
    assert links[("reprint", source)].kind == "verbatim"
    assert any("published first" in e for e in links[("reprint", source)].direction_evidence)
    assert links[("trimmed", source)].kind == "trimmed"
    # Same day: completeness tells the direction (the trimmed text is inside the reprint).
    assert links[("trimmed", "reprint")].kind == "trimmed"
    assert any("sentences are in the other" in e for e in links[("trimmed", "reprint")].direction_evidence)
    assert len(links) == 3


def test_same_topic_articles_that_are_not_copies_stay_unlinked(seeds_dir: Path) -> None:
    _, _, c, d, e = seed_articles(seeds_dir)
    assert find_copies([c, d, e], _embed()) == []


def test_independent_sources_counts_one_outlet_once() -> None:
    def art(i: str, outlet: str | None) -> Article:
        return Article(external_id=i, text="x", content_hash=i, source="t", outlet=outlet)

    arts = [art("a", "Meduza"), art("b", "meduza"), art("c", None), art("d", "TASS")]
    assert independent_sources(arts, []) == 3


def test_shingles() -> None:
    assert shingles("The cat sat on the mat") == ["the cat sat", "cat sat on", "sat on the", "on the mat"]
    assert shingles("Two words") == ["two words"]
    assert shingles("") == []


@pytest.mark.parametrize("options", [{"semantic": 0}, {"min_share": 1.5}, {"num_perm": 4}, {"min_pairs": 0}])
def test_copy_options_are_validated(options: dict[str, float]) -> None:
    with pytest.raises(OptionsError):
        CopyOptions(**options)  # type: ignore[arg-type]
