"""Commands that read articles: `ingest`, `extract`, `watch`, and the `demo`."""

from __future__ import annotations

import json
import signal
import sys
import threading
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from storyline import services
from storyline.errors import StorylineError
from storyline.model import IngestReport
from storyline.options import WatchOptions
from storyline.render import render
from storyline.store import resolve_db_url

from ._common import (
    CLUSTER,
    EVERY,
    EXTRACT,
    FETCH,
    INGEST,
    MAX_BACKOFF,
    AllowPrivate,
    Favor,
    Fmt,
    GroupStories,
    Join,
    MaxBytes,
    Merge,
    MinTextWords,
    MinWords,
    Sources,
    Timeout,
    WindowDays,
    Workers,
    app,
    articles_table,
    db_url,
    err,
    ingest_options,
    opened,
    out,
    print_json,
    print_jsonl,
    progress_bar,
    show_story_quotes,
    stories_table,
    story_options,
)

__all__ = ["Engine", "WatchFmt", "demo_cmd", "extract_cmd", "find_examples", "ingest_cmd", "show_ingest", "watch_cmd"]


class Engine(StrEnum):
    """Where ingest runs."""

    local = "local"
    ray = "ray"


@app.command("ingest")
def ingest_cmd(
    ctx: typer.Context,
    sources: Sources,
    fmt: Annotated[Fmt, typer.Option("--format", help="table or json.")] = Fmt.table,
    min_words: MinWords = EXTRACT.min_words,
    min_text_words: MinTextWords = EXTRACT.min_text_words,
    max_bytes: MaxBytes = EXTRACT.max_bytes,
    allow_private: AllowPrivate = FETCH.allow_private,
    timeout: Timeout = FETCH.timeout,
    workers: Workers = INGEST.workers,
    favor: Favor = EXTRACT.favor,
    stories: GroupStories = True,
    analyse: Annotated[
        bool,
        typer.Option(
            help="Also parse quotes and embed sentences and claims of the new articles now, so reports "
            "of their stories are fast (ingest is ~5x slower)."
        ),
    ] = False,
    join: Join = CLUSTER.join,
    merge: Merge = CLUSTER.merge,
    window_days: WindowDays = CLUSTER.window_days,
    engine: Annotated[
        Engine,
        typer.Option(
            help="local: this process and --workers extraction processes; ray: Ray Data stages, --workers "
            "extraction and embedding workers (docs/ray.md)."
        ),
    ] = Engine.local,
    ray_address: Annotated[
        str | None,
        typer.Option(
            help="With --engine ray: a Ray cluster (auto, HOST:6379, ray://HOST:10001); default: a local Ray."
        ),
    ] = None,
) -> None:
    """Read articles from files, folders, URLs, feeds or stdin, store each once, and group them into stories.

    Example: storyline --db sqlite:///news.db ingest examples/seeds https://example.org/feed.xml
    """
    if ray_address is not None and engine is not Engine.ray:
        raise typer.BadParameter("--ray-address needs --engine ray", param_hint="--ray-address")
    specs = services.expand_paths(sources)
    total = _total(specs)
    with opened(ctx) as store, progress_bar(total) as progress:
        task = progress.add_task("ingesting", total=total)
        result = services.ingest(
            specs,
            store,
            ingest_options(min_words, max_bytes, allow_private, timeout, workers, favor, min_text_words),
            stories=story_options(join, merge, window_days),
            group=stories,
            analyse=analyse,
            engine="ray" if engine is Engine.ray else "local",
            ray_address=ray_address,
            stdin=sys.stdin.buffer,
            on_outcome=lambda _o: progress.advance(task),
        )
    show_ingest(result.report, fmt, result)
    if result.grouped is not None and fmt is Fmt.table:
        out.print(f"stories: {result.grouped} articles grouped, {len(result.stories)} stories new or updated")
    if not result.report.readable:
        sys.stderr.write(f"error: nothing could be read ({result.report.count('rejected')} inputs rejected)\n")
        raise typer.Exit(1)


def _total(specs: list[str]) -> int | None:
    containers = (".jsonl", ".ndjson", ".json", ".warc", ".jsonl.gz", ".warc.gz")
    if any(s == "-" or "://" in s or s.lower().endswith(containers) for s in specs):
        return None
    return len(specs)


def show_ingest(report: IngestReport, fmt: Fmt, result: services.IngestResult | None = None) -> None:
    """An ingest's outcomes: JSON, or the inputs not stored as given and the counts."""
    if fmt is not Fmt.table:
        data: dict[str, Any] = {"counts": report.counts, "outcomes": [o.to_json() for o in report.outcomes]}
        if result is not None and result.grouped is not None:
            data["stories"] = {"grouped": result.grouped, "new or updated": list(result.stories)}
        print_json(data)
        return
    notable = [o for o in report.outcomes if o.status != "stored" or o.detail]  # also stored under another id
    if notable:
        table = Table("status", "id", "detail", title="not stored as given", title_justify="left")
        for o in notable[:200]:
            table.add_row(o.status, escape(o.external_id or o.source), escape(o.detail))
        out.print(table)
        if len(notable) > 200:
            out.print(f"… and {len(notable) - 200} more")
    counts = report.counts
    out.print(f"stored {counts['stored']} · already stored {counts['already stored']} · rejected {counts['rejected']}")


@app.command("extract")
def extract_cmd(
    sources: Sources,
    fmt: Annotated[Fmt, typer.Option("--format", help="jsonl (default) or json.")] = Fmt.jsonl,
    min_words: MinWords = EXTRACT.min_words,
    max_bytes: MaxBytes = EXTRACT.max_bytes,
    allow_private: AllowPrivate = FETCH.allow_private,
    timeout: Timeout = FETCH.timeout,
    workers: Workers = INGEST.workers,
    favor: Favor = EXTRACT.favor,
) -> None:
    """Extract clean article text and metadata without storing anything.

    Example: storyline extract page.html.gz https://example.org/news/1 --format jsonl
    """
    options = ingest_options(min_words, max_bytes, allow_private, timeout, workers, favor)
    records = services.extract(sources, options, stdin=sys.stdin.buffer)
    extracted = 0
    if fmt is Fmt.json:
        rows = list(records)
        extracted = sum(1 for r in rows if "rejected" not in r)
        print_json(rows)
    else:
        for row in records:
            extracted += "rejected" not in row
            print_jsonl([row])
    if not extracted:
        sys.stderr.write("error: nothing could be read: no input was an article\n")
        raise typer.Exit(1)


def find_examples() -> Path | None:
    """The bundled example corpus: ./examples/seeds, else the one beside the source tree."""
    # This file is src/storyline/cli/ingest.py: the repository is four folders up.
    for base in (Path.cwd(), Path(__file__).resolve().parents[3]):
        candidate = base / "examples" / "seeds"
        if candidate.is_dir():
            return candidate
    return None


@app.command("demo")
def demo_cmd(
    ctx: typer.Context,
    folder: Annotated[Path | None, typer.Argument(help="Corpus folder (default: the bundled examples/seeds).")] = None,
    report_file: Annotated[
        Path | None,
        typer.Option("--report", help="Where to write the HTML report (default: ./storyline-report-ID.html)."),
    ] = None,
) -> None:
    """Ingest the bundled example articles, show what was found, and write the story's HTML report.

    Example: storyline --db sqlite:///demo.db demo
    """
    folder = folder or find_examples()
    if folder is None:
        raise StorylineError("cannot find examples/seeds: run from the repository or pass a folder")
    out.print(f"Storyline demo: ingesting {escape(str(folder))} into {escape(resolve_db_url(db_url(ctx)))}")
    with opened(ctx) as store:
        result = services.ingest(services.expand_paths([str(folder)]), store)
        arts = list(store.iter_articles())
        found = store.list_stories()
        biggest = max(found, key=lambda s: s.article_count, default=None)
        quotes = services.story_quotes(store, biggest.id) if biggest is not None else []
        html_path = Path(report_file or f"storyline-report-{biggest.id if biggest else 0}.html")
        if biggest is not None:
            report = services.build_report(store, biggest.id).to_json()
            html_path.write_text(render(report, "html"), encoding="utf-8")
    show_ingest(result.report, Fmt.table)
    out.print(articles_table(arts))
    out.print(stories_table(found))
    if biggest is not None:
        out.print(f"Quotes of story {biggest.id}, and how each outlet quoted them:")
        show_story_quotes([q for q in quotes if q.kind == "direct" and len(q.articles) > 1], Fmt.table)
        out.print(f"Report of story {biggest.id}: {escape(str(html_path.resolve()))}")


class WatchFmt(StrEnum):
    """Formats of the line `watch` prints after each round."""

    text = "text"
    jsonl = "jsonl"


@app.command("watch")
def watch_cmd(
    ctx: typer.Context,
    sources: Annotated[list[str], typer.Argument(help="Folders, files, and URLs of feeds or pages.")],
    every: Annotated[str, typer.Option(help="Time from one round to the next: 30s, 10m, 1h, 1h30m.")] = EVERY,
    once: Annotated[bool, typer.Option(help="Run one round and exit (for cron).")] = False,
    max_rounds: Annotated[int | None, typer.Option(min=1, help="Stop after this many rounds.")] = None,
    max_backoff: Annotated[
        str, typer.Option(help="Longest wait before a failing source is tried again.")
    ] = MAX_BACKOFF,
    state: Annotated[
        Path | None,
        typer.Option(help="JSON file remembering the files already read, so a later run skips them."),
    ] = None,
    fmt: Annotated[WatchFmt, typer.Option("--format", help="text (one line a round) or jsonl.")] = WatchFmt.text,
    min_words: MinWords = EXTRACT.min_words,
    min_text_words: MinTextWords = EXTRACT.min_text_words,
    max_bytes: MaxBytes = EXTRACT.max_bytes,
    allow_private: AllowPrivate = FETCH.allow_private,
    timeout: Timeout = FETCH.timeout,
    workers: Workers = INGEST.workers,
    favor: Favor = EXTRACT.favor,
    stories: GroupStories = True,
    analyse: Annotated[
        bool,
        typer.Option(
            help="After each round, parse quotes and embed sentences of its new articles, so the reports "
            "of their stories are fast (as ingest --analyse)."
        ),
    ] = False,
    join: Join = CLUSTER.join,
    merge: Merge = CLUSTER.merge,
    window_days: WindowDays = CLUSTER.window_days,
) -> None:
    """Poll folders and feeds in rounds, ingesting only what is new, until stopped (Ctrl-C or SIGTERM).

    Files already read (same path, time and size) are not read again, nor feed entries already
    stored. A source that fails is tried again after --every, then twice, four times that ... (at
    most --max-backoff) while the others go on. One line a round: counts, stories, failing sources.
    Exit code 1 when every source tried in the last round failed.

    Example: storyline --db sqlite:///news.db watch inbox/ https://example.org/feed.xml --every 10m
    """
    options = WatchOptions(
        every=services.parse_duration(every),
        max_backoff=services.parse_duration(max_backoff),
        max_rounds=1 if once else max_rounds,
        ingest=ingest_options(min_words, max_bytes, allow_private, timeout, workers, favor, min_text_words),
        stories=story_options(join, merge, window_days) if stories else None,
        state_file=state,
        analyse=analyse,
    )
    stop = threading.Event()

    def on_signal(signum: int, _frame: object) -> None:
        stop.set()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, signal.SIG_DFL)  # a second signal ends the process at once
        err.print(f"{signal.Signals(signum).name}: stopping after the current batch (again to quit now)")

    def on_round(report: services.RoundReport) -> None:
        line = json.dumps(report.to_json(), ensure_ascii=False) if fmt is WatchFmt.jsonl else report.line()
        sys.stdout.write(line + "\n")
        sys.stdout.flush()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        with opened(ctx) as store:
            last, rounds = services.watch(sources, store, options, stop=stop, on_round=on_round)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if stop.is_set():
        err.print(f"stopped after {rounds} rounds")
    if last is not None and last.all_failed:
        raise typer.Exit(1)
