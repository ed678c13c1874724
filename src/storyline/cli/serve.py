"""The `serve` command: the web pages and the JSON API over a store."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from storyline.store import resolve_db_url

from ._common import app, db_url, err

__all__ = ["serve_cmd"]


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
    import uvicorn

    from storyline.web import TOKEN_ENV_VAR, create_app  # FastAPI is imported only to serve

    web = create_app(resolve_db_url(db or db_url(ctx)))
    writes = "adding articles needs the token" if os.environ.get(TOKEN_ENV_VAR, "").strip() else "read-only"
    err.print(f"serving http://{host}:{port}/ ({writes}; Ctrl-C stops)")
    uvicorn.run(web, host=host, port=port, log_level="warning", server_header=False)
