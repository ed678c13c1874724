"""What every command shares: the Typer app, the consoles, the options and their defaults.

Every default shown in `--help` is read from the options object it configures (an
:class:`~storyline.options.ExtractOptions`, :class:`~storyline.options.ClusterOptions`, ...), so
the command line and the library cannot drift apart.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from storyline._version import __version__
from storyline.model import Article, Story
from storyline.options import (
    ClusterOptions,
    ExtractOptions,
    FetchOptions,
    IngestOptions,
    ReportOptions,
    StoryOptions,
    WatchOptions,
)
from storyline.services import Quote, format_duration
from storyline.store import DB_ENV_VAR, Store, open_store

__all__ = [
    "CLUSTER",
    "EVERY",
    "EXTRACT",
    "FETCH",
    "INGEST",
    "MAX_BACKOFF",
    "REPORT",
    "WATCH",
    "AllowPrivate",
    "Favor",
    "Fmt",
    "GroupStories",
    "Join",
    "MaxBytes",
    "Merge",
    "MinTextWords",
    "MinWords",
    "Sources",
    "State",
    "Timeout",
    "WindowDays",
    "Workers",
    "app",
    "articles_table",
    "clip",
    "day",
    "db_app",
    "db_url",
    "err",
    "ingest_options",
    "opened",
    "out",
    "print_json",
    "print_jsonl",
    "progress_bar",
    "show_story_quotes",
    "stories_table",
    "story_options",
]

app = typer.Typer(
    name="storyline",
    help="Turn a pile of news articles into stories you can trust.",
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Manage the store's schema.", no_args_is_help=True)

# Piped output is read by people in wide terminals or by tools: do not squeeze it to 80 columns.
out = Console(highlight=False, width=None if sys.stdout.isatty() else 160)
err = Console(stderr=True, highlight=False)

# The defaults, read from the options objects (and shown in --help).
EXTRACT = ExtractOptions()
FETCH = FetchOptions()
INGEST = IngestOptions()
CLUSTER = ClusterOptions()
REPORT = ReportOptions()
WATCH = WatchOptions()


class Fmt(StrEnum):
    """Output formats."""

    table = "table"
    json = "json"
    jsonl = "jsonl"


@dataclass
class State:
    """What the global options leave for the commands."""

    db: str | None = None


Sources = Annotated[list[str], typer.Argument(help="Files, folders, URLs, feeds, or - for stdin.")]
MinWords = Annotated[int, typer.Option(help="Reject web pages whose body is shorter than this many words.")]
MinTextWords = Annotated[int, typer.Option(help="Reject plain-text articles shorter than this many words.")]
MaxBytes = Annotated[int, typer.Option(help="Reject inputs larger than this many bytes.")]
AllowPrivate = Annotated[bool, typer.Option(help="Allow fetching from private and loopback addresses.")]
Timeout = Annotated[float, typer.Option(help="HTTP timeout in seconds.")]
Workers = Annotated[int, typer.Option(help="Processes for extraction (1 = none extra).")]
Favor = Annotated[str, typer.Option(help="Extraction trade-off: balanced, precision or recall.")]
Join = Annotated[float, typer.Option(help="Least same-event probability for an article to join a story.")]
Merge = Annotated[float, typer.Option(help="Least average same-event probability to merge two stories.")]
WindowDays = Annotated[int, typer.Option(help="Dated articles further apart than this never join through each other.")]
GroupStories = Annotated[bool, typer.Option(help="Group new articles into stories as they are stored.")]

#: Where PostgreSQL stores keep their story index files; read by storyline.stories.persist.
INDEX_DIR_ENV_VAR = "STORYLINE_INDEX_DIR"

#: `--every` and `--max-backoff` defaults as written on the command line.
EVERY = format_duration(WATCH.every)
MAX_BACKOFF = format_duration(WATCH.max_backoff)


def story_options(join: float, merge: float, window_days: int) -> StoryOptions:
    """Story options with the cluster thresholds given on the command line."""
    return StoryOptions(cluster=ClusterOptions(join=join, merge=merge, window_days=window_days))


def ingest_options(
    min_words: int,
    max_bytes: int,
    allow_private: bool,
    timeout: float,
    workers: int,
    favor: str,
    min_text_words: int = EXTRACT.min_text_words,
) -> IngestOptions:
    """Reading, extraction and fetch options from the command line's."""
    return IngestOptions(
        extract=ExtractOptions(min_words=min_words, min_text_words=min_text_words, max_bytes=max_bytes, favor=favor),
        fetch=FetchOptions(timeout=timeout, max_bytes=max_bytes, allow_private=allow_private),
        workers=workers,
    )


def _show_version(value: bool) -> None:
    if value:
        sys.stdout.write(f"storyline {__version__}\n")
        raise typer.Exit()


@app.callback()
def _main(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option(
            help=f"Database URL (sqlite:///file.db or postgresql://…); default ${DB_ENV_VAR} or sqlite:///storyline.db."
        ),
    ] = None,
    index_dir: Annotated[
        Path | None,
        typer.Option(
            envvar=INDEX_DIR_ENV_VAR,
            file_okay=False,
            help="Folder for the story index files of PostgreSQL stores (default ~/.cache/storyline);"
            " a SQLite store keeps its own beside the database file.",
        ),
    ] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log progress details.")] = False,
    _version: Annotated[
        bool,
        typer.Option("--version", is_eager=True, callback=_show_version, help="Print the version and exit."),
    ] = False,
) -> None:
    """Storyline: which articles tell the same story, who copied whom, what they agree on."""
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )
    if index_dir is not None:  # the story builder reads it wherever a command groups articles
        os.environ[INDEX_DIR_ENV_VAR] = str(index_dir)
    ctx.obj = State(db=db)


def db_url(ctx: typer.Context) -> str | None:
    """The --db given before the command (None: $STORYLINE_DB or the default)."""
    return ctx.obj.db if ctx.obj else None


@contextmanager
def opened(ctx: typer.Context) -> Iterator[Store]:
    """The store named by the global --db, closed afterwards."""
    store = open_store(db_url(ctx))
    try:
        yield store
    finally:
        store.close()


@contextmanager
def progress_bar(total: int | None) -> Iterator[Progress]:
    """A progress bar on stderr, shown only on a terminal."""
    columns = [
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    ]
    with Progress(*columns, console=err, transient=True, disable=not err.is_terminal) as progress:
        yield progress


def print_json(value: Any) -> None:
    """Indented JSON on stdout."""
    sys.stdout.write(json.dumps(value, ensure_ascii=False, indent=2) + "\n")


def print_jsonl(values: Iterable[dict[str, Any]]) -> None:
    """One JSON object a line on stdout."""
    for value in values:
        sys.stdout.write(json.dumps(value, ensure_ascii=False) + "\n")


def day(value: dt.date | None) -> str:
    """A date as ISO, or a dash."""
    return value.isoformat() if value else "–"


def clip(text: str, limit: int = 160) -> str:
    """`text` cut to `limit` characters, with an ellipsis."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def articles_table(arts: list[Article]) -> Table:
    """Stored articles as a table."""
    table = Table()
    table.add_column("id", no_wrap=True)
    table.add_column("outlet", no_wrap=True)
    table.add_column("published", no_wrap=True)
    table.add_column("lang", no_wrap=True)
    table.add_column("words", justify="right", no_wrap=True)
    table.add_column("title", no_wrap=True, overflow="ellipsis", max_width=70)
    for a in arts:
        table.add_row(
            escape(a.external_id),
            escape(a.outlet or "–"),
            a.published.isoformat() if a.published else "–",
            a.language or "–",
            str(a.word_count),
            escape(a.title or a.text[:80]),
        )
    return table


def stories_table(found: list[Story]) -> Table:
    """Stories as a table."""
    table = Table()
    table.add_column("id", justify="right", no_wrap=True)
    table.add_column("articles", justify="right", no_wrap=True)
    table.add_column("first", no_wrap=True)
    table.add_column("last", no_wrap=True)
    table.add_column("outlets", overflow="ellipsis", max_width=30, no_wrap=True)
    table.add_column("headline", overflow="ellipsis", max_width=70, no_wrap=True)
    for s in found:
        table.add_row(
            str(s.id),
            str(s.article_count),
            day(s.first_seen),
            day(s.last_seen),
            escape(", ".join(s.outlets) or "–"),
            escape(s.headline),
        )
    return table


def show_story_quotes(quotes: list[Quote], fmt: Fmt) -> None:
    """A story's aligned quotes: JSON, JSON lines or a table."""
    if fmt is Fmt.json:
        print_json([q.to_json() for q in quotes])
        return
    if fmt is Fmt.jsonl:
        print_jsonl(q.to_json() for q in quotes)
        return
    if not quotes:
        out.print("no quotes found")
        return
    table = Table("#", "speaker", "quote", "in")
    for q in quotes:
        where = "; ".join(f"{o.mention.article} ({o.fidelity})" for o in q.occurrences)
        table.add_row(str(q.id), escape(q.speaker or "–"), escape(clip(q.text)), escape(where))
    out.print(table)
