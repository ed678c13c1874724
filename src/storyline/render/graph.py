"""The copy graph of a story as boxes and SVG paths: upstream reports on top, originals below
them, copies below what they copy, an arc between siblings (two rewrites of one report)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from .common import Json, citation_labels

__all__ = ["CopyGraph", "Edge", "Node", "copy_graph"]


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


def copy_graph(report: Json, href: Callable[[str], str | None]) -> CopyGraph:
    """The copy graph of a story: which article copies which, and the upstream sources cited.

    Args:
        report: the story report (its JSON form).
        href: where the box of an article (its id) links to, or None for no link.
    """
    articles = [a for a in report.get("articles") or [] if isinstance(a, Mapping)]
    short = citation_labels(articles)
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
        rows[level].append((aid, f"[{short[aid]}]", detail, href(aid), "copy" if depth[aid] else "article"))
    rows = [r for r in rows if r]
    per_row = max((len(r) for r in rows), default=1)
    width = per_row * (NODE_W + GAP_X) + GAP_X
    nodes: dict[str, Node] = {}
    for level, row in enumerate(rows):
        offset = (width - len(row) * (NODE_W + GAP_X) + GAP_X) // 2
        for n, (key, label, detail, link, kind) in enumerate(row):
            x, y = offset + n * (NODE_W + GAP_X), GAP_X + level * (NODE_H + GAP_Y)
            nodes[key] = Node(key, label, detail[:22], x, y, link, kind)
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
