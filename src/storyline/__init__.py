"""Storyline: turn a pile of news articles into stories you can trust.

The library in a few names::

    import storyline

    store = storyline.open_store("sqlite:///news.db")
    result = storyline.ingest(["examples/seeds"], store)     # read, store, group into stories
    story = store.list_stories()[0]                          # most recently active first
    report = storyline.build_report(store, story.id)         # claims, conflicts, quotes, timeline
    print(report.to_json()["summary"])

Everything else is one import further: the options classes in :mod:`storyline.options`, the
records in :mod:`storyline.model`, every exception in :mod:`storyline.errors`, the composition
root in :mod:`storyline.services` (see docs/architecture.md).
"""

from __future__ import annotations

from storyline._version import __version__
from storyline.errors import NotFoundError, OptionsError, StorylineError
from storyline.model import Article, IngestReport, Story
from storyline.options import IngestOptions, ReportOptions, StoryOptions
from storyline.services import (
    IngestResult,
    StoryReport,
    build_report,
    ingest,
    open_store,
    story_copies,
    story_quotes,
)

__all__ = [
    "Article",
    "IngestOptions",
    "IngestReport",
    "IngestResult",
    "NotFoundError",
    "OptionsError",
    "ReportOptions",
    "Story",
    "StoryOptions",
    "StoryReport",
    "StorylineError",
    "__version__",
    "build_report",
    "ingest",
    "open_store",
    "story_copies",
    "story_quotes",
]
