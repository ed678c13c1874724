"""Date expressions resolved against an anchor, and the story timeline, on crafted sentences and the seeds."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from storyline.analysis.timeline import DateMention, TimelineOptions, build_timeline, find_dates
from storyline.errors import OptionsError
from storyline.model import Article
from storyline.stories.embed import default_embedder
from storyline.text.sentences import split_sentences
from support.seeds import seed_articles

FRIDAY = dt.date(2024, 1, 26)  # the seeds' story date, a Friday


def _article(text: str, published: dt.date | None = FRIDAY, external_id: str = "x") -> Article:
    return Article(external_id=external_id, text=text, content_hash="h", source="test", published=published)


def _found(text: str, published: dt.date | None = FRIDAY, anchor: dt.date | None = None) -> list[tuple[str, str]]:
    mentions = find_dates(_article(text, published), anchor)
    for m in mentions:
        assert text[m.start : m.end] == m.expression
    return [(m.expression, m.iso) for m in mentions]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # full dates
        ("The deal was signed on January 17, 2024 in Davos.", [("January 17, 2024", "2024-01-17")]),
        ("Blinken spoke on Jan. 17 at the forum.", [("Jan. 17", "2024-01-17")]),
        ("Blinken spoke on Jan 17 at the forum.", [("Jan 17", "2024-01-17")]),
        ("Blinken spoke on 17 January at the forum.", [("17 January", "2024-01-17")]),
        ("Blinken spoke on the 17th of January 2023.", [("17th of January 2023", "2023-01-17")]),
        ("The filing is dated 2024-01-17 in the register.", [("2024-01-17", "2024-01-17")]),
        ("The vote was set for Sept. 4, 2023 by the board.", [("Sept. 4, 2023", "2023-09-04")]),
        # months
        ("Signals were conveyed in September through an intermediary.", [("September", "2023-09")]),
        ("Signals were conveyed in December through an intermediary.", [("December", "2023-12")]),
        ("He has been signalling since at least September.", [("September", "2023-09")]),
        ("The war escalated in September 2023 after the summit.", [("September 2023", "2023-09")]),
        ("Talks stalled last September in Istanbul.", [("last September", "2023-09")]),
        ("The summit was held in May and again in March.", [("May", "2023-05"), ("March", "2023-03")]),
        ("Turnout rose in January in most regions.", [("January", "2024-01")]),
        # relative months and years
        ("The signals were conveyed last month through an intermediary.", [("last month", "2023-12")]),
        ("Prices rose this month across the region.", [("this month", "2024-01")]),
        ("Elections are due next month in the province.", [("next month", "2024-02")]),
        ("The treaty was signed last year in Geneva.", [("last year", "2023")]),
        ("The land was seized two years ago by the army.", [("two years ago", "2022")]),
        ("The office closed three months ago after the audit.", [("three months ago", "2023-10")]),
        ("He resigned 5 days ago after the vote.", [("5 days ago", "2024-01-21")]),
        # weekdays
        ("The Kremlin on Friday denied the report.", [("Friday", "2024-01-26")]),
        ("Peskov told reporters Friday the report was false.", [("Friday", "2024-01-26")]),
        ("In comments made in Thursday's report, Peskov was quoted.", [("Thursday", "2024-01-25")]),
        ("The minister resigned on Monday after the vote.", [("Monday", "2024-01-22")]),
        ("The committee met last Tuesday to discuss it.", [("last Tuesday", "2024-01-23")]),
        ("The committee met last Friday to discuss it.", [("last Friday", "2024-01-19")]),
        ("Shoppers crowded malls on Black Friday in every city.", []),
        # days around the anchor
        ("The ministry said yesterday that talks had stalled.", [("yesterday", "2024-01-25")]),
        ("The ministry said today that talks had stalled.", [("today", "2024-01-26")]),
        ("Today, the ministry said, talks stalled.", [("Today", "2024-01-26")]),
        ("Clinton was leaving the Sept. 11 memorial.", [("Sept. 11", "2023-09-11")]),
        ("A report published the day before cited two sources.", [("the day before", "2024-01-25")]),
        ("Officials met the day before the vote to discuss it.", []),
        # years
        ("Turkey hosted negotiations in 2022 to build trust.", [("2022", "2022")]),
        ("Turkey hosted negotiations starting in the spring of 2022.", [("spring of 2022", "2022")]),
        ("The offensive began in mid-2023 along the front.", [("2023", "2023")]),
        ("Land captured by Russian forces since February 2022 remains occupied.", [("February 2022", "2022-02")]),
    ],
)
def test_find_dates_resolves_each_kind_with_exact_spans(text: str, expected: list[tuple[str, str]]) -> None:
    assert _found(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "The war is entering its third year with no end in sight.",
        "The invasion would last five years, Putin told Xi.",
        "The outlet has been independent for over 30 years.",
        "The agency runs a 24-hour hotline for relatives.",
        "The attacks of 9/11 changed airport security for good.",
        "The Sept. 11 attacks changed airport security for good.",
        "The network aired September 11 conspiracy theories.",
        "About 2000 troops and 18% of the land were lost in recent months.",
        "Putin may be open to dropping the demand, and Theresa May said nothing.",
        "The war heads into a third year as the invasion nears its second anniversary.",
        "Later that month, the newspaper reported the remarks over the last year.",
        "Prices rose 2.5 percent last week, the ministry said.",
        "Losses in the mid-1990s and the 1970s were large.",
        "Seventy-four years ago, a naval battle was fought here.",
        "Stein told USA Today and Russia Today about it.",
        "Pence spoke on Fox News Sunday about Good Friday.",
    ],
)
def test_durations_ordinals_and_names_are_not_dates(text: str) -> None:
    assert _found(text) == []


def test_a_month_without_year_is_the_latest_not_after_the_anchor_month() -> None:
    text = "The talks began in December and resumed in January."
    assert _found(text, dt.date(2024, 1, 5)) == [("December", "2023-12"), ("January", "2024-01")]
    assert _found(text, dt.date(2023, 12, 31)) == [("December", "2023-12"), ("January", "2023-01")]
    assert _found("The vote was on Dec. 30 and the count on Jan 2.", dt.date(2024, 1, 5)) == [
        ("Dec. 30", "2023-12-30"),
        ("Jan 2", "2024-01-02"),
    ]


def test_a_day_soon_after_the_anchor_is_upcoming_and_a_later_one_is_past() -> None:
    text = "The outcome of the Nov. 8 election is open; the court ruled on Feb. 9 and Obama leaves on Jan. 20."
    assert _found(text, dt.date(2016, 9, 27)) == [
        ("Nov. 8", "2016-11-08"),
        ("Feb. 9", "2016-02-09"),
        ("Jan. 20", "2016-01-20"),
    ]


def test_a_weekday_equal_to_the_anchors_is_the_anchor_day() -> None:
    for offset, name in enumerate(["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]):
        anchor = dt.date(2024, 1, 22) + dt.timedelta(days=offset)
        assert _found(f"The talks ended on {name}.", anchor) == [(name, anchor.isoformat())]
        day_before = (anchor - dt.timedelta(days=1)).strftime("%A")
        expected = (anchor - dt.timedelta(days=1)).isoformat()
        assert _found(f"The talks ended on {day_before}.", anchor) == [(day_before, expected)]


def test_the_story_anchor_is_used_only_when_the_article_has_no_date() -> None:
    text = "The Kremlin on Friday denied a report published the day before."
    assert _found(text, None, FRIDAY) == [("Friday", "2024-01-26"), ("the day before", "2024-01-25")]
    assert _found(text, dt.date(2024, 2, 1), FRIDAY) == [("Friday", "2024-01-26"), ("the day before", "2024-01-31")]


def test_without_any_anchor_only_dates_with_a_year_resolve() -> None:
    text = (
        "The Kremlin on Friday denied the report. Signals were sent last month and in December, "
        "two years ago and yesterday; Blinken spoke on Jan 17. The invasion began on February 24, 2022, "
        "talks were held in the spring of 2022 and again in June 2023."
    )
    assert _found(text, None) == [
        ("February 24, 2022", "2022-02-24"),
        ("spring of 2022", "2022"),
        ("June 2023", "2023-06"),
    ]


def test_mentions_know_their_sentence_and_precision() -> None:
    text = "Headline here\n\nThe Kremlin on Friday denied it. Signals were sent last month."
    sentences = split_sentences(text)
    mentions = find_dates(_article(text))
    assert [(m.sentence, m.precision, m.date) for m in mentions] == [
        (1, "day", dt.date(2024, 1, 26)),
        (2, "month", dt.date(2023, 12, 1)),
    ]
    for m in mentions:
        s = sentences[m.sentence]
        assert s.start <= m.start < m.end <= s.end
    assert DateMention("x", 0, 0, 4, "2022", dt.date(2022, 1, 1), "year").iso == "2022"


def test_invalid_calendar_dates_are_skipped() -> None:
    assert _found("The law took effect on February 30, 2023 and on 2023-13-01.") == []


_PIECES = [*"ab 12.,\n", "May", " in ", "Friday", "Jan", " 2022", " ago", " last ", "month", " years", "-"]


@given(st.lists(st.sampled_from(_PIECES), max_size=30).map("".join))
def test_spans_are_exact_and_disjoint(text: str) -> None:
    mentions = find_dates(_article(text))
    for m in mentions:
        assert text[m.start : m.end] == m.expression
    for a, b in itertools.pairwise(mentions):
        assert a.end <= b.start


def test_date_only_lines_date_nothing() -> None:
    text = (
        "Published: Friday, January 26, 2024 10:32 AM\n\n"
        "By Jane Doe, Reuters | Updated Jan 26, 2024\n\n"
        "The ministry said on Friday that talks had stalled over the border question.\n\n"
        "He resigned in 2022."
    )
    events = build_timeline([_article(text)])
    assert [(e.date, e.expression, e.sources[0].sentence) for e in events] == [
        ("2022", "2022", 3),
        ("2024-01-26", "Friday", 2),
    ]


def test_wire_datelines_date_nothing() -> None:
    text = "FLINT, Mich., Oct. 4 (UPI) — Former President Bill Clinton said on Monday the system was crazy."
    events = build_timeline([_article(text, dt.date(2016, 10, 4))])
    assert [(e.date, e.expression) for e in events] == [("2016-10-03", "Monday")]


def test_same_date_same_statement_is_one_event_across_articles() -> None:
    a = _article("The Kremlin on Friday denied a report about secret peace talks.", external_id="a")
    b = _article("The Kremlin denied on Friday the report about secret talks on peace.", None, external_id="b")
    c = _article("Farmers on Friday blocked motorways with tractors in protest.", external_id="c")
    events = build_timeline([a, b, c], anchor=FRIDAY)
    assert [(e.date, e.articles) for e in events] == [("2024-01-26", ("a", "b")), ("2024-01-26", ("c",))]
    first = events[0]
    assert first.sources[1].text == b.text
    assert first.to_json()["sources"][0] == {
        "article": "a",
        "sentence": 0,
        "start": 0,
        "end": len(a.text),
        "text": a.text,
    }


def test_events_are_sorted_by_date_then_support() -> None:
    a = _article(
        "In 2022 the war began. Talks were held in June 2023 in Minsk. Prices fell in 2023 again.", external_id="a"
    )
    b = _article("Prices fell in 2023 again across the country, officials said.", external_id="b")
    events = build_timeline([a, b])
    assert [(e.date, len(e.sources)) for e in events] == [("2022", 1), ("2023", 2), ("2023-06", 1)]


def test_long_sentences_are_described_by_the_clause_around_the_date() -> None:
    filler = "and the talks went on for many hours without any agreement on the main questions of the day " * 3
    text = f"Long before anything else happened, officials met in Geneva on Monday, {filler}."
    (event,) = build_timeline([_article(text)], options=TimelineOptions(text_chars=120))
    assert "Monday" in event.text
    assert len(event.text) <= 122
    assert event.text.startswith("…")


def test_options_reject_impossible_values() -> None:
    with pytest.raises(OptionsError, match="same_event"):
        TimelineOptions(same_event=0)
    with pytest.raises(OptionsError, match="text_chars"):
        TimelineOptions(text_chars=5)


@pytest.mark.parametrize("embedded", [True, False], ids=["minilm", "words"])
def test_seed_timeline_has_the_expected_events(seeds_dir: Path, shared_dir: Path, embedded: bool) -> None:
    expected = json.loads((shared_dir / "seeds" / "expected.json").read_text())["timeline"]
    articles = seed_articles(seeds_dir)
    embed = default_embedder(128) if embedded else None
    events = build_timeline(articles, anchor=FRIDAY, embed=embed)
    for item in expected:
        matching = [e for e in events if e.date == item["when"] and set(item["in"]) <= set(e.articles)]
        assert matching, f"no event on {item['when']} from {item['in']}: {[(e.date, e.articles) for e in events]}"
    by_id = {a.external_id: a for a in articles}
    for event in events:
        assert len(set(event.articles)) == len(event.sources)
        for source in event.sources:
            assert by_id[source.article].text[source.start : source.end] == source.text
    assert [e.day for e in events] == sorted(e.day for e in events)


def test_last_month_and_in_december_are_the_same_month_in_the_seeds(seeds_dir: Path) -> None:
    articles = {a.external_id[:3]: a for a in seed_articles(seeds_dir)}
    last_month = [m for m in find_dates(articles["000"], FRIDAY) if m.expression == "last month"]
    december = [m for m in find_dates(articles["002"], FRIDAY) if m.expression == "December"]
    assert last_month and december
    assert {m.iso for m in last_month} == {m.iso for m in december} == {"2023-12"}


@pytest.mark.parametrize(
    ("text", "published", "expected"),
    [
        (
            "The plant closed in April last year after the strike.",
            dt.date(2024, 7, 2),
            [("April last year", "2023-04")],
        ),
        ("Sales rose in May this year across Europe.", dt.date(2024, 7, 2), [("May this year", "2024-05")]),
        (
            "The council met on Tuesday (6 January) to vote.",
            dt.date(2015, 1, 8),
            [("Tuesday (6 January)", "2015-01-06")],
        ),
        ("The vote is today, officials said.", dt.date(2024, 7, 2), [("today", "2024-07-02")]),
    ],
)
def test_relative_dates_are_anchored_on_the_article_itself(
    text: str, published: dt.date, expected: list[tuple[str, str]]
) -> None:
    assert _found(text, published) == expected
