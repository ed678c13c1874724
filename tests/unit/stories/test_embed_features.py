"""The embedding model, the event features and the pair score, with the real packaged models."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storyline.model import Article
from storyline.stories.cluster import DocFreq, Member, pair_score
from storyline.stories.embed import DIM, default_embedder, from_bytes, to_bytes
from storyline.stories.features import (
    ArticleFeatures,
    capitalised_words,
    content_words,
    days_in,
    extract_features,
    numbers_in,
    years_in,
)
from storyline.text.clean import _is_bare_date, date_from_url


def test_vectors_are_unit_length_and_independent_of_batch_order() -> None:
    embed = default_embedder()
    texts = ["An earthquake struck Chile.", "", "Tara Reid entered rehab in Malibu. " * 40, "Bonjour"]
    together = embed(texts)
    assert together.shape == (4, DIM) and together.dtype == np.float32
    assert np.allclose(np.linalg.norm(together, axis=1), 1.0, atol=1e-4)
    alone = np.stack([embed([t])[0] for t in texts])
    assert np.allclose(together, alone, atol=1e-4)  # padding and length sorting change nothing
    assert embed([]).shape == (0, DIM)


def test_similar_sentences_are_nearer_than_unrelated_ones() -> None:
    a, b, c = default_embedder()(
        [
            "A magnitude 7 earthquake hit the coast of Chile on Monday.",
            "A strong quake struck off Chile's coast on Monday.",
            "The central bank raised interest rates by a quarter point.",
        ]
    )
    assert float(a @ b) > float(a @ c) + 0.2


def test_vector_bytes_round_trip() -> None:
    v = default_embedder()(["round trip"])[0]
    assert np.array_equal(from_bytes(to_bytes(v)), v)


def test_names_numbers_years_and_days_are_read() -> None:
    art = Article(
        external_id="x",
        content_hash="h",
        source="t",
        title="Tara Reid checks into rehab",
        text="Actress Tara Reid, 33, entered the Promises Treatment Center in Malibu on June 13, 2008. "
        "Reid's publicist confirmed the stay, which costs $48,000 a month.",
        published=dt.date(2008, 6, 14),
    )
    (f,) = extract_features([art])
    assert f.names["reid"] == 2  # the name and its possessive are one name; "Tara" opens the headline
    assert "malibu" in f.names and "actress" not in f.names  # sentence-initial words are not names
    assert f.terms["rehab"] == 1 and "the" not in f.terms
    assert {"33", "48000"} <= f.numbers and "2008" not in f.numbers
    assert f.years == {2008: 3} and f.main_year == 2008  # mentioned once, published (counts twice)
    assert (6, 13) in f.days and (6, 14) in f.days  # mentioned, and published
    assert ArticleFeatures.from_json(f.to_json(), f.published) == f


def test_capitalised_words_and_content_words() -> None:
    names = capitalised_words("The Kremlin's spokesman, Dmitry Peskov, spoke.\nPeskov denied it. He told Reuters.")
    assert names == {"kremlin": 1, "dmitry": 1, "peskov": 1, "reuter": 1}
    assert content_words("The spokesman denied the reports, reports said.") == {
        "spokesman": 1,
        "denied": 1,
        "reports": 2,
    }


def test_number_year_and_day_patterns() -> None:
    assert list(numbers_in("7 people, 1,200 homes, 3.5 metres, in 2013, 15 boats")) == ["1200", "3.5", "15"]
    assert list(years_in("from 1999 to 2013 and 1234")) == [1999, 2013]
    assert list(days_in("on Dec. 7 and the 13th of June, not May 45")) == [(12, 7), (6, 13)]


@pytest.mark.parametrize(
    ("line", "is_date"),
    [
        ("Sep 10, 2010", True),
        ("12: 52 p. m. EDT May 2, 2013", True),
        ("Friday August 2, 2013 @ 8: 13am PDT", True),
        ("11/30/09 05: 40 PM ET", True),
        ("18 September 2013 Last updated at 13: 59 GMT", True),
        ("Marcus 2012", False),
        ("May 5, 2012 was a good day", False),
    ],
)
def test_bare_date_lines(line: str, is_date: bool) -> None:
    assert _is_bare_date(line) is is_date


@pytest.mark.parametrize(
    ("url", "day"),
    [
        ("http://mlb.com/news/article.jsp?ymd=20081216&content_id=1", dt.date(2008, 12, 16)),
        ("https://www.utsandiego.com/news/2009/Feb/02/story/", dt.date(2009, 2, 2)),
        ("https://example.org/2013/09/09/thieves", dt.date(2013, 9, 9)),
        ("https://example.org/2013/13/45/nope", None),
        ("https://example.org/news/12345678", None),
    ],
)
def test_dates_in_urls(url: str, day: dt.date | None) -> None:
    assert date_from_url(url) == day


_names = st.dictionaries(st.sampled_from(["reid", "lohan", "malibu", "paris", "fbi"]), st.integers(1, 4), max_size=4)
_features = st.builds(
    ArticleFeatures,
    names=_names,
    terms=_names,
    numbers=st.frozensets(st.sampled_from(["12", "48000", "3.5"])),
    years=st.dictionaries(st.sampled_from([2008, 2013]), st.integers(1, 3)),
    days=st.frozensets(st.sampled_from([(6, 13), (12, 7)])),
    published=st.one_of(st.none(), st.dates(dt.date(2008, 1, 1), dt.date(2013, 12, 31))),
)


def _unit_vector(seed: int) -> np.ndarray:
    v = np.random.default_rng(seed).normal(size=DIM).astype(np.float32)
    return v / np.linalg.norm(v)


_unit = st.integers(0, 2**32 - 1).map(_unit_vector)


@settings(max_examples=60, deadline=None)
@given(_features, _features, _unit, _unit)
def test_pair_score_is_symmetric_and_a_probability(fa: ArticleFeatures, fb: ArticleFeatures, va, vb) -> None:  # type: ignore[no-untyped-def]
    df = DocFreq()
    df.add(fa)
    df.add(fb)
    a, b = Member(1, va, fa), Member(2, vb, fb)
    ab, ba = pair_score(a, b, df), pair_score(b, a, df)
    assert 0.0 <= ab <= 1.0
    assert ab == pytest.approx(ba, abs=1e-9)


def test_cached_embedder_embeds_each_text_once_and_keeps_vectors_in_the_store(db_url: str) -> None:
    from storyline.store import open_store
    from storyline.stories.embed import CachedEmbedder

    base = default_embedder(128)
    calls: list[int] = []

    class Counting:
        options = base.options

        def __call__(self, texts: list[str]) -> np.ndarray:
            calls.append(len(texts))
            return base(texts)

    texts = ["The Kremlin denied the report.", "Putin signalled openness to talks.", "The Kremlin denied the report."]
    store = open_store(db_url)
    try:
        first = CachedEmbedder(store, embed=Counting())(texts)  # type: ignore[arg-type]
        assert calls == [2]  # the repeated text once
        assert np.allclose(first, base(texts), atol=1e-6)
        again = CachedEmbedder(store, embed=Counting())(list(reversed(texts)))  # a new process: from the store
        assert calls == [2] and np.allclose(again, first[::-1], atol=1e-6)
    finally:
        store.close()
