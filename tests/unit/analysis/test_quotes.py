"""Quotes: marks, speakers, spans, canonical speakers, alignment across outlets, the seeds, the CLI."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from storyline.analysis.quotealign import align_quotes, canonical_speakers
from storyline.analysis.quotes import QuoteMention, extract_quotes, find_quotations
from storyline.stories.embed import default_embedder
from support.seeds import seed_articles


def _quoted(text: str) -> list[str]:
    return [" | ".join(text[a:b] for a, b in q.fragments) for q in find_quotations(text)]


def _one(text: str, kind: str = "direct") -> QuoteMention:
    found = [m for m in extract_quotes(text, "a") if m.kind == kind]
    assert len(found) == 1, found
    return found[0]


# --- quotation marks -------------------------------------------------------------------------


def test_every_mark_style_pairs_and_apostrophes_are_not_marks() -> None:
    text = (
        'He said “curly works” and "straight works" and «guillemets work».\n\n'
        "It’s Trump’s call, the ‘single quoted’ headline style, the ’90s and rock ’n’ roll."
    )
    assert _quoted(text) == [
        "“curly works”",
        '"straight works"',
        "«guillemets work»",
        "‘single quoted’",
    ]


def test_nested_single_quotes_stay_inside_the_double_quote() -> None:
    text = "“You say you ‘accept responsibility,’ but you blame them,” Merkley said."
    assert _quoted(text) == ["“You say you ‘accept responsibility,’ but you blame them,”"]


def test_a_quote_running_over_paragraphs_is_one_quotation() -> None:
    text = (
        "“The first paragraph of the statement goes on.\n\n“The second paragraph ends it,” she said.\n\n“A new quote.”"
    )
    first, second = find_quotations(text)
    assert len(first.fragments) == 2
    assert text[first.start : first.end].endswith("ends it,”")
    assert text[second.start : second.end] == "“A new quote.”"


def test_an_unclosed_quote_ends_with_its_paragraph() -> None:
    text = "He wrote “this never closes\n\nNext paragraph without marks."
    (q,) = find_quotations(text)
    assert text[q.start : q.end] == "“this never closes"


# --- speakers and spans ---------------------------------------------------------------------


def test_split_quote_around_the_reporting_clause_is_one_quote_with_the_speaker() -> None:
    text = "“We are unaware of the shifts,” US spokeswoman Adrienne Watson said. “It is up to Ukraine.”"
    m = _one(text)
    assert m.speaker == "Adrienne Watson" and m.role == "US spokeswoman"
    assert len(m.fragments) == 2 and m.quoted == "We are unaware of the shifts, … It is up to Ukraine."
    assert text[m.start : m.end] == m.text
    assert m.speaker_span is not None and text[m.speaker_span[0] : m.speaker_span[1]] == m.speaker_text
    assert m.cue == "said" and m.attribution == "parse"


def test_pronoun_goes_to_the_last_named_speaker_who_fits() -> None:
    text = (
        "“It benefits them,” said Fiona Hill, a former White House official.\n\n"
        "Mr. Sullivan, the adviser, disagreed with her in a statement.\n\n"
        "“It’s a classic Russian play,” she added."
    )
    quotes = [m for m in extract_quotes(text, "a") if m.kind == "direct"]
    assert [m.speaker for m in quotes] == ["Fiona Hill", "Fiona Hill"]
    assert quotes[1].speaker_text == "she"


def test_description_and_short_name_resolve_to_the_named_person() -> None:
    text = (
        "Kremlin spokesman Dmitry Peskov spoke to reporters on Friday.\n\n"
        "“That’s false information,” the Kremlin spokesman said.\n\n"
        "Peskov told reporters that the talks would go on for weeks."
    )
    direct = _one(text)
    indirect = _one(text, "indirect")
    assert direct.speaker == "Dmitry Peskov" and direct.speaker_text == "the Kremlin spokesman"
    assert indirect.speaker == "Dmitry Peskov" and indirect.text == "that the talks would go on for weeks"
    assert indirect.quoted is None and indirect.fragments == ()


def test_according_to_and_indirect_speech_with_reporting_verbs() -> None:
    text = (
        "According to two people close to the Kremlin, Putin may be willing to drop the demand.\n\n"
        "Watson stressed that the decision belongs to Ukraine alone."
    )
    found = extract_quotes(text, "a")
    assert {m.speaker for m in found} == {"two people close to the Kremlin", "Watson"}
    according = next(m for m in found if m.cue == "according to")
    assert according.kind == "indirect" and according.attribution == "according-to"
    assert according.text.startswith("Putin may be willing")


def test_unattributed_quote_has_no_speaker() -> None:
    m = _one("Posters went up across the city overnight.\n\n“Victory will be ours.”")
    assert m.speaker is None and m.speaker_span is None


def test_mixed_quote_spans_the_reported_clause() -> None:
    text = "Zelensky said in an interview that he had seen “no fundamental steps” towards peace from Moscow."
    m = _one(text)
    assert m.quoted == "no fundamental steps"
    assert m.text.startswith("that he had seen") and m.text.endswith("from Moscow")
    assert m.speaker == "Zelensky"


def test_a_quote_paragraph_after_an_attributed_one_has_its_speaker() -> None:
    text = (
        "“Russia is open to talks,” Kremlin spokesman Dmitry Peskov said.\n\n"
        "“We are determined to reach our goals.”\n\n"
        "Officials in Kyiv were not convinced by the statement.\n\n"
        "“This is a bluff.”"
    )
    _, second, third = [m for m in extract_quotes(text, "a") if m.kind == "direct"]
    assert second.speaker == "Dmitry Peskov" and second.attribution == "continued"
    assert second.speaker_span is None and second.quoted == "We are determined to reach our goals."
    assert third.speaker is None  # not right after a quote: no guess


def test_quote_records_round_trip_through_json() -> None:
    m = _one("“We will win,” Watson said.")
    assert QuoteMention.from_json(json.loads(json.dumps(m.to_json()))) == m


# --- across a story ------------------------------------------------------------------------------


def test_canonical_speakers_join_spellings_titles_and_short_forms() -> None:
    canon = canonical_speakers(
        ["Volodymyr Zelensky", "Zelenskiy", "Volodymyr Zelenskyy", "Dmitry Peskov", "Peskov", "Vladimir Putin"]
    )
    assert canon["Zelenskiy"] == canon["Volodymyr Zelenskyy"] == canon["Volodymyr Zelensky"]
    assert canon["Peskov"] == "Dmitry Peskov"
    assert canon["Vladimir Putin"] == "Vladimir Putin"


def _mention(article: str, text: str, speaker: str | None, kind: str = "direct") -> QuoteMention:
    body = f"{speaker or 'Someone'} said: “{text}”" if kind == "direct" else f"{speaker} said that {text}"
    start = body.index("“") if kind == "direct" else body.index("that")
    end = len(body)
    return QuoteMention(
        article=article,
        kind=kind,  # type: ignore[arg-type]
        start=start,
        end=end,
        text=body[start:end],
        quoted=text if kind == "direct" else None,
        fragments=((start, end),) if kind == "direct" else (),
        speaker=speaker,
    )


def test_alignment_marks_verbatim_partial_altered_and_says_what_differs() -> None:
    full = "We are determined to reach our goals. And would prefer to complete it by diplomatic means."
    mentions = [
        _mention("a", full, "Dmitry Peskov"),
        _mention("b", full, "Peskov"),
        _mention("c", "would prefer to complete it by diplomatic means", "Dmitry Peskov"),
        _mention("d", "[We] would prefer to complete [our goals] by diplomatic means.", "Peskov"),
        _mention("e", "Something else entirely about the weather today.", "Dmitry Peskov"),
    ]
    quotes = align_quotes(mentions)
    main = quotes[0]
    assert main.speaker == "Dmitry Peskov"
    fidelity = {o.mention.article: o.fidelity for o in main.occurrences}
    assert fidelity == {"a": "verbatim", "b": "verbatim", "c": "partial", "d": "altered"}
    altered = next(o for o in main.occurrences if o.fidelity == "altered")
    assert any("[We]" in d for d in altered.differences) and any("[our goals]" in d for d in altered.differences)
    assert [q.articles for q in quotes[1:]] == [["e"]]


def test_different_speakers_never_share_a_quote() -> None:
    quotes = align_quotes(
        [_mention("a", "We will win this war.", "Alice Smith"), _mention("b", "We will win this war.", "Bob Jones")]
    )
    assert len(quotes) == 2


def test_reported_speech_of_the_same_speaker_is_a_paraphrase() -> None:
    quote = (
        "President Putin has stated numerous times that Russia was, is and will continue to be open for negotiations"
    )
    mentions = [
        _mention("a", quote, "Dmitry Peskov"),
        _mention("b", "Putin has repeatedly stated that Russia is open to talks", "Dmitry Peskov", "indirect"),
        _mention("c", "the weather in Moscow will be cold this week", "Dmitry Peskov", "indirect"),
    ]
    quotes = align_quotes(mentions, embed=default_embedder(128))
    assert {o.mention.article: o.fidelity for o in quotes[0].occurrences} == {"a": "verbatim", "b": "paraphrased"}
    assert any(q.kind == "indirect" and q.articles == ["c"] for q in quotes)


# --- the seeds -------------------------------------------------------------------------------


def _norm(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower().replace("’", "'")))


@pytest.fixture(scope="module")
def seed_quotes(request: pytest.FixtureRequest) -> list:  # type: ignore[type-arg]
    from conftest import SEEDS

    articles = seed_articles(SEEDS)
    mentions = [m for a in articles for m in extract_quotes(a.text, a.external_id)]
    return align_quotes(mentions, embed=default_embedder(128))


def test_every_expected_seed_quote_is_found_with_its_speaker_and_outlets(seed_quotes: list, shared_dir: Path) -> None:  # type: ignore[type-arg]
    expected = json.loads((shared_dir / "seeds" / "expected.json").read_text())["quotes"]
    for want in expected:
        text = _norm(want["text"])
        matches = [q for q in seed_quotes if q.kind == "direct" and text in _norm(q.text)]
        assert matches, f"not found: {want['text']}"
        quote = min(matches, key=lambda q: len(q.text))
        assert quote.speaker == want["speaker"], (want["text"], quote.speaker)
        carried = {o.mention.article: o.fidelity for o in quote.occurrences}
        for article in want["in"]:
            assert carried.get(article) in {"verbatim", "partial", "altered"}, (want["text"], article, carried)
        for article in want.get("partial_in", []):
            assert carried.get(article) == "partial", (want["text"], article, carried)
        for article in want.get("paraphrased_in", []):
            assert carried.get(article) == "paraphrased", (want["text"], article, carried)
        for article in want.get("altered_in", {}):
            assert carried.get(article) == "altered", (want["text"], article, carried)


def test_peskovs_bracketed_quote_is_altered_with_the_brackets_shown(seed_quotes: list) -> None:  # type: ignore[type-arg]
    quote = next(q for q in seed_quotes if "determined to reach our goals" in q.text)
    (altered,) = [o for o in quote.occurrences if o.fidelity == "altered"]
    assert altered.mention.article == "004_72e330e792d8a04d"
    assert "[We]" in altered.text and any("[our goals]" in d for d in altered.differences)
