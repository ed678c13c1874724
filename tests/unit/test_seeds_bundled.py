"""The bundled seeds against the project's own expectations (examples/seeds-expectations.json).

These run from the repository alone: a fresh clone without ../shared still checks the model case
(ingest, copies, upstream sources, quotes and their fidelity, claims, conflicts, timeline). An
item marked "not_yet" names what the report still gets wrong; its test is a strict xfail, so the
day it is fixed the test fails until the mark is removed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from test_seed_report_snapshot import seeds_report

from storyline.services import independent_sources

EXPECT = json.loads((Path(__file__).resolve().parents[2] / "examples" / "seeds-expectations.json").read_text("utf-8"))


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    db = tmp_path_factory.mktemp("bundled") / "seeds.db"
    return seeds_report(Path(__file__).resolve().parents[2] / "examples" / "seeds", f"sqlite:///{db}")


def _by_id(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {a["id"]: a for a in report["articles"]}


def test_one_story_of_all_five(report: dict[str, Any]) -> None:
    assert sorted(_by_id(report)) == EXPECT["story"]
    assert report["story"]["article_count"] == len(EXPECT["story"])


@pytest.mark.parametrize("article", sorted(EXPECT["articles"]))
def test_article_metadata(report: dict[str, Any], article: str) -> None:
    got, want = _by_id(report)[article], EXPECT["articles"][article]
    for key, value in want.items():
        assert got[key] == value, f"{article} {key}"


def test_boilerplate_is_gone_and_text_is_kept(report: dict[str, Any]) -> None:
    articles = _by_id(report)
    for article, strings in EXPECT["boilerplate_removed"].items():
        assert not [s for s in strings if s in articles[article]["text"]]
    for article, strings in EXPECT["text_kept"].items():
        assert all(s in articles[article]["text"] for s in strings)


def test_copies_and_not_copies(report: dict[str, Any]) -> None:
    linked = {frozenset((c["copy"], c["of"])) for c in report["copies"]}
    for item in EXPECT["copies"]:
        assert frozenset(item["between"]) in linked, item["why"]
    for pair in EXPECT["not_copies"]:
        assert frozenset(pair) not in linked


def test_independent_sources_count_copies_once(report: dict[str, Any]) -> None:
    assert report["independent_sources"] == EXPECT["independent_sources"], EXPECT["independent_sources_why"]
    older = {k: v for k, v in report.items() if k != "independent_sources"}  # JSON of a report made before the field
    assert independent_sources(older) == report["independent_sources"]


def test_upstream_source_cited_by_all(report: dict[str, Any]) -> None:
    want = EXPECT["upstream"]
    (source,) = [s for s in report["sources"] if s["name"] == want["name"]]
    assert sorted(source["cited_by"]) == want["cited_by"]


@pytest.mark.parametrize("item", EXPECT["quotes"], ids=lambda q: q["contains"])
def test_quotes_their_speaker_and_fidelity(report: dict[str, Any], item: dict[str, Any]) -> None:
    found = [q for q in report["quotes"] if item["contains"].lower() in q["text"].lower()]
    assert found, item["contains"]
    quote = found[0]
    assert item["speaker"] in (quote["speaker"] or "")
    fidelity = {o["article"]: o["fidelity"] for o in quote["occurrences"]}
    for article in item.get("verbatim_in", []):
        assert fidelity.get(article) == "verbatim", article
    for article in item.get("paraphrased_in", []):
        assert fidelity.get(article) == "paraphrased", article
    for article in item.get("altered_in", []):
        assert fidelity.get(article) == "altered", article


def _claim_check(report: dict[str, Any], item: dict[str, Any]) -> None:
    needle = item["contains"].lower()
    found = [c for c in report["claims"] if any(needle in o["text"].lower() for o in c["occurrences"])]
    assert found, item["contains"]
    if "exactly_in" in item:
        assert any(sorted(c["articles"]) == item["exactly_in"] for c in found), item["why"]
    if "in_some_of" in item:
        assert all(set(c["articles"]) <= set(item["in_some_of"]) for c in found)


@pytest.mark.parametrize(
    "item",
    [
        pytest.param(c, marks=pytest.mark.xfail(strict=True, reason=c["not_yet"])) if "not_yet" in c else c
        for c in EXPECT["claims"]
    ],
    ids=lambda c: c["contains"],
)
def test_claims_and_their_articles(report: dict[str, Any], item: dict[str, Any]) -> None:
    _claim_check(report, item)


def test_the_denial_is_found(report: dict[str, Any]) -> None:
    for want in EXPECT["conflicts"]:
        sides = [c for c in report["conflicts"] if c["kind"] == want["kind"]]
        assert sides, want["why"]
        articles = {e["article"] for c in sides for side in ("a", "b") for e in c[side]["evidence"]}
        assert set(want["involves"]) <= articles


def test_timeline_dates(report: dict[str, Any]) -> None:
    for want in EXPECT["timeline"]:
        events = [e for e in report["timeline"] if e["date"].startswith(want["date"])]
        assert events, want
        if "contains" in want:
            assert any(want["contains"] in json.dumps(e).lower() for e in events)
