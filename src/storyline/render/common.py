"""What every rendering of a report reads from its JSON: lists, citation labels, safe links,
numbers, and the claims × outlets matrix."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

__all__ = ["CELLS", "Json", "citation_labels", "echo_note", "items", "matrix_cells", "number", "safe_url"]

Json = Mapping[str, Any]

# Cell states of the claims × outlets matrix: symbol and what it means (the legend).
CELLS: dict[str, tuple[str, str]] = {
    "supported": ("✓", "states the claim"),
    "partial": ("◐", "carries it hedged or attributed to a source"),
    "conflicting": ("✗", "is on the other side of a conflict about it"),
    "absent": ("·", "does not carry it"),
}


def items(report: Json, key: str) -> list[Json]:
    """A list section of the report (absent or null reads as empty)."""
    return [x for x in report.get(key) or [] if isinstance(x, Mapping)]


def citation_labels(articles: Sequence[Json]) -> dict[str, str]:
    """Short citation labels: the id's head before "_" ("001") when unique, else the position."""
    ids = [str(a.get("id", "")) for a in articles]
    heads = [i.split("_", 1)[0] for i in ids]
    if all(0 < len(h) <= 12 for h in heads) and len(set(heads)) == len(heads):
        return dict(zip(ids, heads, strict=True))
    width = max(3, len(str(len(ids))))
    return {i: str(n).zfill(width) for n, i in enumerate(ids, 1)}


def safe_url(url: object) -> str | None:
    """The URL when it is an absolute http(s) URL without spaces or control characters, else None."""
    if not isinstance(url, str) or any(c.isspace() or ord(c) < 32 or c in "<>\"'`" for c in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    return url if parts.scheme.lower() in {"http", "https"} and parts.netloc else None


def echo_note(claim: Json) -> str:
    source = claim.get("attributed_to") or "unnamed sources"
    return f"widely repeated, single-sourced: all attribute it to {source}"


def number(value: object, spec: str) -> str:
    return format(value, spec) if isinstance(value, int | float) and not isinstance(value, bool) else "?"


def _conflicting(conflicts: Sequence[Json]) -> dict[tuple[Any, str], Json]:
    """(claim id, article) → the evidence by which the article contradicts that claim.

    An article contradicts a claim when it is on side b of a conflict whose side a is the claim
    (or on side a of one whose side b is, when the sides are different claims).
    """
    against: dict[tuple[Any, str], Json] = {}
    for conflict in conflicts:
        a, b = conflict.get("a") or {}, conflict.get("b") or {}
        pairs = [(a.get("claim"), b)]
        if b.get("claim") != a.get("claim"):
            pairs.append((b.get("claim"), a))
        for claim, side in pairs:
            if claim is None:
                continue
            for ev in side.get("evidence") or []:
                against.setdefault((claim, str(ev.get("article"))), ev)
    return against


def matrix_cells(report: Json) -> dict[tuple[Any, str], tuple[str, Json | None]]:
    """(claim id, article id) → (cell state, the evidence behind it) for every claim and article."""
    against = _conflicting(items(report, "conflicts"))
    cells: dict[tuple[Any, str], tuple[str, Json | None]] = {}
    for claim in items(report, "claims"):
        cid = claim.get("id")
        for article in items(report, "articles"):
            aid = str(article.get("id"))
            occs = [o for o in claim.get("occurrences") or [] if o.get("article") == aid]
            plain = [o for o in occs if not o.get("hedge") and not o.get("attribution")]
            if (cid, aid) in against:
                cells[cid, aid] = ("conflicting", against[cid, aid])
            elif occs:
                cells[cid, aid] = ("supported", plain[0]) if plain else ("partial", occs[0])
            elif aid in (claim.get("articles") or []):
                cells[cid, aid] = ("supported", None)
            else:
                cells[cid, aid] = ("absent", None)
    return cells
