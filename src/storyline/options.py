"""Every options class, in one place: what the command line, the web app and library users build.

Each lives beside the stage it configures (frozen, keyword-only, validated: an impossible value
raises :class:`storyline.errors.OptionsError` saying the fix); this module only re-exports them,
so that the entry points (`storyline.cli`, `storyline.web`) never import a stage's module.
"""

from __future__ import annotations

from storyline.analysis.claims import ClaimOptions
from storyline.analysis.copies import CopyOptions
from storyline.analysis.report import ReportOptions
from storyline.analysis.summarize import SummaryOptions
from storyline.ingest.extract import ExtractOptions
from storyline.ingest.fetch import FetchOptions
from storyline.ingest.local import IngestOptions
from storyline.ingest.watch import WatchOptions
from storyline.stories.builder import StoryOptions
from storyline.stories.cluster import ClusterOptions
from storyline.stories.features import FeatureOptions

__all__ = [
    "ClaimOptions",
    "ClusterOptions",
    "CopyOptions",
    "ExtractOptions",
    "FeatureOptions",
    "FetchOptions",
    "IngestOptions",
    "ReportOptions",
    "StoryOptions",
    "SummaryOptions",
    "WatchOptions",
]
