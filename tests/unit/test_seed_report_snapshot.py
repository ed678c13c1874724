"""The seeds' report JSON, held against a committed snapshot: a refactoring must not change it.

The report of the bundled seeds (examples/seeds) is built through the library, its run-dependent
key (`generated_at`) dropped and floats rounded to 4 places, and compared with
tests/fixtures/seeds-report.json. A change of behaviour that is meant (a better claim grouping, a new
report key) updates the snapshot on purpose and shows in the diff of that commit:

    STORYLINE_UPDATE_SNAPSHOT=1 .venv/bin/pytest -p no:xdist tests/test_seed_report_snapshot.py
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from storyline.ingest.local import ingest
from storyline.services import build_report
from storyline.store import open_store
from storyline.stories.builder import StoryBuilder

SNAPSHOT = Path(__file__).resolve().parents[1] / "fixtures" / "seeds-report.json"


def _normalised(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 4)
    if isinstance(value, dict):
        return {k: _normalised(v) for k, v in value.items() if k != "generated_at"}
    if isinstance(value, list):
        return [_normalised(v) for v in value]
    return value


def seeds_report(seeds_dir: Path, db_url: str) -> dict[str, Any]:
    """The normalised JSON report of the seeds' one story."""
    store = open_store(db_url)
    try:
        builder = StoryBuilder(store)
        ingest([str(seeds_dir)], store, after_batch=builder.update)
        builder.finish()
        (story,) = store.list_stories()
        return dict(_normalised(build_report(store, story.id).to_json()))
    finally:
        store.close()


def test_seed_report_matches_the_snapshot(seeds_dir: Path, sqlite_url: str) -> None:
    report = seeds_report(seeds_dir, sqlite_url)
    if os.environ.get("STORYLINE_UPDATE_SNAPSHOT"):
        SNAPSHOT.write_text(json.dumps(report, indent=1, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")
    expected = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    for key in sorted(set(expected) | set(report)):
        assert report.get(key) == expected.get(key), f"report key {key!r} differs from {SNAPSHOT.name}"
    assert report == expected


def test_the_snapshot_is_not_empty() -> None:
    expected = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    assert len(expected["articles"]) == 5
    assert expected["claims"] and expected["quotes"] and expected["summary"] and expected["timeline"]
