"""Online story clustering: each new article joins the story of the same event, or starts one.

A story is one real-world event, not a topic. Two articles are scored as the same event by a
logistic model over their vectors (topic and framing) and over what separates two events of one
kind: shared names and words (weighted by rarity), figures, the year they are about and the days
they mention (:func:`pair_score`). A new article is compared only with the stories of its nearest
neighbours in an approximate-nearest-neighbour index (usearch), skipping neighbours published too
far apart, and against each candidate story by average linkage over the story's latest members;
so the cost per article stays flat as the store grows.

Online assignment cannot undo an early split, so a repair pass (:meth:`StoryIndex.repair`) merges
touched stories with near stories when their average linkage is high enough, unless the two are
clearly about different years. :func:`cluster_all` runs the same algorithm over a whole set in
date order (`storyline recluster`).
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter, OrderedDict, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from ..errors import OptionsError
from ..model import Story
from .embed import DIM
from .features import STOPWORDS, ArticleFeatures
from .persist import Snapshot, day_numbers

__all__ = [
    "Assignment",
    "ClusterOptions",
    "DocFreq",
    "Member",
    "StoryIndex",
    "build_index",
    "cluster_all",
    "pair_score",
]

Vector = npt.NDArray[np.float32]
Weighted = dict[str, float]

# Same-event probability = logistic(W · features + BIAS): fitted by logistic regression on ECB+ dev
# article pairs (each topic holds two events of one kind) and SemEval-2022 English pairs (same story
# or unrelated, scored as two articles in a fresh store), weights rounded; see docs/stories.md.
W_COSINE, W_TERMS, W_NAMES, W_NUMBERS, W_YEAR, W_DAY, BIAS = 5.5, 1.0, 8.5, 1.0, 1.5, 1.75, -6.25
# Names only tell two events apart when both articles name enough people and places: with few names
# ("few" goes from 0 at 10 or more names to 1 at none) their overlap counts less and the vectors more.
W_FEW, W_COSINE_FEW, W_NAMES_FEW = 2.0, 0.75, -7.5
FEW_NAMES = 10
_REPAIR_CANDIDATES = 5  # stories with the most similar mean vector that repair scores for a merge
_REPAIR_MEMBERS = 10  # latest members per story that repair compares (10 × 10 pairs per candidate)
_SUMMARY_MEMBERS = 100  # a story's names and years are read from its latest members


@dataclass(frozen=True, slots=True, kw_only=True)
class ClusterOptions:
    """How articles are grouped into stories.

    Attributes:
        join: the least average same-event probability for an article to join a story.
        merge: the least average linkage for the repair pass to merge two stories.
        merge_gate: stories whose mean vectors are less similar than this are never merged.
        window_days: a dated article never joins a story through neighbours published further away
            than this (undated articles are compared with everything).
        candidates: nearest articles retrieved per new article.
        max_stories: at most this many of their stories are scored (the nearest first).
        member_cap: a story is compared through at most this many of its latest members.
    """

    join: float = 0.45
    merge: float = 0.25
    merge_gate: float = 0.3
    window_days: int = 60
    candidates: int = 50
    max_stories: int = 20
    member_cap: int = 30

    def __post_init__(self) -> None:
        for name in ("join", "merge", "merge_gate"):
            if not 0.0 < getattr(self, name) < 1.0:
                raise OptionsError(f"{name} must be between 0 and 1 (got {getattr(self, name)})")
        if self.window_days < 1:
            raise OptionsError(f"window_days must be at least 1 (got {self.window_days})")
        if min(self.candidates, self.max_stories, self.member_cap) < 1:
            raise OptionsError("candidates, max_stories and member_cap must be at least 1")


class DocFreq:
    """Document frequencies of names and terms over the articles seen so far, for IDF weights."""

    def __init__(self) -> None:
        self.n = 0
        self.names: Counter[str] = Counter()
        self.terms: Counter[str] = Counter()

    def add(self, features: ArticleFeatures) -> None:
        self.n += 1
        self.names.update(features.names.keys())
        self.terms.update(features.terms.keys())

    def weigh(self, counts: dict[str, int], df: Counter[str]) -> Weighted:
        """Unit-length TF-IDF weights: (1 + ln count) · (ln((N + 1) / (df + 1)) + 1)."""
        n = self.n + 1
        raw = {k: (1.0 + math.log(c)) * (math.log(n / (df[k] + 1)) + 1.0) for k, c in counts.items()}
        norm = math.sqrt(sum(w * w for w in raw.values())) or 1.0
        return {k: w / norm for k, w in raw.items()}


@dataclass(slots=True)
class Member:
    """An article as the index holds it.

    `features` may be None for an article the index has not needed lately: the index fetches them
    from the store again when it does (see `StoryIndex(fetch=...)`), which bounds its memory.
    """

    article_id: int
    vector: Vector
    features: ArticleFeatures | None
    title: str | None = None
    outlet: str | None = None
    story_id: int = 0
    label: str | None = None  # the first words, for an article without a title
    published: dt.date | None = None
    # IDF-weighted names and terms, cached; refreshed when the corpus has grown since (IDF drifts slowly).
    _weighted: tuple[Weighted, Weighted] | None = field(default=None, repr=False)
    _weighted_at: int = field(default=0, repr=False)

    def __post_init__(self) -> None:
        if self.published is None and self.features is not None:
            self.published = self.features.published

    @property
    def loaded(self) -> ArticleFeatures:
        """The features; the index loads them before scoring (a bug if they are missing here)."""
        if self.features is None:
            raise RuntimeError(f"features of article {self.article_id} are not loaded")
        return self.features

    def weighted(self, df: DocFreq) -> tuple[Weighted, Weighted]:
        if self._weighted is None or df.n > 1.25 * self._weighted_at + 10:
            features = self.loaded
            # A capitalised function word is a headline's Title Case ("Trump Has Only Bad Options"), not a name.
            names = {k: c for k, c in features.names.items() if k not in STOPWORDS}
            self._weighted = (df.weigh(names, df.names), df.weigh(features.terms, df.terms))
            self._weighted_at = df.n
        return self._weighted

    def unload(self) -> None:
        self.features = None
        self._weighted = None


@dataclass(frozen=True, slots=True)
class Assignment:
    """Where one article went: its story, the score that put it there (None: it started the story)."""

    article_id: int
    story_id: int
    score: float | None


def _dot(a: Weighted, b: Weighted) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(w * b[k] for k, w in a.items() if k in b)


def pair_score(a: Member, b: Member, df: DocFreq) -> float:
    """Probability that `a` and `b` report the same event (symmetric, in [0, 1])."""
    return 1.0 / (1.0 + math.exp(-pair_logit(a, b, df)))


def pair_logit(a: Member, b: Member, df: DocFreq) -> float:
    """The log-odds behind :func:`pair_score` (a graded similarity, unbounded)."""
    fa, fb = a.loaded, b.loaded
    names_a, terms_a = a.weighted(df)
    names_b, terms_b = b.weighted(df)
    year_a, year_b = fa.main_year, fb.main_year
    year = 0.0 if year_a is None or year_b is None else (1.0 if year_a == year_b else -1.0)
    cosine, names = float(a.vector @ b.vector), _dot(names_a, names_b)
    few = 1.0 - min(1.0, min(len(names_a), len(names_b)) / FEW_NAMES)
    return (
        W_COSINE * cosine
        + W_TERMS * _dot(terms_a, terms_b)
        + W_NAMES * names
        + W_NUMBERS * min(len(fa.numbers & fb.numbers), 3) / 3
        + W_YEAR * year
        + W_DAY * (1.0 if fa.days & fb.days else 0.0)
        + few * (W_FEW + W_COSINE_FEW * cosine + W_NAMES_FEW * names)
        + BIAS
    )


FetchFeatures = Callable[[Sequence[int]], dict[int, ArticleFeatures]]


class StoryIndex:
    """The stories known so far and a nearest-neighbour index over their articles' vectors.

    Every article's vector stays in memory; features only for a working set of recently used
    articles when a `fetch` function can bring the others back from the store.
    """

    def __init__(
        self,
        options: ClusterOptions | None = None,
        *,
        next_story_id: int = 1,
        fetch: FetchFeatures | None = None,
        working_set: int = 30_000,
    ) -> None:
        from usearch.index import Index

        self.options = options or ClusterOptions()
        self._fetch = fetch
        self._working_set = working_set
        self._loaded: OrderedDict[int, None] = OrderedDict()
        self.df = DocFreq()
        self.members: dict[int, Member] = {}
        self.stories: dict[int, list[int]] = defaultdict(list)  # story id -> article ids, arrival order
        self.touched: set[int] = set()
        self.moved: set[int] = set()  # articles whose story was merged into another since last cleared
        self._next_story_id = next_story_id
        self.unsaved = 0  # articles placed since the index was last saved to or read from its file
        # Half-precision storage halves memory; the top 50 found are the same at these sizes.
        self._ann = Index(ndim=DIM, metric="cos", dtype="f16")

    def __len__(self) -> int:
        return len(self.members)

    def load(self, members: Iterable[Member]) -> None:
        """Add articles that already belong to stories (from the store), without re-clustering them.

        Their features count in the document frequencies when given; without `fetch`, they must be.
        """
        batch = [m for m in members if m.story_id]
        for m in batch:
            if m.features is not None:
                self.df.add(m.features)
                self._loaded[m.article_id] = None
            elif self._fetch is None:
                raise ValueError(f"article {m.article_id} has no features and the index cannot fetch them")
            self.members[m.article_id] = m
            self.stories[m.story_id].append(m.article_id)
            self._next_story_id = max(self._next_story_id, m.story_id + 1)
        if batch:
            self._ann.add(np.array([m.article_id for m in batch]), np.stack([m.vector for m in batch]))

    def snapshot(self, version: int) -> Snapshot:
        """What a story index file keeps of this index (see :mod:`persist`), at the store's story `version`."""
        ids = sorted(self.members)
        members = [self.members[i] for i in ids]
        graph = self._ann.save()  # bytes when given no path
        assert graph is not None
        return Snapshot(
            version=version,
            ids=np.array(ids, dtype=np.int64),
            stories=np.array([m.story_id for m in members], dtype=np.int64),
            published=day_numbers([m.published for m in members]),
            vectors=np.stack([m.vector for m in members]).astype(np.float32)
            if members
            else np.zeros((0, DIM), np.float32),
            ann=bytes(graph),
            titles=[m.title for m in members],
            outlets=[m.outlet for m in members],
            labels=[m.label for m in members],
            df={"n": self.df.n, "names": dict(self.df.names), "terms": dict(self.df.terms)},
        )

    def restore(self, snapshot: Snapshot) -> None:
        """Take the articles, nearest-neighbour graph and document frequencies of a saved index (into
        an empty one); features are fetched from the store when needed."""
        from usearch.index import Index

        ann = Index.restore(snapshot.ann) if len(snapshot.ids) else Index(ndim=DIM, metric="cos", dtype="f16")
        if ann is None or ann.ndim != DIM or len(ann) != len(snapshot.ids):
            raise ValueError("its nearest-neighbour graph does not match its articles")
        self._ann = ann
        self.df.n = snapshot.df["n"]
        self.df.names = Counter(snapshot.df["names"])
        self.df.terms = Counter(snapshot.df["terms"])
        dates = snapshot.dates()
        for k, article_id in enumerate(snapshot.ids.tolist()):
            story = int(snapshot.stories[k])
            member = Member(
                article_id=article_id,
                vector=snapshot.vectors[k],
                features=None,
                title=snapshot.titles[k],
                outlet=snapshot.outlets[k],
                story_id=story,
                label=snapshot.labels[k],
                published=dates[k],
            )
            self.members[article_id] = member
            self.stories[story].append(article_id)
            self._next_story_id = max(self._next_story_id, story + 1)

    def regroup(self, moves: dict[int, int], gone: Sequence[int]) -> None:
        """Apply memberships changed elsewhere: articles moved to other stories, articles dropped.

        Each story's articles are then kept in id order, as an index loaded from the store has them.
        """
        for article_id in gone:
            self.members.pop(article_id, None)
            self._loaded.pop(article_id, None)
        if gone:
            self._ann.remove(np.array(gone, dtype=np.uint64))
        for article_id, story in moves.items():
            self.members[article_id].story_id = story
            self._next_story_id = max(self._next_story_id, story + 1)
        self.stories.clear()
        for article_id in sorted(self.members):
            self.stories[self.members[article_id].story_id].append(article_id)

    def assign(self, member: Member, *, counted: bool = False) -> Assignment:
        """Put one new article into the story it reports (or a new one) and index it.

        `counted`: the article is already in the document frequencies (a re-clustering).
        """
        member.story_id = 0
        if not counted:
            self.df.add(member.loaded)
        self._loaded[member.article_id] = None
        best_story, best_score = 0, self.options.join
        candidates = self._candidate_stories(member)
        self._prefetch(candidates)
        for story_id in candidates:
            score = self.linkage([member], self._latest(story_id))
            if score >= best_score:
                best_story, best_score = story_id, score
        if best_story:
            assignment = Assignment(member.article_id, best_story, round(best_score, 4))
        else:
            best_story = self._next_story_id
            self._next_story_id += 1
            assignment = Assignment(member.article_id, best_story, None)
        member.story_id = best_story
        self.members[member.article_id] = member
        self.stories[best_story].append(member.article_id)
        self._ann.add(member.article_id, member.vector)
        self.touched.add(best_story)
        self.trim()
        return assignment

    def neighbours(self, vector: Vector, limit: int) -> list[tuple[int, float]]:
        """The `limit` nearest indexed articles as (article id, cosine similarity)."""
        if not len(self._ann):
            return []
        found = self._ann.search(vector, min(limit, len(self._ann)))
        return [(int(k), 1.0 - float(d)) for k, d in zip(found.keys, found.distances, strict=True)]

    def _candidate_stories(self, member: Member) -> list[int]:
        window = self.options.window_days
        day = member.published
        found: list[int] = []
        for article_id, _sim in self.neighbours(member.vector, self.options.candidates):
            other = self.members[article_id]
            when = other.published
            if day and when and abs((day - when).days) > window:
                continue
            if other.story_id not in found:
                found.append(other.story_id)
                if len(found) == self.options.max_stories:
                    break
        return found

    def _prefetch(self, story_ids: Sequence[int]) -> None:
        """Load the features of these stories' latest members in one round trip."""
        cap = self.options.member_cap
        missing = [i for s in story_ids for i in self.stories[s][-cap:] if self.members[i].features is None]
        for article_id, features in self.fetch(missing).items():
            self.members[article_id].features = features

    def _latest(self, story_id: int, count: int | None = None) -> list[Member]:
        """The story's latest members, with their features loaded."""
        latest = [self.members[i] for i in self.stories[story_id][-(count or self.options.member_cap) :]]
        missing = [m.article_id for m in latest if m.features is None]
        if missing:
            if self._fetch is None:
                raise RuntimeError("features are missing and the index cannot fetch them")
            found = self._fetch(missing)
            for i in missing:
                self.members[i].features = found[i]
        for m in latest:
            self._loaded[m.article_id] = None
            self._loaded.move_to_end(m.article_id)
        return latest

    def fetch(self, article_ids: Sequence[int]) -> dict[int, ArticleFeatures]:
        """Features of these articles from the store (empty without a fetch function)."""
        return self._fetch(article_ids) if self._fetch and article_ids else {}

    def trim(self) -> None:
        """Drop the features of the least recently used articles beyond the working set."""
        if self._fetch is None:
            return
        while len(self._loaded) > self._working_set:
            article_id, _ = self._loaded.popitem(last=False)
            self.members[article_id].unload()

    def linkage(self, left: Sequence[Member], right: Sequence[Member]) -> float:
        """Average same-event probability over all pairs across the two groups."""
        total = sum(pair_score(a, b, self.df) for a in left for b in right)
        return total / (len(left) * len(right))

    def repair(self, story_ids: Iterable[int]) -> list[tuple[int, int]]:
        """Merge the given stories with near stories of the same event, greedily, best pair first.

        Candidates are the stories of the nearest neighbours of each story's latest members,
        whose mean vectors are at least `merge_gate` alike; a pair merges when its average
        linkage reaches `merge`, unless the two are clearly about different years. The older
        story (smaller id) keeps its id. Returns the (kept, merged away) pairs.
        """
        merges: list[tuple[int, int]] = []
        refused: set[tuple[int, int, int, int]] = set()
        best: dict[int, tuple[float, int]] = {}

        def refresh(story: int) -> None:
            found = self._best_merge(story, refused) if story in self.stories else None
            if found:
                best[story] = found
            else:
                best.pop(story, None)

        for story in {s for s in story_ids if s in self.stories}:
            refresh(story)
        while best:
            story, (_score, other) = max(best.items(), key=lambda item: item[1][0])
            kept, gone = min(story, other), max(story, other)
            self._merge(kept, gone)
            merges.append((kept, gone))
            best.pop(gone, None)
            # Scores that involved either story are stale now.
            for stale in [s for s, (_, o) in best.items() if o in (kept, gone)] + [kept]:
                refresh(stale)
        self.trim()
        return merges

    def _best_merge(self, story: int, refused: set[tuple[int, int, int, int]]) -> tuple[float, int] | None:
        mine = self._latest(story, _REPAIR_MEMBERS)
        centre = self._centre(story)
        gate = self.options.merge_gate
        near: set[int] = set()
        for m in mine[-5:]:
            near.update(self.members[i].story_id for i, _ in self.neighbours(m.vector, self.options.candidates))
        near.discard(story)
        alike = sorted(((float(centre @ self._centre(other)), other) for other in near), reverse=True)
        alike = [(similarity, other) for similarity, other in alike[:_REPAIR_CANDIDATES] if similarity >= gate]
        self._prefetch([other for _, other in alike])
        scored = []
        for _similarity, other in alike:
            score = self.linkage(mine, self._latest(other, _REPAIR_MEMBERS))
            if score >= self.options.merge:
                scored.append((score, other))
        for score, other in sorted(scored, reverse=True):
            key = (story, other, len(self.stories[story]), len(self.stories[other]))
            if key in refused:
                continue
            if self._different_years(story, other):
                refused.add(key)
                continue
            return score, other
        return None

    def _centre(self, story: int) -> Vector:
        latest = self.stories[story][-self.options.member_cap :]
        centre: Vector = np.mean([self.members[i].vector for i in latest], axis=0)
        return centre

    def _different_years(self, a: int, b: int) -> bool:
        """True when each story is mostly about its own year and hardly mentions the other's.

        Articles published close together are about the same time whatever background years
        they mention ("the war that began in 2022"), so then the years do not count.
        """
        if self._published_close(a, b):
            return False
        years_a, years_b = self._years(a), self._years(b)
        if not years_a or not years_b:
            return False
        main_a, main_b = years_a.most_common(1)[0][0], years_b.most_common(1)[0][0]
        return main_a != main_b and years_a[main_b] < 0.5 * years_a[main_a] and years_b[main_a] < 0.5 * years_b[main_b]

    def _published_close(self, a: int, b: int) -> bool:
        days_a = sorted({d for i in self.stories[a] if (d := self.members[i].published)})
        days_b = sorted({d for i in self.stories[b] if (d := self.members[i].published)})
        if not days_a or not days_b:
            return False
        window = self.options.window_days
        return any(abs((x - y).days) <= window for x in days_a[-20:] for y in days_b[-20:])

    def _years(self, story: int) -> Counter[int]:
        counts: Counter[int] = Counter()
        for m in self._latest(story, _SUMMARY_MEMBERS):
            counts.update(m.loaded.years)
        return counts

    def _merge(self, kept: int, gone: int) -> None:
        moved = self.stories.pop(gone)
        for i in moved:
            self.members[i].story_id = kept
        self.stories[kept] = sorted(self.stories[kept] + moved)
        self.moved.update(moved)
        self.touched.discard(gone)
        self.touched.add(kept)

    def summary(self, story_id: int) -> Story:
        """The story's record (without its article list) from what the index holds."""
        members = [self.members[i] for i in self.stories[story_id]]
        dates = [m.published for m in members if m.published]
        outlets = Counter(m.outlet for m in members if m.outlet)
        names: Counter[str] = Counter()
        latest = self._latest(story_id, _SUMMARY_MEMBERS)
        for m in latest:
            names.update(m.loaded.names.keys())
        return Story(
            id=story_id,
            headline=_headline(members),
            first_seen=min(dates) if dates else None,
            last_seen=max(dates) if dates else None,
            article_count=len(members),
            outlets=tuple(o for o, _ in outlets.most_common()),
            names=tuple(_display(n) for n, c in names.most_common(12) if n not in _CALENDAR and 2 * c >= len(latest))[
                :5
            ],
        )


_CALENDAR = frozenset(
    "monday tuesday wednesday thursday friday saturday sunday january february march april may june july august "
    "september october november december".split()
)


def _headline(members: Sequence[Member]) -> str:
    """The title of the member nearest the story's centre; else the first words of the first member."""
    titled = [m for m in members if m.title]
    if titled:
        centre = np.mean([m.vector for m in members], axis=0)
        return max(titled, key=lambda m: float(m.vector @ centre)).title or ""
    return next((m.label for m in members if m.label), "(untitled)")


def _display(name: str) -> str:
    # Names are kept case-folded for matching; shown capitalised ("putin" -> "Putin").
    return " ".join(w[:1].upper() + w[1:] for w in name.split())


def build_index(
    members: Sequence[Member],
    options: ClusterOptions | None = None,
    *,
    fetch: FetchFeatures | None = None,
    working_set: int = 30_000,
    df: DocFreq | None = None,
) -> tuple[StoryIndex, dict[int, float | None]]:
    """Cluster a whole set from scratch: online in date order (undated after, in the given order),
    then one repair pass over every story. Members without features need `fetch`; they are read
    in chunks as the run reaches them. `df`: document frequencies that already count the members
    (else they are counted as they come). Returns the index and each article's join score."""
    index = StoryIndex(options, fetch=fetch, working_set=working_set)
    if df is not None:
        index.df = df
    order = sorted(range(len(members)), key=lambda i: (members[i].published or dt.date.max, i))
    scores: dict[int, float | None] = {}
    for start in range(0, len(order), 500):
        chunk = [members[i] for i in order[start : start + 500]]
        found = index.fetch([m.article_id for m in chunk if m.features is None])
        for m in chunk:
            m.features = m.features or found[m.article_id]
            scores[m.article_id] = index.assign(m, counted=df is not None).score
    index.repair(list(index.stories))
    return index, scores


def cluster_all(members: Sequence[Member], options: ClusterOptions | None = None) -> list[Assignment]:
    """The final story of each article (in input order) after :func:`build_index`."""
    _index, scores = build_index(members, options)
    return [Assignment(m.article_id, m.story_id, scores[m.article_id]) for m in members]
