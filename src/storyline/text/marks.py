"""Quotation marks: the passages of a text that stand between them, paired per paragraph.

Double marks (“ ” " « » „) pair within a paragraph; a quotation left open at a paragraph's end goes
on into the next paragraph when that one opens with a mark (the news style for quotes of several
paragraphs). Single marks ‘ ’ count only at the top level and only where they cannot be
apostrophes. Used by quote extraction (:mod:`storyline.analysis.quotes`) and by claims, which
leave quoted words to the quotes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .sentences import paragraph_spans

__all__ = [
    "DOUBLE_MARKS",
    "Quotation",
    "find_quotations",
    "first_visible",
    "inner_text",
    "trim_end",
    "visible_paragraphs",
]

_OPENERS = {"“": "”", "«": "»", "„": "“", '"': '"', "”": "”"}
_CLOSERS_FOR = {"“": '”"', "«": "»", "„": '“”"', '"': '"”', "”": "”"}
#: The double quotation marks (opening and closing).
DOUBLE_MARKS = frozenset('“”"«»„')


@dataclass(frozen=True, slots=True)
class Quotation:
    """Text between quotation marks: its fragments (one per paragraph) as spans, marks included."""

    fragments: tuple[tuple[int, int], ...]

    @property
    def start(self) -> int:
        """Start of the opening mark."""
        return self.fragments[0][0]

    @property
    def end(self) -> int:
        """End of the closing mark (or of the paragraph where none closes it)."""
        return self.fragments[-1][1]


def visible_paragraphs(text: str) -> list[tuple[int, int]]:
    """Spans of the non-blank paragraphs (lines) of `text`."""
    return [(a, b) for a, b in paragraph_spans(text) if text[a:b].strip()]


def first_visible(text: str, start: int, end: int) -> int:
    while start < end and text[start].isspace():
        start += 1
    return start


def find_quotations(text: str) -> list[Quotation]:
    """Quoted passages of `text`, in order, with their marks.

    Double marks pair within a paragraph; a straight " closes at the next straight or curly closing
    mark. A paragraph left open continues into the next when that one opens with a mark (the news
    style for quotes of several paragraphs); otherwise the quotation ends with its paragraph.
    Single marks ‘ ’ count only at the top level (inside double marks they are nested quotes), and
    only where ‘ follows a space and ’ is not followed by a letter (so apostrophes are not marks).
    """
    out: list[Quotation] = []
    open_frags: list[tuple[int, int]] = []  # fragments of a quotation left open at a paragraph end
    paragraphs = visible_paragraphs(text)
    for p_index, (p_start, p_end) in enumerate(paragraphs):
        opener: str | None = None
        q_start, i = -1, p_start
        if open_frags:
            first = first_visible(text, p_start, p_end)
            if first < p_end and text[first] in DOUBLE_MARKS and text[first] not in "”»":
                opener, q_start, i = text[first], first, first + 1  # the quotation goes on here
            else:
                out.append(Quotation(tuple(open_frags)))
                open_frags = []
        while i < p_end:
            ch = text[i]
            if opener is not None:
                if ch in _CLOSERS_FOR[opener]:
                    out.append(Quotation((*open_frags, (q_start, i + 1))))
                    open_frags, opener = [], None
            elif ch in _OPENERS and (ch != "”" or _opens_here(text, i)) and text[i - 1 : i] != "=":
                opener, q_start = ch, i
            elif ch == "‘" and (i == p_start or not text[i - 1].isalnum()):
                close = _single_close(text, i + 1, p_end)
                if close is not None:
                    out.append(Quotation(((i, close),)))
                    i = close
                    continue
            i += 1
        if opener is not None:
            open_frags.append((q_start, trim_end(text, q_start, p_end)))
            if p_index + 1 == len(paragraphs):
                out.append(Quotation(tuple(open_frags)))
                open_frags = []
    return [q for q in out if _has_words(text, q)]


def _opens_here(text: str, i: int) -> bool:
    """True for a ” used as an opening mark: after a space or line start, before a letter."""
    before = text[i - 1] if i > 0 else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    return before.isspace() and after.isalnum()


def _single_close(text: str, start: int, end: int) -> int | None:
    for m in re.finditer("’", text[start:end]):
        j = start + m.start()
        after = text[j + 1] if j + 1 < len(text) else " "
        if not after.isalpha() and j > start:
            return j + 1
    return None


def trim_end(text: str, start: int, end: int) -> int:
    while end > start and text[end - 1].isspace():
        end -= 1
    return end


def _has_words(text: str, q: Quotation) -> bool:
    return any(re.search(r"\w", text[a:b]) for a, b in q.fragments)


def inner_text(text: str, span: tuple[int, int]) -> str:
    """The words of a fragment without its marks."""
    a, b = span
    s = text[a:b]
    if s and s[0] in DOUBLE_MARKS | {"‘"}:
        s = s[1:]
    if s and s[-1] in DOUBLE_MARKS | {"’"}:
        s = s[:-1]
    return s.strip()
