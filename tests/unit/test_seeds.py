"""The seed articles (../shared/seeds/expected.json) through ingest: text, metadata, idempotence."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from storyline.ingest.local import ingest
from storyline.store import open_store

EXPECTED_FILE = Path(__file__).resolve().parents[3] / "shared" / "seeds" / "expected.json"


@pytest.fixture(scope="module")
def expected() -> dict:
    if not EXPECTED_FILE.exists():
        pytest.skip("../shared/seeds/expected.json is not beside the repository")
    return json.loads(EXPECTED_FILE.read_text(encoding="utf-8"))


@pytest.fixture
def stored(seeds_dir: Path, db_url: str) -> dict:
    store = open_store(db_url)
    report = ingest([str(seeds_dir)], store)
    assert report.counts == {"stored": 5, "already stored": 0, "rejected": 0}
    articles = {a.external_id: a for a in store.iter_articles()}
    store.close()
    return articles


def test_all_seeds_ingest_with_their_ids(stored: dict, expected: dict) -> None:
    assert set(stored) == set(expected["articles"])


def test_boilerplate_is_removed(stored: dict, expected: dict) -> None:
    for ext_id, strings in expected["boilerplate_must_be_removed"].items():
        for s in strings:
            assert s not in stored[ext_id].text, f"{ext_id} still has {s!r}"
            assert s not in (stored[ext_id].title or ""), f"{ext_id} title has {s!r}"


def test_article_text_is_kept(stored: dict, expected: dict) -> None:
    for ext_id, strings in expected["text_must_be_kept"].items():
        for s in strings:
            assert s in stored[ext_id].text, f"{ext_id} lost {s!r}"


def test_published_and_outlet_match_the_analyst(stored: dict, expected: dict) -> None:
    for ext_id, facts in expected["articles"].items():
        art = stored[ext_id]
        published = art.published.isoformat() if art.published else None
        assert published == facts["published"], ext_id
        assert art.outlet == facts["outlet"], ext_id


def test_metadata_header_line_is_not_text(stored: dict) -> None:
    art = stored["001_5ca4497752f730ed"]
    assert not art.text.lstrip().startswith("date")
    assert art.title == ("Reports say Russian leader ‘putting out feelers’ about talks and may drop some conditions")
    assert stored["003_6a6cd31853d2a3b4"].text.startswith("Days after the US Secretary of State")


def test_seeds_are_english(stored: dict) -> None:
    assert {a.language for a in stored.values()} == {"en"}


def _html_wrapped(text: str, url: str) -> str:
    paras = "".join(f"<p>{p}</p>" for p in text.split("\n") if p.strip())
    return (
        f'<!doctype html><html><head><title>Seed</title><link rel="canonical" href="{url}">'
        f'<meta property="og:url" content="{url}"></head><body><article>{paras}</article>'
        "</body></html>"
    )


def test_ingesting_twice_and_as_html_with_same_url_stores_five(seeds_dir: Path, db_url: str, tmp_path: Path) -> None:
    """Seeds with URLs as JSONL, again, then as HTML pages at the same URLs: 5 articles."""
    jsonl = tmp_path / "seeds.jsonl"
    html_dir = tmp_path / "html"
    html_dir.mkdir()
    with jsonl.open("w", encoding="utf-8") as fh:
        for path in sorted(seeds_dir.glob("*.txt")):
            url = f"https://news.example.org/{path.stem}"
            text = path.read_text(encoding="utf-8")
            fh.write(json.dumps({"id": path.stem, "url": url, "text": text}) + "\n")
            (html_dir / f"{path.stem}-copy.html").write_text(_html_wrapped(text, url), "utf-8")
    store = open_store(db_url)
    first = ingest([str(jsonl)], store)
    again = ingest([str(jsonl), str(seeds_dir)], store)
    as_html = ingest([str(html_dir)], store)
    assert first.counts["stored"] == 5
    assert again.counts == {"stored": 0, "already stored": 10, "rejected": 0}
    assert as_html.counts == {"stored": 0, "already stored": 5, "rejected": 0}
    assert {o.detail.split(" as ")[0] for o in as_html.outcomes} == {"same URL"}
    assert store.count_articles() == 5
    store.close()
