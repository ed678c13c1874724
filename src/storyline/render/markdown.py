"""The report as Markdown: summary with `[001]` citations, claims, conflicts, quotes, timeline,
copies and sources, articles.

Untrusted text (everything that comes from an article) is escaped so that it cannot open HTML,
links, code or table cells.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from .common import Json, citation_labels, echo_note, items, number, safe_url

__all__ = ["to_markdown"]

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
    articles = items(report, "articles")
    labels = citation_labels(articles)

    def cite(ids: Iterable[object]) -> str:
        return "".join(f"[{_md(labels.get(str(i), i))}]" for i in dict.fromkeys(ids))

    parts = [
        _md_header(report.get("story") or {}),
        _md_facts(items(report, "facts"), cite),
        _md_summary(items(report, "summary"), cite),
        _md_claims(items(report, "claims")),
        _md_conflicts(items(report, "conflicts"), cite),
        _md_quotes(items(report, "quotes"), cite),
        _md_timeline(items(report, "timeline"), cite),
        _md_copies(items(report, "copies"), items(report, "sources"), cite),
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


NO_FACTS = "No checkable fact (a count, measure, date or place) is stated by two or more articles."


def _md_facts(facts: Sequence[Json], cite: Any) -> str:
    """Key facts first: each slot, its status, and every value with the articles that give it;
    a developing figure as its small time line (earliest value first)."""
    lines = ["## Key facts", ""]
    if not facts:
        return "\n".join(
            [*lines, "No checkable fact (a count, measure, date or place) is stated by two or more articles."]
        )
    lines += ["| fact | status | values (articles) |", "|---|---|---|"]
    for fact in facts:
        values = items(fact, "values")
        joiner = " → " if fact.get("status") == "developing" else " · "
        shown = joiner.join(_md_fact_value(v, cite, dated=fact.get("status") == "developing") for v in values)
        lines.append(f"| {_md(fact.get('slot'))} *({_md(fact.get('kind'))})* | {_md(fact.get('status'))} | {shown} |")
    return "\n".join(lines)


def _md_fact_value(value: Json, cite: Any, *, dated: bool) -> str:
    qualifier = f"{_md(value['qualifier'])} " if value.get("qualifier") else ""
    when = f" ({_md(value['first_published'])})" if dated and value.get("first_published") else ""
    return f"**{qualifier}{_md(value.get('value'))}**{when} {cite(value.get('articles') or [])}"


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
        notes = [echo_note(claim)] if claim.get("echo") else []
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
            f"### Conflict {_md(c.get('id'))} · {_md(c.get('kind'))} (score {number(c.get('score'), '.2f')})",
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
                number(c.get("share"), ".0%"),
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
