"""The `storyline` command line: thin commands that parse options and call one library function."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import json
import logging
import sys
from collections.abc import Callable, Iterable, Iterator
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

from storyline.analysis.quotealign import Quote, article_quotes, story_quotes
from storyline.analysis.report import ReportOptions, analyse_stored, build_report
from storyline.analysis.upstream import cited_by, citing_articles
from storyline.errors import StorylineError
from storyline.ingest.extract import ExtractOptions
from storyline.ingest.fetch import FetchOptions
from storyline.ingest.inputs import KnownUrl, expand_paths
from storyline.ingest.local import IngestOptions, OnOutcome, extract_documents, ingest
from storyline.model import Article, IngestReport, Story
from storyline.render import render
from storyline.store import DB_ENV_VAR, Store, open_store, resolve_db_url
from storyline.stories.builder import StoryBuilder, StoryOptions, recluster, similar_articles, story_copies
from storyline.stories.cluster import ClusterOptions

app = typer.Typer(
    name="storyline",
    help="Turn a pile of news articles into stories you can trust.",
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Manage the store's schema.", no_args_is_help=True)
app.add_typer(db_app, name="db")

# Piped output is read by people in wide terminals or by tools: do not squeeze it to 80 columns.
out = Console(highlight=False, width=None if sys.stdout.isatty() else 160)
err = Console(stderr=True, highlight=False)


class Engine(StrEnum):
    """Where ingest runs."""

    local = "local"
    ray = "ray"


class Fmt(StrEnum):
    """Output formats."""

    table = "table"
    json = "json"
    jsonl = "jsonl"


@dataclass
class _State:
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


_CLUSTER = ClusterOptions()  # the defaults, shown in --help


def _story_options(join: float, merge: float, window_days: int) -> StoryOptions:
    return StoryOptions(cluster=ClusterOptions(join=join, merge=merge, window_days=window_days))


@app.callback()
def _main(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option(
            help=f"Database URL (sqlite:///file.db or postgresql://…); default ${DB_ENV_VAR} or sqlite:///storyline.db."
        ),
    ] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log progress details.")] = False,
) -> None:
    """Storyline: which articles tell the same story, who copied whom, what they agree on."""
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )
    ctx.obj = _State(db=db)


def _options(
    min_words: int,
    max_bytes: int,
    allow_private: bool,
    timeout: float,
    workers: int,
    favor: str,
    min_text_words: int = 5,
) -> IngestOptions:
    return IngestOptions(
        extract=ExtractOptions(min_words=min_words, min_text_words=min_text_words, max_bytes=max_bytes, favor=favor),
        fetch=FetchOptions(timeout=timeout, max_bytes=max_bytes, allow_private=allow_private),
        workers=workers,
    )


@contextmanager
def _store(ctx: typer.Context) -> Iterator[Store]:
    store = open_store(ctx.obj.db if ctx.obj else None)
    try:
        yield store
    finally:
        store.close()


@contextmanager
def _progress(total: int | None) -> Iterator[Progress]:
    columns = [
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    ]
    with Progress(*columns, console=err, transient=True, disable=not err.is_terminal) as progress:
        yield progress


def _total(specs: list[str]) -> int | None:
    containers = (".jsonl", ".ndjson", ".json", ".warc", ".jsonl.gz", ".warc.gz")
    if any(s == "-" or "://" in s or s.lower().endswith(containers) for s in specs):
        return None
    return len(specs)


def _print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, ensure_ascii=False, indent=2) + "\n")


def _print_jsonl(values: Iterable[dict[str, Any]]) -> None:
    for value in values:
        sys.stdout.write(json.dumps(value, ensure_ascii=False) + "\n")


@app.command("ingest")
def ingest_cmd(
    ctx: typer.Context,
    sources: Sources,
    fmt: Annotated[Fmt, typer.Option("--format", help="table or json.")] = Fmt.table,
    min_words: MinWords = 40,
    min_text_words: MinTextWords = 5,
    max_bytes: MaxBytes = 10_000_000,
    allow_private: AllowPrivate = False,
    timeout: Timeout = 20.0,
    workers: Workers = 1,
    favor: Favor = "recall",
    stories: GroupStories = True,
    analyse: Annotated[
        bool,
        typer.Option(
            help="Also parse quotes and embed sentences and claims of the new articles now, so reports "
            "of their stories are fast (ingest is ~5x slower)."
        ),
    ] = False,
    join: Join = _CLUSTER.join,
    merge: Merge = _CLUSTER.merge,
    window_days: WindowDays = _CLUSTER.window_days,
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
    specs = expand_paths(sources)
    options = _options(min_words, max_bytes, allow_private, timeout, workers, favor, min_text_words)
    story_options = _story_options(join, merge, window_days)
    total = _total(specs)
    with _store(ctx) as store, _progress(total) as progress:
        task = progress.add_task("ingesting", total=total)
        run = _ingest_local if engine is Engine.local else functools.partial(_ingest_ray, address=ray_address)
        story = story_options if stories else None
        report, builder = run(specs, store, options, story, lambda _o: progress.advance(task))
        if builder:
            builder.finish()
        if analyse:
            stored = [o.external_id for o in report.outcomes if o.status == "stored" and o.external_id]
            sum(analyse_stored(store, stored))  # runs every batch
    _show_report(report, fmt, builder)
    if builder and fmt is Fmt.table:
        grouped, touched = len(builder.assignments), len(builder.touched)
        out.print(f"stories: {grouped} articles grouped, {touched} stories new or updated")
    if not report.readable:
        sys.stderr.write(f"error: nothing could be read ({report.count('rejected')} inputs rejected)\n")
        raise typer.Exit(1)


def _ingest_local(
    specs: list[str], store: Store, options: IngestOptions, stories: StoryOptions | None, on_outcome: OnOutcome
) -> tuple[IngestReport, StoryBuilder | None]:
    builder = StoryBuilder(store, stories) if stories else None
    after = _grouper(builder)
    report = ingest(specs, store, options, stdin=sys.stdin.buffer, on_outcome=on_outcome, after_batch=after)
    return report, builder


def _ingest_ray(
    specs: list[str],
    store: Store,
    options: IngestOptions,
    stories: StoryOptions | None,
    on_outcome: OnOutcome,
    *,
    address: str | None,
) -> tuple[IngestReport, StoryBuilder | None]:
    from storyline.ingest import raydata  # Ray itself is imported only when the run starts

    vectors = raydata.PrecomputedVectors(stories.features) if stories else None
    builder = StoryBuilder(store, stories, embed=vectors) if stories else None
    report = raydata.ingest(
        specs,
        store,
        options,
        ray_options=raydata.RayOptions(address=address),
        vectors=vectors,
        stdin=sys.stdin.buffer,
        on_outcome=on_outcome,
        after_batch=_grouper(builder),
    )
    return report, builder


def _grouper(builder: StoryBuilder | None) -> Callable[[], object] | None:
    """Group after each batch unless another process is grouping: then go on storing, and leave
    the waiting articles to it (it groups every article waiting) or to this run's `finish`."""
    return functools.partial(builder.update, wait=False) if builder else None


def _show_report(report: IngestReport, fmt: Fmt, builder: StoryBuilder | None = None) -> None:
    if fmt is not Fmt.table:
        data: dict[str, Any] = {"counts": report.counts, "outcomes": [o.to_json() for o in report.outcomes]}
        if builder:
            data["stories"] = {"grouped": len(builder.assignments), "new or updated": sorted(builder.touched)}
        _print_json(data)
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
    min_words: MinWords = 40,
    max_bytes: MaxBytes = 10_000_000,
    allow_private: AllowPrivate = False,
    timeout: Timeout = 20.0,
    workers: Workers = 1,
    favor: Favor = "recall",
) -> None:
    """Extract clean article text and metadata without storing anything.

    Example: storyline extract page.html.gz https://example.org/news/1 --format jsonl
    """
    options = _options(min_words, max_bytes, allow_private, timeout, workers, favor)
    items = extract_documents(expand_paths(sources), options, stdin=sys.stdin.buffer)
    records = (item.to_json() for item in items if not isinstance(item, KnownUrl))
    extracted = 0
    if fmt is Fmt.json:
        rows = list(records)
        extracted = sum(1 for r in rows if "rejected" not in r)
        _print_json(rows)
    else:
        for row in records:
            extracted += "rejected" not in row
            _print_jsonl([row])
    if not extracted:
        sys.stderr.write("error: nothing could be read: no input was an article\n")
        raise typer.Exit(1)


@app.command("articles")
def articles_cmd(
    ctx: typer.Context,
    fmt: Annotated[Fmt, typer.Option("--format", help="table, json or jsonl.")] = Fmt.table,
    limit: Annotated[int | None, typer.Option(help="Show at most this many.")] = None,
    offset: Annotated[int, typer.Option(help="Skip this many first.")] = 0,
) -> None:
    """List stored articles.

    Example: storyline articles --format jsonl --limit 10
    """
    with _store(ctx) as store:
        arts = list(store.iter_articles(limit=limit, offset=offset))
    if fmt is Fmt.json:
        _print_json([a.to_json(with_text=False) for a in arts])
    elif fmt is Fmt.jsonl:
        _print_jsonl(a.to_json(with_text=False) for a in arts)
    else:
        out.print(_articles_table(arts))


def _articles_table(arts: list[Article]) -> Table:
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


@app.command("article")
def article_cmd(
    ctx: typer.Context,
    article_id: Annotated[str, typer.Argument(metavar="ID", help="External id (or row number).")],
    fmt: Annotated[str, typer.Option("--format", help="text or json.")] = "text",
) -> None:
    """Show one stored article: metadata and cleaned text.

    Example: storyline article 001_5ca4497752f730ed
    """
    with _store(ctx) as store:
        art = store.get_article(article_id)
    if fmt == "json":
        _print_json(art.to_json())
        return
    for key, value in art.to_json(with_text=False).items():
        out.print(f"[bold]{key}[/bold]: {escape(str(value if value is not None else '–'))}")
    out.print()
    out.print(escape(art.text))


@app.command("rejected")
def rejected_cmd(
    ctx: typer.Context,
    fmt: Annotated[Fmt, typer.Option("--format", help="table, json or jsonl.")] = Fmt.table,
) -> None:
    """List inputs that were rejected, with the reason.

    Example: storyline rejected --format json
    """
    with _store(ctx) as store:
        rows = list(store.iter_rejections())
    if fmt is not Fmt.table:
        (_print_json if fmt is Fmt.json else _print_jsonl)([r.to_json() for r in rows])
        return
    table = Table("source", "reason")
    for r in rows:
        table.add_row(escape(r.source), escape(r.reason))
    out.print(table)


def find_examples() -> Path | None:
    """The bundled example corpus: ./examples/seeds, else the one beside the source tree."""
    for base in (Path.cwd(), Path(__file__).resolve().parents[2]):
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
    out.print(f"Storyline demo: ingesting {escape(str(folder))} into {escape(resolve_db_url(ctx.obj.db))}")
    with _store(ctx) as store:
        builder = StoryBuilder(store)
        report = ingest(expand_paths([str(folder)]), store, after_batch=builder.update)
        builder.finish()
        arts = list(store.iter_articles())
        found = store.list_stories()
        biggest = max(found, key=lambda s: s.article_count, default=None)
        quotes = story_quotes(store, biggest.id) if biggest is not None else []
        html_path = Path(report_file or f"storyline-report-{biggest.id if biggest else 0}.html")
        if biggest is not None:
            html_path.write_text(render(build_report(store, biggest.id).to_json(), "html"), encoding="utf-8")
    _show_report(report, Fmt.table)
    out.print(_articles_table(arts))
    out.print(_stories_table(found))
    if biggest is not None:
        out.print(f"Quotes of story {biggest.id}, and how each outlet quoted them:")
        _show_story_quotes([q for q in quotes if q.kind == "direct" and len(q.articles) > 1], Fmt.table)
        out.print(f"Report of story {biggest.id}: {escape(str(html_path.resolve()))}")


@app.command("stories")
def stories_cmd(
    ctx: typer.Context,
    fmt: Annotated[Fmt, typer.Option("--format", help="table, json or jsonl.")] = Fmt.table,
    limit: Annotated[int | None, typer.Option(help="Show at most this many stories.")] = None,
    offset: Annotated[int, typer.Option(help="Skip this many stories first.")] = 0,
) -> None:
    """List stories (one real-world event each), most recently active first, with their articles.

    Example: storyline stories --format json
    """
    with _store(ctx) as store:
        found = store.list_stories(limit=limit, offset=offset)
    if fmt is Fmt.json:
        _print_json([s.to_json() for s in found])
    elif fmt is Fmt.jsonl:
        _print_jsonl(s.to_json() for s in found)
    elif found:
        out.print(_stories_table(found))
    else:
        out.print("no stories yet: `storyline ingest SOURCES...` stores articles and groups them")


def _stories_table(found: list[Story]) -> Table:
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
            _day(s.first_seen),
            _day(s.last_seen),
            escape(", ".join(s.outlets) or "–"),
            escape(s.headline),
        )
    return table


def _day(value: dt.date | None) -> str:
    return value.isoformat() if value else "–"


@app.command("story")
def story_cmd(
    ctx: typer.Context,
    story_id: Annotated[int, typer.Argument(metavar="ID", help="Story id (from `storyline stories`).")],
    fmt: Annotated[Fmt, typer.Option("--format", help="table or json.")] = Fmt.table,
) -> None:
    """Show one story: its headline, time span, outlets, names and articles.

    Example: storyline story 1 --format json
    """
    with _store(ctx) as store:
        story = store.get_story(story_id)
    if fmt is not Fmt.table:
        _print_json(story.to_json())
        return
    out.print(f"[bold]story {story.id}[/bold]: {escape(story.headline)}")
    out.print(f"{story.article_count} articles · {_day(story.first_seen)} – {_day(story.last_seen)}")
    out.print(f"outlets: {escape(', '.join(story.outlets) or '–')}")
    out.print(f"about: {escape(', '.join(story.names) or '–')}")
    table = Table("id", "outlet", "published", "title")
    for a in story.articles:
        table.add_row(escape(a.external_id), escape(a.outlet or "–"), _day(a.published), escape(a.title or "–"))
    out.print(table)


@app.command("similar")
def similar_cmd(
    ctx: typer.Context,
    article_id: Annotated[str, typer.Argument(metavar="ARTICLE_ID", help="External id (or row number).")],
    limit: Annotated[int, typer.Option(help="How many neighbours to show.")] = 10,
    fmt: Annotated[Fmt, typer.Option("--format", help="table or json.")] = Fmt.table,
) -> None:
    """Show the stored articles nearest to one article, with similarity and same-event scores.

    Example: storyline similar 001_5ca4497752f730ed --limit 5
    """
    with _store(ctx) as store:
        article = store.get_article(article_id)
        found = similar_articles(store, article, limit=limit)
    if fmt is not Fmt.table:
        _print_json([dataclasses.asdict(s) for s in found])
        return
    table = Table("id", "cosine", "same event", "same story", "outlet", "title")
    for s in found:
        table.add_row(
            escape(s.external_id),
            f"{s.cosine:.3f}",
            f"{s.score:.3f}",
            "yes" if s.same_story else "no",
            escape(s.outlet or "–"),
            escape(s.title or "–"),
        )
    out.print(table)


@app.command("copies")
def copies_cmd(
    ctx: typer.Context,
    story: Annotated[int | None, typer.Option(help="Only this story (default: every story).")] = None,
    fmt: Annotated[Fmt, typer.Option("--format", help="table or json.")] = Fmt.table,
) -> None:
    """List copies: articles that are verbatim, trimmed or rewritten copies of others, with the evidence.

    Example: storyline copies --story 1 --format json
    """
    with _store(ctx) as store:
        links = story_copies(store, story)
    if fmt is not Fmt.table:
        _print_json([link.to_json() for link in links])
        return
    if not links:
        out.print("no copies found")
        return
    table = Table("copy", "of", "kind", "share", "aligned", "upstream", "direction")
    for link in links:
        table.add_row(
            escape(link.copy),
            escape(link.of),
            link.kind,
            f"{link.share:.0%}",
            str(len(link.aligned)),
            escape(link.upstream or "–"),
            escape("; ".join(link.direction_evidence) or "–"),
        )
    out.print(table)


@app.command("sources")
def sources_cmd(
    ctx: typer.Context,
    story: Annotated[int | None, typer.Option(help="Only the articles of this story.")] = None,
    article: Annotated[str | None, typer.Option(help="Only this article (external id or row number).")] = None,
    fmt: Annotated[Fmt, typer.Option("--format", help="table or json.")] = Fmt.table,
) -> None:
    """List the upstream reports articles cite ("per Bloomberg", "told Reuters") and who cites them.

    Example: storyline sources --story 1 --format json
    """
    with _store(ctx) as store:
        if article is not None:
            chosen = [store.get_article(article)]
        elif story is not None:
            chosen = store.articles_by_id(sorted({a.id for a in store.get_story(story).articles}))
        else:
            chosen = list(store.iter_articles())
    cited = cited_by(chosen)
    if fmt is not Fmt.table:
        _print_json(
            [
                {"name": name, "cited_by": citing_articles(mentions), "mentions": [m.to_json() for m in mentions]}
                for name, mentions in cited.items()
            ]
        )
        return
    if not cited:
        out.print("no upstream reports cited")
        return
    table = Table("upstream", "cited by", "first citing sentence")
    for name, mentions in cited.items():
        table.add_row(escape(name), escape(", ".join(citing_articles(mentions))), escape(mentions[0].sentence_text))
    out.print(table)


@app.command("quotes")
def quotes_cmd(
    ctx: typer.Context,
    story: Annotated[int | None, typer.Option(help="This story's quotes, aligned across its articles.")] = None,
    article: Annotated[str | None, typer.Option(help="Only this article (external id or row number).")] = None,
    fmt: Annotated[Fmt, typer.Option("--format", help="table, json or jsonl.")] = Fmt.table,
) -> None:
    """List quotes: who said what, where, and (with --story) how each outlet quoted it.

    Without --story, one record per quote per article (every stored article unless --article is
    given). With --story, one record per quote with its occurrences, each verbatim, partial,
    altered or paraphrased.

    Example: storyline quotes --story 1 --format json
    """
    if story is not None and article is not None:
        raise StorylineError("give --story or --article, not both")
    with _store(ctx) as store:
        if story is not None:
            quotes = story_quotes(store, story)
            _show_story_quotes(quotes, fmt)
            return
        chosen = [store.get_article(article)] if article is not None else list(store.iter_articles())
        found = article_quotes(store, chosen)
    mentions = [m for a in chosen for m in found.get(a.id or -1, [])]
    if fmt is Fmt.json:
        _print_json([m.to_json() for m in mentions])
    elif fmt is Fmt.jsonl:
        _print_jsonl(m.to_json() for m in mentions)
    elif not mentions:
        out.print("no quotes found")
    else:
        table = Table("article", "kind", "speaker", "quote")
        for m in mentions:
            table.add_row(escape(m.article), m.kind, escape(m.speaker or "–"), escape(_clip(m.quoted or m.text)))
        out.print(table)


def _clip(text: str, limit: int = 160) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _show_story_quotes(quotes: list[Quote], fmt: Fmt) -> None:
    if fmt is Fmt.json:
        _print_json([q.to_json() for q in quotes])
        return
    if fmt is Fmt.jsonl:
        _print_jsonl(q.to_json() for q in quotes)
        return
    if not quotes:
        out.print("no quotes found")
        return
    table = Table("#", "speaker", "quote", "in")
    for q in quotes:
        where = "; ".join(f"{o.mention.article} ({o.fidelity})" for o in q.occurrences)
        table.add_row(str(q.id), escape(q.speaker or "–"), escape(_clip(q.text)), escape(where))
    out.print(table)


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
    ] = None,
    llm_url: Annotated[
        str | None, typer.Option(help="OpenAI-compatible endpoint (…/v1) to rewrite the summary; citations kept.")
    ] = None,
    llm_model: Annotated[str, typer.Option(help="Model name to ask the --llm-url endpoint for.")] = "default",
) -> None:
    """The story report: summary with citations, claims and their support, conflicts, quotes, timeline.

    Example: storyline report 1 --format html -o story-1.html
    """
    options = ReportOptions(nli_model=nli_model, llm_url=llm_url, llm_model=llm_model)
    with _store(ctx) as store:
        report = build_report(store, story_id, options)
    text = render(report.to_json(), fmt.value)
    if output is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        return
    output.write_text(text, encoding="utf-8")
    out.print(f"wrote {escape(str(output))}")


@app.command("recluster")
def recluster_cmd(ctx: typer.Context, join: Join = 0.45, merge: Merge = 0.25, window_days: WindowDays = 60) -> None:
    """Group every stored article into stories again, from scratch, with the same algorithm.

    Stories that come out with mostly the same articles keep their ids.

    Example: storyline recluster
    """
    with _store(ctx) as store:
        before = store.count_stories()
        update = recluster(store, _story_options(join, merge, window_days))
    out.print(f"{update.analysed} articles in {update.stories_touched} stories (before: {before})")


@app.command("serve")
def serve_cmd(
    ctx: typer.Context,
    db: Annotated[
        str | None, typer.Option(help="Database URL (default: the global --db, $STORYLINE_DB, ./storyline.db).")
    ] = None,
    host: Annotated[str, typer.Option(help="Address to listen on; 127.0.0.1 serves this machine only.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
) -> None:
    """Serve the web pages and the JSON API (/api/, OpenAPI at /api/openapi.json) over the store.

    Adding articles needs a token: set STORYLINE_TOKEN before starting; without it the server is read-only.

    Example: STORYLINE_TOKEN=$(openssl rand -hex 16) storyline --db sqlite:///news.db serve --port 8000
    """
    import os

    import uvicorn

    from storyline.web import TOKEN_ENV_VAR, create_app

    web = create_app(resolve_db_url(db or (ctx.obj.db if ctx.obj else None)))
    writes = "adding articles needs the token" if os.environ.get(TOKEN_ENV_VAR, "").strip() else "read-only"
    err.print(f"serving http://{host}:{port}/ ({writes}; Ctrl-C stops)")
    uvicorn.run(web, host=host, port=port, log_level="warning", server_header=False)


class WatchFmt(StrEnum):
    """Formats of the line `watch` prints after each round."""

    text = "text"
    jsonl = "jsonl"


@app.command("watch")
def watch_cmd(
    ctx: typer.Context,
    sources: Annotated[list[str], typer.Argument(help="Folders, files, and URLs of feeds or pages.")],
    every: Annotated[str, typer.Option(help="Time from one round to the next: 30s, 10m, 1h, 1h30m.")] = "10m",
    once: Annotated[bool, typer.Option(help="Run one round and exit (for cron).")] = False,
    max_rounds: Annotated[int | None, typer.Option(min=1, help="Stop after this many rounds.")] = None,
    max_backoff: Annotated[str, typer.Option(help="Longest wait before a failing source is tried again.")] = "1h",
    state: Annotated[
        Path | None,
        typer.Option(help="JSON file remembering the files already read, so a later run skips them."),
    ] = None,
    fmt: Annotated[WatchFmt, typer.Option("--format", help="text (one line a round) or jsonl.")] = WatchFmt.text,
    min_words: MinWords = 40,
    min_text_words: MinTextWords = 5,
    max_bytes: MaxBytes = 10_000_000,
    allow_private: AllowPrivate = False,
    timeout: Timeout = 20.0,
    workers: Workers = 1,
    favor: Favor = "recall",
    stories: GroupStories = True,
    analyse: Annotated[
        bool,
        typer.Option(
            help="After each round, parse quotes and embed sentences of its new articles, so the reports "
            "of their stories are fast (as ingest --analyse)."
        ),
    ] = False,
    join: Join = _CLUSTER.join,
    merge: Merge = _CLUSTER.merge,
    window_days: WindowDays = _CLUSTER.window_days,
) -> None:
    """Poll folders and feeds in rounds, ingesting only what is new, until stopped (Ctrl-C or SIGTERM).

    Files already read (same path, time and size) are not read again, nor feed entries already
    stored. A source that fails is tried again after --every, then twice, four times that ... (at
    most --max-backoff) while the others go on. One line a round: counts, stories, failing sources.
    Exit code 1 when every source tried in the last round failed.

    Example: storyline --db sqlite:///news.db watch inbox/ https://example.org/feed.xml --every 10m
    """
    import signal
    import threading

    from storyline.ingest.watch import RoundReport, Watcher, WatchOptions, parse_duration

    options = WatchOptions(
        every=parse_duration(every),
        max_backoff=parse_duration(max_backoff),
        max_rounds=1 if once else max_rounds,
        ingest=_options(min_words, max_bytes, allow_private, timeout, workers, favor, min_text_words),
        stories=_story_options(join, merge, window_days) if stories else None,
        state_file=state,
        analyse=analyse,
    )
    stop = threading.Event()

    def on_signal(signum: int, _frame: object) -> None:
        stop.set()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, signal.SIG_DFL)  # a second signal ends the process at once
        err.print(f"{signal.Signals(signum).name}: stopping after the current batch (again to quit now)")

    def on_round(report: RoundReport) -> None:
        line = json.dumps(report.to_json(), ensure_ascii=False) if fmt is WatchFmt.jsonl else report.line()
        sys.stdout.write(line + "\n")
        sys.stdout.flush()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        with _store(ctx) as store, Watcher(sources, store, options, stop=stop) as watcher:
            last = watcher.run(on_round)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if stop.is_set():
        err.print(f"stopped after {watcher.rounds} rounds")
    if last is not None and last.all_failed:
        raise typer.Exit(1)


@db_app.command("upgrade")
def db_upgrade(ctx: typer.Context) -> None:
    """Apply pending schema migrations to the store.

    Example: storyline --db postgresql://localhost/news db upgrade
    """
    with _store(ctx) as store:
        revision = store.upgrade()
    out.print(f"schema at revision {revision}")


def main() -> None:
    """Entry point: run the app, turning Storyline errors into one line and exit code 2."""
    try:
        app()  # standalone mode: usage errors, --help and exit codes handled by Typer
    except StorylineError as exc:
        sys.stderr.write(f"error: {' '.join(str(exc).split())}\n")
        sys.exit(2)
