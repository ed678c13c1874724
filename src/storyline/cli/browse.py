"""Commands that read the store: articles, stories, similar articles, copies, sources, quotes."""

from __future__ import annotations

import dataclasses
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from storyline import services
from storyline.errors import StorylineError

from ._common import (
    Fmt,
    app,
    articles_table,
    clip,
    day,
    opened,
    out,
    print_json,
    print_jsonl,
    show_story_quotes,
    stories_table,
)

__all__ = [
    "article_cmd",
    "articles_cmd",
    "copies_cmd",
    "quotes_cmd",
    "rejected_cmd",
    "similar_cmd",
    "sources_cmd",
    "stories_cmd",
    "story_cmd",
]


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
    with opened(ctx) as store:
        arts = list(store.iter_articles(limit=limit, offset=offset))
    if fmt is Fmt.json:
        print_json([a.to_json(with_text=False) for a in arts])
    elif fmt is Fmt.jsonl:
        print_jsonl(a.to_json(with_text=False) for a in arts)
    else:
        out.print(articles_table(arts))


@app.command("article")
def article_cmd(
    ctx: typer.Context,
    article_id: Annotated[str, typer.Argument(metavar="ID", help="External id (or row number).")],
    fmt: Annotated[str, typer.Option("--format", help="text or json.")] = "text",
) -> None:
    """Show one stored article: metadata and cleaned text.

    Example: storyline article 001_5ca4497752f730ed
    """
    with opened(ctx) as store:
        art = store.get_article(article_id)
    if fmt == "json":
        print_json(art.to_json())
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
    with opened(ctx) as store:
        rows = list(store.iter_rejections())
    if fmt is not Fmt.table:
        (print_json if fmt is Fmt.json else print_jsonl)([r.to_json() for r in rows])
        return
    table = Table("source", "reason")
    for r in rows:
        table.add_row(escape(r.source), escape(r.reason))
    out.print(table)


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
    with opened(ctx) as store:
        found = store.list_stories(limit=limit, offset=offset)
    if fmt is Fmt.json:
        print_json([s.to_json() for s in found])
    elif fmt is Fmt.jsonl:
        print_jsonl(s.to_json() for s in found)
    elif found:
        out.print(stories_table(found))
    else:
        out.print("no stories yet: `storyline ingest SOURCES...` stores articles and groups them")


@app.command("story")
def story_cmd(
    ctx: typer.Context,
    story_id: Annotated[int, typer.Argument(metavar="ID", help="Story id (from `storyline stories`).")],
    fmt: Annotated[Fmt, typer.Option("--format", help="table or json.")] = Fmt.table,
) -> None:
    """Show one story: its headline, time span, outlets, names and articles.

    Example: storyline story 1 --format json
    """
    with opened(ctx) as store:
        story = store.get_story(story_id)
    if fmt is not Fmt.table:
        print_json(story.to_json())
        return
    out.print(f"[bold]story {story.id}[/bold]: {escape(story.headline)}")
    out.print(f"{story.article_count} articles · {day(story.first_seen)} – {day(story.last_seen)}")
    out.print(f"outlets: {escape(', '.join(story.outlets) or '–')}")
    out.print(f"about: {escape(', '.join(story.names) or '–')}")
    table = Table("id", "outlet", "published", "title")
    for a in story.articles:
        table.add_row(escape(a.external_id), escape(a.outlet or "–"), day(a.published), escape(a.title or "–"))
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
    with opened(ctx) as store:
        found = services.similar(store, article_id, limit=limit)
    if fmt is not Fmt.table:
        print_json([dataclasses.asdict(s) for s in found])
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
    with opened(ctx) as store:
        links = services.story_copies(store, story)
    if fmt is not Fmt.table:
        print_json([link.to_json() for link in links])
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
    with opened(ctx) as store:
        cited = services.upstream_sources(store, story_id=story, article_id=article)
    if fmt is not Fmt.table:
        print_json([source.to_json() for source in cited])
        return
    if not cited:
        out.print("no upstream reports cited")
        return
    table = Table("upstream", "cited by", "first citing sentence")
    for source in cited:
        first = source.mentions[0].sentence_text
        table.add_row(escape(source.name), escape(", ".join(source.cited_by)), escape(first))
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
    with opened(ctx) as store:
        if story is not None:
            show_story_quotes(services.story_quotes(store, story), fmt)
            return
        mentions = services.quote_mentions(store, article)
    if fmt is Fmt.json:
        print_json([m.to_json() for m in mentions])
    elif fmt is Fmt.jsonl:
        print_jsonl(m.to_json() for m in mentions)
    elif not mentions:
        out.print("no quotes found")
    else:
        table = Table("article", "kind", "speaker", "quote")
        for m in mentions:
            table.add_row(escape(m.article), m.kind, escape(m.speaker or "–"), escape(clip(m.quoted or m.text)))
        out.print(table)
