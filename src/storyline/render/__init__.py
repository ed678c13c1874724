"""Render a story report (its JSON form, `docs/report.md`) as JSON, Markdown or one HTML page.

The renderers read the report **dict**, not the analysis records, so anything that speaks the JSON
contract (the analysis, a stored file, another tool) can be rendered, and the schema in
`docs/report-schema.json` is the only coupling.

- :mod:`.markdown`: the report as Markdown, untrusted text escaped so that it cannot open HTML,
  links, code or table cells;
- :mod:`.html`: the report as HTML from one Jinja template (`templates/report.html`), shared by the
  downloadable self-contained file and the web's story page; autoescaped, only http(s) URLs become
  links, and the file carries a Content-Security-Policy that allows no script at all (it needs
  none: navigation is anchors and ``<details>``);
- :mod:`.common`: what both read from the report (citation labels, safe URLs, the claims × outlets
  matrix); :mod:`.graph`: the copy graph.
"""

from __future__ import annotations

import json

from storyline.errors import OptionsError

from .common import CELLS, Json, citation_labels, matrix_cells, safe_url
from .html import CSP, anchor, esc, to_html
from .markdown import to_markdown

__all__ = [
    "CELLS",
    "CSP",
    "FORMATS",
    "anchor",
    "citation_labels",
    "esc",
    "matrix_cells",
    "render",
    "safe_url",
    "to_html",
    "to_markdown",
]

FORMATS = ("json", "markdown", "html")


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
