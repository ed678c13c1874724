"""The story report: one record with everything Storyline knows about a story, with evidence.

This is the one place that wires the analysis stages together for a story: copies and upstream
sources (`copies`, `upstream`), quotes (`quotes`, `quotealign`, cached per article in the store),
claims and their independent support (`claims`), facts (`facts`), conflicts (`conflicts`, with an optional NLI
model from `nli`), the timeline (`timeline`) and the cited summary (`summarize`, with an optional
LLM rewrite). Each stage is a pure function of the story's articles, and so is :func:`analyse`:
it takes the story, its articles and their quote mentions and never reads the store
(:func:`storyline.services.build_report` reads them and calls it). The JSON form is documented in `docs/report.md` and
`docs/report-schema.json`; `storyline.render` turns it into Markdown or a self-contained HTML file.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..model import Article, Evidence, Story, Upstream
from ..stories.embed import EmbedFunction
from .claims import ClaimGroup, ClaimOptions, article_units, embed_units, group_claims
from .conflicts import Conflict, find_conflicts
from .copies import CopyLink, find_copies, source_groups
from .dates import DateMention, find_dates
from .facts import Fact, FactMention, find_facts
from .nli import NliModel, contradiction
from .quotealign import Quote, align_quotes
from .quotes import QuoteMention
from .summarize import SummaryOptions, SummarySentence, rewrite_with_llm, summarize
from .timeline import TimelineEvent, build_timeline
from .upstream import by_name, find_upstream

__all__ = ["ReportOptions", "StoryReport", "analyse"]


@dataclass(frozen=True, slots=True, kw_only=True)
class ReportOptions:
    """How a report is made.

    Attributes:
        claims: claim alignment thresholds.
        summary: summary length and redundancy.
        nli_model: a directory with an ONNX NLI cross-encoder (model.onnx, tokenizer.json,
            config.json) to score contradictions; None: cue lexicons only.
        llm_url: an OpenAI-compatible endpoint to rewrite the summary; None: extractive only.
        llm_model: the model name to ask the endpoint for.
    """

    claims: ClaimOptions = field(default_factory=ClaimOptions)
    summary: SummaryOptions = field(default_factory=SummaryOptions)
    nli_model: Path | None = None
    llm_url: str | None = None
    llm_model: str = "default"


@dataclass(frozen=True, slots=True)
class StoryReport:
    """Everything about one story: articles, copies, sources, claims, conflicts, quotes, timeline,
    facts (see `storyline.analysis.facts`), summary."""

    story: Story
    articles: tuple[Article, ...]
    copies: tuple[CopyLink, ...]
    sources: dict[str, list[Upstream]]
    claims: tuple[ClaimGroup, ...]
    conflicts: tuple[Conflict, ...]
    quotes: tuple[Quote, ...]
    timeline: tuple[TimelineEvent, ...]
    summary: tuple[SummarySentence, ...]
    generated_at: dt.datetime
    options: dict[str, Any]
    facts: tuple[Fact, ...] = ()
    independent_sources: int = 0  # the story's articles with copies, siblings and one outlet's articles counted once

    def to_json(self) -> dict[str, Any]:
        """The report as JSON-ready data (see docs/report.md)."""
        copy_of = {link.copy: link.of for link in self.copies if link.kind != "sibling"}
        duplicates = {a.external_id: a.duplicate_of for a in self.story.articles if a.duplicate_of}
        story = self.story.to_json()
        story.pop("articles", None)
        texts = {a.external_id: a.text for a in self.articles}
        return {
            "story": story,
            "articles": [
                {
                    "id": a.external_id,
                    "title": a.title,
                    "outlet": a.outlet,
                    "published": a.published.isoformat() if a.published else None,
                    "url": a.url,
                    "words": a.word_count,
                    "text": a.text,
                    "copy_of": copy_of.get(a.external_id),
                    "duplicate_of": duplicates.get(a.external_id),
                }
                for a in self.articles
            ],
            "copies": [c.to_json() for c in self.copies],
            "sources": [
                {
                    "name": name,
                    "cited_by": list(dict.fromkeys(m.article_id for m in mentions)),
                    "mentions": [_upstream_evidence(m, texts.get(m.article_id, "")) for m in mentions],
                }
                for name, mentions in self.sources.items()
            ],
            "claims": [g.to_json() for g in self.claims],
            "conflicts": [c.to_json() for c in self.conflicts],
            "quotes": [q.to_json() for q in self.quotes],
            "timeline": [e.to_json() for e in self.timeline],
            "facts": [f.to_json() for f in self.facts],
            "summary": [s.to_json() for s in self.summary],
            "independent_sources": self.independent_sources,
            "generated_at": self.generated_at.isoformat(timespec="seconds"),
            "options": self.options,
        }


def _upstream_evidence(m: Upstream, text: str) -> dict[str, Any]:
    """Where an upstream report is cited: the span of its name in the citing sentence."""
    return {
        "name": m.name,
        "article": m.article_id,
        "sentence": m.sentence,
        "start": m.start,
        "end": m.end,
        "text": text[m.start : m.end],
    }


def analyse(
    story: Story,
    articles: Sequence[Article],
    options: ReportOptions,
    *,
    embed: EmbedFunction,
    nli: NliModel | None,
    mentions: Sequence[QuoteMention],
    fact_mentions: Sequence[FactMention] | None = None,
) -> StoryReport:
    """The report of a story from its articles and their quote mentions (the stages in order)."""
    links = find_copies(articles, embed)
    sources = source_groups(articles, links)
    anchor = story.last_seen or max((a.published for a in articles if a.published), default=None)
    quotes = align_quotes(mentions, embed=embed)
    upstream = {a.external_id: find_upstream(a) for a in articles}
    units = [u for a in articles for u in article_units(a, options.claims, upstream=upstream[a.external_id])]
    groups = group_claims(units, embed_units(units, embed), sources, options.claims)
    dates = {a.external_id: find_dates(a, anchor) for a in articles}
    facts = find_facts(articles, fact_mentions, anchor=anchor)
    conflicts = find_conflicts(
        articles,
        groups,
        mentions,
        embed=lambda texts: np.asarray(embed(texts), dtype=np.float32),
        date_of=lambda e: _date_of(dates.get(e.article, []), e),
        contradiction=(lambda a, b: contradiction(nli, a, b)) if nli is not None else None,
        facts=facts,
    )
    timeline = build_timeline(articles, anchor, embed)
    summary = summarize(
        groups, conflicts, lambda texts: np.asarray(embed(texts), dtype=np.float32), options.summary, facts
    )
    if options.llm_url:
        summary = rewrite_with_llm(summary, options.llm_url, model=options.llm_model)
    return StoryReport(
        story=story,
        articles=tuple(articles),
        copies=tuple(links),
        sources=by_name(m for a in articles for m in upstream[a.external_id]),
        claims=tuple(groups),
        conflicts=tuple(conflicts),
        quotes=tuple(quotes),
        timeline=tuple(timeline),
        summary=tuple(summary),
        facts=tuple(facts),
        independent_sources=len(set(sources.values())),
        generated_at=dt.datetime.now(dt.UTC),
        options={
            "claims": {"link": options.claims.link, "link_with_names": options.claims.link_with_names},
            "nli_model": str(options.nli_model) if options.nli_model else None,
            "llm_url": options.llm_url,
        },
    )


def _date_of(mentions: Sequence[DateMention], evidence: Evidence) -> str | None:
    """The date an occurrence gives its fact: the one date expression inside its span (None when it
    has none, or several: "In December, the Times reported that he began in September")."""
    inside = {m.iso for m in mentions if evidence.start <= m.start < evidence.end}
    return inside.pop() if len(inside) == 1 else None
