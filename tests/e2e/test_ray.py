"""The Ray Data engine gives what the local engine gives: the same outcomes, row ids and stories.

One local Ray (2 CPUs) serves the whole module: starting one costs ~10 s. Each test runs the Ray
engine and, where it compares, the local engine on the same input into fresh stores. Small store
batches and Ray blocks make even the seeds cross several of each; the ECB+ input also crosses two
Ray windows (two Ray Data executions, each with its own actors).

No warning filter is needed here: `storyline.ingest.raydata` silences, narrowly, the two warnings Ray
2.60 raises on its own (its DataContext's deprecated fields, and `max_restarts` passed as a remote
argument), so `filterwarnings = error` holds for everything else.
"""

from __future__ import annotations

import json
import logging
import socket
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from storyline.cli import app, main
from storyline.errors import OptionsError
from storyline.ingest import raydata
from storyline.ingest.inputs import expand_paths
from storyline.ingest.local import IngestOptions, ingest
from storyline.model import IngestReport
from storyline.store import Store, open_store
from storyline.stories.builder import StoryBuilder
from support.articles import article_text
from support.cli import run

ray = pytest.importorskip("ray", reason="Ray is not installed: pip install 'storyline[ray]'")

# Tests of this module share one Ray; under `pytest -n 2 --dist loadgroup` they also share a worker.
pytestmark = pytest.mark.xdist_group("ray")

SMALL = IngestOptions(batch_size=4, workers=2)  # several store batches even for a handful of inputs
SMALL_RAY = raydata.RayOptions(window=40, block_rows=8)  # ECB+: two windows, several blocks in each
ECB_ARTICLES = 60  # the first ECB+ topics: two events each, so stories must be told apart


@pytest.fixture(scope="module", autouse=True)
def ray_session() -> Iterator[None]:
    """One local Ray for the module; `raydata.ingest` uses it and leaves it running."""
    ray.init(
        address="local",
        num_cpus=2,
        include_dashboard=False,
        log_to_driver=False,
        logging_level=logging.ERROR,
        object_store_memory=200_000_000,
    )
    yield
    ray.shutdown()


@pytest.fixture
def stores() -> Iterator[list[Store]]:
    opened: list[Store] = []
    yield opened
    for store in opened:
        store.close()


def _open(stores: list[Store], url: str) -> Store:
    store = open_store(url)
    stores.append(store)
    return store


def run_ray(store: Store, specs: list[str], options: IngestOptions = SMALL) -> tuple[IngestReport, StoryBuilder]:
    vectors = raydata.PrecomputedVectors()
    builder = StoryBuilder(store, embed=vectors)
    report = raydata.ingest(
        expand_paths(specs), store, options, ray_options=SMALL_RAY, vectors=vectors, after_batch=builder.update
    )
    builder.finish()
    assert vectors.misses == 0, "every vector should come from the Ray actors"
    return report, builder


def run_local(store: Store, specs: list[str], options: IngestOptions = SMALL) -> IngestReport:
    builder = StoryBuilder(store)
    report = ingest(expand_paths(specs), store, options, after_batch=builder.update)
    builder.finish()
    return report


def stories(store: Store) -> list[list[str]]:
    """Stories as sorted lists of external ids: a partition, comparable between stores."""
    return sorted(sorted(a.external_id for a in s.articles) for s in store.list_stories())


def stored(store: Store) -> list[tuple[int | None, str, str]]:
    return [(a.id, a.external_id, a.content_hash) for a in store.iter_articles()]


def outcomes(report: IngestReport) -> list[tuple[str, str | None, str]]:
    return [(o.status, o.external_id, o.detail) for o in report.outcomes]


@pytest.fixture
def seeds_with_repeats(seeds_dir: Path, tmp_path: Path) -> list[str]:
    """The seeds, then one of them again under another name (stored once: same text)."""
    copy = tmp_path / "repeat" / "copy_of_first.txt"
    copy.parent.mkdir()
    copy.write_bytes(sorted(seeds_dir.iterdir())[0].read_bytes())
    return [str(seeds_dir), str(copy)]


@pytest.fixture(params=["seeds", "ecb+"])
def corpus(request: pytest.FixtureRequest, seeds_with_repeats: list[str], tmp_path: Path) -> list[str]:
    if request.param == "seeds":
        return seeds_with_repeats
    shared: Path = request.getfixturevalue("shared_dir")  # skips, saying why, without ../shared
    lines = (shared / "eval" / "stories" / "ecbplus-dev.articles.jsonl").read_text().splitlines()
    path = tmp_path / "ecb.jsonl"
    path.write_text("\n".join(lines[:ECB_ARTICLES]) + "\n")
    return [*seeds_with_repeats, str(path)]


def test_same_outcomes_row_ids_and_stories_as_the_local_engine(
    corpus: list[str], sqlite_url: str, tmp_path: Path, stores: list[Store]
) -> None:
    on_ray = _open(stores, sqlite_url)
    local = _open(stores, f"sqlite:///{tmp_path / 'local.db'}")
    report, builder = run_ray(on_ray, corpus)
    expected = run_local(local, corpus)
    assert outcomes(report) == outcomes(expected)
    assert report.count("already stored") == 1 and report.count("rejected") == 0
    assert stored(on_ray) == stored(local)
    assert stories(on_ray) == stories(local)
    assert len(builder.assignments) == report.count("stored")


def test_bad_inputs_are_rejected_with_reasons_and_the_rest_is_stored(
    tmp_path: Path, sqlite_url: str, stores: list[Store]
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a_good.txt").write_text(article_text(1))
    (folder / "b_empty.txt").write_bytes(b"")
    (folder / "c_short.txt").write_text("Too short.")
    (folder / "d_records.jsonl").write_text(
        json.dumps({"id": "rec-ok", "text": article_text(2)})
        + "\n{not json\n"
        + json.dumps({"id": "rec-no-text"})
        + "\n"
    )
    (folder / "e_good.txt").write_text(article_text(3))
    specs = [str(folder), str(tmp_path / "missing.txt")]
    store = _open(stores, sqlite_url)
    report, _ = run_ray(store, specs)
    assert report.counts == {"stored": 3, "already stored": 0, "rejected": 5}
    reasons = {o.external_id: o.detail for o in report.outcomes if o.status == "rejected"}
    assert reasons["b_empty"] == "empty input"
    assert "invalid JSON" in reasons["d_records:2"]
    assert "no 'text' or 'html'" in reasons["rec-no-text"]
    assert reasons["missing"] == "no such file or directory"
    assert "c_short" in reasons
    assert {r.external_id for r in store.iter_rejections()} == set(reasons)
    assert {a.external_id for a in store.iter_articles()} == {"a_good", "rec-ok", "e_good"}
    local = _open(stores, f"sqlite:///{tmp_path / 'local.db'}")
    assert outcomes(report) == outcomes(run_local(local, specs))


def test_running_the_same_input_again_stores_nothing_new(
    seeds_with_repeats: list[str], sqlite_url: str, stores: list[Store]
) -> None:
    store = _open(stores, sqlite_url)
    first, _ = run_ray(store, seeds_with_repeats)
    before = stories(store)
    again, builder = run_ray(store, seeds_with_repeats)
    assert first.count("stored") == 5
    assert again.counts == {"stored": 0, "already stored": 6, "rejected": 0}
    assert builder.assignments == []
    assert stored(store)[-1][0] == 5 and stories(store) == before


@pytest.mark.postgres
def test_on_postgresql(seeds_with_repeats: list[str], postgres_url: str, sqlite_url: str, stores: list[Store]) -> None:
    on_pg = _open(stores, postgres_url)
    report, _ = run_ray(on_pg, seeds_with_repeats)
    assert report.counts == {"stored": 5, "already stored": 1, "rejected": 0}
    (story,) = on_pg.list_stories()
    assert story.article_count == 5
    local = _open(stores, sqlite_url)
    assert outcomes(report) == outcomes(run_local(local, seeds_with_repeats))
    assert stories(on_pg) == stories(local)


def test_cli_engine_ray_prints_what_the_local_engine_prints(seeds_with_repeats: list[str], tmp_path: Path) -> None:
    printed = {}
    for engine in ("ray", "local"):
        db = f"sqlite:///{tmp_path / engine}.db"
        args = ["--db", db, "ingest", "--engine", engine, "--workers", "2", "--format", "json", *seeds_with_repeats]
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 0, result.output
        printed[engine] = json.loads(result.stdout)
    assert printed["ray"] == printed["local"]
    assert printed["ray"]["counts"] == {"stored": 5, "already stored": 1, "rejected": 0}
    assert printed["ray"]["stories"]["grouped"] == 5


def test_without_ray_the_cli_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], seeds_dir: Path, sqlite_url: str
) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)  # `import ray` raises ImportError
    monkeypatch.setattr(sys, "argv", ["storyline", "--db", sqlite_url, "ingest", "--engine", "ray", str(seeds_dir)])
    with pytest.raises(SystemExit) as exit_:
        main()
    assert exit_.value.code == 2
    assert capsys.readouterr().err == (
        "error: --engine ray needs Ray Data, which is not installed: pip install 'storyline[ray]'\n"
    )


def test_ray_address_needs_engine_ray(seeds_dir: Path, sqlite_url: str) -> None:
    args = ["--db", sqlite_url, "ingest", "--ray-address", "auto", str(seeds_dir)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2
    assert "--ray-address needs --engine ray" in result.output


def test_an_address_nothing_answers_at_fails_at_once_with_one_line(seeds_dir: Path, sqlite_url: str) -> None:
    with socket.socket() as sock:  # a port nothing listens on once this is closed
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    for address, message in [
        (f"127.0.0.1:{port}", f"error: cannot reach the Ray cluster at 127.0.0.1:{port}: Connection refused"),
        ("headnode", "error: not a Ray address: 'headnode'; give auto, HOST:6379 or ray://HOST:10001"),
    ]:
        done = run("--db", sqlite_url, "ingest", "--engine", "ray", "--ray-address", address, str(seeds_dir))
        assert (done.returncode, done.stderr) == (2, message + "\n")


def test_more_workers_than_ray_has_cpus_are_refused(seeds_dir: Path, sqlite_url: str, stores: list[Store]) -> None:
    store = _open(stores, sqlite_url)
    with pytest.raises(OptionsError, match="--workers 3 needs 3 CPUs in the Ray cluster, which has 2"):
        raydata.ingest([str(seeds_dir)], store, IngestOptions(workers=3))
    assert store.count_articles() == 0


@pytest.mark.parametrize(
    ("field", "value"), [("window", 0), ("window_bytes", 0), ("block_rows", 0), ("embed_batch", 0), ("address", " ")]
)
def test_impossible_ray_options_are_refused(field: str, value: object) -> None:
    with pytest.raises(OptionsError, match=field if field != "address" else "address is empty"):
        raydata.RayOptions(**{field: value})  # type: ignore[arg-type]
