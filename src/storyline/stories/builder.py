"""Stories over a store: embed and describe new articles, cluster them, keep the stories up to date.

This module wires the pure stages (:mod:`features`, :mod:`embed`, :mod:`cluster`) to a
:class:`~storyline.store.Store`. `storyline ingest` runs :meth:`StoryBuilder.update` after each
stored batch, so stories grow during a long ingest and are current when it returns;
`storyline recluster` calls :func:`recluster`.

Crash safety: vectors and features are cached first, then memberships and story summaries are
written in one transaction per batch. A run stopped between the two leaves articles with features
and no story; the next run finds and clusters them. Stories grouped online stay marked pending
until an end-of-run rebuild settles them, so a run stopped before its rebuild has its stories
rebuilt by the next run's.

Concurrency: a builder holds the store's story lock (:meth:`Store.story_lock`) while it writes
stories, so one process at a time hands out story ids; other processes go on storing articles.
Once it holds the lock, it reads the index again if another process changed the stories since
it last did (the store's story version tells), so it never works on a stale copy.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import OptionsError
from ..model import Article
from ..store import Store
from ..store.base import FeatureRow, StoredFeatures
from .cluster import Assignment, ClusterOptions, FetchFeatures, Member, StoryIndex, build_index, pair_score
from .embed import DIM, MODEL_ID, EmbedFunction, default_embedder, from_bytes, to_bytes
from .features import ArticleFeatures, FeatureOptions, extract_features, lead_text
from .persist import IndexFileError, Snapshot, default_index_path, read_snapshot, store_key, write_snapshot

log = logging.getLogger(__name__)

__all__ = [
    "Similar",
    "StoryBuilder",
    "StoryOptions",
    "StoryUpdate",
    "recluster",
    "similar_articles",
    "update_stories",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class StoryOptions:
    """Options for story building: what is read of each article, and how articles are grouped."""

    features: FeatureOptions = field(default_factory=FeatureOptions)
    cluster: ClusterOptions = field(default_factory=ClusterOptions)
    batch_size: int = 256
    idf_sample: int = 20_000  # latest articles whose names and words give the document frequencies
    working_set: int = 30_000  # articles whose features the index keeps in memory (others are re-read)
    persist: bool = True  # keep the story index in a file beside the store (stories/persist.py)
    index_dir: Path | None = None  # where that file lives (default: beside a SQLite file, else a cache folder)

    def __post_init__(self) -> None:
        if min(self.batch_size, self.idf_sample, self.working_set) < 1:
            raise OptionsError("batch_size, idf_sample and working_set must be at least 1")


@dataclass(frozen=True, slots=True)
class StoryUpdate:
    """What one update did."""

    analysed: int
    assignments: tuple[Assignment, ...]
    stories_touched: int


@dataclass(frozen=True, slots=True)
class Similar:
    """An article near another one, with the cosine of their vectors and the same-event score."""

    article_id: int
    external_id: str
    title: str | None
    outlet: str | None
    cosine: float
    score: float
    same_story: bool


def describe(articles: Sequence[Article], options: StoryOptions, embed: EmbedFunction) -> list[Member]:
    """Vectors and features for stored articles (one embedding batch)."""
    feats = extract_features(articles)
    vectors = embed([lead_text(a, options.features.vector_chars) for a in articles])
    return [
        Member(article_id=a.id or 0, vector=v, features=f, title=a.title, outlet=a.outlet, label=_label(a))
        for a, f, v in zip(articles, feats, vectors, strict=True)
    ]


def _label(article: Article) -> str:
    first = article.text.split("\n", 1)[0]
    return first if len(first) <= 120 else first[:117].rsplit(" ", 1)[0] + "…"


def _from_stored(row: StoredFeatures) -> Member:
    features = None if row.features is None else ArticleFeatures.from_json(row.features, row.published)
    return Member(
        article_id=row.article_id,
        vector=from_bytes(row.vector),
        features=features,
        title=row.title,
        outlet=row.outlet,
        story_id=row.story_id or 0,
        label=row.label,
        published=row.published,
    )


def _cache(store: Store, members: Sequence[Member]) -> None:
    store.save_features(
        [FeatureRow(m.article_id, MODEL_ID, to_bytes(m.vector), m.loaded.to_json(), m.label) for m in members]
    )


def _fetcher(store: Store) -> FetchFeatures:
    def fetch(article_ids: Sequence[int]) -> dict[int, ArticleFeatures]:
        rows = store.iter_features(MODEL_ID, article_ids)
        return {r.article_id: ArticleFeatures.from_json(r.features or {}, r.published) for r in rows}

    return fetch


def load_index(
    store: Store, options: StoryOptions, path: Path | None = None
) -> tuple[StoryIndex, list[Member], int | None]:
    """The index of everything clustered so far, cached articles still waiting for a story, and the
    story version of the index file it came from (None: built from the store; an older version than
    the store's: the file was brought up to date in memory).

    With `path`, the index saved there is used when it is sound and made for this store, brought up
    to date with what other processes changed since (:func:`_restore`); anything else about it is
    logged in one line and the index is built from the store.
    """
    if path is not None:
        try:
            return _restore(store, options, path)
        except IndexFileError as exc:
            level = logging.INFO if "no index file" in str(exc) else logging.WARNING
            log.log(level, "story index %s: %s; rebuilding it from the store", path, exc)
    index, waiting = _build(store, options)
    return index, waiting, None


def _new_index(store: Store, options: StoryOptions) -> StoryIndex:
    return StoryIndex(
        options.cluster,
        next_story_id=store.max_story_id() + 1,
        fetch=_fetcher(store),
        working_set=options.working_set,
    )


def _build(store: Store, options: StoryOptions) -> tuple[StoryIndex, list[Member]]:
    """Every vector is read; features only for the latest `options.idf_sample` articles (their names
    and words give the document frequencies) and for articles waiting for a story; the index
    fetches others when it needs them."""
    index = _new_index(store, options)
    members = [_from_stored(row) for row in store.iter_features(MODEL_ID, vectors_only=True)]
    recent = [m.article_id for m in members[-options.idf_sample :]]
    recent += [m.article_id for m in members[: -options.idf_sample] if not m.story_id]
    features = index.fetch(recent)
    for m in members:
        m.features = features.get(m.article_id)
    index.load(m for m in members if m.story_id)
    index.unsaved = len(index) + 1  # no file holds it
    return index, [m for m in members if not m.story_id]


_SPOT_CHECK = 16  # saved vectors compared with the store's on every load
_REWRITE_SHARE = 50  # the file is rewritten once more than 1/50 of the articles moved since it was written


def _restore(store: Store, options: StoryOptions, path: Path) -> tuple[StoryIndex, list[Member], int | None]:
    """The index saved in `path`, checked against the store and brought up to date with it.

    The store's memberships (ids only, cheap) are compared with the file's: articles stored since
    are read and indexed, moved ones moved, dropped ones dropped. A file that disagrees with more
    than half the store, or whose vectors differ from the store's, is not used.
    """
    snap = read_snapshot(path, store=store_key(_url(store) or ""), model=MODEL_ID, dim=DIM)
    now = store.feature_memberships(MODEL_ID)
    saved = dict(zip(snap.ids.tolist(), snap.stories.tolist(), strict=True))
    gone = [i for i in saved if not now.get(i)]
    moves = {i: s for i, s in now.items() if s and i in saved and saved[i] != s}
    fresh = [i for i in now if i not in saved or not now[i]]
    if len(gone) + len(moves) + len(fresh) > max(1000, len(now) // 2):
        raise IndexFileError(f"too far behind the store ({len(fresh)} new, {len(moves)} moved, {len(gone)} gone)")
    _spot_check(store, snap, [i for i in snap.ids[-_SPOT_CHECK:].tolist() if i in now])
    index = _new_index(store, options)
    try:
        index.restore(snap)
    except (ValueError, RuntimeError) as exc:
        raise IndexFileError(str(exc)) from exc
    index.regroup(moves, gone)
    members = [_from_stored(row) for row in store.iter_features(MODEL_ID, fresh)] if fresh else []
    index.load(m for m in members if m.story_id)
    index.regroup({}, [])  # keep each story's articles in id order
    index.unsaved = len(gone) + len(moves) + len(fresh)
    if index.unsaved or snap.version != store.story_version():
        log.info(
            "story index %s: %d new, %d moved, %d gone since it was saved", path, len(fresh), len(moves), len(gone)
        )
    return index, [m for m in members if not m.story_id], snap.version


def _spot_check(store: Store, snap: Snapshot, ids: Sequence[int]) -> None:
    if not ids:
        return
    tail = snap.ids[-_SPOT_CHECK:].tolist()
    position = {i: len(snap.ids) - len(tail) + k for k, i in enumerate(tail)}
    for row in store.iter_features(MODEL_ID, ids, vectors_only=True):
        if from_bytes(row.vector).tobytes() != snap.vectors[position[row.article_id]].tobytes():
            raise IndexFileError(f"its vector of article {row.article_id} is not the store's (another store's file?)")


def _url(store: Store) -> str | None:
    url = getattr(store, "url", None)
    return url if isinstance(url, str) else None


def index_path(store: Store, options: StoryOptions) -> Path | None:
    """Where the story index of `store` is kept (None: it is not kept, e.g. an in-memory store)."""
    url = _url(store)
    return default_index_path(url, options.index_dir) if options.persist and url else None


class StoryBuilder:
    """Keeps a store's stories current as articles arrive; loads the store's index once, on first use."""

    def __init__(self, store: Store, options: StoryOptions | None = None, *, embed: EmbedFunction | None = None):
        self.store = store
        self.options = options or StoryOptions()
        self._embed = embed
        self._index: StoryIndex | None = None
        self._assigned: list[Assignment] = []  # story ids as assigned; merges later move some
        self._touched: set[int] = set()  # may hold ids merged away since
        self._scores: dict[int, float | None] = {}
        self._version = -1  # the store's story version the index reflects
        self._path = index_path(store, self.options)
        self._saved: int | None = None  # the story version of the index file, when this builder knows it

    @property
    def assignments(self) -> list[Assignment]:
        """Every article this builder placed, with the story it is in now."""
        index = self._index
        return list(self._assigned) if index is None else [_now(index, a) for a in self._assigned]

    @property
    def touched(self) -> set[int]:
        """The stories this builder created or changed that still exist."""
        index = self._index
        return set(self._touched) if index is None else {s for s in self._touched if s in index.stories}

    @touched.setter
    def touched(self, stories: set[int]) -> None:
        self._touched = set(stories)

    def update(self, on_progress: Callable[[int], None] | None = None, *, wait: bool = True) -> StoryUpdate:
        """Describe and cluster every stored article that has no story yet (also those other
        processes stored), under the store's story lock.

        Args:
            on_progress: called with the number of articles clustered so far, after each batch.
            wait: when another process holds the story lock, wait for it (the default); with
                False, return at once having done nothing: that process clusters these articles
                too, or the next update (and `finish`) will.
        """
        first = len(self._assigned)
        with self.store.story_lock(wait=wait) as held:
            if held:
                self._update_locked(first, on_progress)
        done = tuple(self.assignments[first:])
        return StoryUpdate(analysed=len(done), assignments=done, stories_touched=len(self.touched))

    def _update_locked(self, first: int, on_progress: Callable[[int], None] | None) -> StoryIndex:
        index = self._sync()
        while batch := self.store.articles_without_features(MODEL_ID, self.options.batch_size):
            embed = self._embed or default_embedder(self.options.features.vector_tokens)
            members = describe(batch, self.options, embed)
            _cache(self.store, members)
            self._assign(members)
            if on_progress:
                on_progress(len(self._assigned) - first)
        return index

    def _sync(self) -> StoryIndex:
        """The index, (re)loaded when the store's stories are not the ones it holds; the lock is held.

        Articles with features and no story (left by a run stopped between the two writes) are
        clustered at once.
        """
        version = self.store.story_version()
        if self._index is not None and version == self._version:
            return self._index
        if self._index is not None:
            log.info("stories changed elsewhere (version %d -> %d): reading them again", self._version, version)
        self._index, waiting, self._saved = load_index(self.store, self.options, self._path)
        self._version = version
        if waiting:
            self._assign(waiting)
        return self._index

    def finish(self) -> StoryUpdate:
        """Cluster what is still waiting, then re-cluster, from scratch, the articles of every story
        this builder touched, under the story lock.

        Online assignment depends on arrival order, and its first articles were placed while the
        document frequencies were cold. Once a run is done, its stories are rebuilt in date order
        with the warm frequencies (as `recluster` does for the whole store, but only here):
        stories keep their ids where they keep most of their articles. The rebuild is written in
        one transaction. Stories grouped online are marked pending until a rebuild settles them,
        so the stories of a run stopped before its rebuild are rebuilt by the next run's.
        """
        with self.store.story_lock():
            index = self._update_locked(len(self._assigned), None)
            # Also the stories a stopped run grouped and never rebuilt (and those a run going on
            # beside this one has grouped so far: rebuilding them early does them no harm).
            stories = self.touched | (self.store.pending_stories() & set(index.stories))
            done = self._rebuild(index, stories) if stories else StoryUpdate(0, (), 0)
            self._save(index)
            return done

    def _save(self, index: StoryIndex) -> None:
        """Keep the index in its file for the next process (the story lock is held).

        A file that differs from the index by at most 2% of its articles is left as it is: the next
        load applies the difference from the store's memberships (cheap), while writing the whole
        file costs in proportion to the store (the one-more-article case of a large store).
        """
        if self._path is None or self._saved == self._version:
            return
        if self._saved is not None and index.unsaved <= len(index) // _REWRITE_SHARE:
            return
        try:
            snapshot = index.snapshot(self._version)
            write_snapshot(self._path, snapshot, store=store_key(_url(self.store) or ""), model=MODEL_ID, dim=DIM)
        except OSError as exc:
            log.warning("story index %s: cannot be written (%s); the next run rebuilds it", self._path, exc)
            return
        self._saved = self._version
        index.unsaved = 0

    def _rebuild(self, index: StoryIndex, stories: set[int]) -> StoryUpdate:
        ids = sorted({i for story in stories for i in index.stories.get(story, ())})
        members = [index.members[i] for i in ids]
        old = {m.article_id: m.story_id for m in members}
        fresh, scores = build_index(
            members, self.options.cluster, fetch=_fetcher(self.store), working_set=self.options.working_set, df=index.df
        )
        final_ids = _stable_ids(
            [Assignment(m.article_id, m.story_id, None) for m in members], old, self.store.max_story_id()
        )
        summaries = [dataclasses.replace(fresh.summary(s), id=final_ids[s]) for s in sorted(fresh.stories)]
        links = [(m.article_id, final_ids[m.story_id], scores[m.article_id]) for m in members]
        self.store.save_stories(summaries, links)
        now = [(a, index.members[a.article_id].story_id) for a in self._assigned]
        # An article of this run that another run's rebuild moved out of these stories keeps its story.
        self._assigned = [Assignment(a.article_id, final_ids.get(story, story), a.score) for a, story in now]
        # The index takes the rebuilt stories (its members carry the rebuild's cluster numbers now).
        index.regroup({m.article_id: final_ids[m.story_id] for m in members}, [])
        index.unsaved += len(members)
        self._version = self.store.story_version()  # only this builder writes while it holds the lock
        self._touched = {s.id for s in summaries}
        return StoryUpdate(analysed=len(links), assignments=tuple(self._assigned), stories_touched=len(summaries))

    def _assign(self, members: Iterable[Member]) -> None:
        index = self._index
        assert index is not None
        index.touched.clear()
        index.moved.clear()
        assigned = [index.assign(m) for m in sorted(members, key=_arrival_order)]
        index.repair(set(index.touched))
        index.unsaved += len(assigned) + len(index.moved)
        # Articles of stories merged away move with them (their join score is kept where known).
        scores = {a.article_id: a.score for a in assigned}
        changed = sorted(set(scores) | index.moved)
        links = [(i, index.members[i].story_id, scores.get(i, self._scores.get(i))) for i in changed]
        self.store.save_stories([index.summary(s) for s in sorted(index.touched)], links, provisional=True)
        self._version = self.store.story_version()  # only this builder writes while it holds the lock
        index.trim()
        self._scores.update(scores)
        # Current stories are read off the index when asked for: rewriting every earlier
        # assignment after each batch made a long ingest quadratic.
        self._touched |= index.touched
        self._assigned += assigned


def _now(index: StoryIndex, a: Assignment) -> Assignment:
    return Assignment(a.article_id, index.members[a.article_id].story_id, a.score)


def update_stories(
    store: Store,
    options: StoryOptions | None = None,
    *,
    embed: EmbedFunction | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> StoryUpdate:
    """Describe and cluster every stored article that has no story yet, then rebuild the stories
    they joined (see :class:`StoryBuilder`)."""
    builder = StoryBuilder(store, options, embed=embed)
    builder.update(on_progress)
    builder.finish()
    done = tuple(builder.assignments)
    return StoryUpdate(analysed=len(done), assignments=done, stories_touched=len(builder.touched))


def _arrival_order(member: Member) -> tuple[bool, dt.date, int]:
    # Within a batch, older news first: a story grows from its first report, as it would have live.
    published = member.published
    return (published is None, published or dt.date.min, member.article_id)


def recluster(store: Store, options: StoryOptions | None = None) -> StoryUpdate:
    """Cluster every article again from scratch with the same algorithm, in date order.

    Stories that come out with mostly the same articles keep their ids; the others get new ones.
    Memory stays bounded as in ingest: vectors for all, features for a working set.
    """
    options = options or StoryOptions()
    update_stories(store, options)  # make sure every article has its features
    with store.story_lock():
        members = [_from_stored(row) for row in store.iter_features(MODEL_ID, vectors_only=True)]
        old = {m.article_id: m.story_id for m in members}
        index, scores = build_index(members, options.cluster, fetch=_fetcher(store), working_set=options.working_set)
        last = store.max_story_id()
        final_ids = _stable_ids([Assignment(m.article_id, m.story_id, None) for m in members], old, last)
        summaries = [dataclasses.replace(index.summary(s), id=final_ids[s]) for s in sorted(index.stories)]
        final = [Assignment(m.article_id, final_ids[m.story_id], scores[m.article_id]) for m in members]
        store.save_stories(summaries, [(a.article_id, a.story_id, a.score) for a in final], replace=True)
    return StoryUpdate(analysed=len(final), assignments=tuple(final), stories_touched=len(summaries))


def _stable_ids(assignments: Sequence[Assignment], old: dict[int, int], last_id: int) -> dict[int, int]:
    """Map fresh cluster numbers to old story ids: each old id goes to the new cluster holding most of it."""
    overlap: Counter[tuple[int, int]] = Counter(
        (a.story_id, old[a.article_id]) for a in assignments if old.get(a.article_id)
    )
    mapping: dict[int, int] = {}
    taken: set[int] = set()
    for (new, previous), _count in overlap.most_common():
        if new not in mapping and previous not in taken:
            mapping[new] = previous
            taken.add(previous)
    for a in assignments:
        if a.story_id not in mapping:
            last_id += 1
            mapping[a.story_id] = last_id
    return mapping


def similar_articles(
    store: Store, article: Article, limit: int = 10, options: StoryOptions | None = None
) -> list[Similar]:
    """The stored articles nearest to `article`, with their cosine and same-event score."""
    options = options or StoryOptions()
    update_stories(store, options)
    index, _, _ = load_index(store, options, index_path(store, options))
    if article.id not in index.members:
        return []
    me = index.members[article.id]
    near = [(i, cos) for i, cos in index.neighbours(me.vector, limit + 1) if i != article.id][:limit]
    wanted = [me, *(index.members[i] for i, _ in near)]
    fetched = index.fetch([m.article_id for m in wanted if m.features is None])
    for m in wanted:
        m.features = m.features or fetched[m.article_id]
    external = {a.id: a.external_id for a in store.articles_by_id([i for i, _ in near])}
    found: list[Similar] = []
    for other_id, cos in near:
        other = index.members[other_id]
        found.append(
            Similar(
                article_id=other_id,
                external_id=external.get(other_id, str(other_id)),
                title=other.title,
                outlet=other.outlet,
                cosine=round(cos, 4),
                score=round(pair_score(me, other, index.df), 4),
                same_story=other.story_id == me.story_id,
            )
        )
    return found
