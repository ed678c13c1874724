"""Pure helpers that turn a story report (its JSON, `docs/report.md`) into what templates show.

Everything from an article is untrusted. Templates autoescape; the few helpers here that build
markup (highlighted article text, quote differences, search snippets) escape every piece of text
with :func:`storyline.render.esc` and return :class:`markupsafe.Markup` only around that.
"""

from __future__ import annotations

import difflib
import itertools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from markupsafe import Markup

from storyline.render import citation_labels, esc
from storyline.store.search import SNIPPET_END, SNIPPET_START

Json = Mapping[str, Any]

__all__ = [
    "CopyGraph",
    "Span",
    "article_spans",
    "article_url",
    "cite_url",
    "copy_graph",
    "labels",
    "marked_text",
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


def quote_diff(original: str, version: str) -> Markup:
    """`version` with the words that differ from `original` marked (``<mark class="diff">``) and
    the words it leaves out shown struck through (``<del>``)."""
    a, b = original.split(), version.split()
    out: list[str] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=[_word(w) for w in a], b=[_word(w) for w in b]).get_opcodes():
        if op == "equal":
            out.append(esc(" ".join(b[j1:j2])))
            continue
        if i2 > i1:
            out.append(f'<del title="left out">{esc(" ".join(a[i1:i2]))}</del>')
        if j2 > j1:
            out.append(f'<mark class="diff" title="changed">{esc(" ".join(b[j1:j2]))}</mark>')
    return Markup(" ".join(out))  # every piece of text went through esc()


def _word(token: str) -> str:
    return re.sub(r"\W+", "", token.casefold())


def snippet_html(snippet: str) -> Markup:
    """A search snippet, escaped, with the matched words in ``<mark>``."""
    out = []
    for n, part in enumerate(re.split(f"[{SNIPPET_START}{SNIPPET_END}]", snippet)):
        out.append(f"<mark>{esc(part)}</mark>" if n % 2 else esc(part))
    return Markup("".join(out))  # every piece of text went through esc()


# -- the copy graph -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Node:
    """A box in the copy graph: an article or an upstream source."""

    key: str
    label: str
    detail: str
    x: int
    y: int
    href: str | None
    kind: str  # article, copy, source


@dataclass(frozen=True, slots=True)
class Edge:
    """A line in the copy graph between two boxes, as an SVG path."""

    path: str
    kind: str  # verbatim, trimmed, paraphrase, sibling, cites
    title: str


@dataclass(frozen=True, slots=True)
class CopyGraph:
    """Upstream sources on top, originals below them, copies below what they copy."""

    width: int
    height: int
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]


NODE_W, NODE_H, GAP_X, GAP_Y = 150, 44, 24, 70


def copy_graph(report: Json, story_id: object) -> CopyGraph:
    """The copy graph of a story: which article copies which, and the upstream sources cited."""
    articles = [a for a in report.get("articles") or [] if isinstance(a, Mapping)]
    short = labels(articles)
    of = {str(c.get("copy")): str(c.get("of")) for c in report.get("copies") or [] if c.get("kind") != "sibling"}
    depth = {str(a.get("id")): _depth(str(a.get("id")), of) for a in articles}
    sources = [s for s in report.get("sources") or [] if s.get("cited_by")]
    rows: list[list[tuple[str, str, str, str | None, str]]] = [
        [(f"source:{s.get('name')}", str(s.get("name")), "upstream report", None, "source") for s in sources]
    ]
    for a in articles:
        aid = str(a.get("id"))
        level = 1 + depth[aid]
        rows.extend([] for _ in range(level + 1 - len(rows)))
        detail = str(a.get("outlet") or a.get("published") or "")
        rows[level].append(
            (aid, f"[{short[aid]}]", detail, article_url(aid, story=story_id), "copy" if depth[aid] else "article")
        )
    rows = [r for r in rows if r]
    per_row = max((len(r) for r in rows), default=1)
    width = per_row * (NODE_W + GAP_X) + GAP_X
    nodes: dict[str, Node] = {}
    for level, row in enumerate(rows):
        offset = (width - len(row) * (NODE_W + GAP_X) + GAP_X) // 2
        for n, (key, label, detail, href, kind) in enumerate(row):
            x, y = offset + n * (NODE_W + GAP_X), GAP_X + level * (NODE_H + GAP_Y)
            nodes[key] = Node(key, label, detail[:22], x, y, href, kind)
    edges = [
        _edge(nodes[f"source:{s.get('name')}"], nodes[str(a)], "cites", f"cites {s.get('name')}")
        for s in sources
        for a in s.get("cited_by") or []
        if str(a) in nodes
    ]
    for c in report.get("copies") or []:
        src, dst = str(c.get("of")), str(c.get("copy"))
        if src in nodes and dst in nodes:
            share = c.get("share")
            what = f"{c.get('kind')}" + (f", {share:.0%} of its sentences" if isinstance(share, float) else "")
            edges.append(_edge(nodes[src], nodes[dst], str(c.get("kind")), f"{dst} is a {what} of {src}"))
    height = GAP_X + len(rows) * (NODE_H + GAP_Y) - GAP_Y + GAP_X + GAP_Y // 2  # room for arcs under the last row
    return CopyGraph(width, height, tuple(nodes.values()), tuple(edges))


def _depth(aid: str, of: Mapping[str, str]) -> int:
    """How many copy steps from an original (cycles cut)."""
    seen = {aid}
    n = 0
    while aid in of and of[aid] not in seen:
        aid = of[aid]
        seen.add(aid)
        n += 1
    return n


def _edge(a: Node, b: Node, kind: str, title: str) -> Edge:
    if a.y == b.y:  # in one row (siblings): an arc under the boxes
        y = a.y + NODE_H
        x1, x2 = a.x + NODE_W // 2, b.x + NODE_W // 2
        return Edge(f"M{x1},{y} Q{(x1 + x2) // 2},{y + GAP_Y - 10} {x2},{y}", kind, title)
    top, bottom = (a, b) if a.y < b.y else (b, a)
    x1, y1, x2, y2 = top.x + NODE_W // 2, top.y + NODE_H, bottom.x + NODE_W // 2, bottom.y
    return Edge(f"M{x1},{y1} L{x2},{y2}", kind, title)


def evidence_articles(evidence: Iterable[Json]) -> list[str]:
    """The articles of some evidence, once each, in order."""
    return list(dict.fromkeys(str(e.get("article")) for e in evidence))
