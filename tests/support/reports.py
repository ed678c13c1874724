"""Reports built with the models forbidden: proof that the per-article work was done beforehand."""

from __future__ import annotations

from typing import Any

import pytest

import storyline.analysis.quotes
import storyline.stories.embed
from storyline.services import build_report
from storyline.store import open_store


def report_without_models(db_url: str, monkeypatch: pytest.MonkeyPatch, why: str, story: int = 1) -> dict[str, Any]:
    """The JSON report of `story`, failing the test with `why` if it loads spaCy or MiniLM."""

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError(f"a model was loaded although {why}")

    monkeypatch.setattr(storyline.analysis.quotes, "load_parser", refuse)
    monkeypatch.setattr(storyline.stories.embed, "default_embedder", refuse)
    store = open_store(db_url)
    try:
        return build_report(store, story).to_json()
    finally:
        store.close()
