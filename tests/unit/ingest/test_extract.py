"""Extraction of single documents: HTML through trafilatura, text through the cleaner, the checks after."""

from __future__ import annotations

import datetime as dt
import gzip
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from storyline.errors import OptionsError
from storyline.ingest.extract import ExtractOptions, content_hash, decode, detect_language, extract
from storyline.model import Article, Hints, RawDocument, Rejected

PARAS = [
    "The city council approved a new budget on Tuesday after a long debate about school funding and road repairs.",
    "Mayor Jane Alvarez said the plan would add forty teachers and fix more than two hundred potholes next year.",
    "Opposition members argued that the property tax increase would hurt families already struggling with rent.",
    "The vote was seven to four, and the budget takes effect on the first of July, officials confirmed.",
]


def page(body: str, head: str = "") -> bytes:
    return (
        "<!doctype html><html><head><meta charset='utf-8'>"
        "<title>Council passes budget | Springfield Gazette</title>"
        "<meta property='og:site_name' content='Springfield Gazette'>"
        "<meta property='article:published_time' content='2024-03-05T10:00:00Z'>"
        f"{head}</head><body><nav><a href='/'>Home</a> <a href='/news'>News</a></nav>"
        f"<article><h1>Council passes budget</h1>{body}</article>"
        "<footer>Copyright 2024 Springfield Gazette. All rights reserved.</footer></body></html>"
    ).encode()


def html_doc(content: bytes, **hints: object) -> RawDocument:
    return RawDocument("test.html", "test", content, "html", Hints(**hints))  # type: ignore[arg-type]


def test_html_article_gives_body_title_date_and_site() -> None:
    art = extract(html_doc(page("".join(f"<p>{p}</p>" for p in PARAS))))
    assert isinstance(art, Article)
    assert art.text.split("\n\n") == PARAS
    assert art.title == "Council passes budget"
    assert art.published == dt.date(2024, 3, 5)
    assert art.outlet == "Springfield Gazette"
    assert art.language == "en"
    assert "Home" not in art.text and "All rights reserved" not in art.text


def test_hints_win_over_what_the_page_says() -> None:
    hints = {"title": "Given", "published": dt.date(2020, 1, 2), "outlet": "Wire", "url": "https://w.example/1"}
    art = extract(html_doc(page("".join(f"<p>{p}</p>" for p in PARAS)), **hints))
    assert isinstance(art, Article)
    assert (art.title, art.published, art.outlet, art.url) == tuple(hints.values())


def test_url_domain_is_the_outlet_of_last_resort() -> None:
    doc = RawDocument("x", "x", "\n".join(PARAS).encode(), "text", Hints(url="https://www.example.com/a"))
    art = extract(doc)
    assert isinstance(art, Article) and art.outlet == "example.com"


def test_non_article_page_is_rejected_with_the_word_count() -> None:
    result = extract(html_doc(b"<html><body><h1>404</h1><p>Page not found.</p></body></html>"))
    assert isinstance(result, Rejected)
    assert "not an article" in result.reason or "no article text" in result.reason


def test_declared_charset_is_honoured() -> None:
    body = "".join(f"<p>{p} Café crème, naïve façade.</p>" for p in PARAS)
    raw = page(body).decode().replace("charset='utf-8'", "charset='iso-8859-1'").encode("latin-1")
    art = extract(html_doc(raw))
    assert isinstance(art, Article) and "Café crème, naïve façade." in art.text


@pytest.mark.parametrize("encoding", ["utf-16", "utf-8-sig", "latin-1", "cp1252"])
def test_text_in_common_encodings_decodes(encoding: str) -> None:
    text = "\n".join(PARAS) + "\nZoë’s café served crème brûlée."
    if encoding == "latin-1":
        text = text.replace("’", "'")
    assert "crème brûlée" in decode(text.encode(encoding))


def test_binary_is_rejected() -> None:
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 20
    result = extract(RawDocument("a.txt", "a", png, "text"))
    assert isinstance(result, Rejected) and result.reason == "binary content, not text"


def test_size_cap_is_checked_before_parsing() -> None:
    result = extract(html_doc(b"<p>x</p>" * 200_000), ExtractOptions(max_bytes=1_000_000))
    assert isinstance(result, Rejected) and result.reason.startswith("too large: 1.6 MB")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"min_words": 0}, "min_words"), ({"max_bytes": 10}, "max_bytes"), ({"favor": "speed"}, "favor")],
)
def test_impossible_options_are_refused_with_the_fix(kwargs: dict, message: str) -> None:
    with pytest.raises(OptionsError, match=message):
        ExtractOptions(**kwargs)


def test_language_is_detected() -> None:
    assert detect_language(" ".join(PARAS)) == "en"
    german = "Der Stadtrat hat am Dienstag nach einer langen Debatte einen neuen Haushalt beschlossen. " * 3
    assert detect_language(german) == "de"


@given(st.text(max_size=200))
def test_content_hash_ignores_case_and_spacing(text: str) -> None:
    assert content_hash(text) == content_hash("  " + text.upper().replace(" ", "\n  ") + "\n")


def test_extraction_page_from_the_benchmark(shared_dir: Path) -> None:
    """One real page from ../shared/eval/extraction extracts to a real article."""
    path = sorted((shared_dir / "eval" / "extraction" / "html").glob("*.html.gz"))[0]
    art = extract(RawDocument(str(path), path.name, gzip.decompress(path.read_bytes()), "html"))
    assert isinstance(art, Article) and art.word_count > 100


def test_a_list_that_is_not_links_stays_an_article() -> None:
    """A race calendar is short lines without sentences, but not a menu: keep it."""
    rows = "".join(f"<p>Round {i}: {i + 3} March, Interlagos circuit, Sao Paulo</p>" for i in range(1, 13))
    art = extract(html_doc(page(rows)), ExtractOptions(min_words=20))
    assert isinstance(art, Article) and "Round 12" in art.text


@pytest.mark.parametrize(
    ("text", "kind", "stored"),
    [
        ("The parliament election is over in Turkmenistan.", "text", True),  # a real 7-word wire brief
        ("Breaking news update here", "text", False),  # 4 words: nearly empty
        ("<html><body><p>The parliament election is over in Turkmenistan.</p></body></html>", "html", False),
    ],
)
def test_plain_text_needs_five_words_web_pages_forty(text: str, kind: str, stored: bool) -> None:
    result = extract(RawDocument("t", "t", text.encode(), kind))  # type: ignore[arg-type]
    assert isinstance(result, Article) is stored
    if not stored:
        assert isinstance(result, Rejected) and ("not an article" in result.reason or "no article" in result.reason)
    assert isinstance(
        extract(RawDocument("t", "t", b"one two three four", "text"), ExtractOptions(min_text_words=4)), Article
    )
