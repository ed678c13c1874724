"""Sentence spans and cited upstream reports, on the seeds and on hand-made sentences."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from storyline.analysis.upstream import cited_by, find_upstream
from storyline.model import Article
from storyline.text.sentences import split_sentences
from support.seeds import seed_articles


def _article(text: str, external_id: str = "x") -> Article:
    return Article(external_id=external_id, text=text, content_hash="h", source="test")


def test_sentences_split_news_prose() -> None:
    text = (
        "Mr. Smith met U.S. officials on Jan. 5. “It was fine,” he said. Prices rose 3.5 percent!"
        " John F. Kennedy was named.\n\nA new paragraph without a stop\nAnd a line."
    )
    assert [s.text_in(text) for s in split_sentences(text)] == [
        "Mr. Smith met U.S. officials on Jan. 5.",
        "“It was fine,” he said.",
        "Prices rose 3.5 percent!",
        "John F. Kennedy was named.",
        "A new paragraph without a stop",
        "And a line.",
    ]


@given(st.text(alphabet=st.sampled_from(list("ab .!?\n“”A1")), max_size=200))
def test_sentence_spans_are_ordered_trimmed_and_cover_every_word(text: str) -> None:
    spans = split_sentences(text)
    assert [s.index for s in spans] == list(range(len(spans)))
    for before, after in itertools.pairwise(spans):
        assert before.end <= after.start
    for s in spans:
        chunk = s.text_in(text)
        assert chunk and chunk == chunk.strip()
    covered = {i for s in spans for i in range(s.start, s.end)}
    assert {i for i, c in enumerate(text) if not c.isspace()} <= covered  # nothing but space is lost


def test_bloomberg_is_the_upstream_cited_by_all_five_seeds(seeds_dir: Path, shared_dir: Path) -> None:
    expected = json.loads((shared_dir / "seeds" / "expected.json").read_text())["cited_upstream_source"]
    articles = seed_articles(seeds_dir)
    cited = cited_by(articles)
    name = next(iter(cited))
    assert name == expected["name"]
    assert sorted({u.article_id for u in cited[name]}) == sorted(expected["cited_by"])
    for mention in cited[name]:
        text = next(a.text for a in articles if a.external_id == mention.article_id)
        assert text[mention.start : mention.end] == "Bloomberg"
        assert mention.sentence_text in text


@pytest.mark.parametrize(
    ("sentence", "names"),
    [
        ("Putin is open to talks, per Bloomberg.", ["Bloomberg"]),
        ("Officials told Reuters the plan was dropped.", ["Reuters"]),
        ("According to The Wall Street Journal, the deal is off.", ["Wall Street Journal"]),
        ("The New York Times reported in December that talks stalled.", ["New York Times"]),
        ("Citing Interfax, the agency said three people died.", ["Interfax"]),
        ("Kommersant reported the meeting, citing two sources.", ["Kommersant"]),
        ("The plan was first reported by Semafor on Monday.", ["Semafor"]),
        ("A report in the Kyiv Post said the bridge was hit.", ["Kyiv Post"]),
        ("The claim was made in a report by Der Standard last week.", ["Der Standard"]),
        ("(With inputs from agencies)", ["agencies"]),
        ("Peskov said the report was false.", []),
        ("Prices rose 5 per cent in March.", []),
        ("He told reporters on Friday that nothing had changed.", []),
        ("Peskov, referring to Thursday's report, called it false.", []),
    ],
)
def test_attribution_patterns(sentence: str, names: list[str]) -> None:
    assert [u.name for u in find_upstream(_article(sentence))] == names
