"""Render a story report (its JSON form, `docs/report.md`) as JSON, Markdown or one HTML page.

The renderers read the report **dict**, not the analysis records, so anything that speaks the JSON
contract (the analysis, a stored file, another tool) can be rendered, and the schema in
`docs/report-schema.json` is the only coupling.

Everything in a report that comes from an article (texts, titles, outlets, URLs, ids, quotes) is
untrusted. In HTML every value goes through :func:`esc` (attributes included), only http(s) URLs
become links, and the page carries a Content-Security-Policy that allows no script at all: it
needs none (navigation is anchors and ``<details>``). In Markdown, untrusted text is escaped so
that it cannot open HTML, links, code or table cells.

The HTML page is one self-contained file (inline CSS, no fonts, scripts or images) an analyst can
email: summary with citation links, a claims × outlets matrix, conflicts side by side, quotes
with fidelity marks, a timeline, copies and upstream sources, and every article's text with each
evidence span of the report highlighted (``<mark id="a-<article>-<start>">``).
"""

from __future__ import annotations

import html
import itertools
import json
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from storyline.errors import OptionsError

__all__ = ["CELLS", "CSP", "FORMATS", "anchor", "esc", "matrix_cells", "render", "safe_url", "to_html", "to_markdown"]

FORMATS = ("json", "markdown", "html")
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"

Json = Mapping[str, Any]

# Cell states of the claims × outlets matrix: symbol and what it means (the legend).
CELLS: dict[str, tuple[str, str]] = {
    "supported": ("✓", "states the claim"),
    "partial": ("◐", "carries it hedged or attributed to a source"),
    "conflicting": ("✗", "is on the other side of a conflict about it"),
    "absent": ("·", "does not carry it"),
}
_FIDELITIES = ("verbatim", "partial", "altered", "paraphrased")


def render(report: Json, fmt: str) -> str:
    """The report in one format.

    Args:
        report: a story report in its JSON form (`docs/report.md`).
        fmt: ``json``, ``markdown`` or ``html``.

    Raises:
        OptionsError: for any other format.
    """
    if fmt == "json":
        return json.dumps(report, ensure_ascii=False, indent=2)
    if fmt == "markdown":
        return to_markdown(report)
    if fmt == "html":
        return to_html(report)
    raise OptionsError(f"unknown report format {fmt!r}: use one of {', '.join(FORMATS)}")


# ---------------------------------------------------------------------------------------------
# Shared helpers


def _items(report: Json, key: str) -> list[Json]:
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


def _echo_note(claim: Json) -> str:
    source = claim.get("attributed_to") or "unnamed sources"
    return f"widely repeated, single-sourced: all attribute it to {source}"


def _number(value: object, spec: str) -> str:
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
    against = _conflicting(_items(report, "conflicts"))
    cells: dict[tuple[Any, str], tuple[str, Json | None]] = {}
    for claim in _items(report, "claims"):
        cid = claim.get("id")
        for article in _items(report, "articles"):
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


# ---------------------------------------------------------------------------------------------
# Markdown

_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~])")
_MD_ENTITY = re.compile(r"&(?=#?\w+;)")


def _md(value: object) -> str:
    """Untrusted text as inline Markdown: one line, no HTML, links, emphasis, code or cell breaks."""
    text = " ".join(str(value if value is not None else "").split())
    text = _MD_ENTITY.sub("&amp;", _MD_SPECIAL.sub(r"\\\1", text))
    return text.replace("<", "&lt;").replace(">", "&gt;")


def _md_code(value: object) -> str:
    """Untrusted text as an inline code span (for ids: kept verbatim, never HTML)."""
    text = " ".join(str(value).split())
    fence = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _md_url(url: object) -> str:
    safe = safe_url(url)
    return f"<{safe}>" if safe else _md(url or "")


def to_markdown(report: Json) -> str:
    """The report as Markdown: summary with `[001]` citations, claims, conflicts, quotes, timeline, sources."""
    articles = _items(report, "articles")
    labels = citation_labels(articles)

    def cite(ids: Iterable[object]) -> str:
        return "".join(f"[{_md(labels.get(str(i), i))}]" for i in dict.fromkeys(ids))

    parts = [
        _md_header(report.get("story") or {}),
        _md_summary(_items(report, "summary"), cite),
        _md_claims(_items(report, "claims")),
        _md_conflicts(_items(report, "conflicts"), cite),
        _md_quotes(_items(report, "quotes"), cite),
        _md_timeline(_items(report, "timeline"), cite),
        _md_copies(_items(report, "copies"), _items(report, "sources"), cite),
        _md_articles(articles, labels, cite),
    ]
    return "\n\n".join(p for p in parts if p) + "\n"


def _md_header(story: Json) -> str:
    dates = " – ".join(_md(d) for d in dict.fromkeys([story.get("first_seen"), story.get("last_seen")]) if d)
    facts = [f"Story {_md(story.get('id'))}", dates, f"{_md(story.get('article_count', 0))} articles"]
    lines = [f"# {_md(story.get('headline') or 'Untitled story')}", "", " · ".join(f for f in facts if f)]
    if story.get("outlets"):
        lines.append(f"\nOutlets: {', '.join(_md(o) for o in story['outlets'])}")
    if story.get("names"):
        lines.append(f"\nNames: {', '.join(_md(n) for n in story['names'])}")
    return "\n".join(lines)


def _md_summary(summary: Sequence[Json], cite: Any) -> str:
    lines = ["## Summary", ""]
    for n, item in enumerate(summary, 1):
        kind = f" *({_md(item['kind'])})*" if item.get("kind") else ""
        lines.append(f"{n}. {_md(item.get('text'))} {cite(item.get('citations') or [])}{kind}")
    return "\n".join(lines) if summary else ""


def _md_claims(claims: Sequence[Json]) -> str:
    if not claims:
        return ""
    lines = [
        "## Claims",
        "",
        "| # | Claim | Status | Independent support | Outlets | Note |",
        "|---|---|---|---|---|---|",
    ]
    for claim in claims:
        notes = [_echo_note(claim)] if claim.get("echo") else []
        notes += ["hedged"] if claim.get("hedged") else []
        cells = [
            _md(claim.get("id")),
            _md(claim.get("text")),
            _md(claim.get("status")),
            _md(claim.get("independent_support")),
            ", ".join(_md(o) for o in claim.get("outlets") or []),
            _md("; ".join(notes)),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _md_evidence(evidence: Sequence[Json], cite: Any) -> str:
    return "; ".join(f"“{_md(ev.get('text'))}” {cite([ev.get('article')])}" for ev in evidence) or "—"


def _md_conflicts(conflicts: Sequence[Json], cite: Any) -> str:
    lines = ["## Conflicts"]
    for c in conflicts:
        lines += [
            "",
            f"### Conflict {_md(c.get('id'))} · {_md(c.get('kind'))} (score {_number(c.get('score'), '.2f')})",
        ]
        if c.get("description"):
            lines += ["", _md(c["description"])]
        lines.append("")
        for name, title in (("a", "the statement"), ("b", "in conflict")):
            side = c.get(name) or {}
            claim = f" (claim {_md(side['claim'])})" if side.get("claim") is not None else ""
            lines.append(f"- **{name}**, {title}{claim}: {_md_evidence(side.get('evidence') or [], cite)}")
    return "\n".join(lines) if conflicts else ""


def _md_quotes(quotes: Sequence[Json], cite: Any) -> str:
    lines = ["## Quotes"]
    for q in quotes:
        roles = f" ({', '.join(_md(r) for r in q['roles'])})" if q.get("roles") else ""
        speaker = _md(q.get("speaker") or "unknown speaker")
        lines += ["", f"### Quote {_md(q.get('id'))} · {speaker}{roles}", "", f"> {_md(q.get('text'))}", ""]
        for o in q.get("occurrences") or []:
            line = f"- {cite([o.get('article')])} **{_md(o.get('fidelity'))}**: “{_md(o.get('text'))}”"
            if o.get("speaker_as_written"):
                line += f" (speaker as written: {_md(o['speaker_as_written'])})"
            if o.get("differences"):
                line += " — differences: " + "; ".join(_md(d) for d in o["differences"])
            lines.append(line)
    return "\n".join(lines) if quotes else ""


def _md_timeline(timeline: Sequence[Json], cite: Any) -> str:
    lines = ["## Timeline", ""]
    for event in sorted(timeline, key=lambda e: str(e.get("date", ""))):
        sources = cite(ev.get("article") for ev in event.get("sources") or [])
        expression = f" (“{_md(event['expression'])}”)" if event.get("expression") else ""
        lines.append(f"- **{_md(event.get('date'))}** — {_md(event.get('text'))}{expression} — {sources or '—'}")
    return "\n".join(lines) if timeline else ""


def _md_copies(copies: Sequence[Json], sources: Sequence[Json], cite: Any) -> str:
    lines = ["## Copies and upstream sources"]
    if copies:
        lines += ["", "| Copy | Of | Kind | Share | Upstream | Direction evidence |", "|---|---|---|---|---|---|"]
        for c in copies:
            cells = [
                cite([c.get("copy")]),
                cite([c.get("of")]),
                _md(c.get("kind")),
                _number(c.get("share"), ".0%"),
                _md(c.get("upstream") or "—"),
                _md("; ".join(c.get("direction_evidence") or [])),
            ]
            lines.append("| " + " | ".join(cells) + " |")
    if sources:
        lines += ["", "Upstream reports cited:", ""]
        lines += [f"- **{_md(s.get('name'))}**, cited by {cite(s.get('cited_by') or [])}" for s in sources]
    return "\n".join(lines) if copies or sources else ""


def _md_articles(articles: Sequence[Json], labels: Mapping[str, str], cite: Any) -> str:
    lines = ["## Articles", ""]
    for a in articles:
        aid = str(a.get("id"))
        facts = [_md(a.get("outlet") or "unknown outlet"), _md(a.get("published") or "undated")]
        line = f"- **{cite([aid])}** {_md_code(aid)} — {', '.join(facts)} — *{_md(a.get('title') or 'untitled')}*"
        if a.get("url"):
            line += f" — {_md_url(a['url'])}"
        for key, what in (("copy_of", "copy of"), ("duplicate_of", "duplicate of")):
            if a.get(key):
                line += f" — {what} {cite([a[key]])}"
        lines.append(line)
    return "\n".join(lines) if articles else ""


# ---------------------------------------------------------------------------------------------
# HTML


def esc(value: object) -> str:
    """Untrusted value as HTML text or attribute value (quotes escaped; CR and NUL kept safe)."""
    text = "" if value is None else str(value)
    return html.escape(text, quote=True).replace("\r", "&#13;").replace("\x00", "\ufffd")


def _slug(value: object) -> str:
    """An id-safe, injective spelling of an article id ([A-Za-z0-9_-], others as .hex.)."""
    return "".join(c if c.isascii() and (c.isalnum() or c in "_-") else f".{ord(c):x}." for c in str(value))


def anchor(article: object, start: int) -> str:
    """The id of the highlighted span of `article` that starts at `start`."""
    return f"a-{_slug(article)}-{start}"


@dataclass(frozen=True, slots=True)
class _Span:
    start: int
    end: int
    label: str


class _Page:
    """What every HTML section needs: articles by id, their labels, and the evidence spans to mark."""

    def __init__(self, report: Json) -> None:
        self.report = report
        self.articles = {str(a.get("id")): a for a in _items(report, "articles")}
        self.labels = citation_labels(list(self.articles.values()))
        self.spans: dict[str, list[_Span]] = defaultdict(list)
        for label, ev in _evidence(report):
            self._add(label, ev)
        self.starts = {(aid, s.start) for aid, spans in self.spans.items() for s in spans}

    def _add(self, label: str, ev: Json) -> None:
        aid, start, end = str(ev.get("article")), ev.get("start"), ev.get("end")
        text = str((self.articles.get(aid) or {}).get("text") or "")
        if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text)):
            return
        if text[start:end] == ev.get("text", text[start:end]):  # a highlight must never show the wrong words
            self.spans[aid].append(_Span(start, end, label))

    def href(self, ev: Json) -> str | None:
        """Where a link to this evidence goes: its highlight, else its article, else nowhere."""
        aid, start = str(ev.get("article")), ev.get("start")
        if (aid, start) in self.starts and isinstance(start, int):
            return "#" + anchor(aid, start)
        return f"#article-{_slug(aid)}" if aid in self.articles else None

    def cite(self, article: object, evidence: Iterable[Json] = ()) -> str:
        """A citation link "[001]" to the first highlighted evidence in `article` (or to the article)."""
        aid = str(article)
        target = next((h for ev in evidence if ev.get("article") == aid and (h := self.href(ev))), None)
        target = target or self.href({"article": aid})
        outlet = (self.articles.get(aid) or {}).get("outlet")
        title = f' title="{esc(outlet)}: {esc(aid)}"' if outlet else f' title="{esc(aid)}"'
        label = f"[{esc(self.labels.get(aid, aid))}]"
        return (
            f'<a class="cite" href="{esc(target)}"{title}>{label}</a>'
            if target
            else f'<span class="cite">{label}</span>'
        )

    def cites(self, articles: Iterable[object], evidence: Sequence[Json] = ()) -> str:
        return " ".join(self.cite(a, evidence) for a in dict.fromkeys(str(a) for a in articles))


def _evidence(report: Json) -> Iterable[tuple[str, Json]]:
    """Every evidence span of the report, with a label saying what it is evidence of."""
    for n, item in enumerate(_items(report, "summary"), 1):
        yield from ((f"summary {n}", ev) for ev in item.get("evidence") or [])
    for claim in _items(report, "claims"):
        yield from ((f"claim {claim.get('id')}", ev) for ev in claim.get("occurrences") or [])
    for c in _items(report, "conflicts"):
        for side in ("a", "b"):
            yield from ((f"conflict {c.get('id')}{side}", ev) for ev in (c.get(side) or {}).get("evidence") or [])
    for q in _items(report, "quotes"):
        yield from ((f"quote {q.get('id')}", occ) for occ in q.get("occurrences") or [])
    for event in _items(report, "timeline"):
        yield from ((f"timeline {event.get('date')}", ev) for ev in event.get("sources") or [])
    for source in _items(report, "sources"):
        yield from ((f"source {source.get('name')}", ev) for ev in source.get("mentions") or [])


def _marked_text(text: str, spans: Sequence[_Span], article: object) -> str:
    """The article text, escaped, with every span wrapped in marks (overlaps split at boundaries).

    Each piece between two span boundaries that some span covers is one ``<mark>`` whose id is
    the anchor of its start, so a link to any span's start lands on its first piece.
    """
    bounds = sorted({0, len(text)} | {s.start for s in spans} | {s.end for s in spans})
    out = []
    for lo, hi in itertools.pairwise(bounds):
        labels = list(dict.fromkeys(s.label for s in spans if s.start <= lo and hi <= s.end))
        piece = esc(text[lo:hi])
        if not labels:
            out.append(piece)
            continue
        depth = " n2" if len(labels) > 1 else ""
        out.append(
            f'<mark id="{esc(anchor(article, lo))}" class="ev{depth}" data-start="{lo}" data-end="{hi}" '
            f'title="{esc(" · ".join(labels))}">{piece}</mark>'
        )
    return "".join(out)


def to_html(report: Json) -> str:
    """The report as one self-contained HTML page (no script; works offline and from an email)."""
    page = _Page(report)
    story = report.get("story") or {}
    title = f"Story {story.get('id', '')}: {story.get('headline') or 'untitled'}"
    sections = [
        _html_summary(page),
        _html_matrix(page),
        _html_conflicts(page),
        _html_quotes(page),
        _html_timeline(page),
        _html_copies(page),
        _html_articles(page),
    ]
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
        '<meta name="referrer" content="no-referrer">\n'
        f"<title>{esc(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
        f"{_html_header(page)}\n<main>\n" + "\n".join(sections) + "\n</main>\n</body>\n</html>\n"
    )


def _html_header(page: _Page) -> str:
    story = page.report.get("story") or {}
    dates = " – ".join(
        f'<time datetime="{esc(d)}">{esc(d)}</time>'
        for d in dict.fromkeys([story.get("first_seen"), story.get("last_seen")])
        if d
    )
    counts = [(len(page.articles), "articles")] + [
        (len(_items(page.report, key)), key) for key in ("claims", "conflicts", "quotes")
    ]
    facts = [f"Story {esc(story.get('id'))}", dates or "undated"] + [f"{n} {what}" for n, what in counts]
    nav = "".join(f'<li><a href="#{key}">{esc(name)}</a></li>' for key, name in _SECTIONS)
    outlets = ", ".join(esc(o) for o in story.get("outlets") or []) or "unknown"
    generated = page.report.get("generated_at")
    return (
        f"<header>\n<h1>{esc(story.get('headline') or 'Untitled story')}</h1>\n"
        f'<p class="facts">{" · ".join(facts)}</p>\n<p class="facts">Outlets: {outlets}</p>\n'
        + (f'<p class="facts">Generated {esc(generated)}</p>\n' if generated else "")
        + f'<nav aria-label="Sections"><ul>{nav}</ul></nav>\n</header>'
    )


_SECTIONS = (
    ("summary", "Summary"),
    ("claims", "Claims × outlets"),
    ("conflicts", "Conflicts"),
    ("quotes", "Quotes"),
    ("timeline", "Timeline"),
    ("copies", "Copies & sources"),
    ("articles", "Articles"),
)


def _section(key: str, body: str, empty: str) -> str:
    title = dict(_SECTIONS)[key]
    body = body or f'<p class="muted">{empty}</p>'
    return f'<section id="{key}">\n<h2>{esc(title)}</h2>\n{body}\n</section>'


def _tag(kind: object, known: Sequence[str], prefix: str) -> str:
    cls = f"{prefix}-{kind}" if kind in known else f"{prefix}-other"
    return f'<span class="tag {cls}">{esc(kind)}</span>'


def _html_summary(page: _Page) -> str:
    items = []
    for item in _items(page.report, "summary"):
        evidence = item.get("evidence") or []
        items.append(
            f"<li>{esc(item.get('text'))} {page.cites(item.get('citations') or [], evidence)} "
            f"{_tag(item.get('kind'), ('consensus', 'addition', 'conflict'), 'k')}</li>"
        )
    return _section("summary", f'<ol class="summary">{"".join(items)}</ol>' if items else "", "No summary.")


def _html_matrix(page: _Page) -> str:
    claims = _items(page.report, "claims")
    if not claims:
        return _section("claims", "", "No claims.")
    cells = matrix_cells(page.report)
    head = "".join(
        f'<th scope="col" class="art">{page.cite(aid)}<br>'
        f'<span class="outlet">{esc(a.get("outlet") or "—")}</span></th>'
        for aid, a in page.articles.items()
    )
    rows = [f'<tr id="claim-{esc(c.get("id"))}">{_matrix_row(page, c, cells)}</tr>' for c in claims]
    legend = "".join(
        f'<li><span class="c-{state}" aria-hidden="true">{symbol}</span> {state}: the article {meaning}</li>'
        for state, (symbol, meaning) in CELLS.items()
    )
    body = (
        f'<ul class="legend">{legend}</ul>\n<div class="scroll"><table class="matrix">'
        "<caption>Which article carries which claim</caption>"
        f'<thead><tr><th scope="col">Claim</th><th scope="col">Status</th>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )
    return _section("claims", body, "")


def _matrix_row(page: _Page, claim: Json, cells: Mapping[tuple[Any, str], tuple[str, Json | None]]) -> str:
    notes = f' <span class="tag echo">echo</span> <span class="note">{esc(_echo_note(claim))}</span>'
    row = f'<th scope="row">{esc(claim.get("text"))}{notes if claim.get("echo") else ""}</th>'
    row += (
        f"<td>{_tag(claim.get('status'), ('consensus', 'partial', 'single'), 's')}"
        f'<br><span class="note">{esc(claim.get("independent_support"))} independent</span></td>'
    )
    for aid in page.articles:
        state, ev = cells[claim.get("id"), aid]
        symbol, meaning = CELLS[state]
        inner = f'<span aria-hidden="true">{symbol}</span><span class="vh">{state}</span>'
        target = page.href(ev) if ev else None
        if target:
            inner = f'<a href="{esc(target)}">{inner}</a>'
        row += f'<td class="cell c-{state}" title="{state}: the article {meaning}">{inner}</td>'
    return row


def _html_evidence(page: _Page, evidence: Sequence[Json]) -> str:
    items = "".join(
        f"<li><blockquote>{esc(ev.get('text'))}</blockquote>{page.cite(ev.get('article'), [ev])} "
        f'<span class="outlet">{esc((page.articles.get(str(ev.get("article"))) or {}).get("outlet") or "")}</span></li>'
        for ev in evidence
    )
    return f'<ul class="evidence">{items}</ul>' if items else '<p class="muted">No evidence.</p>'


def _html_conflicts(page: _Page) -> str:
    blocks = []
    for c in _items(page.report, "conflicts"):
        sides = []
        for name, title in (("a", "the statement"), ("b", "in conflict")):
            side = c.get(name) or {}
            claim = side.get("claim")
            ref = f' · <a href="#claim-{esc(claim)}">claim {esc(claim)}</a>' if claim is not None else ""
            sides.append(
                f'<div class="side side-{name}"><h4>{name}: {title}{ref}</h4>'
                f"{_html_evidence(page, side.get('evidence') or [])}</div>"
            )
        blocks.append(
            f'<div class="conflict" id="conflict-{esc(c.get("id"))}"><h3>Conflict {esc(c.get("id"))} '
            f"{_tag(c.get('kind'), ('denial', 'negation', 'number', 'date', 'distortion'), 'x')} "
            f'<span class="note">score {_number(c.get("score"), ".2f")}</span></h3>'
            f'<p>{esc(c.get("description"))}</p><div class="sides">{"".join(sides)}</div></div>'
        )
    return _section("conflicts", "\n".join(blocks), "No conflicts found.")


def _html_quotes(page: _Page) -> str:
    blocks = []
    for q in _items(page.report, "quotes"):
        roles = f' <span class="note">{esc(", ".join(q["roles"]))}</span>' if q.get("roles") else ""
        occurrences = "".join(_html_occurrence(page, o) for o in q.get("occurrences") or [])
        blocks.append(
            f'<div class="quote" id="quote-{esc(q.get("id"))}"><h3>{esc(q.get("speaker") or "Unknown speaker")}'
            f"{roles}</h3><blockquote>{esc(q.get('text'))}</blockquote>"
            f'<ul class="occurrences">{occurrences}</ul></div>'
        )
    return _section("quotes", "\n".join(blocks), "No quotes found.")


def _html_occurrence(page: _Page, o: Json) -> str:
    differences = "".join(f"<li>{esc(d)}</li>" for d in o.get("differences") or [])
    written = o.get("speaker_as_written")
    return (
        f"<li>{_tag(o.get('fidelity'), _FIDELITIES, 'f')} {page.cite(o.get('article'), [o])} "
        f"<q>{esc(o.get('text'))}</q>"
        + (f' <span class="note">speaker as written: {esc(written)}</span>' if written else "")
        + (f'<ul class="differences">{differences}</ul>' if differences else "")
        + "</li>"
    )


def _html_timeline(page: _Page) -> str:
    items = []
    for event in sorted(_items(page.report, "timeline"), key=lambda e: str(e.get("date", ""))):
        sources = event.get("sources") or []
        expression = event.get("expression")
        items.append(
            f'<li><time datetime="{esc(event.get("date"))}">{esc(event.get("date"))}</time> '
            f"{esc(event.get('text'))}"
            + (f' <span class="note">(“{esc(expression)}”)</span>' if expression else "")
            + f" {page.cites((ev.get('article') for ev in sources), sources)}</li>"
        )
    return _section("timeline", f'<ol class="timeline">{"".join(items)}</ol>' if items else "", "No dated events.")


def _html_copies(page: _Page) -> str:
    rows = []
    for c in _items(page.report, "copies"):
        rows.append(
            f"<tr><td>{page.cite(c.get('copy'))}</td><td>{page.cite(c.get('of'))}</td><td>{esc(c.get('kind'))}</td>"
            f"<td>{_number(c.get('share'), '.0%')}</td><td>{esc(c.get('upstream') or '—')}</td>"
            f"<td>{'<br>'.join(esc(d) for d in c.get('direction_evidence') or [])}{_html_aligned(page, c)}</td></tr>"
        )
    body = ""
    if rows:
        body += (
            '<div class="scroll"><table><caption>Copies: articles mostly derived from another</caption><thead><tr>'
            '<th scope="col">Copy</th><th scope="col">Of</th><th scope="col">Kind</th><th scope="col">Share</th>'
            '<th scope="col">Upstream</th><th scope="col">Why this direction</th></tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table></div>"
        )
    sources = [
        f"<li><strong>{esc(s.get('name'))}</strong>, cited by "
        f"{page.cites(s.get('cited_by') or [], s.get('mentions') or [])}</li>"
        for s in _items(page.report, "sources")
    ]
    if sources:
        body += f'<h3>Upstream reports cited</h3><ul class="sources">{"".join(sources)}</ul>'
    return _section("copies", body, "No copies or upstream reports found.")


def _aligned_span(pair: Json, side: str) -> tuple[int, int]:
    """The span of one side ("copy" or "of") of an aligned pair.

    Reads the flat form of docs/report.md (``copy_start``, ``copy_end``) and the nested form of
    ``storyline copies`` (``"copy": {"sentence", "start", "end"}``).
    """
    nested = pair.get(side)
    if isinstance(nested, Mapping):
        start, end = nested.get("start"), nested.get("end")
    else:
        start, end = pair.get(f"{side}_start"), pair.get(f"{side}_end")
    return (start, end) if isinstance(start, int) and isinstance(end, int) else (0, 0)


def _html_aligned(page: _Page, copy: Json) -> str:
    """The aligned sentence pairs of a copy link, folded away."""
    texts = {k: str((page.articles.get(str(copy.get(k))) or {}).get("text") or "") for k in ("copy", "of")}
    rows = []
    for pair in copy.get("aligned") or []:
        if not isinstance(pair, Mapping):
            continue
        (cs, ce), (os_, oe) = _aligned_span(pair, "copy"), _aligned_span(pair, "of")
        rows.append(
            f"<tr><td>{esc(texts['copy'][cs:ce])}</td><td>{esc(texts['of'][os_:oe])}</td>"
            f"<td>{_number(pair.get('similarity'), '.2f')}</td></tr>"
        )
    if not rows:
        return ""
    return (
        '<details><summary>Aligned sentences</summary><table><thead><tr><th scope="col">Copy</th>'
        '<th scope="col">Original</th><th scope="col">Similarity</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></details>"
    )


def _html_articles(page: _Page) -> str:
    blocks = []
    for aid, a in page.articles.items():
        facts = [
            esc(a.get("outlet") or "unknown outlet"),
            esc(a.get("published") or "undated"),
            f"{esc(a.get('words'))} words",
        ]
        url = safe_url(a.get("url"))
        if url:
            facts.append(f'<a href="{esc(url)}" rel="noopener noreferrer">{esc(url)}</a>')
        elif a.get("url"):
            facts.append(f'<span class="note">unsafe link not shown as a link: {esc(a["url"])}</span>')
        facts += [
            f"{what} {page.cite(a[k])}"
            for k, what in (("copy_of", "copy of"), ("duplicate_of", "duplicate of"))
            if a.get(k)
        ]
        text = str(a.get("text") or "")
        blocks.append(
            f'<div class="article" id="article-{esc(_slug(aid))}"><h3>[{esc(page.labels[aid])}] '
            f'{esc(a.get("title") or "Untitled")}</h3><p class="facts">{" · ".join(facts)}</p>'
            f'<div class="atext">{_marked_text(text, page.spans.get(aid, []), aid)}</div></div>'
        )
    return _section("articles", "\n".join(blocks), "No articles.")


_CSS = """
:root{--fg:#1f2328;--muted:#57606a;--line:#d0d7de;--soft:#f6f8fa;--link:#0550ae;--ok:#1a7f37;--part:#8a5c00;
--bad:#a40e26;--mark:#fff1a8;--mark2:#ffd86b}
*{box-sizing:border-box}
body{margin:0;font:16px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:#fff}
header,main{max-width:72rem;margin:0 auto;padding:0 1rem}
header{padding-top:1rem}
h1{font-size:1.7rem;line-height:1.25;margin:.5rem 0}
h2{border-bottom:1px solid var(--line);padding-bottom:.25rem;margin-top:2.5rem}
h3{font-size:1.1rem;margin:1.25rem 0 .5rem}
h4{font-size:1rem;margin:.25rem 0}
a{color:var(--link)}
.facts,.note,.muted,.outlet{color:var(--muted)}
.note,.outlet{font-size:.9rem}
nav ul{display:flex;flex-wrap:wrap;gap:.25rem 1rem;padding:0;margin:.5rem 0;list-style:none}
.scroll{overflow-x:auto}
table{border-collapse:collapse;width:100%;margin:.5rem 0}
caption{text-align:left;color:var(--muted);padding:.25rem 0}
th,td{border:1px solid var(--line);padding:.35rem .5rem;text-align:left;vertical-align:top}
thead th{background:var(--soft)}
tbody th{font-weight:normal;min-width:16rem}
td.cell{text-align:center;font-size:1.2rem;white-space:nowrap}
td.cell a{text-decoration:none;color:inherit;display:block}
.c-supported{color:var(--ok)}.c-partial{color:var(--part)}.c-conflicting{color:var(--bad)}.c-absent{color:var(--muted)}
td.c-conflicting{background:#ffebe9}
.legend{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:.25rem 1.5rem}
.tag{display:inline-block;border:1px solid currentColor;border-radius:1rem;padding:0 .5rem;font-size:.8rem;
font-weight:600;white-space:nowrap;color:var(--muted)}
.k-conflict,.f-altered,.x-denial,.x-negation,.x-number,.x-date,.x-distortion,.echo{color:var(--bad)}
.k-consensus,.s-consensus,.f-verbatim{color:var(--ok)}
.k-addition,.s-partial,.f-partial,.f-paraphrased{color:var(--part)}
.sides{display:grid;grid-template-columns:1fr 1fr;gap:1rem}
.side{border:1px solid var(--line);border-radius:.4rem;padding:.5rem .75rem}
.side-b{border-color:#ff8182}
ul.evidence{list-style:none;padding:0;margin:0}
blockquote{margin:.25rem 0;padding:.1rem .75rem;border-left:4px solid var(--line)}
.summary li,.timeline li,.occurrences>li{margin:.4rem 0}
.cite{font-size:.85rem;white-space:nowrap}
.atext{white-space:pre-wrap;overflow-wrap:anywhere;background:var(--soft);padding:.75rem;border-radius:.4rem}
mark{background:var(--mark);color:inherit}
mark.n2{background:var(--mark2)}
:target{outline:3px solid #0969da;outline-offset:2px}
.vh{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
@media (max-width:40rem){body{font-size:15px}.sides{grid-template-columns:1fr}tbody th{min-width:10rem}}
@media print{nav{display:none}.atext{background:none}}
"""
