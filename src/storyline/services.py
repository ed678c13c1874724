"""The composition root: where Storyline's concrete parts are wired together, and nowhere else.

The stages are pure functions of records (:mod:`storyline.ingest`, :mod:`storyline.stories`,
:mod:`storyline.analysis`); the store holds what they read and write. This module builds the
models once (:func:`report_embedder`, :func:`story_embedder`, :func:`nli_model`; spaCy's parser
stays loaded lazily by :mod:`storyline.analysis.quotes`), owns the one "ingest → group into
stories → analyse" sequence (:class:`IngestRun`, :func:`ingest`), and the store-bound helpers
that read a story's articles and hand them to a stage (:func:`build_report`,
:func:`story_quotes`, :func:`article_quotes`, :func:`story_copies`, :func:`analyse_stored`).

The command line (:mod:`storyline.cli`), the web app (:mod:`storyline.web`) and `watch`
(:mod:`storyline.ingest.watch`) call only this module for work (an import contract in
pyproject.toml keeps the entry points off the stages' functions); see docs/architecture.md.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Literal

from storyline.analysis.claims import article_units
from storyline.analysis.conflicts import denied_texts
from storyline.analysis.copies import CopyLink, CopyOptions, find_copies, group_sources
from storyline.analysis.facts import cached_mentions
from storyline.analysis.nli import NliModel, load_nli
from storyline.analysis.outlets import (
    OutletIndex,
    article_facts,
    article_outlet,
    build_profiles,
    coverage,
    identify,
    name_key,
    profile_evidence,
    read_outlets,
)
from storyline.analysis.quotealign import Quote, align_quotes, comparable_texts
from storyline.analysis.quotes import QUOTES_VERSION, QuoteMention, extract_many
from storyline.analysis.report import ReportOptions, StoryReport, analyse
from storyline.analysis.upstream import cited_by, citing_articles
from storyline.errors import NotFoundError
from storyline.ingest.fetch import Fetcher
from storyline.ingest.inputs import KnownUrl, expand_paths
from storyline.ingest.local import IngestOptions, OnOutcome, extract_documents
from storyline.ingest.local import ingest as ingest_local
from storyline.ingest.watch import RoundReport, Watcher, WatchOptions, format_duration, parse_duration
from storyline.model import Article, IngestOutcome, IngestReport, Story, Upstream
from storyline.model.outlets import (
    UNKNOWN_OUTLET,
    ArticleFacts,
    Coverage,
    OutletFileLoad,
    OutletProfile,
    OutletRow,
)
from storyline.store import Store, open_store
from storyline.stories.builder import Similar, StoryBuilder, StoryOptions, StoryUpdate, similar_articles
from storyline.stories.builder import recluster as recluster_store
from storyline.stories.embed import CachedEmbedder, Embedder, EmbedFunction, default_embedder
from storyline.text.sentences import split_sentences

if TYPE_CHECKING:
    from storyline.ingest.raydata import PrecomputedVectors

__all__ = [
    "REPORT_MAX_TOKENS",
    "CitedSource",
    "CopyLink",
    "Engine",
    "IngestResult",
    "IngestRun",
    "Quote",
    "QuoteMention",
    "RoundReport",
    "Similar",
    "StoryReport",
    "StoryUpdate",
    "analyse_articles",
    "analyse_outlets",
    "analyse_stored",
    "article_quotes",
    "build_report",
    "expand_paths",
    "extract",
    "forget_outlets",
    "format_duration",
    "identify_outlets",
    "independent_sources",
    "ingest",
    "load_outlet_file",
    "nli_model",
    "open_store",
    "outlet_columns",
    "outlet_index",
    "outlet_profile",
    "outlet_profiles",
    "outlets_stamp",
    "parse_duration",
    "quote_mentions",
    "recluster",
    "record_outlet_facts",
    "report_embedder",
    "similar",
    "story_copies",
    "story_coverage",
    "story_embedder",
    "story_quotes",
    "upstream_sources",
    "watch",
]

#: Word pieces a sentence, claim or quote is cut to when a report embeds it (the story vectors use
#: `StoryOptions.features.vector_tokens`). Part of the cache key of every stored sentence vector.
REPORT_MAX_TOKENS = 128

#: Where ingest runs: this process (and extraction processes), or Ray Data stages.
Engine = Literal["local", "ray"]


# -- models, built once -----------------------------------------------------------------------------


def report_embedder(store: Store | None) -> EmbedFunction:
    """The embedder of reports: MiniLM at :data:`REPORT_MAX_TOKENS`, its vectors cached in `store`
    (the model loads only when some text is new)."""
    return CachedEmbedder(store, max_tokens=REPORT_MAX_TOKENS)


def story_embedder(options: StoryOptions | None = None) -> Embedder:
    """The process-wide embedder of article leads (story vectors, copies)."""
    return default_embedder((options or StoryOptions()).features.vector_tokens)


def nli_model(options: ReportOptions) -> NliModel | None:
    """The optional NLI cross-encoder `options` names (None when it names none), loaded once per
    process and directory (a server reporting on many stories loads it once)."""
    if options.nli_model is None:
        return None
    return _nli(str(Path(options.nli_model).resolve()))


@functools.cache
def _nli(path: str) -> NliModel | None:
    return load_nli(path)  # a directory that fails to load raises, and is not remembered


# -- ingest → group into stories → analyse -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class IngestResult:
    """What :func:`ingest` did: the ingest report, the stories, the articles analysed.

    Attributes:
        report: one outcome per input, and the counts.
        grouped: articles this run placed in stories (None when it did not group).
        stories: the stories it created or changed that still exist, by id.
        analysed: articles whose report work was done ahead (`analyse`).
    """

    report: IngestReport
    grouped: int | None = None
    stories: tuple[int, ...] = ()
    analysed: int = 0


class IngestRun:
    """One run of the sequence: store inputs, group the new articles into stories after each batch
    that stored some, rebuild the stories touched once at the end (:meth:`settle`), and do the
    per-article work of reports for the articles stored (:meth:`analyse`).

    :func:`ingest` runs it once over a list of inputs; `watch` runs one per round, reading its
    sources one at a time (:meth:`read` may be called several times).

    Grouping after a batch does not wait for another process that is grouping: this run goes on
    storing and leaves the waiting articles to that process (it groups every article waiting) or
    to :meth:`settle`, which waits for the story lock.

    Args:
        store: the open store.
        options: reading, extraction and fetch options.
        stories: how articles are grouped; None stores them ungrouped.
        analyse: remember the external ids stored, for :meth:`analyse`.
        engine: "local", or "ray" (Ray Data stages; `ray_address` a cluster, None a local Ray).
        fetcher: the HTTP fetcher to use (default: one per read, closed after it).
    """

    def __init__(
        self,
        store: Store,
        options: IngestOptions | None = None,
        *,
        stories: StoryOptions | None = None,
        analyse: bool = False,
        engine: Engine = "local",
        ray_address: str | None = None,
        fetcher: Fetcher | None = None,
    ) -> None:
        self.store = store
        self.options = options or IngestOptions()
        self.engine = engine
        self.ray_address = ray_address
        self.fetcher = fetcher
        self.remember = analyse
        self.stored: list[str] = []  # external ids stored, for `analyse`
        self._vectors: PrecomputedVectors | None = None
        if engine == "ray" and stories is not None:
            from storyline.ingest import raydata  # Ray itself is imported only when the run starts

            self._vectors = raydata.PrecomputedVectors(stories.features)
        self.builder = StoryBuilder(store, stories, embed=self._vectors) if stories is not None else None

    def read(
        self,
        specs: Iterable[str],
        *,
        stdin: IO[bytes] | None = None,
        on_outcome: OnOutcome | None = None,
        after_batch: Callable[[], object] | None = None,
    ) -> IngestReport:
        """Read and store `specs`, grouping after each batch that stored articles; `after_batch`
        runs after that (it may raise to stop the run between batches)."""
        stored = 0
        grouped = 0

        def outcome(o: IngestOutcome) -> None:
            nonlocal stored
            if o.status == "stored":
                stored += 1
                if self.remember and o.external_id:
                    self.stored.append(o.external_id)
            if on_outcome:
                on_outcome(o)

        def batch_done() -> None:
            nonlocal grouped
            if self.builder is not None and stored > grouped:
                self.builder.update(wait=False)
                grouped = stored
            if after_batch:
                after_batch()

        if self.engine == "ray":
            from storyline.ingest import raydata

            return raydata.ingest(
                specs,
                self.store,
                self.options,
                ray_options=raydata.RayOptions(address=self.ray_address),
                vectors=self._vectors,
                fetcher=self.fetcher,
                stdin=stdin,
                on_outcome=outcome,
                after_batch=batch_done,
            )
        return ingest_local(
            specs,
            self.store,
            self.options,
            fetcher=self.fetcher,
            stdin=stdin,
            on_outcome=outcome,
            after_batch=batch_done,
        )

    def settle(self) -> tuple[int, ...]:
        """Group what is still waiting and rebuild the stories touched (see
        :meth:`StoryBuilder.finish`); the stories touched that still exist, by id."""
        if self.builder is None:
            return ()
        self.builder.finish()
        return tuple(sorted(self.builder.touched))

    @property
    def grouped(self) -> int | None:
        """Articles this run placed in stories (None when it does not group)."""
        return None if self.builder is None else len(self.builder.assignments)

    def analyse(self) -> Iterator[int]:
        """The report work for the articles stored so far (taken: a later call does the newer
        ones), a batch at a time; yields each batch's size once it is done."""
        ids, self.stored = self.stored, []
        return analyse_stored(self.store, ids)


def ingest(
    specs: Iterable[str],
    store: Store,
    options: IngestOptions | None = None,
    *,
    stories: StoryOptions | None = None,
    group: bool = True,
    analyse: bool = False,
    engine: Engine = "local",
    ray_address: str | None = None,
    stdin: IO[bytes] | None = None,
    on_outcome: OnOutcome | None = None,
) -> IngestResult:
    """Ingest → group into stories → analyse, once: read, clean and store every input; group the
    new articles into stories (`group`, with `stories` or the default story options) after each
    batch and rebuild the stories touched at the end; with `analyse`, then parse the quotes and
    embed the sentences and claims of the articles stored, so their stories' reports are fast.

    Args:
        specs: files, folders, `-` (stdin), URLs of pages or feeds (see :func:`expand_paths`).
        store: the open store to write to.
        options: reading, extraction and fetch options.
        stories: how articles are grouped (default: :class:`StoryOptions`).
        group: False stores the articles ungrouped.
        analyse: do the per-article work of reports now.
        engine: "local" or "ray"; `ray_address` names a Ray cluster (None: a local Ray).
        stdin: what `-` reads (None: `-` is rejected as "no standard input available").
        on_outcome: called with each input's outcome as it is known.
    """
    run = IngestRun(
        store,
        options,
        stories=(stories or StoryOptions()) if group else None,
        analyse=analyse,
        engine=engine,
        ray_address=ray_address,
    )
    report = run.read(specs, stdin=stdin, on_outcome=on_outcome)
    touched = run.settle()
    analysed = sum(run.analyse()) if analyse else 0
    return IngestResult(report=report, grouped=run.grouped, stories=touched, analysed=analysed)


def watch(
    sources: Sequence[str],
    store: Store,
    options: WatchOptions | None = None,
    *,
    stop: threading.Event | None = None,
    on_round: Callable[[RoundReport], object] | None = None,
) -> tuple[RoundReport | None, int]:
    """Poll `sources` in rounds, each round one :class:`IngestRun` over what is new, until `stop` is
    set or `options.max_rounds` are done (see :class:`storyline.ingest.watch.Watcher`); the last
    round's report and how many rounds ran."""
    with Watcher(sources, store, options, stop=stop) as watcher:
        last = watcher.run(on_round)
    return last, watcher.rounds


def extract(
    sources: Sequence[str], options: IngestOptions | None = None, *, stdin: IO[bytes] | None = None
) -> Iterator[dict[str, Any]]:
    """Read and clean without storing: one JSON-ready record per input (`rejected` with the reason)."""
    items = extract_documents(expand_paths(sources), options or IngestOptions(), stdin=stdin)
    return (item.to_json() for item in items if not isinstance(item, KnownUrl))


def recluster(store: Store, options: StoryOptions | None = None) -> StoryUpdate:
    """Group every stored article into stories again, from scratch (see
    :func:`storyline.stories.builder.recluster`)."""
    return recluster_store(store, options)


def similar(store: Store, article_id: str, *, limit: int = 10) -> list[Similar]:
    """The stored articles nearest to one (by external id or row number)."""
    return similar_articles(store, store.get_article(article_id), limit=limit)


# -- analysis over the store ------------------------------------------------------------------------


def article_quotes(store: Store, articles: Sequence[Article], *, batch: int = 64) -> dict[int, list[QuoteMention]]:
    """Quotes of stored articles by row id: read from the cache, the rest extracted and cached."""
    ids = [a.id for a in articles if a.id is not None]
    cached = store.load_quotes(ids, QUOTES_VERSION)
    out = {aid: [QuoteMention.from_json(d) for d in data] for aid, data in cached.items()}
    missing = [a for a in articles if a.id is not None and a.id not in out]
    for i in range(0, len(missing), batch):
        chunk = missing[i : i + batch]
        found = extract_many([(a.external_id, a.text) for a in chunk])
        rows = []
        for art, mentions in zip(chunk, found, strict=True):
            assert art.id is not None
            out[art.id] = mentions
            rows.append((art.id, QUOTES_VERSION, [m.to_json() for m in mentions]))
        store.save_quotes(rows)
    return out


def _story_articles(store: Store, story_id: int) -> tuple[Story, list[Article]]:
    story = store.get_story(story_id)
    return story, store.articles_by_id(sorted({a.id for a in story.articles}))


def _mentions(store: Store, articles: Sequence[Article]) -> list[QuoteMention]:
    found = article_quotes(store, articles)
    return [m for a in articles for m in found.get(a.id or -1, [])]


def quote_mentions(store: Store, article_id: str | None = None) -> list[QuoteMention]:
    """Every quote of one stored article (by external id or row number), or of every article."""
    chosen = [store.get_article(article_id)] if article_id is not None else list(store.iter_articles())
    return _mentions(store, chosen)


def story_quotes(store: Store, story_id: int, *, embed: EmbedFunction | None = None) -> list[Quote]:
    """A story's quotes, aligned across its articles (see :func:`align_quotes`)."""
    _story, articles = _story_articles(store, story_id)
    return align_quotes(_mentions(store, articles), embed=embed or report_embedder(store))


def story_copies(store: Store, story_id: int | None = None, options: CopyOptions | None = None) -> list[CopyLink]:
    """Copy links within every story (or one), plus near-verbatim copies that landed in other
    stories (MinHash LSH across all articles), computed on demand."""
    stories = [store.get_story(story_id)] if story_id is not None else store.list_stories()
    everything = list(store.iter_articles())
    position = {a.id: i for i, a in enumerate(everything)}
    groups = [sorted({position[a.id] for a in s.articles if a.id in position}) for s in stories]
    # For one story, only pairs that involve its articles are aligned (and embedded).
    focus = groups[0] if story_id is not None else None
    return find_copies(everything, story_embedder(), options, groups=groups, focus=focus)


@dataclass(frozen=True, slots=True)
class CitedSource:
    """An upstream report and the articles that cite it: `cited_by` external ids, and each
    mention with the citing sentence and the span of the name."""

    name: str
    cited_by: list[str]
    mentions: list[Upstream]

    def to_json(self) -> dict[str, Any]:
        """As `storyline sources --format json` prints it."""
        return {"name": self.name, "cited_by": self.cited_by, "mentions": [m.to_json() for m in self.mentions]}


def upstream_sources(store: Store, *, story_id: int | None = None, article_id: str | None = None) -> list[CitedSource]:
    """The upstream reports cited by one article, a story's articles or every stored article."""
    if article_id is not None:
        chosen = [store.get_article(article_id)]
    elif story_id is not None:
        chosen = _story_articles(store, story_id)[1]
    else:
        chosen = list(store.iter_articles())
    return [CitedSource(name, citing_articles(mentions), mentions) for name, mentions in cited_by(chosen).items()]


def build_report(
    store: Store,
    story_id: int,
    options: ReportOptions | None = None,
    *,
    embed: EmbedFunction | None = None,
    nli: NliModel | None = None,
) -> StoryReport:
    """The report of one stored story (NotFoundError when there is none); its articles carry the
    outlet their identity resolves to, and what it finds about them is kept for the outlet profiles."""
    options = options or ReportOptions()
    story, articles = _story_articles(store, story_id)
    embed = embed or report_embedder(store)
    nli = nli or nli_model(options)
    report = analyse(
        story,
        _with_outlets(outlet_index(store), articles),
        options,
        embed=embed,
        nli=nli,
        mentions=_mentions(store, articles),
        fact_mentions=cached_mentions(store, articles),
    )
    record_outlet_facts(store, report)
    return report


def independent_sources(report: dict[str, Any]) -> int:
    """How many independent sources a report's story has: its articles, with copies, siblings and
    articles of one outlet counted once. Read from the report's `independent_sources` (a field of
    :class:`StoryReport`); counted from its articles and copies for JSON written before it had one
    (as :func:`storyline.analysis.copies.source_groups` groups them)."""
    if isinstance(report.get("independent_sources"), int):
        return int(report["independent_sources"])
    articles = [(str(a.get("id")), a.get("outlet")) for a in report.get("articles") or []]
    links = [(str(c.get("copy")), str(c.get("of"))) for c in report.get("copies") or []]
    return len(set(group_sources(articles, links).values()))


def analyse_articles(store: Store, articles: Sequence[Article], options: ReportOptions | None = None) -> int:
    """Do the per-article work of a report ahead of time, as articles join their stories: parse and
    cache their quotes and fact mentions, and embed and cache their sentences, claims and what their
    denials deny. A later report of any story they are in then only groups, aligns and renders.
    Returns how many texts were embedded."""
    options = options or ReportOptions()
    found = article_quotes(store, articles)
    cached_mentions(store, articles)
    texts = comparable_texts([m for mentions in found.values() for m in mentions])
    texts += [s.text_in(a.text) for a in articles for s in split_sentences(a.text)]
    texts += [u.evidence.text for a in articles for u in article_units(a, options.claims)]
    texts += denied_texts(articles, [m for mentions in found.values() for m in mentions])
    report_embedder(store)(list(dict.fromkeys(texts)))
    return len(texts)


def analyse_stored(store: Store, external_ids: Sequence[str], *, batch_size: int = 200) -> Iterator[int]:
    """:func:`analyse_articles` over stored articles named by external id, a batch at a time (for
    `ingest --analyse` and `watch --analyse`); yields the size of each batch once it is done, so a
    caller can stop between batches."""
    for start in range(0, len(external_ids), batch_size):
        batch = [store.get_article(x) for x in external_ids[start : start + batch_size]]
        analyse_articles(store, batch)
        yield len(batch)


# -- outlets ----------------------------------------------------------------------------------------


def identify_outlets(store: Store, *, batch: int = 5000) -> int:
    """Give every stored article without one its outlet identity (site name, domain, byline); how
    many were new. Runs before every outlet listing, so it only ever does the new articles."""
    done = 0
    while rows := store.articles_without_outlet(batch):
        store.save_article_outlets([article_outlet(a) for a in rows])
        done += len(rows)
        if len(rows) < batch:
            break
    return done


def outlet_index(store: Store) -> OutletIndex:
    """Names and domains resolved to outlets, with the loaded outlet file (see :class:`OutletIndex`):
    from the stored names only (one grouped query), for a report that names its articles' outlets."""
    identify_outlets(store)
    return OutletIndex.build(store.outlet_names(), store.load_outlet_metadata())


_CACHE_KEY = "profiles.1"  # a new number when the cached form changes
_MEMO: dict[str, tuple[str, list[OutletProfile], OutletIndex]] = {}  # store URL -> the last profiles read
_PAGES: dict[tuple[str, str], tuple[str, OutletProfile]] = {}  # (store URL, outlet) -> its last evidence
_OUTLETS_LOCK = threading.Lock()


def _profiles(store: Store) -> tuple[str, list[OutletProfile], OutletIndex]:
    """The store's outlet stamp, every outlet's profile (with the stories it was first to report)
    and the outlet index: as last computed while the stamp stays the one they were computed at (in
    memory, else from the store's cache row), else computed from a few grouped queries and cached."""
    identify_outlets(store)
    stamp = store.outlet_stamp()
    memo = _MEMO.get(store.url)
    if memo is not None and memo[0] == stamp:
        return memo
    with _OUTLETS_LOCK:  # one thread computes; the others then read what it made
        memo = _MEMO.get(store.url)
        if memo is not None and memo[0] == stamp:
            return memo
        return _compute_profiles(store, stamp)


def _compute_profiles(store: Store, stamp: str) -> tuple[str, list[OutletProfile], OutletIndex]:
    cached = store.load_outlet_cache(_CACHE_KEY)
    metadata = store.load_outlet_metadata()
    if cached is not None and cached[0] == stamp:
        data = json.loads(cached[1])
        profiles = [OutletProfile.from_json(d) for d in data["profiles"]]
        names = [OutletRow(k, n, d, None, None, c, None, None) for k, n, d, c in data["names"]]
    else:
        names = store.outlet_names()
        index = OutletIndex.build(names, metadata)
        profiles = build_profiles(
            index, store.outlet_rows(), store.outlet_fact_sums(), store.outlet_copied_from(), store.outlet_wires()
        )
        data = {
            "profiles": [p.to_json() for p in profiles],
            "names": [[r.name_key, r.name, r.domain, r.articles] for r in names],
        }
        store.save_outlet_cache(stamp, json.dumps(data, ensure_ascii=False), _CACHE_KEY)
    index = OutletIndex.build(names, metadata)
    _MEMO[store.url] = (stamp, profiles, index)
    return stamp, profiles, index


def outlets_stamp(store: Store) -> str:
    """A text that changes whenever the outlet profiles may (after giving new articles their
    identity): what a caller keys anything it derives from the profiles on."""
    return _profiles(store)[0]


def outlet_profiles(store: Store) -> list[OutletProfile]:
    """Every outlet's profile, most articles first; every stored article counts for exactly one.

    Computed from a few grouped queries when the store changed since the last listing (a story
    written, an article identified, a report's findings kept, an outlet file loaded), else read
    from the one cached row."""
    return [dataclasses.replace(p, evidence={}) for p in _profiles(store)[1]]


def outlet_profile(store: Store, name: str) -> OutletProfile:
    """One outlet's profile (by any of its names, a domain or a URL) with the evidence of every
    figure: its articles, stories, first reports, copies, credits, altered quotes, lone conflicts
    (kept in memory while the store's outlet stamp stays the same).

    Raises:
        NotFoundError: no stored article is of that outlet.
    """
    stamp, profiles, index = _profiles(store)
    outlet = index.lookup(name)
    found = next((p for p in profiles if p.name == outlet), None)
    if found is None:
        raise NotFoundError(f"no stored article is of an outlet named {name!r}; `storyline outlets` lists them")
    memo = _PAGES.get((store.url, found.name))
    if memo is not None and memo[0] == stamp:
        return memo[1]
    with _OUTLETS_LOCK:
        memo = _PAGES.get((store.url, found.name))
        if memo is not None and memo[0] == stamp:
            return memo[1]
        profile = _with_evidence(store, found, profiles, index)
        if len(_PAGES) >= 64:
            _PAGES.pop(next(iter(_PAGES)))
        _PAGES[(store.url, found.name)] = (stamp, profile)
        return profile


def _with_evidence(
    store: Store, found: OutletProfile, profiles: Sequence[OutletProfile], index: OutletIndex
) -> OutletProfile:
    """`found` with its evidence lists, and the outlets that copy it."""
    keys = [k for k, v in index.by_key.items() if v == found.name]
    if found.name != UNKNOWN_OUTLET:
        keys.append(name_key(found.name) or found.name)
    rows = store.outlet_articles(keys, found.domains, unknown=found.name == UNKNOWN_OUTLET)
    evidence = profile_evidence(found, rows, index)
    copied_by = {p.name: p.originality["copied_from"].get(found.name, 0) for p in profiles if p.name != found.name}
    evidence["copied_by"] = {k: v for k, v in sorted(copied_by.items(), key=lambda kv: -kv[1]) if v}
    return dataclasses.replace(found, evidence=evidence)


def forget_outlets() -> None:
    """Drop the profiles kept in memory (the store's cache row stays): for tests and benchmarks."""
    _MEMO.clear()
    _PAGES.clear()


def load_outlet_file(store: Store, path: Path) -> OutletFileLoad:
    """Read an outlet file whole and make it the store's (replacing the one loaded before); refused
    in one line when it is bad, and then the store keeps the file it had.

    Raises:
        SourceError: the file is missing, too large, not UTF-8, not CSV or JSON, without a `name` or
            `domain` column, or holds conflicting rows or markup in a name.
    """
    parsed = read_outlets(path)
    store.replace_outlet_metadata(parsed.rows)
    index = outlet_index(store)
    stored = {index.outlet_of(r.name_key, r.domain) for r in store.outlet_names()}
    unknown = sum(1 for row in parsed.rows if index.lookup(row.name or row.domains[0]) not in stored)
    warnings = [*parsed.warnings]
    if unknown:
        warnings.append(f"{unknown} of {len(parsed.rows)} rows name outlets no stored article has (kept)")
    return OutletFileLoad(rows=len(parsed.rows), columns=parsed.columns, warnings=tuple(warnings))


def outlet_columns(store: Store) -> list[str]:
    """The columns of the loaded outlet file (country, owner, ratings …), for a coverage breakdown."""
    return sorted({c for row in store.load_outlet_metadata() for c in row.columns})


def story_coverage(store: Store, report: dict[str, Any], column: str) -> Coverage:
    """A story's independent sources (from its report's JSON form, whose articles name their
    outlets) by one column of the loaded outlet file, with the blindspot flag (see
    :func:`storyline.analysis.outlets.coverage`)."""
    index = OutletIndex.build([], store.load_outlet_metadata())
    articles = [(str(a.get("id")), str(a.get("outlet") or UNKNOWN_OUTLET)) for a in report.get("articles") or []]
    links = [(str(c.get("copy")), str(c.get("of"))) for c in report.get("copies") or [] if c.get("kind") != "sibling"]
    return coverage(articles, links, index, column)


def _with_outlets(index: OutletIndex, articles: Sequence[Article]) -> list[Article]:
    """The articles with the outlet their identity resolves to (as the outlet pages name it; None
    for an article of no known outlet, so that two such articles are never one source)."""
    out = []
    for a in articles:
        ident = article_outlet(a) if a.id is not None else identify(0, a.outlet, a.url, a.text[:400])
        name = index.outlet_of(ident.name_key, ident.domain)
        out.append(dataclasses.replace(a, outlet=None if name == UNKNOWN_OUTLET else name))
    return out


def record_outlet_facts(store: Store, report: StoryReport) -> list[ArticleFacts]:
    """Keep what a story's report found about each of its articles for the outlet profiles (called
    whenever a report is made, so the profiles follow the analysed stories without analysing again)."""
    row_ids = {a.external_id: a.id for a in report.articles if a.id is not None}
    outlet_of = {a.external_id: a.outlet for a in report.articles if a.outlet}
    facts = article_facts(report.to_json(), row_ids, outlet_of, report.story.id)
    store.save_outlet_facts(report.story.id, facts)
    return facts


def analyse_outlets(store: Store, *, limit: int | None = None) -> Iterator[int]:
    """Make the reports of stories whose articles have no findings yet (each report records them),
    so the outlet profiles cover every story; yields each story id once done."""
    for story_id in store.stories_without_outlet_facts(limit):
        build_report(store, story_id)
        yield story_id
