"""The HTML pages: stories, a story, an article, adding articles (with the token), downloads."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, File, Form, HTTPException, Path, Query, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup

from storyline import services
from storyline.errors import NotFoundError, OptionsError
from storyline.model.outlets import OutletProfile
from storyline.render import CSP as REPORT_CSP
from storyline.render import render, safe_url
from storyline.render.html import WebHeader, report_markup
from storyline.store.search import StoryQuery

from .api import MAX_ID, site_of, story_out
from .app import render_page
from .service import IngestRequest, PastedArticle, ReportEntry, Site
from .views import Span, StoryLinks, article_spans, marked_text, parse_span

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
StoryId = Annotated[int, Path(ge=0, le=MAX_ID)]
Order = Literal["asc", "desc"]
_DOWNLOADS = {"json": ("json", "application/json"), "md": ("markdown", "text/markdown"), "html": ("html", "text/html")}


def _day(value: str | None, name: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise OptionsError(f"{name}: not a date (use YYYY-MM-DD): {value[:40]!r}") from None


@router.get("/")
def stories_page(
    request: Request,
    q: Annotated[str, Query(max_length=200)] = "",
    since: Annotated[str, Query(max_length=40)] = "",
    until: Annotated[str, Query(max_length=40)] = "",
    outlet: Annotated[str, Query(max_length=200)] = "",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    """Stories, most recently active first, with search and filters."""
    site = site_of(request)
    size = site.options.page_size
    query = StoryQuery(text=q, since=_day(since, "from"), until=_day(until, "to"), outlet=outlet.strip() or None)
    found, total = site.store.search_stories(query, limit=size, offset=(page - 1) * size)
    site.warm(found)
    hits, hit_total = site.store.search_articles(q, limit=10) if q.strip() else ([], 0)
    pages = max(1, -(-total // size))
    form = {"q": q, "since": since, "until": until, "outlet": outlet}

    def at(n: int) -> str:
        return "/?" + urlencode({**{k: v for k, v in form.items() if v}, "page": n})

    return render_page(
        request,
        "stories.html",
        form=form,
        stories=[story_out(site, s) for s in found],
        total=total,
        page=page,
        pages=pages,
        prev_url=at(page - 1) if page > 1 else None,
        next_url=at(page + 1) if page < pages else None,
        outlets=site.outlets(),
        hits=hits,
        hit_total=hit_total,
        max_query=site.options.max_query,
    )


@router.get("/stories/{story_id}")
def story_page(request: Request, story_id: StoryId, by: Annotated[str, Query(max_length=100)] = "") -> Response:
    """One story: summary, claims × outlets, conflicts, quotes, timeline, copy graph, articles (the
    report's shared template, :mod:`storyline.render.html`, with links to the articles' pages), and
    its sources by a column of the outlet file (`by`, default its first column)."""
    site = site_of(request)
    entry = site.reports.get(site.store.get_story(story_id))
    markup = entry.rendered.get("markup")
    if markup is None:  # the report's markup, made once per report; the coverage each time
        markup = str(_story_context(entry, story_id)["report"])
        entry.rendered["markup"] = markup
    story = entry.report.get("story") or {}
    columns = services.outlet_columns(site.store)
    column = by.strip().casefold() if by.strip() else (columns[0] if columns else "")
    coverage = services.story_coverage(site.store, entry.report, column).to_json() if columns else None
    title = story.get("headline") or "Untitled story"
    return render_page(request, "story.html", title=title, report=Markup(markup), coverage=coverage, columns=columns)


def _story_context(entry: ReportEntry, story_id: int) -> dict[str, Any]:
    story = entry.report.get("story") or {}
    web = WebHeader(story_id=story_id, independent_sources=entry.independent_sources)
    return {
        "title": story.get("headline") or "Untitled story",
        "report": report_markup(entry.report, StoryLinks(story_id), web),
    }


@router.get("/stories/{story_id}/report.{fmt}")
def story_download(request: Request, story_id: StoryId, fmt: str) -> Response:
    """The story report as a file: JSON, Markdown, or one self-contained HTML page."""
    if fmt not in _DOWNLOADS:
        raise HTTPException(404, f"no report format {fmt!r}: use report.json, report.md or report.html")
    site = site_of(request)
    entry = site.reports.get(site.store.get_story(story_id))
    name, media = _DOWNLOADS[fmt]
    if fmt == "json":
        body = entry.json_bytes
    else:
        if name not in entry.rendered:
            entry.rendered[name] = render(entry.report, name)
        body = entry.rendered[name].encode("utf-8")
    headers = {"Content-Disposition": f'attachment; filename="story-{story_id}.{fmt}"'}
    if fmt == "html":
        headers["Content-Security-Policy"] = REPORT_CSP  # its own policy: inline style, never script
    return Response(body, media_type=f"{media}; charset=utf-8", headers=headers)


@router.get("/articles/{article_id:path}")
def article_page(
    request: Request,
    article_id: Annotated[str, Path(min_length=1, max_length=2000)],
    story: Annotated[int | None, Query(ge=0, le=MAX_ID)] = None,
    hl: Annotated[str | None, Query(max_length=40)] = None,
) -> Response:
    """An article: its text with claims, quotes and copied passages highlighted, its metadata,
    its story and related articles; `hl=start-end` highlights a cited span (the target `#cited`)."""
    site = site_of(request)
    article = site.store.get_article(article_id)
    row = article.id or 0
    story_id = story if story is not None else site.store.stories_of([row]).get(row)
    the_story = _story_or_none(site, story_id)
    if the_story is not None and row not in {a.id for a in the_story.articles}:
        the_story = _story_or_none(site, site.store.stories_of([row]).get(row))
    entry = site.reports.get(the_story) if the_story is not None else None
    spans: list[Span] = article_spans(entry.report, article.external_id) if entry else []
    cited = parse_span(hl, len(article.text))
    others = [a for a in the_story.articles if a.id != row] if the_story else []
    return render_page(
        request,
        "article.html",
        article=article,
        words=article.word_count,
        story=the_story,
        safe_url=safe_url(article.url),
        text=marked_text(article.text, spans, cited),
        spans=dict(Counter(s.kind for s in spans)),
        cited=cited is not None,
        report_ready=entry is not None,
        relations=_relations(entry, article.external_id) if entry else [],
        related=others,
    )


def _story_or_none(site: Site, story_id: int | None) -> Any:
    if story_id is None:
        return None
    try:
        return site.store.get_story(story_id)
    except NotFoundError:
        return None


def _relations(entry: ReportEntry, article_id: str) -> list[dict[str, Any]]:
    """The copy links of one article: what it copies, and what copies it."""
    articles = {str(a.get("id")): a for a in entry.report.get("articles") or []}
    out = []
    for link in entry.report.get("copies") or []:
        kind = link.get("kind")
        for mine, theirs, relation in (("copy", "of", f"a {kind} of"), ("of", "copy", f"its {kind}:")):
            if link.get(mine) == article_id and str(link.get(theirs)) in articles:
                other = articles[str(link.get(theirs))]
                what = "a sibling (a rewrite of the same report) of" if kind == "sibling" else relation
                out.append(
                    {
                        "what": what.capitalize(),
                        "id": other.get("id"),
                        "title": other.get("title"),
                        "outlet": other.get("outlet"),
                    }
                )
    return out


@router.get("/ingest")
def ingest_page(request: Request) -> Response:
    """The form to paste text, give URLs or upload files."""
    return _ingest_form(request)


def _ingest_form(
    request: Request, status: int = 200, error: str | None = None, form: dict[str, str] | None = None
) -> Response:
    site = site_of(request)
    blank = dict.fromkeys(("text", "title", "outlet", "published", "url", "urls"), "")
    return render_page(
        request,
        "ingest.html",
        status_code=status,
        error=error,
        form={**blank, **(form or {})},
        max_files=site.options.max_files,
        max_body=site.options.max_body,
    )


@router.post("/ingest")
async def ingest_submit(
    request: Request,
    token: Annotated[str, Form(max_length=1000)] = "",
    text: Annotated[str, Form(max_length=1_000_000)] = "",
    title: Annotated[str, Form(max_length=1000)] = "",
    outlet: Annotated[str, Form(max_length=200)] = "",
    published: Annotated[str, Form(max_length=40)] = "",
    url: Annotated[str, Form(max_length=2000)] = "",
    urls: Annotated[str, Form(max_length=100_000)] = "",
    files: Annotated[list[UploadFile] | None, File()] = None,
) -> Response:
    """Start an ingest (needs the token: the form's field or an Authorization header) and go to
    its progress page."""
    site = site_of(request)
    form = {"text": text, "title": title, "outlet": outlet, "published": published, "url": url, "urls": urls}
    given = token or request.headers.get("authorization", "").removeprefix("Bearer ").strip()
    if not site.writable:
        return _ingest_form(
            request, 403, "adding articles is disabled: start the server with STORYLINE_TOKEN set", form
        )
    if not site.token_ok(given):
        return _ingest_form(request, 401, "the access token is missing or wrong", form)
    uploads = [(f.filename or "upload.txt", await f.read()) for f in files or [] if f.filename]
    pasted = (
        [
            PastedArticle(
                text=text, title=title or None, outlet=outlet or None, published=published or None, url=url or None
            )
        ]
        if text.strip()
        else []
    )
    job_request = IngestRequest(
        articles=pasted, urls=[u.strip() for u in urls.splitlines() if u.strip()], files=uploads
    )
    try:
        job = await run_in_threadpool(site.start_job, job_request)
    except OptionsError as exc:
        return _ingest_form(request, 400, str(exc), form)
    return RedirectResponse(f"/ingest/jobs/{job.id}", status_code=303)


@router.get("/ingest/jobs/{job_id}")
def job_page(request: Request, job_id: Annotated[str, Path(max_length=40)]) -> Response:
    """The progress of an ingest, refreshing itself until it is done."""
    job = site_of(request).jobs.get(job_id)
    if job is None:
        raise HTTPException(404, "no such ingest job (jobs are kept in memory, the last 50)")
    return render_page(request, "job.html", job=job, counts=job.counts())


# -- outlets (docs/outlets.md) -----------------------------------------------------------------------

OUTLET_COLUMNS = {
    "name": "Outlet",
    "articles": "Articles",
    "stories": "Stories",
    "first": "First to report",
    "copies": "Copies and rewrites",
    "credited": "Credits upstream",
    "altered": "Altered quotes",
    "lone": "Stands alone",
}
OutletSort = Literal["name", "articles", "stories", "first", "copies", "credited", "altered", "lone"]


def _credited(p: OutletProfile) -> float:
    total = p.attribution["credited"] + p.attribution["uncredited"]
    return p.attribution["credited"] / total if total else -1.0


_SORT_KEYS: dict[str, Callable[[OutletProfile], Any]] = {
    "name": lambda p: p.name.casefold(),
    "articles": lambda p: p.articles,
    "stories": lambda p: p.stories,
    "first": lambda p: p.first_to_report,
    "copies": lambda p: p.originality["copies"] + p.originality["rewrites"],
    "credited": _credited,
    "altered": lambda p: p.quote_fidelity["altered"],
    "lone": lambda p: p.lone_conflicts,
}


@router.get("/outlets")
def outlets_page(
    request: Request, sort: Annotated[OutletSort, Query()] = "articles", order: Annotated[Order, Query()] = "desc"
) -> Response:
    """Every outlet's profile in a table sorted by any column (the headings are links: no script);
    made once per outlets stamp and order."""
    site = site_of(request)

    def make() -> bytes:
        profiles = services.outlet_profiles(site.store)
        ordered = sorted(profiles, key=lambda p: p.name.casefold())
        ordered.sort(key=_SORT_KEYS[sort], reverse=order == "desc")
        page = render_page(
            request,
            "outlets.html",
            profiles=ordered,
            columns=OUTLET_COLUMNS,
            sort=sort,
            order=order,
            total=sum(p.articles for p in profiles),
            analysed=sum(p.analysed for p in profiles),
        )
        return bytes(page.body)

    body = site.outlet_page((services.outlets_stamp(site.store), "page", sort, order), make)
    return Response(body, media_type="text/html; charset=utf-8")


@router.get("/outlets/{name:path}")
def outlet_page(request: Request, name: Annotated[str, Path(min_length=1, max_length=300)]) -> Response:
    """One outlet: its profile, who it copies and who copies it, and the evidence of every figure
    (made once per outlets stamp)."""
    site = site_of(request)
    profile = services.outlet_profile(site.store, name)

    def make() -> bytes:
        return bytes(render_page(request, "outlet.html", p=profile).body)

    body = site.outlet_page((services.outlets_stamp(site.store), "outlet", profile.name), make)
    return Response(body, media_type="text/html; charset=utf-8")
