"""Pure helpers that turn a story report (its JSON, `docs/report.md`) into what templates show.

Everything from an article is untrusted. Templates autoescape; the few helpers here that build
markup (highlighted article text, quote differences, search snippets) escape every piece of text
with :func:`storyline.render.esc` and return :class:`markupsafe.Markup` only around that.

The story page itself is the report's shared template (:mod:`storyline.render.html`); what is
the web's there is where its links go (:class:`StoryLinks`).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from markupsafe import Markup

from storyline.render import citation_labels, esc
from storyline.render.html import quote_diff
from storyline.store.search import SNIPPET_END, SNIPPET_START

Json = Mapping[str, Any]

__all__ = [
    "Span",
    "StoryLinks",
    "article_spans",
    "article_url",
    "cite_url",
    "labels",
    "marked_text",
    "outlet_url",
    "parse_span",
    "quote_diff",
    "snippet_html",
]

# What a highlight in an article is, with the CSS class and legend text of each kind.
KINDS: dict[str, str] = {
    "claim": "a claim of the story",
    "quote": "a quote",
    "copy": "a passage copied from or into another article",
    "source": "an upstream report cited",
}


def outlet_url(name: object) -> str:
    """The page of an outlet (its name quoted as one path segment)."""
    return f"/outlets/{quote(str(name), safe='')}"


def article_url(article_id: object, **query: object) -> str:
    """The page of an article (its external id quoted as one path segment), with query parameters."""
    url = f"/articles/{quote(str(article_id), safe='')}"
    params = {k: v for k, v in query.items() if v is not None}
    return f"{url}?{urlencode(params)}" if params else url


def cite_url(story_id: object, evidence: Json) -> str:
    """Where a citation goes: its article's page with the cited span highlighted and scrolled to."""
    start, end = evidence.get("start"), evidence.get("end")
    span = f"{start}-{end}" if isinstance(start, int) and isinstance(end, int) else None
    return article_url(evidence.get("article"), story=story_id, hl=span) + ("#cited" if span else "")


@dataclass(frozen=True, slots=True)
class StoryLinks:
    """Where the story page's links go: a citation to its article's page with the cited span
    highlighted, an article to its page (both keeping the story)."""

    story_id: int

    def evidence(self, ev: Json) -> str | None:
        return cite_url(self.story_id, ev)

    def article(self, article_id: str) -> str | None:
        return article_url(article_id, story=self.story_id)


def parse_span(value: str | None, length: int) -> tuple[int, int] | None:
    """A "start-end" span within a text of `length` characters, or None when it is not one."""
    match = re.fullmatch(r"(\d{1,9})-(\d{1,9})", value or "")
    if not match:
        return None
    start, end = int(match.group(1)), int(match.group(2))
    return (start, end) if 0 <= start < end <= length else None


def labels(articles: Sequence[Json]) -> dict[str, str]:
    """Short citation labels, as the downloadable report has them (see :mod:`storyline.render`)."""
    return citation_labels(articles)


@dataclass(frozen=True, slots=True)
class Span:
    """A highlight in an article's text: a kind (see :data:`KINDS`) and what it is, for its tooltip."""

    start: int
    end: int
    kind: str
    label: str


def article_spans(report: Json, article_id: str) -> list[Span]:
    """The claims, quotes, copied passages and upstream citations of one article in a report."""
    spans = [
        _span(occ, "claim", f"claim {claim.get('id')} ({claim.get('status')})")
        for claim in report.get("claims") or []
        for occ in claim.get("occurrences") or []
        if occ.get("article") == article_id
    ]
    spans += [
        _span(occ, "quote", f"quote {q.get('id')}: {q.get('speaker') or 'unknown speaker'}")
        for q in report.get("quotes") or []
        for occ in q.get("occurrences") or []
        if occ.get("article") == article_id
    ]
    spans += [
        _span(pair.get(side) or {}, "copy", f"{link.get('kind')}: aligned with {link.get(other)}")
        for link in report.get("copies") or []
        for side, other in (("copy", "of"), ("of", "copy"))
        if link.get(side) == article_id
        for pair in link.get("aligned") or []
    ]
    spans += [
        _span(m, "source", f"cites {source.get('name')}")
        for source in report.get("sources") or []
        for m in source.get("mentions") or []
        if m.get("article") == article_id
    ]
    return [s for s in spans if s.start < s.end]


def _span(where: Json, kind: str, label: str) -> Span:
    start, end = where.get("start"), where.get("end")
    ok = isinstance(start, int) and isinstance(end, int)
    return Span(start if ok else 0, end if ok else 0, kind, label)  # type: ignore[arg-type]


def marked_text(text: str, spans: Sequence[Span], cited: tuple[int, int] | None = None) -> Markup:
    """The text, escaped, with every span in a ``<mark>`` and the cited span wrapped in
    ``<span id="cited">`` (the target of a citation link, highlighted by ``:target``).

    Overlapping spans are split at their boundaries: each piece is one mark whose classes name
    every kind covering it and whose title lists what it is.
    """
    spans = [s for s in spans if 0 <= s.start < s.end <= len(text)]
    bounds = {0, len(text)} | {s.start for s in spans} | {s.end for s in spans}
    if cited:
        bounds |= set(cited)
    out: list[str] = []
    opened = False
    for lo, hi in itertools.pairwise(sorted(bounds)):
        if cited and lo == cited[0]:
            out.append('<span id="cited" class="cited" tabindex="-1">')
            opened = True
        covering = [s for s in spans if s.start <= lo and hi <= s.end]
        piece = esc(text[lo:hi])
        if covering:
            kinds = " ".join(f"m-{k}" for k in dict.fromkeys(s.kind for s in covering))
            title = esc(" · ".join(dict.fromkeys(s.label for s in covering)))
            piece = f'<mark class="{kinds}" title="{title}">{piece}</mark>'
        out.append(piece)
        if opened and cited and hi == cited[1]:
            out.append("</span>")
            opened = False
    if opened:
        out.append("</span>")
    return Markup("".join(out))  # every piece of text went through esc()


def snippet_html(snippet: str) -> Markup:
    """A search snippet, escaped, with the matched words in ``<mark>``."""
    out = []
    for n, part in enumerate(re.split(f"[{SNIPPET_START}{SNIPPET_END}]", snippet)):
        out.append(f"<mark>{esc(part)}</mark>" if n % 2 else esc(part))
    return Markup("".join(out))  # every piece of text went through esc()


def evidence_articles(evidence: Iterable[Json]) -> list[str]:
    """The articles of some evidence, once each, in order."""
    return list(dict.fromkeys(str(e.get("article")) for e in evidence))
