"""Outlet profiles: what each outlet did, added up from the store and the stories' reports.

**Per story, when its report is made** (:func:`article_facts`): for each article, whether it is an
original, a copy (verbatim or trimmed) or a rewrite (paraphrase) of another stored article; its
copied or echoed claims (claims resting on an upstream report, and claims it shares with the article
it copies) and whether each credits the upstream report in its sentence; its occurrences of quotes two
or more articles carry, by fidelity (verbatim, partial, altered, paraphrased); and the conflicts where
its outlet stands alone: one side carried by its outlet only, the other by at least two other outlets.
Each figure keeps its evidence (article, sentence, character span, text). It reads the report's JSON
form (docs/report.md), the documented contract, so that it holds while the stages change inside.

**Per outlet, when asked** (:func:`build_profiles`): the stored articles and stories by outlet
(:class:`~storyline.analysis.outlets.identity.OutletIndex`), how often it was first to report a story
that two or more outlets carried (ties on the day count for each), languages, time span, and the
report figures summed over its analysed articles.

**Per story, for the user's columns** (:func:`coverage`): its independent sources (copies of one
report counted once) by one column of the outlet file, and a blindspot when one value holds at
least 80% of them.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ...model.outlets import (
    UNKNOWN_OUTLET,
    ArticleFacts,
    CopiedFrom,
    Coverage,
    FactSums,
    Originality,
    OutletArticleRow,
    OutletProfile,
    OutletRow,
)
from ..copies import group_sources
from .identity import OutletIndex, name_key

__all__ = ["BLINDSPOT_SHARE", "article_facts", "build_profiles", "coverage", "profile_evidence"]

#: The share of a story's independent sources with one value that makes a blindspot.
BLINDSPOT_SHARE = 0.8
_REWRITE = {"paraphrase"}
_COPY = {"verbatim", "trimmed"}
_FIDELITY = ("verbatim", "partial", "altered", "paraphrased")


# -- per story, from its report ---------------------------------------------------------------------


@dataclass(slots=True)
class _Acc:
    originality: Originality = "original"
    copy_of: int | None = None
    share: float = 0.0
    counts: Counter[str] = field(default_factory=Counter)
    evidence: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))


def article_facts(
    report: Mapping[str, Any], row_ids: Mapping[str, int], outlet_of: Mapping[str, str], story_id: int
) -> list[ArticleFacts]:
    """What a story's report found about each of its articles.

    Args:
        report: the report's JSON form (`StoryReport.to_json()`).
        row_ids: each article's row id by external id (articles without one are left out).
        outlet_of: each article's outlet by external id; articles of no known outlet get one of their
            own (so two unknown articles never make one outlet).
        story_id: the story the report is of.
    """
    acc = {ext: _Acc() for ext in row_ids}
    _copies(report.get("copies") or [], row_ids, acc)
    _claims(report, acc)
    _quotes(report.get("quotes") or [], acc)
    _conflicts(report.get("conflicts") or [], outlet_of, acc)
    return [
        ArticleFacts(
            article_id=row_ids[ext],
            story_id=story_id,
            originality=a.originality,
            copy_of=a.copy_of,
            credited=a.counts["credited"],
            uncredited=a.counts["uncredited"],
            verbatim=a.counts["verbatim"],
            partial=a.counts["partial"],
            altered=a.counts["altered"],
            paraphrased=a.counts["paraphrased"],
            lone_conflicts=a.counts["lone_conflicts"],
            evidence=dict(a.evidence),
        )
        for ext, a in acc.items()
    ]


def _copies(copies: Iterable[Mapping[str, Any]], row_ids: Mapping[str, int], acc: dict[str, _Acc]) -> None:
    for link in copies:
        kind, copy, of = link.get("kind"), str(link.get("copy")), str(link.get("of"))
        if kind not in _COPY | _REWRITE or copy not in acc or of not in row_ids:
            continue
        a = acc[copy]
        share = float(link.get("share") or 0.0)
        if share >= a.share:
            a.originality, a.copy_of, a.share = ("rewrite" if kind in _REWRITE else "copy"), row_ids[of], share
        a.evidence["copies"].append({"article": copy, "of": of, "kind": kind, "share": share})


def _claims(report: Mapping[str, Any], acc: dict[str, _Acc]) -> None:
    copied_from = {str(c["copy"]): str(c["of"]) for c in report.get("copies") or [] if c.get("kind") != "sibling"}
    for group in report.get("claims") or []:
        upstream = group.get("attributed_to")
        carriers = {str(o.get("article")) for o in group.get("occurrences") or []}
        for occ in group.get("occurrences") or []:
            art = str(occ.get("article"))
            copied = copied_from.get(art) in carriers
            if art not in acc or not (upstream or copied):
                continue
            credited = bool(occ.get("attribution"))
            acc[art].counts["credited" if credited else "uncredited"] += 1
            acc[art].evidence["claims"].append(
                {
                    **_evidence(occ),
                    "claim": group.get("id"),
                    "credited": credited,
                    "upstream": upstream,
                    "copied_from": copied_from.get(art) if copied else None,
                }
            )


def _quotes(quotes: Iterable[Mapping[str, Any]], acc: dict[str, _Acc]) -> None:
    """Occurrences of the quotes two or more articles carry: fidelity is how one outlet's words
    compare with another's (a quote only one article has is nobody's verbatim)."""
    for quote in quotes:
        occurrences = quote.get("occurrences") or []
        if len({str(o.get("article")) for o in occurrences}) < 2:
            continue
        for occ in occurrences:
            art, fidelity = str(occ.get("article")), occ.get("fidelity")
            if art not in acc or fidelity not in _FIDELITY:
                continue
            acc[art].counts[str(fidelity)] += 1
            if fidelity != "verbatim":
                acc[art].evidence["quotes"].append(
                    {
                        "article": art,
                        "quote": quote.get("id"),
                        "speaker": quote.get("speaker"),
                        "fidelity": fidelity,
                        "quote_text": quote.get("text"),
                        "start": occ.get("start"),
                        "end": occ.get("end"),
                        "text": occ.get("text"),
                        "differences": list(occ.get("differences") or []),
                    }
                )


def _conflicts(conflicts: Iterable[Mapping[str, Any]], outlet_of: Mapping[str, str], acc: dict[str, _Acc]) -> None:
    def outlets(side: Mapping[str, Any]) -> dict[str, str]:
        """The side's outlets, each with its first article."""
        out: dict[str, str] = {}
        for e in side.get("evidence") or []:
            art = str(e.get("article"))
            out.setdefault(outlet_of.get(art) or f"{UNKNOWN_OUTLET}:{art}", art)
        return out

    for conflict in conflicts:
        a, b = outlets(conflict.get("a") or {}), outlets(conflict.get("b") or {})
        for alone, others, side in ((a, b, "a"), (b, a, "b")):
            if len(alone) != 1 or len(others.keys() - alone.keys()) < 2 or alone.keys() & others.keys():
                continue
            (art,) = alone.values()
            if art in acc:
                acc[art].counts["lone_conflicts"] += 1
                acc[art].evidence["conflicts"].append(
                    {
                        "article": art,
                        "conflict": conflict.get("id"),
                        "kind": conflict.get("kind"),
                        "description": conflict.get("description"),
                        "side": side,
                        "against": sorted(others),
                        "evidence": list((conflict.get(side) or {}).get("evidence") or []),
                    }
                )


def _evidence(occ: Mapping[str, Any]) -> dict[str, Any]:
    return {k: occ.get(k) for k in ("article", "sentence", "start", "end", "text")}


# -- per outlet, from the store ---------------------------------------------------------------------


@dataclass(slots=True)
class _Outlet:
    articles: int = 0
    stories: set[int] = field(default_factory=set)
    languages: Counter[str] = field(default_factory=Counter)
    domains: set[str] = field(default_factory=set)
    first: dt.date | None = None
    last: dt.date | None = None
    firsts: list[int] = field(default_factory=list)


def build_profiles(
    index: OutletIndex,
    rows: Iterable[OutletRow],
    sums: Iterable[FactSums] = (),
    copied: Iterable[CopiedFrom] = (),
    wires: Iterable[CopiedFrom] = (),
) -> list[OutletProfile]:
    """Every outlet's profile (most articles first) from the store's grouped rows.

    Every article counts for exactly one outlet: the one its site name, domain or byline names, or
    "unknown". `wires` are articles whose dateline names an agency other than their outlet ("(AP)"
    in a Breitbart article): copies of that agency's story, though the story is not stored.
    """
    outlets: dict[str, _Outlet] = defaultdict(_Outlet)
    story_dates: dict[int, dict[str, dt.date]] = defaultdict(dict)
    for r in rows:
        name = index.outlet_of(r.name_key, r.domain)
        o = outlets[name]
        o.articles += r.articles
        if r.story_id is not None:
            o.stories.add(r.story_id)
            if r.first is not None:
                dates = story_dates[r.story_id]
                dates[name] = min(dates.get(name, r.first), r.first)
        o.languages[r.language or "unknown"] += r.articles
        if r.domain:
            o.domains.add(r.domain)
        o.first = min((d for d in (o.first, r.first) if d), default=None)
        o.last = max((d for d in (o.last, r.last) if d), default=None)
    for story_id, dates in story_dates.items():
        if len(dates) >= 2:
            earliest = min(dates.values())
            for name, day in dates.items():
                if day == earliest:
                    outlets[name].firsts.append(story_id)
    totals = _sum_facts(index, sums)
    wire_rows = list(wires)
    sources = _sum_copied(index, [*copied, *_wire_copies(index, wire_rows)])
    for w in wire_rows:
        agency = _agency(index, w)
        outlet = index.outlet_of(w.name_key, w.domain)
        if agency != outlet:
            totals[outlet]["copies"] += w.articles
    return sorted(
        (_profile(index, name, o, totals.get(name, Counter()), sources.get(name, {})) for name, o in outlets.items()),
        key=lambda p: (-p.articles, p.name.casefold()),
    )


def _sum_facts(index: OutletIndex, sums: Iterable[FactSums]) -> dict[str, Counter[str]]:
    out: dict[str, Counter[str]] = defaultdict(Counter)
    for s in sums:
        c = out[index.outlet_of(s.name_key, s.domain)]
        for key in ("analysed", "copies", "rewrites", "credited", "uncredited", "lone_conflicts", *_FIDELITY):
            c[key] += int(getattr(s, key) or 0)
    return out


def _agency(index: OutletIndex, wire: CopiedFrom) -> str:
    return index.outlet_of(name_key(wire.of_name_key), None)


def _wire_copies(index: OutletIndex, wires: Iterable[CopiedFrom]) -> list[CopiedFrom]:
    """Wire rows as copies of the agency (those of the agency itself left out)."""
    out = []
    for w in wires:
        agency = _agency(index, w)
        if agency != index.outlet_of(w.name_key, w.domain):
            out.append(CopiedFrom(w.name_key, w.domain, name_key(agency), None, w.articles))
    return out


def _sum_copied(index: OutletIndex, copied: Iterable[CopiedFrom]) -> dict[str, dict[str, int]]:
    out: dict[str, Counter[str]] = defaultdict(Counter)
    for c in copied:
        out[index.outlet_of(c.name_key, c.domain)][index.outlet_of(c.of_name_key, c.of_domain)] += c.articles
    return {k: dict(v.most_common()) for k, v in out.items()}


def _profile(
    index: OutletIndex, name: str, o: _Outlet, facts: Counter[str], copied_from: dict[str, int]
) -> OutletProfile:
    meta = index.metadata.get(name)
    return OutletProfile(
        name=name,
        domains=tuple(sorted(o.domains | index.domains.get(name, set()))),
        articles=o.articles,
        stories=len(o.stories),
        first_to_report=len(o.firsts),
        originality={
            "original": o.articles - facts["copies"] - facts["rewrites"],
            "copies": facts["copies"],
            "rewrites": facts["rewrites"],
            "copied_from": copied_from,
        },
        attribution={"credited": facts["credited"], "uncredited": facts["uncredited"]},
        quote_fidelity={f: facts[f] for f in _FIDELITY},
        lone_conflicts=facts["lone_conflicts"],
        languages=dict(o.languages.most_common()),
        first_seen=o.first,
        last_seen=o.last,
        metadata=dict(meta.columns) if meta else {},
        analysed=facts["analysed"],
        evidence={"first_to_report": sorted(o.firsts)} if o.firsts else {},
    )


def profile_evidence(profile: OutletProfile, rows: Iterable[OutletArticleRow], index: OutletIndex) -> dict[str, Any]:
    """The evidence lists behind every figure of one outlet's profile, from rows of its candidate
    articles (rows of other outlets are left out)."""
    articles = [r for r in rows if index.outlet_of(r.name_key, r.domain) == profile.name]
    firsts = set(profile.evidence.get("first_to_report") or [])
    earliest: dict[int, OutletArticleRow] = {}
    for a in articles:
        story, day = a.story_id, a.published
        if story is None or story not in firsts or day is None:
            continue
        if story not in earliest or day < (earliest[story].published or day):
            earliest[story] = a
    ev: dict[str, list[Any]] = defaultdict(list)
    for a in articles:
        ev["articles"].append(
            {"id": a.external_id, "title": a.title, "published": _iso(a.published), "story": a.story_id}
        )
        f = a.facts
        wire = index.outlet_of(name_key(a.wire), None) if a.wire else None
        if wire and wire != profile.name and (f is None or f.originality == "original"):
            ev["copies"].append({"article": a.external_id, "kind": "wire", "of": None, "of_outlet": wire})
        if f is None:
            continue
        if f.originality != "original":
            ev["copies"].append(
                {
                    "article": a.external_id,
                    "kind": f.originality,
                    "of": a.copy_of,
                    "of_outlet": index.outlet_of(a.copy_of_key, a.copy_of_domain) if a.copy_of else None,
                }
                | _first(f.evidence.get("copies"))
            )
        ev["attribution"].extend(f.evidence.get("claims") or [])
        quotes = f.evidence.get("quotes") or []
        ev["altered_quotes"].extend(q for q in quotes if q.get("fidelity") == "altered")
        ev["other_quotes"].extend(q for q in quotes if q.get("fidelity") != "altered")
        ev["lone_conflicts"].extend({"story": f.story_id, **c} for c in f.evidence.get("conflicts") or [])
    ev["stories"] = sorted({a.story_id for a in articles if a.story_id is not None})
    ev["first_to_report"] = [
        {"story": s, "article": earliest[s].external_id, "published": _iso(earliest[s].published)}
        for s in sorted(earliest)
    ]
    return dict(ev)


def _first(items: Sequence[Mapping[str, Any]] | None) -> dict[str, Any]:
    return {"share": items[0].get("share")} if items else {}


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


# -- per story, by the user's columns ---------------------------------------------------------------


def coverage(
    articles: Sequence[tuple[str, str]],
    links: Sequence[tuple[str, str]],
    index: OutletIndex,
    column: str,
    *,
    threshold: float = BLINDSPOT_SHARE,
) -> Coverage:
    """A story's independent sources by one column of the outlet file, with a blindspot flag.

    Args:
        articles: (external id, outlet) of each article of the story ("unknown" for no outlet).
        links: (copy, of) pairs of its copy links: a copy and its original are one source.
        index: the outlet index, with the outlet file's rows.
        column: the column to break down by (case-insensitive).
        threshold: the share of the sources that one value must hold to flag a blindspot.
    """
    column = column.strip().casefold()
    named = [(ext, None if o == UNKNOWN_OUTLET else o) for ext, o in articles]
    roots = group_sources(named, links)
    outlet_of = dict(articles)
    by_source: dict[str, str] = {}
    for ext, root in roots.items():
        by_source.setdefault(root, outlet_of[root] if root in outlet_of else outlet_of[ext])
    values: dict[str, list[str]] = defaultdict(list)
    unknown: list[str] = []
    counts: Counter[str] = Counter()
    for outlet in by_source.values():
        meta = index.metadata.get(outlet)
        value = meta.columns.get(column) if meta else None
        if value:
            counts[value] += 1
            if outlet not in values[value]:
                values[value].append(outlet)
        elif outlet not in unknown:
            unknown.append(outlet)
    total = len(by_source)
    top, top_n = counts.most_common(1)[0] if counts else (None, 0)
    share = top_n / total if total else 0.0
    return Coverage(
        column=column,
        sources=total,
        values={v: values[v] for v, _ in counts.most_common()},
        unknown=unknown,
        top_share=round(share, 3),
        blindspot=top if total >= 2 and share >= threshold else None,
        threshold=threshold,
    )
