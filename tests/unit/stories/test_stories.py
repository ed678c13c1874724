"""Stories end to end with the real models: seeds, incremental ingest, stable ids, recluster, similar."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from storyline.ingest.inputs import expand_paths
from storyline.ingest.local import ingest
from storyline.store import Store, open_store
from storyline.store.base import FeatureRow
from storyline.stories.builder import StoryBuilder, StoryOptions, describe, recluster, similar_articles, update_stories
from storyline.stories.cluster import Member, StoryIndex
from storyline.stories.embed import MODEL_ID, default_embedder
from support.seeds import seed_articles

_OPENED: list[Store] = []


def _open(db: str) -> Store:
    store = open_store(db)
    _OPENED.append(store)
    return store


@pytest.fixture(autouse=True)
def _close_stores() -> Iterator[None]:
    yield
    while _OPENED:
        _OPENED.pop().close()


def _ingest(db: str, paths: list[str]) -> StoryBuilder:
    store = _open(db)
    builder = StoryBuilder(store)
    ingest(expand_paths(paths), store, after_batch=builder.update)
    builder.finish()  # as `storyline ingest` does
    return builder


def test_the_five_seeds_form_exactly_one_story(db_url: str, seeds_dir: Path) -> None:
    builder = _ingest(db_url, [str(seeds_dir)])
    assert len(builder.assignments) == 5
    store = _open(db_url)
    (story,) = store.list_stories()
    assert story.article_count == 5 and len(story.articles) == 5
    assert {"Meduza", "The Moscow Times"} <= set(story.outlets)
    assert story.first_seen is not None and story.first_seen.isoformat() == "2024-01-26"
    assert "Putin" in story.names
    assert store.get_story(story.id).articles == story.articles


def test_articles_arriving_later_join_the_story_and_ids_stay(db_url: str, seeds_dir: Path, tmp_path: Path) -> None:
    seeds = sorted(seeds_dir.iterdir())
    first, later = tmp_path / "first", tmp_path / "later"
    first.mkdir()
    later.mkdir()
    for i, path in enumerate(seeds):
        ((first if i < 2 else later) / path.name).write_bytes(path.read_bytes())
    _ingest(db_url, [str(first)])
    (before,) = _open(db_url).list_stories()
    builder = _ingest(db_url, [str(later)])
    assert len(builder.assignments) == 3
    assert {a.story_id for a in builder.assignments} == {before.id}
    (after,) = _open(db_url).list_stories()
    assert after.id == before.id and after.article_count == 5
    # Ingesting everything again changes nothing.
    again = _ingest(db_url, [str(seeds_dir)])
    assert again.assignments == []
    assert _open(db_url).list_stories() == [after]


def test_features_evicted_from_memory_are_read_back_from_the_store(db_url: str, seeds_dir: Path) -> None:
    seeds = sorted(str(p) for p in seeds_dir.iterdir())
    store = _open(db_url)
    ingest(expand_paths(seeds[:2]), store, after_batch=StoryBuilder(store).update)
    # The second run keeps the features of one article at a time and no IDF sample.
    tight = StoryOptions(working_set=1, idf_sample=1)
    builder = StoryBuilder(store, tight)
    ingest(expand_paths(seeds[2:]), store, after_batch=builder.update)
    assert builder._index is not None
    assert sum(1 for m in builder._index.members.values() if m.features is not None) == 1
    (story,) = store.list_stories()
    assert story.article_count == 5 and "Putin" in story.names


def test_finish_rebuilds_the_touched_stories_and_keeps_the_older_id(db_url: str, seeds_dir: Path) -> None:
    _ingest(db_url, [str(seeds_dir)])
    store = _open(db_url)
    (story,) = store.list_stories()
    # Split the story by hand, as a bad early assignment could have.
    moved = [a.id for a in story.articles[:2]]
    store.save_stories([dataclasses.replace(story, id=story.id + 1)], [(i, story.id + 1, None) for i in moved])
    assert len(store.list_stories()) == 2
    builder = StoryBuilder(store)
    builder.update()
    builder.touched = {story.id, story.id + 1}
    update = builder.finish()
    assert update.analysed == 5
    (after,) = store.list_stories()
    assert after.id == story.id and after.article_count == 5


def test_recluster_keeps_the_ids_of_unchanged_stories(db_url: str, seeds_dir: Path) -> None:
    _ingest(db_url, [str(seeds_dir)])
    store = _open(db_url)
    (before,) = store.list_stories()
    update = recluster(store)
    assert update.analysed == 5
    (after,) = store.list_stories()
    assert after.id == before.id and after.articles == before.articles
    # With one article's features in memory at a time, the others are read back: same result.
    recluster(store, StoryOptions(working_set=1))
    assert store.list_stories() == [after]


def test_two_events_of_one_kind_are_two_stories(db_url: str, shared_dir: Path, tmp_path: Path) -> None:
    # ECB+ topic 1: Tara Reid enters rehab (2008) and Lindsay Lohan enters rehab (2013).
    lines = (shared_dir / "eval/stories/ecbplus-dev.articles.jsonl").read_text().splitlines()
    rows = [json.loads(line) for line in lines]
    gold = json.loads((shared_dir / "eval/stories/ecbplus-dev.gold.json").read_text())
    picked = [r for r in rows if r["id"].startswith("1_")][:14]
    src = tmp_path / "topic1.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in picked))
    _ingest(db_url, [str(src)])
    stories = _open(db_url).list_stories()
    by_story = [{gold[a.external_id] for a in s.articles} for s in stories]
    assert all(len(labels) == 1 for labels in by_story), by_story  # no story mixes the two events
    assert len(stories) <= 4, [s.headline for s in stories]


def test_articles_with_features_but_no_story_are_clustered_next_time(db_url: str, seeds_dir: Path) -> None:
    # A run stopped after caching features and before writing stories leaves exactly this state.
    store = _open(db_url)
    ingest(expand_paths([str(seeds_dir)]), store)
    from storyline.stories.embed import to_bytes

    pending = store.articles_without_features(MODEL_ID)
    members = describe(pending, StoryOptions(), default_embedder(128))
    store.save_features([FeatureRow(m.article_id, MODEL_ID, to_bytes(m.vector), m.loaded.to_json()) for m in members])
    assert store.count_stories() == 0
    update = update_stories(store)
    assert update.analysed == 5 and store.count_stories() == 1


def test_similar_lists_neighbours_with_scores(db_url: str, seeds_dir: Path) -> None:
    _ingest(db_url, [str(seeds_dir)])
    store = _open(db_url)
    article = store.get_article("001_5ca4497752f730ed")
    found = similar_articles(store, article, limit=3)
    assert len(found) == 3
    assert all(s.external_id != article.external_id for s in found)
    assert [s.cosine for s in found] == sorted((s.cosine for s in found), reverse=True)
    assert all(0.0 <= s.score <= 1.0 and s.same_story for s in found)
    # Features not in memory are read back for the comparison.
    tight = similar_articles(store, article, limit=3, options=StoryOptions(idf_sample=1, working_set=1))
    assert [s.external_id for s in tight] == [s.external_id for s in found]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"join": 1.5}, "join"),
        ({"merge": 0}, "merge"),
        ({"window_days": 0}, "window_days"),
        ({"candidates": 0}, "candidates"),
        ({"max_stories": 0}, "max_stories"),
    ],
)
def test_cluster_options_are_validated(options: dict[str, float], message: str) -> None:
    from storyline.errors import OptionsError
    from storyline.stories.cluster import ClusterOptions

    with pytest.raises(OptionsError, match=message):
        ClusterOptions(**options)  # type: ignore[arg-type]


def _seed_members(seeds_dir: Path) -> list[Member]:
    options = StoryOptions()
    return describe(seed_articles(seeds_dir), options, default_embedder(options.features.vector_tokens))


def test_repair_merges_a_split_story_into_the_older_one(seeds_dir: Path) -> None:
    members = _seed_members(seeds_dir)
    for m, story in zip(members, [1, 1, 1, 2, 2], strict=True):
        m.story_id = story
    index = StoryIndex()
    index.load(members)
    assert index.repair([2]) == [(1, 2)]
    assert {m.story_id for m in members} == {1} and index.moved == {4, 5}
    assert list(index.stories) == [1] and index.summary(1).article_count == 5


def test_repair_keeps_apart_stories_about_different_years(seeds_dir: Path) -> None:
    members = _seed_members(seeds_dir)
    for m, story in zip(members, [1, 1, 1, 2, 2], strict=True):
        m.story_id = story
        # Undated articles, each story about its own year: the repair pass must not merge them.
        m.features = dataclasses.replace(m.loaded, years={2013: 3} if story == 2 else {2024: 3}, published=None)
        m.published = None
    index = StoryIndex()
    index.load(members)
    assert index.repair([1, 2]) == []
    assert sorted(index.stories) == [1, 2]


def test_an_input_stored_as_a_duplicate_is_listed_with_its_story(db_url: str, seeds_dir: Path, tmp_path: Path) -> None:
    copy = tmp_path / "reprint.txt"
    copy.write_bytes((seeds_dir / "004_72e330e792d8a04d.txt").read_bytes())
    for _ in range(2):  # twice: the alias is recorded once
        _ingest(db_url, [str(seeds_dir), str(copy)])
    (story,) = _open(db_url).list_stories()
    listed = {a.external_id: a for a in story.articles}
    assert story.article_count == 5 and len(listed) == 6
    assert listed["reprint"].duplicate_of == "004_72e330e792d8a04d"
    assert listed["reprint"].id == listed["004_72e330e792d8a04d"].id
    assert story.to_json()["articles"][-1]["duplicate_of"] == "004_72e330e792d8a04d"
