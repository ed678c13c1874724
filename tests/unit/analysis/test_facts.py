"""Facts: numbers, measures, dates and places tied to their slots with the real spaCy parse, and
slots across a story's articles (agreed, disputed, developing), on texts written for these tests."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import pytest

from storyline.analysis.facts import (
    Fact,
    FactMention,
    align_facts,
    cached_mentions,
    extract_facts,
    find_facts,
    parse_number,
)
from storyline.model import Article
from support.seeds import seed_articles

MONDAY = dt.date(2024, 7, 1)


def _article(text: str, external_id: str = "a", published: dt.date | None = MONDAY) -> Article:
    return Article(external_id=external_id, text=text, content_hash=external_id, source="test", published=published)


def _mentions(text: str, published: dt.date | None = MONDAY) -> list[tuple[str, str, str, str]]:
    article = _article(text, published=published)
    found = extract_facts(article)
    for m in found:  # every evidence span is the article's own text
        assert article.text[m.evidence.start : m.evidence.end] == m.evidence.text
    return [(m.kind, m.slot, m.value, m.qualifier) for m in found]


def _slots(facts: list[Fact]) -> dict[str, Fact]:
    return {f.slot: f for f in facts}


@pytest.mark.parametrize(
    ("words", "value"),
    [
        ("24", 24.0),
        ("15,000", 15000.0),
        ("6.1", 6.1),
        ("-5", -5.0),
        ("five", 5.0),
        ("twenty-five", 25.0),
        ("a hundred", 100.0),
        ("two dozen", 24.0),
        ("1.5 million", 1_500_000.0),
        ("three thousand", 3000.0),
        ("dozens", None),
        ("several", None),
    ],
)
def test_numbers_in_digits_and_words(words: str, value: float | None) -> None:
    assert parse_number(words) == value


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The gunman killed 24 people at the market.", ("count", "people killed", "24", "")),
        ("At least five people were killed in the blast.", ("count", "people killed", "5", "at least")),
        ("Five people died in the crash on the motorway.", ("count", "people killed", "5", "")),
        ("The attack left 249 injured, officials said.", ("count", "people injured", "249", "")),
        ("Office shooting kills 1, injures 2", ("count", "people injured", "2", "")),
        ("Police arrested 12 protesters near the square.", ("count", "protesters arrested", "12", "")),
        ("Firefighters sent three ladder trucks to the blaze.", ("count", "ladder trucks", "3", "")),
    ],
)
def test_counts_are_tied_to_their_noun_and_predicate(text: str, expected: tuple[str, str, str, str]) -> None:
    assert expected in _mentions(text)


def test_dead_and_injured_in_one_sentence_are_two_slots() -> None:
    found = _mentions("A Michigan man shot to death one person and injured two others at the firm.")
    assert ("count", "people injured", "2", "") in found
    assert not any(slot == "people killed" and value == "2" for _, slot, value, _ in found)


def test_measures_keep_their_units_and_depth_is_not_distance() -> None:
    found = _mentions(
        "The magnitude 6.1 quake struck at a depth of 10 km, 55 km west of Palu, and shook the coast for 40 seconds."
    )
    assert ("measure", "depth", "10 km", "") in found
    assert ("measure", "magnitude", "6.1", "") in found
    assert ("place", "distance from Palu", "55 km west", "") in found
    assert not any(slot.startswith("quake") for _, slot, _, _ in found)
    assert ("measure", "magnitude", "5.9", "") in _mentions("A 5.9-magnitude earthquake jolted southern Iran.")
    assert not any(slot == "depth" and value.startswith("55") for _, slot, value, _ in found)


def test_ages_belong_to_the_person_named() -> None:
    found = _mentions("Deputy Jerry Ortiz, 35, was shot by Jose Luis Orozco, 27, near the apartment.")
    assert ("measure", "age of Ortiz", "35", "") in found
    assert ("measure", "age of Orozco", "27", "") in found
    found = _mentions("The suspect, 38-year-old Anthony LaCalamita, fled in a silver car.")
    assert ("measure", "age of LaCalamita", "38", "") in found


def test_clock_times_and_dates_anchored_on_the_article() -> None:
    found = _mentions("The fire was reported at 3:33 a.m. Tuesday and was under control by 7 a.m.")
    assert ("time", "time report", "03:33", "") in found
    assert ("date", "date report", "2024-06-25", "") in found  # the Tuesday before Monday 1 July
    found = _mentions("The council approved the plan today after a long debate.", published=dt.date(2024, 7, 2))
    assert ("date", "date approv", "2024-07-02", "") in found


@pytest.mark.parametrize(
    "text",
    [
        "http://www.example.com/2024/07/01/story-24-killed-5-injured/",
        "POSTED: 1052 GMT (1852 HKT), April 10, 2007",
        "Scores: 3 1 4 1 5 9 2 6 5 3 5 8 across the ten rounds played on the day.",
        "Dozens of people were hurt when the stand collapsed.",
        "He drove a 2007 Ford north on I-75 past Route 66.",
        "",
    ],
)
def test_no_fact_from_urls_datelines_lists_or_vague_words(text: str) -> None:
    found = _mentions(text)
    assert not [m for m in found if m[0] in {"count", "measure"}], found


def test_negative_and_fractional_values_and_other_units() -> None:
    found = _mentions("The temperature fell to -5 degrees while the river rose 2.5 feet in six hours.")
    values = {value for _, _, value, _ in found}
    assert "-5 degrees" in values
    assert "2.5 feet" in values


def _m(
    article: str, slot: str, number: float, published: dt.date | None, qualifier: str = "", unit: str = ""
) -> FactMention:
    from storyline.model import Evidence

    text = f"{number} {unit}".strip()
    low, high = number, number
    if qualifier == "at least":
        high = float("inf")
    return FactMention(
        article,
        "count" if not unit else "measure",
        slot,
        f"{number:g} {unit}".strip(),
        number if unit != "miles" else number * 1.609344,
        low if unit != "miles" else number * 1.609344,
        high if unit != "miles" else number * 1.609344,
        qualifier,
        unit,
        Evidence(article, 0, 0, len(text), text),
        published,
    )


def test_slot_status_agreed_with_ranges_and_units() -> None:
    day = dt.date(2024, 7, 1)
    facts = _slots(
        align_facts(
            [
                _m("a", "people killed", 5, day, "at least"),
                _m("b", "people killed", 7, day),
                _m("c", "length (chase)", 30, day, unit="miles"),
                _m("d", "length (chase)", 48, day, unit="km"),
            ]
        )
    )
    assert facts["people killed"].status == "agreed"
    # values are listed as written; they agree once converted (30 miles = 48 km)
    assert facts["length (chase)"].status == "agreed"
    assert [v.value for v in facts["length (chase)"].values] == ["30 miles", "48 km"]
    assert [v.value for v in facts["people killed"].values] == ["7", "5"]


def test_slot_status_disputed_and_developing() -> None:
    day = dt.date(2024, 7, 1)
    disputed = align_facts([_m("a", "people killed", 24, day), _m("b", "people killed", 31, day)])
    assert [f.status for f in disputed] == ["disputed"]
    rising = align_facts(
        [
            _m("a", "people killed", 5, day),
            _m("b", "people killed", 12, day + dt.timedelta(days=1)),
            _m("c", "people killed", 24, day + dt.timedelta(days=2)),
        ]
    )
    assert [f.status for f in rising] == ["developing"]
    assert [v.value for v in rising[0].values] == ["5", "12", "24"]


def test_slots_are_never_compared_across_and_single_mentions_are_dropped() -> None:
    day = dt.date(2024, 7, 1)
    facts = align_facts(
        [
            _m("a", "people killed", 24, day),
            _m("b", "people injured", 249, day),
            _m("a", "depth", 10, day, unit="km"),
        ]
    )
    assert facts == []


def test_story_facts_on_written_articles() -> None:
    a = _article(
        "A gunman killed two people and wounded three others at a bank on Monday, police said. "
        "The suspect, 41-year-old Mark Doyle, was arrested after a 20-mile chase.",
        "a",
        dt.date(2024, 7, 1),
    )
    b = _article(
        "Two people were killed and three were injured when a man opened fire at a bank Monday. "
        "Police chased Mark Doyle, 41, for about 32 kilometres before he was stopped.",
        "b",
        dt.date(2024, 7, 1),
    )
    c = _article(
        "The death toll from Monday's bank shooting rose to three, police said on Wednesday.",
        "c",
        dt.date(2024, 7, 3),
    )
    facts = _slots(find_facts([a, b, c]))
    killed = facts["people killed"]
    assert killed.status == "developing"
    assert [v.value for v in killed.values] == ["2", "3"]
    assert killed.values[0].articles == ("a", "b")
    assert facts["people injured"].status == "agreed"
    assert facts["age of Doyle"].status == "agreed"
    for fact in facts.values():
        for value in fact.values:
            for e in value.evidence:
                text = {"a": a.text, "b": b.text, "c": c.text}[e.article]
                assert text[e.start : e.end] == e.text
    json_facts = [f.to_json() for f in facts.values()]
    assert {"slot", "kind", "status", "values"} <= set(json_facts[0])


def test_one_article_story_and_nothing_to_say() -> None:
    one = _article("Three people died when the bridge collapsed, officials said.", "x")
    facts = find_facts([one])
    assert [(f.slot, f.status, [v.value for v in f.values]) for f in facts] == [("people killed", "agreed", ["3"])]
    assert find_facts([_article("The mayor praised the volunteers.", "y")]) == []
    assert find_facts([]) == []


class _DictCache:
    def __init__(self) -> None:
        self.rows: dict[str, bytes] = {}

    def load_vectors(self, keys: list[str]) -> dict[str, bytes]:
        return {k: self.rows[k] for k in keys if k in self.rows}

    def save_vectors(self, rows: list[tuple[str, bytes]]) -> None:
        self.rows.update(rows)


def test_mentions_are_cached_per_article_and_read_back_without_the_parser(monkeypatch: pytest.MonkeyPatch) -> None:
    import storyline.analysis.quotes

    articles = [
        _article("At least 12 people were killed and 30 injured in the flood on Monday.", "a"),
        _article("The flood killed 14 people, officials said, and forced 3,000 to evacuate.", "b"),
    ]
    cache = _DictCache()
    first = cached_mentions(cache, articles)
    assert len(cache.rows) == 2 and first

    def refuse() -> None:
        raise AssertionError("parsed again although cached")

    monkeypatch.setattr(storyline.analysis.quotes, "load_parser", refuse)
    again = cached_mentions(cache, articles)
    assert again == first
    assert find_facts(articles, again) == find_facts(articles, first)


def test_summary_cites_only_articles_that_state_every_number_and_name() -> None:
    from storyline.analysis.summarize import _states_all

    sentence = "The Kremlin said about 18% of Ukraine, or 20,000 square miles, is occupied."
    assert _states_all(sentence, "Russia holds about 18% of Ukraine (20000 square miles), the Kremlin said.")
    assert not _states_all(sentence, "The Kremlin said a fifth of Ukraine is occupied.")
    assert not _states_all(sentence, "Moscow said about 18% of Ukraine, or 20,000 square miles, is occupied.")
    assert _states_all("Five people died in Palu.", "In Palu, 5 people were killed.")


def test_summary_opens_with_the_core_facts_and_notes_a_developing_count() -> None:
    from storyline.analysis.summarize import SummarySentence, _core_first
    from storyline.model import Evidence

    background = Evidence("a", 4, 300, 340, "The firm was founded in 1990 in Troy.")
    core = Evidence("b", 0, 0, 50, "A gunman killed one person and wounded two on Monday.")
    facts = align_facts(
        [
            _m("b", "people killed", 1, dt.date(2024, 7, 1)),
            _m("c", "people killed", 2, dt.date(2024, 7, 2)),
        ]
    )
    facts = [
        Fact(
            f.slot,
            f.kind,
            f.status,
            (replace(f.values[0], evidence=(core,)), *f.values[1:]),
        )
        for f in facts
    ]
    sentences = [
        SummarySentence(background.text, ("a",), (background,), "consensus"),
        SummarySentence(core.text, ("b",), (core,), "addition"),
    ]
    ordered = _core_first(sentences, facts)
    assert ordered[0].text == core.text
    assert ordered[0].note == "people killed: developing (1, 2)"
    assert _core_first(sentences, []) == sentences


def test_seeds_share_of_ukraine_is_stated_by_000_and_001_only(seeds_dir: Path) -> None:
    facts = _slots(find_facts(seed_articles(seeds_dir)))
    share = facts["share of ukraine"]
    assert share.status == "agreed"
    assert [(v.qualifier, v.value) for v in share.values] == [("about", "18%")]
    assert set(share.articles) == {"000_28158b486f2f13b4", "001_5ca4497752f730ed"}
    assert not [f for f in facts.values() if f.status == "disputed"]


@pytest.mark.parametrize(
    ("text", "slot"),
    [
        ("Sixty-five per cent of traffic to India was down, officials said.", "share of traffic to india"),
        (
            "The cables carry more than 75% of traffic between the Middle East and Europe.",
            "share of traffic between the middle east",
        ),
        ("Up to 70 per cent of web services in Egypt were disrupted.", "share of web services in egypt"),
    ],
)
def test_a_share_is_slotted_by_what_it_is_a_share_of(text: str, slot: str) -> None:
    assert [s for _, s, _, _ in _mentions(text)] == [slot]


def test_values_far_apart_are_other_things_not_a_dispute() -> None:
    day = dt.date(2024, 7, 1)
    facts = align_facts(
        [
            _m("a", "people killed", 10, day),
            _m("b", "people killed", 10, day),
            _m("c", "people killed", 612, day),
            _m("d", "people killed", 612, day),
        ]
    )
    assert [(f.status, [v.value for v in f.values]) for f in facts] == [("agreed", ["10"]), ("agreed", ["612"])]
