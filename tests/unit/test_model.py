"""Records and their one derived JSON form: keys as documented, and from_json(to_json(r)) == r."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storyline.model import (
    Article,
    Evidence,
    Hints,
    IngestOutcome,
    Record,
    Rejected,
    Story,
    StoryArticle,
    Upstream,
)
from storyline.model.serial import decode, encode

texts = st.text(max_size=40)
maybe = st.none() | texts
days = st.none() | st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 1, 1))
ints = st.integers(min_value=0, max_value=10**9)

articles = st.builds(
    Article,
    external_id=texts,
    text=texts,
    content_hash=texts,
    source=texts,
    title=maybe,
    published=days,
    outlet=maybe,
    url=maybe,
    language=maybe,
    id=st.none(),
)
story_articles = st.builds(
    StoryArticle,
    id=ints,
    external_id=texts,
    outlet=maybe,
    published=days,
    title=maybe,
    duplicate_of=st.none() | st.text(min_size=1, max_size=20),
)
stories = st.builds(
    Story,
    id=ints,
    headline=texts,
    first_seen=days,
    last_seen=days,
    article_count=ints,
    outlets=st.tuples(texts),
    names=st.tuples(texts, texts),
    articles=st.lists(story_articles, max_size=3).map(tuple),
)
records = st.one_of(
    stories,
    st.builds(Upstream, name=texts, article_id=texts, sentence=ints, start=ints, end=ints, sentence_text=texts),
    st.builds(Evidence, article=texts, sentence=ints, start=ints, end=ints, text=texts),
    st.builds(Rejected, source=texts, reason=texts, external_id=maybe),
    st.builds(
        IngestOutcome,
        status=st.sampled_from(["stored", "already stored", "rejected"]),
        source=texts,
        external_id=maybe,
        detail=texts,
    ),
    st.builds(Hints, url=maybe, title=maybe, published=days, outlet=maybe),
)


@settings(max_examples=60)
@given(records)
def test_every_record_round_trips_through_json_text(record: Record) -> None:
    data = json.loads(json.dumps(record.to_json()))
    assert type(record).from_json(data) == record


@settings(max_examples=60)
@given(articles)
def test_an_article_round_trips_given_its_hash(article: Article) -> None:
    data = json.loads(json.dumps(article.to_json()))
    assert Article.from_json(data, content_hash=article.content_hash) == article
    assert "content_hash" not in data
    assert data["words"] == article.word_count


def test_article_json_keys_are_the_documented_ones() -> None:
    art = Article(
        external_id="a1",
        text="One two three.",
        content_hash="h",
        source="f.txt",
        id=7,
        published=dt.date(2024, 1, 26),
        outlet="Meduza",
    )
    assert art.to_json() == {
        "id": "a1",
        "text": "One two three.",
        "source": "f.txt",
        "title": None,
        "published": "2024-01-26",
        "outlet": "Meduza",
        "url": None,
        "language": None,
        "words": 3,
    }
    assert "text" not in art.to_json(with_text=False)


def test_renamed_and_omitted_keys() -> None:
    assert Upstream("Bloomberg", "a1", 2, 10, 19, "per Bloomberg.").to_json() == {
        "name": "Bloomberg",
        "article": "a1",
        "sentence": 2,
        "start": 10,
        "end": 19,
        "text": "per Bloomberg.",
    }
    assert Rejected("x.bin", "binary file").to_json() == {"source": "x.bin", "rejected": "binary file", "id": None}
    assert "duplicate_of" not in StoryArticle(1, "a", None, None).to_json()
    assert StoryArticle(1, "a", None, None, duplicate_of="b").to_json()["duplicate_of"] == "b"


def test_encode_refuses_what_json_cannot_hold() -> None:
    with pytest.raises(TypeError, match="bytes"):
        encode(b"raw")


def test_decode_follows_the_field_types() -> None:
    assert decode(dt.date | None, "2024-01-02") == dt.date(2024, 1, 2)
    assert decode(tuple[int, ...], [1, 2]) == (1, 2)
    assert decode(dict[str, tuple[str, ...]], {"a": ["x"]}) == {"a": ("x",)}
    assert decode(float, 3) == 3.0 and isinstance(decode(float, 3), float)


def test_every_model_record_is_a_frozen_slotted_record() -> None:
    for cls in (Article, Evidence, Hints, IngestOutcome, Rejected, Story, StoryArticle, Upstream):
        assert issubclass(cls, Record)
        assert dataclasses.is_dataclass(cls)
        assert "__slots__" in vars(cls)
        params: Any = cls.__dataclass_params__  # type: ignore[attr-defined]
        assert params.frozen


def test_report_records_use_the_derived_json_and_round_trip() -> None:
    from storyline.analysis.conflicts import Conflict, ConflictSide
    from storyline.analysis.facts import Fact, FactValue
    from storyline.analysis.summarize import SummarySentence
    from storyline.analysis.timeline import TimelineEvent

    ev = Evidence("a1", 2, 10, 40, "Five people were killed on Friday.")
    value = FactValue("5", "at least", "", ("a1",), dt.date(2024, 1, 26), (ev,), group=1)
    fact = Fact("people killed", "count", "agreed", (value,))
    side = ConflictSide(3, (ev,))
    conflict = Conflict(1, "number", "5 against 7", 0.123456, side, ConflictSide(None, ()))
    sentence = SummarySentence("Five were killed.", ("a1",), (ev,), "consensus")
    event = TimelineEvent("2024-01-26", "day", dt.date(2024, 1, 26), "Five were killed", "Friday", (ev,))
    assert conflict.to_json()["score"] == 0.123  # scores are written rounded
    assert "note" not in sentence.to_json() and "day" not in event.to_json() and "group" not in value.to_json()
    assert value.to_json()["first_published"] == "2024-01-26"
    for record, extra in ((fact, {}), (sentence, {}), (side, {}), (event, {"day": event.day})):
        data = json.loads(json.dumps(record.to_json()))
        back = type(record).from_json(data, **extra)
        assert back.to_json() == record.to_json()
    assert Fact.from_json(fact.to_json()).values[0].group == 0  # the grouping is not part of the JSON
