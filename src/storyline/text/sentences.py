"""Sentences of a cleaned article text, as character spans into it.

A rule-based splitter for news prose: a sentence ends at ., ! or ? (and any closing quotes or
brackets after it) followed by space and an opening capital, digit or quote, or at a paragraph
break. It does not end after common abbreviations ("Mr.", "U.S.", "Jan."), single initials
("John F. Kennedy") or inside numbers ("3.5"). Spans always point into the text given, so
evidence can be highlighted exactly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Sentence", "paragraph_spans", "split_sentences"]

# Words after which a full stop does not end a sentence.
_ABBREVIATIONS = frozenset(
    """mr mrs ms dr prof sen rep gov gen col lt sgt capt cmdr adm st jr sr vs etc inc ltd corp co no
    jan feb mar apr jun jul aug sep sept oct nov dec mon tue tues wed thu thur thurs fri sat sun
    u.s u.k u.n e.u a.m p.m d.c l.a n.y i.e e.g approx dept est fig""".split()
)
_BOUNDARY = re.compile(r"""[.!?]+[”"’')\]]*(?=\s+[“"‘'(\[]?[A-Z0-9])""")
_PARAGRAPH = re.compile(r"\n\s*\n|\n")
_LAST_WORD = re.compile(r"([A-Za-z][A-Za-z.]*)\.$")


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence: its index in the article and its span in the article's text."""

    index: int
    start: int
    end: int

    def text_in(self, text: str) -> str:
        """The sentence's text."""
        return text[self.start : self.end]


def split_sentences(text: str) -> list[Sentence]:
    """The sentences of `text`, in order, without surrounding whitespace."""
    spans: list[tuple[int, int]] = []
    for para_start, para_end in paragraph_spans(text):
        start = para_start
        for m in _BOUNDARY.finditer(text, para_start, para_end):
            if _is_abbreviation(text[start : m.start() + 1]):
                continue
            spans.append((start, m.end()))
            start = m.end()
        spans.append((start, para_end))
    out: list[Sentence] = []
    for start, end in spans:
        trimmed = _trim(text, start, end)
        if trimmed:
            out.append(Sentence(len(out), *trimmed))
    return out


def paragraph_spans(text: str) -> list[tuple[int, int]]:
    """Spans of the paragraphs of `text`: the stretches between line breaks (blank ones included)."""
    bounds: list[tuple[int, int]] = []
    start = 0
    for m in _PARAGRAPH.finditer(text):
        bounds.append((start, m.start()))
        start = m.end()
    bounds.append((start, len(text)))
    return bounds


def _is_abbreviation(chunk: str) -> bool:
    """True when `chunk` ends with a full stop that belongs to an abbreviation or an initial."""
    m = _LAST_WORD.search(chunk)
    if not m:
        return False
    word = m.group(1).lower()
    return word in _ABBREVIATIONS or (len(word) == 1 and m.group(1).isupper()) or "." in word.strip(".")


def _trim(text: str, start: int, end: int) -> tuple[int, int] | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if end > start else None
