"""The FastAPI application: server-rendered pages, the JSON API under /api/, static files.

:func:`create_app` wires the store, the pages (:mod:`storyline.web.pages`), the API
(:mod:`storyline.web.api`) and what every response gets:

- a Content-Security-Policy that allows no inline script or style and nothing from elsewhere
  (the pages need no JavaScript; the downloadable HTML report keeps its own, stricter policy),
  with `nosniff`, no referrer and no framing;
- request bodies capped (413 beyond :attr:`WebOptions.max_body`);
- errors as ``{"error": message}`` under /api/ and as a page elsewhere, never a traceback:
  unknown ids are 404, bad input 400 or 422, a missing or wrong token 401, writes on a server
  without a token 403, anything unexpected 500 (logged on the server).
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, PackageLoader, StrictUndefined
from starlette.exceptions import HTTPException as StarletteHTTPException

from storyline._version import __version__
from storyline.errors import NotFoundError, OptionsError, StoreError, StorylineError
from storyline.store import Store, open_store

from .service import Site, WebOptions
from .views import KINDS, article_url, cite_url, outlet_url, quote_diff, snippet_html

log = logging.getLogger(__name__)

__all__ = ["CSP", "TOKEN_ENV_VAR", "create_app"]

TOKEN_ENV_VAR = "STORYLINE_TOKEN"
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
STATIC = Path(__file__).parent / "static"

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def create_app(
    store_url: str | None = None,
    *,
    token: str | None = None,
    options: WebOptions | None = None,
    store: Store | None = None,
) -> FastAPI:
    """The web app over a store.

    Args:
        store_url: the database URL (default: `$STORYLINE_DB`, else ./storyline.db).
        token: the bearer token writes need; None reads `$STORYLINE_TOKEN`; "" (or an unset
            variable) disables every write.
        options: limits and behaviour (page sizes, body cap, background reports).
        store: an open store to use instead of opening `store_url` (closed with the app).

    Usable as ``uvicorn --factory storyline.web:create_app`` and with FastAPI's TestClient.
    """
    options = options or WebOptions()
    if token is None:
        token = os.environ.get(TOKEN_ENV_VAR, "")
    site = Site(store or open_store(store_url), token.strip() or None, options)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        site.close()

    app = FastAPI(
        title="Storyline",
        version=__version__,
        description="Stories, articles and full-text search over a Storyline store. "
        "Errors are JSON objects with an `error` message. Writes need `Authorization: Bearer <token>`.",
        openapi_url="/api/openapi.json",
        docs_url=None,  # Swagger and ReDoc load scripts from elsewhere: the CSP forbids it
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.site = site
    app.state.templates = _templates()
    _errors(app)

    from .api import router as api_router
    from .pages import router as pages_router

    app.include_router(api_router)
    app.include_router(pages_router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_middleware(_Guard, max_body=options.max_body)
    return app


def _templates() -> Environment:
    env = Environment(
        loader=PackageLoader("storyline.web", "templates"),
        autoescape=True,  # every value is escaped unless a helper returned Markup it escaped itself
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(
        article_url=article_url, cite_url=cite_url, outlet_url=outlet_url, kinds=KINDS, version=__version__
    )
    env.filters.update(quote_diff=quote_diff, snippet=snippet_html)
    return env


def render_page(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """A page from a template, with what every page needs."""
    env: Environment = request.app.state.templates
    site: Site = request.app.state.site
    html = env.get_template(template).render(request_path=request.url.path, writable=site.writable, **context)
    return HTMLResponse(html, status_code=status_code)


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/api"


def error_response(request: Request, status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    """An error as JSON under /api/, as a page elsewhere."""
    message = " ".join(message.split())[:1000] or "error"
    if _is_api(request):
        return JSONResponse({"error": message}, status_code=status, headers=headers)
    response = render_page(request, "error.html", status_code=status, status=status, message=message)
    if headers:
        response.headers.update(headers)
    return response


def _errors(app: FastAPI) -> None:
    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        detail = exc.detail if isinstance(exc.detail, str) else json.dumps(exc.detail)
        return error_response(request, exc.status_code, detail, dict(exc.headers or {}))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        return error_response(request, 422, _validation_message(exc))

    @app.exception_handler(StorylineError)
    async def storyline_error(request: Request, exc: StorylineError) -> Response:
        if isinstance(exc, NotFoundError):
            status = 404
        elif isinstance(exc, OptionsError):
            status = 400
        elif isinstance(exc, StoreError):
            log.error("store error on %s: %s", request.url.path, exc)
            status = 503
        else:
            status = 400
        return error_response(request, status, str(exc))


def _validation_message(exc: RequestValidationError) -> str:
    parts = []
    for error in exc.errors()[:5]:
        where = ".".join(str(p) for p in error.get("loc", ()) if p not in ("query", "body", "path", "header"))
        parts.append(f"{where or 'request'}: {error.get('msg', 'invalid')}")
    return "; ".join(parts) or "invalid request"


class _Guard:
    """Outermost middleware: security headers on every response, request bodies capped, and any
    unexpected exception turned into a 500 error without a traceback."""

    def __init__(self, app: ASGIApp, max_body: int) -> None:
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_secured(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = list(message.get("headers", []))
                names = {k.lower() for k, _v in headers}
                for name, value in _SECURITY_HEADERS:
                    if name not in names:
                        headers.append((name, value))
                message["headers"] = headers
            await send(message)

        replay = receive
        if scope.get("method") in {"POST", "PUT", "PATCH"}:
            body = await self._read_body(scope, receive)
            if body is None:
                await _plain_error(scope, send_secured, 413, f"request body over the {self.max_body:,} byte limit")
                return
            replay = _replay(body, receive)
        try:
            await self.app(scope, replay, send_secured)
        except Exception:
            log.exception("unexpected error on %s %s", scope.get("method"), scope.get("path"))
            if not started:
                await _plain_error(scope, send_secured, 500, "internal error: the server log has the details")

    async def _read_body(self, scope: Scope, receive: Receive) -> bytes | None:
        """The whole body of the request (None when it is over the cap)."""
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared and declared.isascii() and declared.isdigit() and int(declared) > self.max_body:
            return None
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body:
                return None
            chunks.append(chunk)
            if not message.get("more_body"):
                break
        return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


async def _plain_error(scope: Scope, send: Send, status: int, message: str) -> None:
    """An error answered below the framework (body too large, unexpected failure): JSON for all."""
    payload = json.dumps({"error": message}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})


_SECURITY_HEADERS = (
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
)
