"""Plain-text cleaning: header metadata out, boilerplate out, article text kept."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from storyline.text.clean import (
    PARAGRAPH_SEP,
    clean_text,
    count_words,
    drop_boilerplate,
    outlet_from_url,
    split_paragraphs,
)

BODY = [
    "Lindsay Lohan has left the Betty Ford Center and is moving to a rehab facility in Malibu.",
    "A spokesperson for the court confirmed that a judge signed an order allowing the transfer.",
    "Her attorney spoke out about the move on Thursday and thanked the staff for their care.",
]


def test_ecb_style_header_lines_become_metadata() -> None:
    raw = "\n".join(
        [
            "http://www. accesshollywood. com/lindsay-lohan-leaves-betty-ford_article_80744",
            "Lindsay Lohan Leaves Betty Ford, Checks Into Malibu Rehab",
            "First Published: June 13, 2013 4: 59 PM EDT",
            *BODY,
        ]
    )
    cleaned = clean_text(raw)
    assert cleaned.url == "http://www.accesshollywood.com/lindsay-lohan-leaves-betty-ford_article_80744"
    assert cleaned.published == dt.date(2013, 6, 13)
    assert cleaned.title == "Lindsay Lohan Leaves Betty Ford, Checks Into Malibu Rehab"
    # The headline stays the body's first line; the cut header line leaves a blank line; the body
    # keeps the file's own line breaks between lines that were neighbours.
    assert cleaned.text == cleaned.title + PARAGRAPH_SEP + "\n".join(BODY)
    assert outlet_from_url(cleaned.url) == "accesshollywood.com"


def test_body_offsets_are_the_files_offsets_when_nothing_is_cut_at_the_top() -> None:
    raw = (
        "Stealth Over Health: the candidate was headed to the ER, sources said.\n\n"
        "The Post reports  that the team\u00a0avoided the ER.\n \n\n"
        "\u201cWe did not,\u201d she said.   \n"
        "Skip to main content\n"
        "Another line of the story that goes on for a while, with details.\n"
    )
    cleaned = clean_text(raw)
    file_text = raw.replace("\u00a0", " ")
    quote = "\u201cWe did not,\u201d she said."
    assert cleaned.text.index(quote) == file_text.index(quote)
    assert "  that the team avoided" in cleaned.text  # inner spacing kept, NBSP one for one
    assert "Skip to main content" not in cleaned.text  # furniture still goes
    assert cleaned.text.endswith("Another line of the story that goes on for a while, with details.")
    assert PARAGRAPH_SEP + "Another line" in cleaned.text  # a cut line leaves a blank line


def test_date_prefix_on_the_first_line_is_stripped_and_the_rest_kept() -> None:
    cleaned = clean_text(" date 2024-01-26 Days after the talks began, officials said more.\n" + BODY[0])
    assert cleaned.published == dt.date(2024, 1, 26)
    assert cleaned.title is None
    assert cleaned.text.startswith("Days after the talks began")


@pytest.mark.parametrize(
    "line",
    [
        "Skip to main content",
        "  • Share to or",
        "Share on Facebook",
        "Read more",
        "Advertisement",
        "We use cookies to improve your experience.",
        "Protected by reCAPTCHA and the Google Privacy Policy and Terms of Service apply.",
        "Sign up for our daily newsletter",
    ],
)
def test_furniture_lines_are_dropped_anywhere(line: str) -> None:
    assert drop_boilerplate([BODY[0], line, BODY[1]]) == [BODY[0], BODY[1]]


def test_appeal_at_the_end_is_cut_with_everything_after_it() -> None:
    tail = ["… we have a small favor to ask. As you may have heard, we need help.", "Please give.", "Thanks"]
    assert drop_boilerplate([*BODY, *tail]) == BODY


def test_appeal_words_early_in_an_article_do_not_cut_it() -> None:
    paras = ["Readers were asked to become a member of the club, the mayor said.", *BODY]
    assert drop_boilerplate(paras) == paras


def test_source_line_and_self_naming_give_the_outlet() -> None:
    assert clean_text("Source: Meduza\n" + "\n".join(BODY)).outlet == "Meduza"
    assert clean_text("Support The Moscow Times!\n" + "\n".join(BODY)).outlet == "The Moscow Times"
    appeal = "Sign up for Meduza’s daily newsletter"
    assert clean_text("\n".join([*BODY, *BODY, appeal])).outlet == "Meduza"


def test_photo_captions_are_dropped() -> None:
    paras = [BODY[0], "A woman walks past a banner in Crimea. (Photo: Reuters)", BODY[1]]
    assert drop_boilerplate(paras) == [BODY[0], BODY[1]]


def test_sentences_are_not_mistaken_for_headers() -> None:
    raw = "Updated figures show the economy grew last year, analysts said.\n" + "\n".join(BODY)
    assert clean_text(raw).published is None
    assert clean_text(raw).text.startswith("Updated figures")


@given(st.text(max_size=400))
def test_cleaning_is_idempotent_on_its_own_output(raw: str) -> None:
    once = clean_text(raw)
    twice = clean_text(once.text)
    assert split_paragraphs(twice.text) == split_paragraphs(twice.text)
    assert clean_text(twice.text).text == twice.text


def test_words_are_counted_in_cjk_scripts_too() -> None:
    assert count_words("The council voted on Monday.") == 5
    assert count_words("先日、不正に改造したiPhoneを販売した") == 9
