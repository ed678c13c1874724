"""Every record that crosses a stage or is serialised, with one JSON form derived from its fields.

- :mod:`.inputs`: an input before extraction (RawDocument, Hints) and what became of it (Rejected,
  IngestOutcome, IngestReport);
- :mod:`.articles`: Article, Story and StoryArticle, Upstream (a cited upstream report), Evidence;
- :mod:`.serial`: :class:`Record`, the base whose ``to_json``/``from_json`` are derived from the fields.

The records of a story's report (copies, claims, conflicts, quotes, timeline, summary) are defined
beside the stage that makes them and use the same base.
"""

from .articles import Article, Evidence, Story, StoryArticle, Upstream
from .inputs import DocumentKind, Hints, IngestOutcome, IngestReport, IngestStatus, RawDocument, Rejected
from .serial import Record

__all__ = [
    "Article",
    "DocumentKind",
    "Evidence",
    "Hints",
    "IngestOutcome",
    "IngestReport",
    "IngestStatus",
    "RawDocument",
    "Record",
    "Rejected",
    "Story",
    "StoryArticle",
    "Upstream",
]
