"""The `report` command: a story's report as JSON, Markdown or one self-contained HTML file."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from storyline import services
from storyline.options import ReportOptions
from storyline.render import render

from ._common import REPORT, app, opened, out

__all__ = ["ReportFmt", "report_cmd"]


class ReportFmt(StrEnum):
    """Report formats."""

    json = "json"
    markdown = "markdown"
    html = "html"


@app.command("report")
def report_cmd(
    ctx: typer.Context,
    story_id: Annotated[int, typer.Argument(metavar="STORY_ID", help="The story's id (see `storyline stories`).")],
    fmt: Annotated[ReportFmt, typer.Option("--format", help="json, markdown or html.")] = ReportFmt.json,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Write to this file (default: stdout).")] = None,
    nli_model: Annotated[
        Path | None, typer.Option(help="Directory of an ONNX NLI cross-encoder to score contradictions.")
    ] = REPORT.nli_model,
    llm_url: Annotated[
        str | None, typer.Option(help="OpenAI-compatible endpoint (…/v1) to rewrite the summary; citations kept.")
    ] = REPORT.llm_url,
    llm_model: Annotated[str, typer.Option(help="Model name to ask the --llm-url endpoint for.")] = REPORT.llm_model,
) -> None:
    """The story report: summary with citations, claims and their support, conflicts, quotes, timeline.

    Example: storyline report 1 --format html -o story-1.html
    """
    options = ReportOptions(nli_model=nli_model, llm_url=llm_url, llm_model=llm_model)
    with opened(ctx) as store:
        report = services.build_report(store, story_id, options)
    text = render(report.to_json(), fmt.value)
    if output is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        return
    output.write_text(text, encoding="utf-8")
    out.print(f"wrote {escape(str(output))}")
