"""The web UI and JSON API over a store: ``storyline serve``, or ``create_app`` in your own server.

Pages (server-rendered, no JavaScript needed): ``/`` stories with search and filters,
``/stories/{id}`` a story's report, ``/articles/{id}`` an article with its evidence highlighted,
``/ingest`` adding articles (with the token). API: ``/api/stories``, ``/api/stories/{id}``,
``/api/articles/{id}``, ``/api/search``, ``POST /api/articles``; its OpenAPI document is
``/api/openapi.json``. See ``docs/web.md``.
"""

from __future__ import annotations

from .app import CSP, TOKEN_ENV_VAR, create_app
from .service import WebOptions

__all__ = ["CSP", "TOKEN_ENV_VAR", "WebOptions", "create_app"]
