"""Records of outlets: who published an article, and what an outlet did across the stored stories.

An article's :class:`ArticleOutlet` is what its own metadata says (site name, URL domain, byline
agency); :class:`ArticleFacts` is what one story's report found about it (copy or original, credits,
quote fidelity, conflicts it stands alone in). :class:`OutletProfile` adds them up per outlet.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from .serial import OMIT_EMPTY, SKIP, Record

__all__ = [
    "UNKNOWN_OUTLET",
    "ArticleFacts",
    "ArticleOutlet",
    "CopiedFrom",
    "Coverage",
    "FactSums",
    "IdentityVia",
    "Originality",
    "OutletArticleRow",
    "OutletFileLoad",
    "OutletMetadata",
    "OutletProfile",
    "OutletRow",
]

#: The outlet entry of articles that say nothing about their publisher (no site name, no URL, no byline).
UNKNOWN_OUTLET = "unknown"

IdentityVia = Literal["site", "domain", "byline", "unknown"]
Originality = Literal["original", "copy", "rewrite"]


@dataclass(frozen=True, slots=True)
class ArticleOutlet(Record):
    """Who published one article, as its own metadata tells.

    Attributes:
        article_id: the article's row id.
        name: the publisher's name as written (site name, or the agency of a byline), None when none.
        name_key: `name` folded for comparison ("The Moscow Times" and "moscow times" agree).
        domain: the registrable domain of its URL ("www.bbc.co.uk" -> "bbc.co.uk"), None without a URL.
        via: what gave the identity: its site name, its URL, a byline agency, or nothing.
        wire: the agency its dateline or byline names when its outlet is known otherwise ("WASHINGTON
            (AP) —" in a Breitbart article): a wire copy.
        published: the article's date, and `language` its language, kept beside the identity so that
            profiles are summed over this small table without reading the articles.
    """

    article_id: int
    name: str | None
    name_key: str | None
    domain: str | None
    via: IdentityVia
    wire: str | None = None
    published: dt.date | None = None
    language: str | None = None


@dataclass(frozen=True, slots=True)
class ArticleFacts(Record):
    """What one story's report found about one of its articles, for its outlet's profile.

    Attributes:
        article_id: the article's row id.
        story_id: the story whose report found it.
        originality: original, a copy (verbatim or trimmed) or a rewrite (paraphrase) of another article.
        copy_of: the row id of the article it copies or rewrites (None when original).
        credited: its copied or echoed claims that credit the upstream report.
        uncredited: those that do not.
        verbatim, partial, altered, paraphrased: its quote occurrences by fidelity.
        lone_conflicts: conflicts where its outlet alone stands against two or more other outlets.
        evidence: JSON lists `copies`, `claims`, `quotes`, `conflicts` (article, sentence, span, text).
    """

    article_id: int
    story_id: int
    originality: Originality = "original"
    copy_of: int | None = None
    credited: int = 0
    uncredited: int = 0
    verbatim: int = 0
    partial: int = 0
    altered: int = 0
    paraphrased: int = 0
    lone_conflicts: int = 0
    evidence: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class OutletMetadata(Record):
    """One outlet as the user's outlet file describes it (`--outlets FILE`).

    Attributes:
        name: the outlet's name as the file gives it (None when the row gives only a domain).
        domains: its domains, registrable part ("bbc.co.uk").
        aliases: other names and domains folded into it.
        columns: every other column (country, language, owner, ratings), as strings.
        line: the file's line (CSV) or item number (JSON), for messages.
    """

    name: str | None
    domains: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    columns: dict[str, str] = field(default_factory=dict)
    line: int = field(default=0, metadata=SKIP)


@dataclass(frozen=True, slots=True)
class OutletProfile(Record):
    """What an outlet did across the stored stories (the JSON contract of `storyline outlets`).

    The figures from reports (`originality` beyond `original`, `attribution`, `quote_fidelity`,
    `lone_conflicts`) cover the `analysed` articles: those whose story had a report made.
    `evidence` is filled only for one outlet (`storyline outlet NAME`, `/api/outlets/{name}`).
    """

    name: str
    domains: tuple[str, ...]
    articles: int
    stories: int
    first_to_report: int
    originality: dict[str, Any]
    attribution: dict[str, int]
    quote_fidelity: dict[str, int]
    lone_conflicts: int
    languages: dict[str, int]
    first_seen: dt.date | None
    last_seen: dt.date | None
    metadata: dict[str, str]
    analysed: int = 0
    evidence: dict[str, Any] = field(default_factory=dict, metadata=OMIT_EMPTY)

    @classmethod
    def from_json(cls, data: Mapping[str, Any], **missing: Any) -> OutletProfile:
        """:meth:`Record.from_json`, written out: a listing reads hundreds of profiles back from the
        store's cache, and the generic decoder (type hints per field) took 80 ms for 239 of them."""
        day = dt.date.fromisoformat
        return cls(
            name=data["name"],
            domains=tuple(data["domains"]),
            articles=data["articles"],
            stories=data["stories"],
            first_to_report=data["first_to_report"],
            originality=data["originality"],
            attribution=data["attribution"],
            quote_fidelity=data["quote_fidelity"],
            lone_conflicts=data["lone_conflicts"],
            languages=data["languages"],
            first_seen=day(data["first_seen"]) if data.get("first_seen") else None,
            last_seen=day(data["last_seen"]) if data.get("last_seen") else None,
            metadata=data["metadata"],
            analysed=data.get("analysed", 0),
            evidence=data.get("evidence") or {},
        )


@dataclass(frozen=True, slots=True)
class OutletFileLoad(Record):
    """What loading an outlet file did: the rows kept, the extra columns, the warnings counted."""

    rows: int
    columns: tuple[str, ...]
    warnings: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Coverage(Record):
    """A story's independent sources broken down by one metadata column.

    Attributes:
        column: the column ("country", "owner", a rating).
        sources: independent sources of the story (copies of one report counted once).
        values: each value with the outlets whose sources have it, most sources first.
        unknown: outlets with no value for the column (not in the file, or the cell empty).
        top_share: the largest value's share of all sources (0 when none has a value).
        blindspot: the value held by at least `threshold` of the sources, when one is.
        threshold: the share that makes a blindspot (0.8).
    """

    column: str
    sources: int
    values: dict[str, list[str]]
    unknown: list[str]
    top_share: float
    blindspot: str | None
    threshold: float


# -- what the store hands back for profiles (one row per group; names and domains as stored) -----


@dataclass(frozen=True, slots=True)
class OutletRow:
    """Stored articles of one (folded name, name as written, domain, story, language) group."""

    name_key: str | None
    name: str | None
    domain: str | None
    story_id: int | None
    language: str | None
    articles: int
    first: dt.date | None
    last: dt.date | None


@dataclass(frozen=True, slots=True)
class FactSums:
    """Report findings summed over the analysed articles of one (folded name, domain) pair."""

    name_key: str | None
    domain: str | None
    analysed: int
    copies: int
    rewrites: int
    credited: int
    uncredited: int
    verbatim: int
    partial: int
    altered: int
    paraphrased: int
    lone_conflicts: int


@dataclass(frozen=True, slots=True)
class CopiedFrom:
    """How many articles of one (folded name, domain) copy or rewrite articles of another."""

    name_key: str | None
    domain: str | None
    of_name_key: str | None
    of_domain: str | None
    articles: int


@dataclass(frozen=True, slots=True)
class OutletArticleRow:
    """One stored article as an outlet's page lists it: its identity, story, and report findings.

    `copy_of` is the external id of the article it copies or rewrites, with that article's folded
    name and domain (to name its outlet).
    """

    external_id: str
    title: str | None
    published: dt.date | None
    story_id: int | None
    name_key: str | None
    domain: str | None
    facts: ArticleFacts | None = None
    wire: str | None = None
    copy_of: str | None = None
    copy_of_key: str | None = None
    copy_of_domain: str | None = None
