"""Online story clustering: each new article joins the story of the same event, or starts one.

A story is one real-world event, not a topic. Two articles are scored as the same event from
their vectors (topic and framing) and from what separates two events of one kind: shared names
(weighted by rarity), figures, years and days, and publication dates. An article is compared only
with the stories of its nearest neighbours in an approximate-nearest-neighbour index (usearch)
that lie within a time window, so the cost per article stays flat as the store grows; against
each candidate story it is scored by average linkage over the story's most recent members.

:func:`cluster_all` runs the same algorithm over a whole set in date order (`storyline recluster`).
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from .embed import DIM
from .errors import OptionsError
from .features import ArticleFeatures
from .model import Story

__all__ = ["Assignment", "ClusterOptions", "Member", "StoryIndex", "pair_features", "pair_score"]

Vector = npt.NDArray[np.float32]


@dataclass(frozen=True, slots=True, kw_only=True)
class ClusterOptions:
    """How articles are grouped into stories.

    Attributes:
        threshold: the least same-event probability for an article to join a story.
        window_days: two dated articles further apart than this never share a story.
        candidates: nearest articles retrieved per new article.
        member_cap: a story is compared through at most this many of its latest members.
    """

    threshold: float = 0.5
    window_days: int = 30
    candidates: int = 30
    member_cap: int = 30

    def __post_init__(self) -> None:
        if not 0.0 < self.threshold < 1.0:
            raise OptionsError(f"threshold must be between 0 and 1 (got {self.threshold})")
        if self.window_days < 1:
            raise OptionsError(f"window_days must be at least 1 (got {self.window_days})")
        if self.candidates < 1 or self.member_cap < 1:
            raise OptionsError("candidates and member_cap must be at least 1")


@dataclass(slots=True)
class Member:
    """An article as the index holds it."""

    article_id: int
    vector: Vector
    features: ArticleFeatures
    title: str | None = None
    outlet: str | None = None
    story_id: int = 0
    label: str | None = None  # the first words, for an article without a title


@dataclass(frozen=True, slots=True)
class Assignment:
    """Where one article went: its story, the score that put it there (None: it started the story)."""

    article_id: int
    story_id: int
    score: float | None


# Same-event probability = logistic(WEIGHTS · pair_features + BIAS), fitted on ECB+ dev pairs
# (see docs/stories.md for how, and what each feature adds).
FEATURES = ("cosine", "names", "numbers", "years", "days", "published")
WEIGHTS = np.array([4.83, 4.18, 1.35, 1.2, 1.41, 0.22])
BIAS = -4.77


class NameWeights:
    """Inverse document frequency of names over the articles seen so far."""

    def __init__(self) -> None:
        self.df: Counter[str] = Counter()
        self.n = 0

    def add(self, features: ArticleFeatures) -> None:
        self.df.update(features.names.keys())
        self.n += 1

    def idf(self, name: str) -> float:
        return math.log((self.n + 1) / (self.df[name] + 1)) + 1.0

    def weighted(self, features: ArticleFeatures) -> dict[str, float]:
        return {k: (1.0 + math.log(c)) * self.idf(k) for k, c in features.names.items()}


def _cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if not a or not b:
        return 0.0
    if len(a) > len(b):
        a, b = b, a
    dot = sum(w * b[k] for k, w in a.items() if k in b)
    if not dot:
        return 0.0
    return dot / math.sqrt(sum(w * w for w in a.values()) * sum(w * w for w in b.values()))


def pair_features(a: Member, b: Member, weights: NameWeights) -> list[float]:
    """The evidence that `a` and `b` report the same event, one number per entry of FEATURES."""
    fa, fb = a.features, b.features
    years = 1.0 if fa.years & fb.years else (-1.0 if fa.years and fb.years else 0.0)
    published = 0.0
    if fa.published and fb.published:
        gap = abs((fa.published - fb.published).days)
        published = 1.0 if gap <= 3 else (-1.0 if gap > 30 else 0.0)
    return [
        float(a.vector @ b.vector),
        _cosine(weights.weighted(fa), weights.weighted(fb)),
        min(len(fa.numbers & fb.numbers), 3) / 3,
        years,
        1.0 if fa.days & fb.days else 0.0,
        published,
    ]


def pair_score(a: Member, b: Member, weights: NameWeights) -> float:
    """Probability that `a` and `b` report the same event (symmetric, in [0, 1])."""
    z = float(np.dot(WEIGHTS, pair_features(a, b, weights))) + BIAS
    return 1.0 / (1.0 + math.exp(-z))


@dataclass(slots=True)
class _StoryState:
    members: list[int] = field(default_factory=list)


class StoryIndex:
    """The stories known so far and a nearest-neighbour index over their articles' vectors."""

    def __init__(self, options: ClusterOptions | None = None, *, next_story_id: int = 1) -> None:
        from usearch.index import Index

        self.options = options or ClusterOptions()
        self.weights = NameWeights()
        self.members: dict[int, Member] = {}
        self.stories: dict[int, _StoryState] = defaultdict(_StoryState)
        self.touched: set[int] = set()
        self._next_story_id = next_story_id
        # Half-precision storage halves memory; recall of the top 30 is unaffected at these sizes.
        self._ann = Index(ndim=DIM, metric="cos", dtype="f16")

    def __len__(self) -> int:
        return len(self.members)

    def load(self, members: Iterable[Member]) -> None:
        """Add articles that already belong to stories (from the store), without re-clustering them."""
        batch = [m for m in members if m.story_id]
        for m in batch:
            self._remember(m)
            self._next_story_id = max(self._next_story_id, m.story_id + 1)
        if batch:
            self._ann.add(np.array([m.article_id for m in batch]), np.stack([m.vector for m in batch]))

    def assign(self, member: Member) -> Assignment:
        """Put one new article into the story it reports (or a new one) and index it."""
        best_story, best_score = 0, self.options.threshold
        self.weights.add(member.features)
        for story_id in self._candidate_stories(member):
            score = self._story_score(member, story_id)
            if score >= best_score:
                best_story, best_score = story_id, score
        if best_story:
            assignment = Assignment(member.article_id, best_story, round(best_score, 4))
        else:
            best_story = self._next_story_id
            self._next_story_id += 1
            assignment = Assignment(member.article_id, best_story, None)
        member.story_id = best_story
        self._remember(member, counted=True)
        self._ann.add(member.article_id, member.vector)
        self.touched.add(best_story)
        return assignment

    def neighbours(self, vector: Vector, limit: int) -> list[tuple[int, float]]:
        """The `limit` nearest indexed articles as (article id, cosine similarity)."""
        if not len(self._ann):
            return []
        found = self._ann.search(vector, min(limit, len(self._ann)))
        return [(int(k), 1.0 - float(d)) for k, d in zip(found.keys, found.distances, strict=True)]

    def _remember(self, member: Member, *, counted: bool = False) -> None:
        if not counted:
            self.weights.add(member.features)
        self.members[member.article_id] = member
        self.stories[member.story_id].members.append(member.article_id)

    def _candidate_stories(self, member: Member) -> list[int]:
        window = self.options.window_days
        day = member.features.published
        found: list[int] = []
        for article_id, _sim in self.neighbours(member.vector, self.options.candidates):
            other = self.members[article_id]
            when = other.features.published
            if day and when and abs((day - when).days) > window:
                continue
            if other.story_id not in found:
                found.append(other.story_id)
        return found

    def _story_score(self, member: Member, story_id: int) -> float:
        """Average linkage over the story's latest members."""
        latest = self.stories[story_id].members[-self.options.member_cap :]
        return sum(pair_score(member, self.members[i], self.weights) for i in latest) / len(latest)

    def summary(self, story_id: int) -> Story:
        """The story's record (without its article list) from what the index holds."""
        members = [self.members[i] for i in self.stories[story_id].members]
        dates = [m.features.published for m in members if m.features.published]
        outlets = Counter(m.outlet for m in members if m.outlet)
        names: Counter[str] = Counter()
        for m in members:
            names.update(m.features.names.keys())
        return Story(
            id=story_id,
            headline=_headline(members),
            first_seen=min(dates) if dates else None,
            last_seen=max(dates) if dates else None,
            article_count=len(members),
            outlets=tuple(o for o, _ in outlets.most_common()),
            names=tuple(_display(n) for n, c in names.most_common(8) if c * 2 >= len(members) or len(members) < 3)[:5],
        )

    def story_of(self, article_id: int) -> int | None:
        """The story an indexed article belongs to."""
        member = self.members.get(article_id)
        return member.story_id if member else None


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


def cluster_all(members: Sequence[Member], options: ClusterOptions | None = None) -> list[Assignment]:
    """Cluster a whole set from scratch, oldest first (undated articles after, in the given order)."""
    index = StoryIndex(options)
    order = sorted(range(len(members)), key=lambda i: (members[i].features.published or dt.date.max, i))
    return [index.assign(members[i]) for i in order]
