"""The JSON API under /api/: stories, story reports, articles, search, outlets, and ingest (with a token).

Every list is paginated (`limit` at most 100, `offset`), queries are capped in length, and the
ingest body is capped in size and in how many articles, URLs it holds. Errors are
``{"error": message}`` (see :mod:`storyline.web.app`).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from storyline import services
from storyline.model import Article, Story
from storyline.store.search import SNIPPET_END, SNIPPET_START, StoryQuery

from .service import IngestRequest, PastedArticle, Site
from .views import article_url

__all__ = ["router"]

router = APIRouter(prefix="/api", tags=["api"])
bearer = HTTPBearer(auto_error=False, description="The server's STORYLINE_TOKEN.")

MAX_ID = 2**31 - 1
MAX_OFFSET = 1_000_000
Limit = Annotated[int, Query(ge=1, le=100, description="Items per page (at most 100).")]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Items to skip.")]


class ErrorOut(BaseModel):
    """An error."""

    error: str


ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorOut, "description": "No such record."},
    422: {"model": ErrorOut, "description": "Invalid parameters."},
}


class StoryOut(BaseModel):
    """A story in a list: what it is, when, who carried it, and (once analysed) its sources and conflicts."""

    id: int
    headline: str
    first_seen: dt.date | None
    last_seen: dt.date | None
    article_count: int
    outlets: list[str]
    names: list[str]
    articles: list[str] = Field(description="External ids of its articles.")
    analysed: bool = Field(description="Whether its report is computed (the counts below are null until then).")
    independent_sources: int | None
    conflicts: int | None
    page: str


class StoryList(BaseModel):
    """One page of stories."""

    items: list[StoryOut]
    total: int
    limit: int
    offset: int
    next_offset: int | None


class ArticleOut(BaseModel):
    """A stored article with its cleaned text."""

    id: str
    row: int
    title: str | None
    outlet: str | None
    published: dt.date | None
    url: str | None
    language: str | None
    words: int
    source: str
    story: int | None
    text: str
    page: str


class HitOut(BaseModel):
    """An article that matches a search."""

    id: str
    title: str | None
    outlet: str | None
    published: dt.date | None
    snippet: str
    story: int | None
    page: str


class SearchOut(BaseModel):
    """One page of search results."""

    query: str
    items: list[HitOut]
    total: int = Field(description="Matches, counted up to 10,000.")
    limit: int
    offset: int
    next_offset: int | None


class ArticleIn(BaseModel):
    """An article given as text; metadata given here wins over what extraction finds."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=1_000_000)
    title: str | None = Field(default=None, max_length=1000)
    url: str | None = Field(default=None, max_length=2000)
    id: str | None = Field(
        default=None, min_length=1, max_length=200, description="Default: web- and a hash of the text."
    )
    published: str | None = Field(default=None, max_length=40, description="ISO date.")
    outlet: str | None = Field(default=None, max_length=200)


class IngestIn(BaseModel):
    """What to ingest."""

    model_config = ConfigDict(extra="forbid")

    articles: list[ArticleIn] = Field(default_factory=list, max_length=100)
    urls: list[str] = Field(default_factory=list, max_length=20, description="http(s) pages or feeds to fetch.")
    stories: bool = Field(default=True, description="Group the new articles into stories.")


class OutcomeOut(BaseModel):
    """What happened to one input."""

    status: str
    id: str | None
    source: str
    detail: str


class IngestOut(BaseModel):
    """The outcome of an ingest."""

    counts: dict[str, int]
    outcomes: list[OutcomeOut]
    stories: list[int] = Field(description="Stories new or changed.")


def _inlined(model: type[BaseModel]) -> dict[str, Any]:
    """A model's JSON schema with its `$defs` references replaced by the definitions."""
    schema = model.model_json_schema()
    defs = schema.pop("$defs", {})

    def resolve(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref", "")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                return resolve(defs[ref.removeprefix("#/$defs/")])
            return {k: resolve(v) for k, v in node.items()}
        return [resolve(v) for v in node] if isinstance(node, list) else node

    resolved: dict[str, Any] = resolve(schema)
    return resolved


def site_of(request: Request) -> Site:
    """The app's state."""
    site: Site = request.app.state.site
    return site


def story_out(site: Site, story: Story) -> StoryOut:
    """A story as the list shows it (counts only when its report is cached and current)."""
    entry = site.reports.cached(story)
    return StoryOut(
        id=story.id,
        headline=story.headline,
        first_seen=story.first_seen,
        last_seen=story.last_seen,
        article_count=story.article_count,
        outlets=list(story.outlets),
        names=list(story.names),
        articles=[a.external_id for a in story.articles],
        analysed=entry is not None,
        independent_sources=entry.independent_sources if entry else None,
        conflicts=entry.conflicts if entry else None,
        page=f"/stories/{story.id}",
    )


def _next(offset: int, count: int, total: int) -> int | None:
    return offset + count if count and offset + count < total else None


@router.get("/stories", response_model=StoryList, responses=ERRORS)
def list_stories(
    request: Request,
    limit: Limit = 20,
    offset: Offset = 0,
    q: Annotated[str, Query(max_length=200, description="Words in one of the story's articles.")] = "",
    since: Annotated[dt.date | None, Query(description="Stories active on or after this day.")] = None,
    until: Annotated[dt.date | None, Query(description="Stories begun on or before this day.")] = None,
    outlet: Annotated[
        str | None, Query(max_length=200, description="Stories with an article from this outlet.")
    ] = None,
) -> StoryList:
    """Stories, most recently active first, filtered by words, dates and outlet."""
    site = site_of(request)
    found, total = site.store.search_stories(
        StoryQuery(text=q, since=since, until=until, outlet=outlet or None), limit=limit, offset=offset
    )
    site.warm(found)
    items = [story_out(site, s) for s in found]
    return StoryList(items=items, total=total, limit=limit, offset=offset, next_offset=_next(offset, len(items), total))


@router.get(
    "/stories/{story_id}",
    responses={
        200: {
            "description": "The story report (docs/report.md, docs/report-schema.json).",
            "content": {"application/json": {"schema": {"type": "object"}}},
        },
        **ERRORS,
    },
)
def get_story(request: Request, story_id: Annotated[int, Path(ge=0, le=MAX_ID)]) -> Response:
    """The story report: articles, copies, sources, claims, conflicts, quotes, timeline, summary."""
    site = site_of(request)
    entry = site.reports.get(site.store.get_story(story_id))
    return Response(entry.json_bytes, media_type="application/json")


@router.get("/articles/{article_id:path}", response_model=ArticleOut, responses=ERRORS)
def get_article(request: Request, article_id: Annotated[str, Path(min_length=1, max_length=2000)]) -> ArticleOut:
    """One stored article, by external id (or row number), with its text and story."""
    site = site_of(request)
    article = site.store.get_article(article_id)
    return article_out(site, article)


def article_out(site: Site, article: Article) -> ArticleOut:
    """An article as the API returns it."""
    row = article.id or 0
    return ArticleOut(
        id=article.external_id,
        row=row,
        title=article.title,
        outlet=article.outlet,
        published=article.published,
        url=article.url,
        language=article.language,
        words=article.word_count,
        source=article.source,
        story=site.store.stories_of([row]).get(row),
        text=article.text,
        page=article_url(article.external_id),
    )


@router.get("/search", response_model=SearchOut, responses=ERRORS)
def search(
    request: Request,
    q: Annotated[str, Query(min_length=1, max_length=200, description="Words every match holds.")],
    limit: Limit = 20,
    offset: Offset = 0,
) -> SearchOut:
    """Articles whose title or body holds every word of `q`, best match first."""
    site = site_of(request)
    hits, total = site.store.search_articles(q, limit=limit, offset=offset)
    items = [
        HitOut(
            id=h.external_id,
            title=h.title,
            outlet=h.outlet,
            published=h.published,
            snippet=h.snippet.replace(SNIPPET_START, "").replace(SNIPPET_END, ""),
            story=h.story_id,
            page=article_url(h.external_id),
        )
        for h in hits
    ]
    return SearchOut(
        query=q, items=items, total=total, limit=limit, offset=offset, next_offset=_next(offset, len(items), total)
    )


def require_token(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
) -> None:
    """Refuse a write without the server's token (401), or on a server that has none (403)."""
    site = site_of(request)
    if not site.writable:
        raise HTTPException(403, "writes are disabled: start the server with STORYLINE_TOKEN set")
    if credentials is None or not site.token_ok(credentials.credentials):
        raise HTTPException(401, "a valid bearer token is required", headers={"WWW-Authenticate": "Bearer"})


@router.post(
    "/articles",
    response_model=IngestOut,
    responses={
        401: {"model": ErrorOut},
        403: {"model": ErrorOut},
        400: {"model": ErrorOut},
        413: {"model": ErrorOut},
        422: {"model": ErrorOut},
    },
    openapi_extra={"requestBody": {"required": True, "content": {"application/json": {"schema": _inlined(IngestIn)}}}},
    dependencies=[Depends(require_token)],
)
async def post_articles(request: Request) -> IngestOut:
    """Ingest pasted articles and URLs, and group them into stories (needs the bearer token).

    The token is checked before the body is read, so a caller without it learns nothing else.
    """
    try:
        body = IngestIn.model_validate_json(await request.body())
    except ValidationError as exc:
        raise HTTPException(422, _pydantic_message(exc)) from None
    ingest = IngestRequest(
        articles=[PastedArticle(**a.model_dump()) for a in body.articles], urls=body.urls, stories=body.stories
    )
    job = await run_in_threadpool(site_of(request).ingest, ingest)
    data = job.to_json()
    return IngestOut(counts=data["counts"], outcomes=data["outcomes"], stories=data["stories"])


def _pydantic_message(exc: ValidationError) -> str:
    parts = []
    for error in exc.errors()[:5]:
        where = ".".join(str(p) for p in error.get("loc", ()))
        parts.append(f"{where or 'body'}: {error.get('msg', 'invalid')}")
    return "; ".join(parts)


# -- outlets (docs/outlets.md) -----------------------------------------------------------------------

_JSON_ARRAY = {"application/json": {"schema": {"type": "array", "items": {"type": "object"}}}}
_JSON_OBJECT = {"application/json": {"schema": {"type": "object"}}}


def _json_bytes(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode("utf-8")


@router.get(
    "/outlets",
    responses={200: {"description": "Every outlet's profile, most articles first.", "content": _JSON_ARRAY}, **ERRORS},
)
def list_outlets(request: Request) -> Response:
    """Every outlet's profile: the JSON of `storyline outlets --format json` (docs/outlets.md)."""
    site = site_of(request)

    def make() -> bytes:
        return _json_bytes([p.to_json() for p in services.outlet_profiles(site.store)])

    body = site.outlet_page((services.outlets_stamp(site.store), "api"), make)
    return Response(body, media_type="application/json")


@router.get(
    "/outlets/{name:path}",
    responses={200: {"description": "One outlet's profile with its evidence.", "content": _JSON_OBJECT}, **ERRORS},
)
def get_outlet(request: Request, name: Annotated[str, Path(min_length=1, max_length=300)]) -> Response:
    """One outlet (by any of its names, a domain or a URL) with the evidence of every figure: the JSON
    of `storyline outlet NAME --format json`."""
    site = site_of(request)
    profile = services.outlet_profile(site.store, name)
    body = site.outlet_page(
        (services.outlets_stamp(site.store), "api", profile.name), lambda: _json_bytes(profile.to_json())
    )
    return Response(body, media_type="application/json")


@router.get(
    "/stories/{story_id}/coverage",
    responses={200: {"description": "The story's sources by one column.", "content": _JSON_OBJECT}, **ERRORS},
)
def get_coverage(
    request: Request,
    story_id: Annotated[int, Path(ge=0, le=MAX_ID)],
    by: Annotated[str, Query(min_length=1, max_length=100, description="A column of the outlet file.")] = "country",
) -> Response:
    """A story's independent sources by one column of the loaded outlet file, with the blindspot flag
    (the JSON of `storyline coverage STORY_ID --by COLUMN --format json`)."""
    site = site_of(request)
    entry = site.reports.get(site.store.get_story(story_id))
    return Response(
        _json_bytes(services.story_coverage(site.store, entry.report, by).to_json()), media_type="application/json"
    )
