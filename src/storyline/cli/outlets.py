"""Commands about outlets: `outlets` (every outlet's profile), `outlet` (one, with its evidence),
`coverage` (a story's independent sources by a column of the user's outlet file)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from storyline import services
from storyline.model.outlets import OutletProfile
from storyline.store import Store

from ._common import Fmt, app, clip, day, err, opened, out, print_json, print_jsonl, progress_bar

__all__ = ["coverage_cmd", "outlet_cmd", "outlets_cmd"]

_OUTLETS_FILE = typer.Option(
    "--outlets",
    help="Load this outlet file first (CSV or JSON: name or domain, country, owner, any rating columns); "
    "it replaces the one loaded before.",
)


_HEAD = ("outlet", "articles", "stories", "first", "copies", "credited", "altered quotes", "lone", "span", "metadata")


def _load(store: Store, path: Path | None) -> None:
    if path is None:
        return
    loaded = services.load_outlet_file(store, path)
    err.print(f"outlet file: {loaded.rows} rows, columns {escape(', '.join(loaded.columns) or '–')}")
    for warning in loaded.warnings:
        err.print(f"warning: {escape(warning)}")


def _share(part: int, whole: int) -> str:
    return f"{part} ({100 * part / whole:.0f}%)" if whole else str(part)


def _row(p: OutletProfile) -> list[str]:
    o, a, q = p.originality, p.attribution, p.quote_fidelity
    copied = o["copies"] + o["rewrites"]
    credited = a["credited"] + a["uncredited"]
    quotes = sum(q.values())
    return [
        escape(p.name),
        str(p.articles),
        str(p.stories),
        str(p.first_to_report),
        _share(copied, p.articles),
        _share(a["credited"], credited),
        _share(q["altered"], quotes),
        str(p.lone_conflicts),
        f"{day(p.first_seen)} – {day(p.last_seen)}" if p.first_seen else "undated",
        escape(", ".join(f"{k}={v}" for k, v in p.metadata.items())),
    ]


@app.command("outlets")
def outlets_cmd(
    ctx: typer.Context,
    fmt: Annotated[Fmt, typer.Option("--format", help="table, json or jsonl.")] = Fmt.table,
    outlets_file: Annotated[Path | None, _OUTLETS_FILE] = None,
    analyse: Annotated[
        bool, typer.Option("--analyse", help="First make the reports of stories no report has covered yet.")
    ] = False,
) -> None:
    """Every outlet's profile: articles, stories, first reports, copies, credits, altered quotes, lone conflicts.

    Every stored article counts for exactly one outlet (its site name, domain or byline agency, or
    "unknown"); the report figures cover the stories that have had a report made (see --analyse).

    Example: storyline outlets --format json
    """
    with opened(ctx) as store:
        _load(store, outlets_file)
        if analyse:
            todo = len(store.stories_without_outlet_facts())
            with progress_bar(todo) as bar:
                task = bar.add_task("analysing stories", total=todo)
                for _ in services.analyse_outlets(store):
                    bar.advance(task)
        profiles = services.outlet_profiles(store)
    if fmt is Fmt.json:
        print_json([p.to_json() for p in profiles])
    elif fmt is Fmt.jsonl:
        print_jsonl(p.to_json() for p in profiles)
    else:
        table = Table(*_HEAD)
        for p in profiles:
            table.add_row(*_row(p))
        out.print(table)
        analysed = sum(p.analysed for p in profiles)
        total = sum(p.articles for p in profiles)
        out.print(f"{len(profiles)} outlets, {total} articles; report figures over {analysed} analysed articles")


@app.command("outlet")
def outlet_cmd(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME", help="Any of the outlet's names, a domain or a URL.")],
    fmt: Annotated[Fmt, typer.Option("--format", help="table or json.")] = Fmt.table,
    outlets_file: Annotated[Path | None, _OUTLETS_FILE] = None,
) -> None:
    """One outlet's profile with the evidence of every figure.

    Example: storyline outlet "The Moscow Times" --format json
    """
    with opened(ctx) as store:
        _load(store, outlets_file)
        profile = services.outlet_profile(store, name)
    if fmt is not Fmt.table:
        print_json(profile.to_json())
        return
    summary = Table(
        "outlet", "articles", "stories", "first", "copies", "credited", "altered quotes", "lone", "span", "metadata"
    )
    summary.add_row(*_row(profile))
    out.print(summary)
    out.print(f"domains: {escape(', '.join(profile.domains) or '–')}; languages: {escape(str(profile.languages))}")
    ev = profile.evidence
    _evidence_table("articles", ev.get("articles"), ("id", "published", "story", "title"))
    _evidence_table("copies", ev.get("copies"), ("article", "kind", "of", "of_outlet"))
    _evidence_table("altered quotes", ev.get("altered_quotes"), ("article", "speaker", "start", "end", "text"))
    _evidence_table(
        "uncredited claims",
        [c for c in ev.get("attribution") or [] if not c.get("credited")],
        ("article", "sentence", "upstream", "text"),
    )
    _evidence_table("lone conflicts", ev.get("lone_conflicts"), ("story", "conflict", "kind", "description"))
    _evidence_table("first to report", ev.get("first_to_report"), ("story", "article", "published"))


def _evidence_table(title: str, rows: list[dict[str, Any]] | None, keys: tuple[str, ...]) -> None:
    if not rows:
        return
    table = Table(*keys, title=f"{title} ({len(rows)})")
    for row in rows[:50]:
        table.add_row(*(escape(clip(str(row.get(k) if row.get(k) is not None else "–"), 100)) for k in keys))
    out.print(table)


@app.command("coverage")
def coverage_cmd(
    ctx: typer.Context,
    story_id: Annotated[int, typer.Argument(metavar="STORY_ID", help="The story's id (see `storyline stories`).")],
    by: Annotated[str, typer.Option("--by", help="The outlet file's column to break down by.")] = "country",
    fmt: Annotated[Fmt, typer.Option("--format", help="table or json.")] = Fmt.table,
    outlets_file: Annotated[Path | None, _OUTLETS_FILE] = None,
) -> None:
    """A story's independent sources by one column of your outlet file, with a blindspot flag when one
    value holds 80% or more of them.

    Example: storyline coverage 1 --by country --outlets examples/outlets.csv
    """
    with opened(ctx) as store:
        _load(store, outlets_file)
        cov = services.story_coverage(store, services.build_report(store, story_id).to_json(), by)
    if fmt is not Fmt.table:
        print_json(cov.to_json())
        return
    table = Table(escape(cov.column), "sources' outlets")
    for value, outlets in cov.values.items():
        table.add_row(escape(value), escape(", ".join(outlets)))
    if cov.unknown:
        table.add_row("(no value)", escape(", ".join(cov.unknown)))
    out.print(table)
    flag = f"blindspot: {escape(cov.blindspot)}" if cov.blindspot else "no blindspot"
    out.print(f"{cov.sources} independent sources; largest share {cov.top_share:.0%}; {flag}")
