"""Extraction: a raw document (HTML or plain text bytes) becomes a clean `Article` or a `Rejected`.

HTML goes through trafilatura (body, title, date, site name, URL). Plain text goes
through :mod:`storyline.text.clean`. Both end in the same checks: enough words of
body, a language, a content hash over the normalised text.
"""

from __future__ import annotations

import codecs
import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from storyline.errors import OptionsError
from storyline.model import Article, Hints, RawDocument, Rejected
from storyline.text.clean import (
    PARAGRAPH_SEP,
    CleanedText,
    clean_text,
    count_words,
    date_from_url,
    drop_boilerplate,
    outlet_from_url,
    split_paragraphs,
)

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([\w-]+)""", re.IGNORECASE)
_HTML_START = re.compile(r"^\s*(?:<!doctype\s+html|<html|<head|<body|<article|<!--)", re.IGNORECASE)
_NON_LATIN_SINGLE_BYTE = (
    "iso8859_5",
    "iso8859_6",
    "iso8859_7",
    "iso8859_8",
    "cp1251",
    "cp1253",
    "cp1255",
    "cp1256",
    "koi8",
)
_WORD = re.compile(r"\w+")
_ANCHOR = re.compile(r"<a\b[^>]*>(.*?)</a\s*>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]+>")
_SENTENCE_END = re.compile(r"[.!?…。！？][\"”’)\]]*$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


@dataclass(frozen=True, slots=True, kw_only=True)
class ExtractOptions:
    """How extraction treats its input.

    Attributes:
        min_words: web pages whose body is shorter than this are rejected as "not an article" (a short
            body in HTML is usually an error page, a teaser or a menu).
        min_text_words: the same floor for plain text (files, JSON records): text handed over as an
            article is taken as one unless it is nearly empty; short wire briefs are real articles.
        max_bytes: inputs larger than this are rejected before parsing.
        favor: trafilatura's trade-off: "recall" (default, best F1 on the extraction benchmark),
            "balanced" or "precision".
        detect_language: run language identification on the body.
    """

    min_words: int = 40
    min_text_words: int = 5
    max_bytes: int = 10_000_000
    favor: str = "recall"
    detect_language: bool = True

    def __post_init__(self) -> None:
        if self.min_words < 1:
            raise OptionsError(f"min_words must be at least 1 (got {self.min_words})")
        if self.min_text_words < 1:
            raise OptionsError(f"min_text_words must be at least 1 (got {self.min_text_words})")
        if self.max_bytes < 1024:
            raise OptionsError(f"max_bytes must be at least 1024 (got {self.max_bytes})")
        if self.favor not in {"balanced", "precision", "recall"}:
            raise OptionsError(f"favor must be balanced, precision or recall (got {self.favor!r})")


class _Reject(Exception):
    """Internal: this input is not an article; the message is the reason."""


def extract(doc: RawDocument, options: ExtractOptions | None = None) -> Article | Rejected:
    """Turn one raw document into an article, or say why it is not one.

    Args:
        doc: the input, with any metadata it carried in `doc.hints`.
        options: extraction options; defaults when None.

    Returns:
        The cleaned `Article` (not yet stored: `id` is None) or a `Rejected` with the reason.
    """
    options = options or ExtractOptions()
    try:
        return _extract(doc, options)
    except _Reject as why:
        return Rejected(source=doc.source, reason=str(why), external_id=doc.external_id)


def _extract(doc: RawDocument, options: ExtractOptions) -> Article:
    size = len(doc.content)
    if size > options.max_bytes:
        raise _Reject(f"too large: {size / 1e6:.1f} MB, over the {options.max_bytes / 1e6:g} MB limit")
    if not doc.content.strip():
        raise _Reject("empty input")
    text = decode(doc.content, html=doc.kind == "html")
    if doc.kind == "html" or _HTML_START.match(text[:200]):
        cleaned = _from_html(text, doc.hints.url, options)
    else:
        cleaned = clean_text(text)
    return _finish(doc, cleaned, options)


def decode(data: bytes, *, html: bool = False) -> str:
    """Decode bytes to text: BOM, then UTF-8, then a declared HTML charset, then detection.

    Raises:
        _Reject: the bytes are binary, not text.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return _check_text(data.decode(encoding, errors="replace"))
    if b"\x00" not in data[:8192]:
        try:
            return _check_text(data.decode("utf-8"))
        except UnicodeDecodeError:
            pass
    if html and (m := _META_CHARSET.search(data[:4096])):
        try:
            return _check_text(data.decode(m.group(1).decode("ascii"), errors="replace"))
        except LookupError:
            pass
    return _check_text(_detect(data))


def _detect(data: bytes) -> str:
    from charset_normalizer import from_bytes

    matches = from_bytes(data[:65536])
    best = matches.best()
    if best is None or (b"\x00" in data[:8192] and not best.encoding.startswith("utf_")):
        raise _Reject("binary content, not text")
    candidates = {m.encoding for m in matches}
    if "cp1252" in candidates and not best.encoding.startswith(_NON_LATIN_SINGLE_BYTE):
        # Short Western text is often guessed as a cousin code page; like browsers, prefer windows-1252.
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError:
            pass
    return data.decode(best.encoding, errors="replace")


def _check_text(text: str) -> str:
    sample = text[:8192]
    if sample and len(_CONTROL.findall(sample)) > 0.01 * len(sample):
        raise _Reject("binary content, not text")
    return text


def _from_html(html: str, url: str | None, options: ExtractOptions) -> CleanedText:
    import trafilatura
    from trafilatura.settings import Document

    try:
        result = trafilatura.bare_extraction(
            html,
            url=url,
            with_metadata=True,
            include_comments=False,
            include_tables=True,
            favor_precision=options.favor == "precision",
            favor_recall=options.favor == "recall",
            fast=True,  # no readability/justext fallback: faster and as good (docs/extraction.md)
            date_extraction_params={"extensive_search": True, "original_date": True},
        )
    except Exception as exc:  # trafilatura raises many types on broken markup
        raise _Reject(f"unreadable HTML: {type(exc).__name__}") from exc
    if not isinstance(result, Document) or not (result.text or "").strip():
        raise _Reject("no article text found in the page")
    paras = drop_boilerplate(split_paragraphs(result.text or ""))
    title = _clean_meta(result.title)
    if len(paras) > 1 and title and _is_headline_of(paras[0], title):
        paras = paras[1:]  # the headline is metadata, not body
    if _is_link_list(paras, html):
        raise _Reject("not an article: only short lines without sentences (navigation or a list of links)")
    return CleanedText(
        text=PARAGRAPH_SEP.join(paras),
        title=title,
        published=_iso_date(result.date),
        url=result.url or url,
        outlet=_clean_meta(result.sitename),
    )


def _is_link_list(paras: list[str], html: str) -> bool:
    """True for a body made of link texts without sentences: a front page, a section index, a menu.

    Lists that are not links (a race calendar, a table of results) stay articles.
    """
    if sum(1 for p in paras if _SENTENCE_END.search(p)) >= 2:
        return False
    anchors = {" ".join(_TAG.sub(" ", m).split()) for m in _ANCHOR.findall(html)}
    words = [len(p.split()) for p in paras]
    linked = sum(n for n, p in zip(words, paras, strict=True) if p in anchors)
    return linked >= 0.6 * max(1, sum(words))


def _is_headline_of(para: str, title: str) -> bool:
    """True when `para` restates the page title (which often adds " | Site" or other quote marks)."""
    words = set(_WORD.findall(para.casefold()))
    title_words = set(_WORD.findall(title.casefold()))
    if not words or len(words) > 30:
        return False
    shared = len(words & title_words)
    return shared >= 0.8 * len(words) and shared >= 0.6 * len(title_words)


def _finish(doc: RawDocument, cleaned: CleanedText, options: ExtractOptions) -> Article:
    words = count_words(cleaned.text)
    floor = options.min_words if doc.kind == "html" else options.min_text_words
    if words < floor:
        raise _Reject(f"not an article: {words} words of body text (minimum {floor})")
    hints: Hints = doc.hints
    url = hints.url or cleaned.url
    return Article(
        external_id=doc.external_id,
        text=cleaned.text,
        content_hash=content_hash(cleaned.text),
        source=doc.source,
        title=hints.title or cleaned.title,
        published=hints.published or cleaned.published or date_from_url(url),
        outlet=hints.outlet or cleaned.outlet or outlet_from_url(url),
        url=url,
        language=detect_language(cleaned.text) if options.detect_language else None,
    )


def content_hash(text: str) -> str:
    """SHA-256 of the text with case and whitespace normalised: equal articles, equal hashes."""
    # upper() first: casefold alone keeps the dotless "ı" apart from "I", its own capital.
    return hashlib.sha256(" ".join(text.upper().casefold().split()).encode("utf-8")).hexdigest()


@cache
def _language_identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of the text's language, or None when identification is unsure."""
    lang, prob = _language_identifier().classify(text[:1000])  # plenty for news prose; cost grows with length
    return str(lang) if prob >= 0.5 else None


def _clean_meta(value: str | None) -> str | None:
    return " ".join(value.split()) if value and value.strip() else None


def _iso_date(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None
