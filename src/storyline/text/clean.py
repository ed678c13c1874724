"""Plain-text cleaning: metadata header lines out, page boilerplate out, paragraphs kept.

Text pasted or scraped from news pages keeps things that are not the article:
a ` date 2024-01-26 ` prefix, a bare URL line, "First Published: …", share bars,
"Skip to main content", newsletter and donation appeals, cookie and reCAPTCHA
notices, "Read more". :func:`clean_text` moves the metadata into fields and drops
the rest, returning paragraphs joined by a blank line (the canonical text form).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal, overload
from urllib.parse import urlsplit

from dateutil import parser as date_parser

PARAGRAPH_SEP = "\n\n"
_HEADER_SCAN = 6  # metadata lines live at the top; never look further
_TITLE_MAX_WORDS = 20

_DATE_PREFIX = re.compile(r"^\s*date\s+(\d{4}-\d{2}-\d{2})\b\s*", re.IGNORECASE)
_DATE_LINE = re.compile(
    r"^(?:first published|published|posted|updated|last updated|date)\s*(?:on)?\s*:?\s*(.{6,60})$",
    re.IGNORECASE,
)
_CALENDAR_WORDS = frozenset(
    [
        *(m.lower() for m in calendar.month_name[1:]),
        *(m.lower() for m in calendar.month_abbr[1:]),
        *(d.lower() for d in calendar.day_name),
        *(d.lower() for d in calendar.day_abbr),
        *("sept", "tues", "thur", "thurs"),
    ]
)
_ZONES = frozenset(
    {"am", "pm", "a", "m", "p", "et", "est", "edt", "ct", "cst", "cdt", "mt", "mst", "mdt", "pt", "pst", "pdt"}
    | {"gmt", "utc", "bst", "cet", "cest", "ist", "jst", "hkt", "sgt", "aest", "aedt"}
)
_DATE_WORDS = frozenset(["at", "on", "last", "updated", "published", "posted"])
_URL_LINE = re.compile(r"^(?:https?://|www\.)\S", re.IGNORECASE)
_SOURCE_LINE = re.compile(r"^(?:source|via)\s*:\s*(.{2,50})$", re.IGNORECASE)
_SUPPORT_LINE = re.compile(r"^(?:support|donate to)\s+(.{2,50}?)\s*!?$", re.IGNORECASE)
_CAPTION = re.compile(r"\((?:photo|image|picture|credit|foto|video)s?\s*:[^)]{1,80}\)\s*$", re.IGNORECASE)

_SOCIAL = r"(?:share|tweet|email|print|facebook|twitter|x|whatsapp|telegram|linkedin|reddit|copy\ link)"
# Lines that are page furniture wherever they appear (matched on short lines only).
_BOILERPLATE = re.compile(
    rf"""^(?:
        skip\ to\ (?:main\ )?(?:content|navigation)
      | [•·|\-\s]*share\b(?:\s+(?:to|on|via|this|article|story|or|and|{_SOCIAL}))*[\s:.]*
      | {_SOCIAL}(?:[\s,|•·/]+(?:{_SOCIAL}|or))*
      | read\ more\b.{{0,80}}
      | continue\ reading\b.{{0,40}}
      | advertisement | sponsored(?:\ content)?
      | (?:this\ site\ is\ )?protected\ by\ recaptcha\b.*
      | (?:we|this\ (?:web)?site|our\ (?:web)?site)\ uses?\ cookies\b.*
      | accept(?:\ all)?\ cookies.* | cookie\ (?:policy|settings|preferences).*
      | sign\ up\ for\b.{{0,80}}\bnewsletter\b.* | subscribe\ (?:to|for)\b.{{0,80}}
      | not\ ready\ to\ support\ today\?? | remind\ me\ later\.?
      | (?:all\ rights\ reserved|©|copyright\ ©?).{{0,80}}
    )$""",
    re.IGNORECASE | re.VERBOSE,
)
_BOILERPLATE_MAX_WORDS = 16

# Strong signs that the article is over and an appeal or page footer begins.
_TAIL_TRIGGER = re.compile(
    r"""(?:
        we\ have\ a\ small\ favou?r\ to\ ask
      | sign\ up\ for\b.{0,60}\bnewsletter
      | (?:please\ )?support\ (?:us|our\ (?:work|journalism)|independent\ journalism)\b
      | become\ a\ (?:member|supporter|subscriber|patron)\b
      | protected\ by\ recaptcha
      | donate\ (?:now|today)\b
    )""",
    re.IGNORECASE | re.VERBOSE,
)
_SELF_NAMING = (
    _SUPPORT_LINE,
    re.compile(r"sign up for\s+(.{2,40}?)['’]s\b.{0,40}newsletter", re.IGNORECASE),
    re.compile(
        r"(?:^|…|\.\s)\s*(?:as you may have heard,\s*)?((?:The\s+)?[A-Z][\w&.-]*(?:\s+[A-Z][\w&.-]*){0,4})"
        r",\s+an independent\b"
    ),
)


@dataclass(frozen=True, slots=True)
class CleanedText:
    """Cleaned article text and the metadata found in its header lines."""

    text: str
    title: str | None = None
    published: dt.date | None = None
    url: str | None = None
    outlet: str | None = None


_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")


def count_words(text: str) -> int:
    """Words in `text`; Chinese, Japanese and Korean script counts one word per two characters."""
    cjk = len(_CJK.findall(text))
    if not cjk:
        return len(text.split())
    return len(_CJK.sub(" ", text).split()) + (cjk + 1) // 2


def split_paragraphs(raw: str) -> list[str]:
    """Non-empty lines with runs of spaces collapsed; each line is one paragraph."""
    raw = raw.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ")
    return [p for p in (" ".join(line.split()) for line in raw.split("\n")) if p]


def clean_text(raw: str) -> CleanedText:
    """Strip metadata header lines and boilerplate from plain article text.

    The body keeps the file's own characters: each kept line as written (only its outer white
    space trimmed) and, between two lines that were next to each other in the file, the file's own
    line breaks. So where nothing was cut at the top, a character offset in the body is the same
    offset in the file (after CRLF → LF and NBSP → space, both one for one): evidence spans can be
    checked against the user's own file. A first line that reads as a headline is the title and
    stays in the body too. Where a header or a boilerplate line is cut, the pieces on either side
    are joined by a blank line.

    Args:
        raw: decoded text of one article.

    Returns:
        The cleaned body and the metadata moved out of it.
    """
    raw = raw.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ")
    spans = _line_spans(raw)
    paras = [" ".join(raw[a:b].split()) for a, b in spans]
    outlet = find_self_naming(paras)
    meta = _Header()
    kept: list[tuple[int, int]] = []  # spans of what is kept, into raw
    for i, (para, (a, b)) in enumerate(zip(paras, spans, strict=True)):
        rest = _take_header_line(para, meta) if i < _HEADER_SCAN else para
        if rest:
            kept.append((a, b) if rest == para else (_suffix_start(raw, a, b, rest), b))
    body = drop_boilerplate([" ".join(raw[a:b].split()) for a, b in kept], keep_index=True)
    kept = [kept[i] for i in body]
    title = None
    if len(kept) > 1 and _looks_like_headline(first := " ".join(raw[kept[0][0] : kept[0][1]].split())):
        # The headline is the title, and stays the body's first line: the file's offsets hold.
        title = first
    pieces: list[str] = []
    for k, (a, b) in enumerate(kept):
        if k:
            prev_end = kept[k - 1][1]
            between = raw[prev_end:a]
            pieces.append(between if not between.strip() else PARAGRAPH_SEP)
        pieces.append(raw[a:b])
    return CleanedText(
        text="".join(pieces),
        title=title,
        published=meta.published,
        url=meta.url,
        outlet=meta.outlet or outlet,
    )


def _line_spans(raw: str) -> list[tuple[int, int]]:
    """Spans of the non-blank lines of `raw`, outer white space trimmed."""
    spans: list[tuple[int, int]] = []
    for m in re.finditer(r"[^\n]+", raw):
        a, b = m.start(), m.end()
        while a < b and raw[a].isspace():
            a += 1
        while b > a and raw[b - 1].isspace():
            b -= 1
        if b > a:
            spans.append((a, b))
    return spans


def _suffix_start(raw: str, a: int, b: int, rest: str) -> int:
    """Where in raw[a:b] the remainder `rest` (white space collapsed) of a header line starts."""
    for i in range(a, b):
        if (i == a or raw[i - 1].isspace()) and " ".join(raw[i:b].split()) == rest:
            return i
    return b - len(rest)


@overload
def drop_boilerplate(paras: list[str]) -> list[str]: ...
@overload
def drop_boilerplate(paras: list[str], *, keep_index: Literal[True]) -> list[int]: ...


def drop_boilerplate(paras: list[str], *, keep_index: bool = False) -> list[str] | list[int]:
    """Remove furniture lines anywhere, photo captions, and an appeal or footer at the end.

    With `keep_index`, the indexes of the paragraphs kept instead of the paragraphs.
    """
    cut = _tail_start(paras)
    kept: list[int] = []
    for i, para in enumerate(paras[:cut]):
        short = len(para.split()) <= _BOILERPLATE_MAX_WORDS
        if short and _BOILERPLATE.match(para):
            continue
        if _CAPTION.search(para):
            continue
        kept.append(i)
    return kept if keep_index else [paras[i] for i in kept]


def _tail_start(paras: list[str]) -> int:
    """Index of the first paragraph of a trailing appeal, or len(paras) if there is none."""
    total = sum(len(p) for p in paras)
    seen = 0
    for i, para in enumerate(paras):
        if seen >= 0.4 * total and i >= 2 and _TAIL_TRIGGER.search(para):
            return i
        seen += len(para)
    return len(paras)


def find_self_naming(paras: list[str]) -> str | None:
    """The outlet's name where the page names itself ("Support The Moscow Times!")."""
    for para in paras:
        if len(para) > 400:
            continue
        for pattern in _SELF_NAMING:
            if m := pattern.search(para):
                return m.group(1).strip(" .")
    return None


@dataclass(slots=True)
class _Header:
    published: dt.date | None = None
    url: str | None = None
    outlet: str | None = None


def _take_header(paras: list[str]) -> tuple[list[str], _Header]:
    """Move metadata lines at the top of the text into a header record."""
    meta = _Header()
    out: list[str] = []
    for i, para in enumerate(paras):
        if i >= _HEADER_SCAN:
            out.extend(paras[i:])
            break
        rest = _take_header_line(para, meta)
        if rest:
            out.append(rest)
    return out, meta


def _take_header_line(para: str, meta: _Header) -> str:
    """Consume a metadata line into `meta`; return what is left of it (maybe empty)."""
    if m := _DATE_PREFIX.match(para):
        meta.published = meta.published or _parse_date(m.group(1))
        return para[m.end() :].strip()
    if (m := _DATE_LINE.match(para)) and (when := _parse_date(m.group(1))):
        meta.published = meta.published or when
        return ""
    if _is_bare_date(para) and (when := _parse_date(para)):
        meta.published = meta.published or when
        return ""
    if _URL_LINE.match(para) and (url := _join_url(para)):
        meta.url = meta.url or url
        return ""
    if m := _SOURCE_LINE.match(para):
        meta.outlet = meta.outlet or m.group(1).strip(" .")
        return ""
    if m := _SUPPORT_LINE.match(para):
        meta.outlet = meta.outlet or m.group(1).strip(" .")
        return ""
    return para


def _is_bare_date(line: str) -> bool:
    """True for a line that is only a date and time, in any of the forms news sites print.

    "Sep 10, 2010", "12: 52 p. m. EDT May 2, 2013", "Friday August 2, 2013 @ 8: 13am PDT", "11/30/09 05: 40 PM ET".
    """
    if len(line) > 60 or not re.search(r"\d", line):
        return False
    has_year = bool(re.search(r"\b(?:19|20)\d\d\b|\b\d{1,2}/\d{1,2}/\d\d\b", line))
    for word in re.findall(r"[a-z]+", line.lower()):
        if not (word in _DATE_WORDS or word in _ZONES or word in _CALENDAR_WORDS or word in {"st", "nd", "rd", "th"}):
            return False
    return has_year


def _join_url(line: str) -> str | None:
    """A URL line, repaired if a tokeniser put spaces in it ("http://www. cnn. com/…")."""
    if len(line.split()) > 8 or re.search(r"[.!?]\s+[A-Z][a-z]", line):
        return None
    url = re.sub(r"\s+", "", line)
    if not url.lower().startswith("http"):
        url = "http://" + url
    host = urlsplit(url).hostname or ""
    return url if "." in host else None


def _parse_date(text: str) -> dt.date | None:
    """A calendar date from a header value; None when it is not one."""
    text = re.sub(r"(\d)\s*:\s*(\d)", r"\1:\2", text)  # tokenised times: "4: 59 PM"
    try:
        value = date_parser.parse(text, fuzzy=True, ignoretz=True, default=dt.datetime(1900, 1, 1))
    except (ValueError, OverflowError):
        return None
    return value.date() if value.year > 1900 else None


def _looks_like_headline(para: str) -> bool:
    words = para.split()
    return 2 <= len(words) <= _TITLE_MAX_WORDS and not re.search(r"[.,;:!?\"”’)]$", para)


_URL_DATE = re.compile(r"(?<!\d)((?:19|20)\d\d)([/-]?)(0[1-9]|1[0-2])\2(0[1-9]|[12]\d|3[01])(?!\d)")


_URL_DATE_NAMED = re.compile(r"/((?:19|20)\d\d)/([A-Za-z]{3})/(\d\d?)/")
_MONTH_NUMBER = {m.lower(): i for i, m in enumerate(calendar.month_abbr) if m}


def date_from_url(url: str | None) -> dt.date | None:
    """The date many sites put in article paths: /2013/09/09/, 2009-02-03, ymd=20081216."""
    if not url:
        return None
    path = urlsplit(url)
    where = f"{path.path}?{path.query}"
    try:
        if m := _URL_DATE.search(where):
            return dt.date(int(m.group(1)), int(m.group(3)), int(m.group(4)))
        if (m := _URL_DATE_NAMED.search(where)) and (month := _MONTH_NUMBER.get(m.group(2).lower())):
            return dt.date(int(m.group(1)), month, int(m.group(3)))
    except ValueError:
        return None
    return None


def outlet_from_url(url: str | None) -> str | None:
    """The site's host name without `www.`, as a fallback outlet name."""
    if not url:
        return None
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.") or None
