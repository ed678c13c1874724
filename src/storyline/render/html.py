"""The report as HTML: one Jinja template (`templates/report.html`) for both the downloadable file
and the web's story page.

The template's sections (summary, claims × outlets, conflicts, quotes, timeline, copies and
sources, articles) are macros over a :class:`ReportView`; the two pages differ only in where a
citation goes (:class:`Links`) and in a few parts of the header:

- the file (:func:`to_html`) is one self-contained page (`templates/standalone.html`: inline CSS,
  no fonts, scripts or images, a Content-Security-Policy that allows no script) that an analyst can
  email; its citations go to the cited words, highlighted in every article's text below
  (``<mark id="a-<article>-<start>">``);
- the web page (:func:`report_markup`, inside the site's layout) links each citation to the
  article's own page with the cited span highlighted, and offers the downloads.

Everything from an article is untrusted: the environment autoescapes, only http(s) URLs become
links, and the few helpers that build markup (:func:`marked_text`, :func:`quote_diff`) escape every
piece of text with :func:`esc` and return :class:`markupsafe.Markup` only around that.
"""

from __future__ import annotations

import difflib
import functools
import html
import itertools
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from typing import Any, Protocol

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from .common import CELLS, Json, citation_labels, items, matrix_cells, number, safe_url
from .graph import CopyGraph, copy_graph

__all__ = [
    "CSP",
    "Links",
    "ReportView",
    "WebHeader",
    "anchor",
    "esc",
    "quote_diff",
    "report_markup",
    "to_html",
]

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"

# Kinds with their own colour, per tag prefix: k summary kinds, s claim status, x conflict kinds, f fidelity.
_KNOWN_TAGS: dict[str, tuple[str, ...]] = {
    "k": ("consensus", "addition", "conflict"),
    "s": ("consensus", "partial", "single"),
    "x": ("denial", "negation", "number", "date", "distortion"),
    "f": ("verbatim", "partial", "altered", "paraphrased"),
    "t": ("agreed", "disputed", "developing"),
}


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


class Links(Protocol):
    """Where the links of a report go."""

    def evidence(self, ev: Json) -> str | None:
        """The target of a citation of this evidence (a span of an article), or None."""

    def article(self, article_id: str) -> str | None:
        """The target of a link to an article, or None."""


@dataclass(frozen=True, slots=True)
class WebHeader:
    """The parts of the header only the web page has: its story id (the breadcrumbs and the
    download links) and the independent sources the site counted."""

    story_id: int
    independent_sources: int


# ---------------------------------------------------------------------------------------------
# The downloadable file: citations go to the cited words, highlighted in the article's text


@dataclass(frozen=True, slots=True)
class _Span:
    start: int
    end: int
    label: str


class _FileLinks:
    """Every evidence span of the report, marked in its article's text; links go to those marks."""

    def __init__(self, report: Json) -> None:
        self.articles = {str(a.get("id")): a for a in items(report, "articles")}
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

    def evidence(self, ev: Json) -> str | None:
        """The evidence's highlight, if it has one (else None: the caller falls back to the article)."""
        aid, start = str(ev.get("article")), ev.get("start")
        return "#" + anchor(aid, start) if isinstance(start, int) and (aid, start) in self.starts else None

    def article(self, article_id: str) -> str | None:
        return f"#article-{_slug(article_id)}" if article_id in self.articles else None

    def text(self, article_id: str) -> Markup:
        """The article's text, escaped, with every evidence span in a ``<mark>``."""
        text = str((self.articles.get(article_id) or {}).get("text") or "")
        return _marked_text(text, self.spans.get(article_id, []), article_id)


def _evidence(report: Json) -> Iterable[tuple[str, Json]]:
    """Every evidence span of the report, with a label saying what it is evidence of."""
    for n, item in enumerate(items(report, "summary"), 1):
        yield from ((f"summary {n}", ev) for ev in item.get("evidence") or [])
    for claim in items(report, "claims"):
        yield from ((f"claim {claim.get('id')}", ev) for ev in claim.get("occurrences") or [])
    for c in items(report, "conflicts"):
        for side in ("a", "b"):
            yield from ((f"conflict {c.get('id')}{side}", ev) for ev in (c.get(side) or {}).get("evidence") or [])
    for q in items(report, "quotes"):
        yield from ((f"quote {q.get('id')}", occ) for occ in q.get("occurrences") or [])
    for event in items(report, "timeline"):
        yield from ((f"timeline {event.get('date')}", ev) for ev in event.get("sources") or [])
    for source in items(report, "sources"):
        yield from ((f"source {source.get('name')}", ev) for ev in source.get("mentions") or [])


def _marked_text(text: str, spans: Sequence[_Span], article: object) -> Markup:
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


# ---------------------------------------------------------------------------------------------
# What the template reads


@dataclass
class ReportView:
    """The report as the template reads it: its sections, labels, outlets, cells and links."""

    report: Json
    links: Links
    web: WebHeader | None = None
    texts: _FileLinks | None = None  # the file shows every article's text, marked
    articles: list[Json] = field(init=False)
    labels: dict[str, str] = field(init=False)
    outlets: dict[str, Any] = field(init=False)

    def __post_init__(self) -> None:
        self.articles = items(self.report, "articles")
        self.labels = citation_labels(self.articles)
        self.outlets = {str(a.get("id")): a.get("outlet") for a in self.articles}

    @property
    def story(self) -> Json:
        story = self.report.get("story")
        return story if isinstance(story, Mapping) else {}

    def section(self, key: str) -> list[Json]:
        """A list section of the report (the timeline in date order)."""
        found = items(self.report, key)
        return sorted(found, key=lambda e: str(e.get("date", ""))) if key == "timeline" else found

    @property
    def dates(self) -> list[str]:
        """First and last seen, once each."""
        return [str(d) for d in dict.fromkeys([self.story.get("first_seen"), self.story.get("last_seen")]) if d]

    @functools.cached_property
    def cells(self) -> dict[tuple[Any, str], tuple[str, Json | None]]:
        return matrix_cells(self.report)

    @functools.cached_property
    def graph(self) -> CopyGraph:
        return copy_graph(self.report, self.links.article)

    def target(self, article: object, evidence: Iterable[Json] = ()) -> tuple[str | None, Json | None]:
        """Where a citation of `article` goes, and the evidence it shows: the first evidence in the
        article that has a target, else the article."""
        aid = str(article)
        mine = [ev for ev in evidence if isinstance(ev, Mapping) and str(ev.get("article")) == aid]
        for ev in mine:
            href = self.links.evidence(ev)
            if href:
                return href, ev
        return self.links.article(aid), (mine[0] if mine else None)

    def tag_class(self, kind: object, prefix: str) -> str:
        return f"{prefix}-{kind}" if kind in _KNOWN_TAGS[prefix] else f"{prefix}-other"

    def aligned(self, copy: Json) -> list[tuple[str, str, str]]:
        """The aligned sentence pairs of a copy link: (copy's sentence, original's, similarity)."""
        by_id = {str(a.get("id")): a for a in self.articles}
        texts = {k: str((by_id.get(str(copy.get(k))) or {}).get("text") or "") for k in ("copy", "of")}
        rows = []
        for pair in copy.get("aligned") or []:
            if isinstance(pair, Mapping):
                (cs, ce), (os_, oe) = _aligned_span(pair, "copy"), _aligned_span(pair, "of")
                rows.append((texts["copy"][cs:ce], texts["of"][os_:oe], number(pair.get("similarity"), ".2f")))
        return rows


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


@functools.cache
def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("storyline.render", "templates"),
        autoescape=True,  # every value is escaped unless a helper returned Markup it escaped itself
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(cells_legend=CELLS, safe_url=safe_url, slug=_slug)
    env.filters.update(number=number, quote_diff=quote_diff)
    return env


@functools.cache
def _css() -> Markup:
    # Our own stylesheet, not data: inside <style> an escaped quote would break it.
    return Markup(resources.files("storyline.render").joinpath("templates/report.css").read_text(encoding="utf-8"))


def report_markup(report: Json, links: Links, web: WebHeader) -> Markup:
    """The report as the web's story page shows it (to go inside the site's layout)."""
    view = ReportView(report, links, web=web)
    return Markup(_environment().get_template("report.html").render(view=view))


def to_html(report: Json) -> str:
    """The report as one self-contained HTML page (no script; works offline and from an email)."""
    links = _FileLinks(report)
    view = ReportView(report, links, texts=links)
    story = view.story
    title = f"Story {story.get('id', '')}: {story.get('headline') or 'untitled'}"
    return _environment().get_template("standalone.html").render(view=view, title=title, csp=CSP, css=_css())
