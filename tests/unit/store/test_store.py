"""The SQL store on a real SQLite file and a real PostgreSQL schema."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storyline.errors import NotFoundError, UnsupportedDatabaseError
from storyline.ingest.extract import content_hash
from storyline.model import Article, Rejected
from storyline.store import open_store, resolve_db_url
from storyline.store.schema import include_name, metadata
from storyline.store.sql import SqlStore, normalise_url


def make_article(n: int, **changes: object) -> Article:
    text = f"Article number {n} says something distinct. " * 10
    fields: dict = {
        "external_id": f"a{n}",
        "text": text,
        "content_hash": content_hash(text),
        "source": f"test:{n}",
        "title": f"Title {n}",
        "published": dt.date(2024, 1, 1 + n % 28),
        "outlet": "Example News",
        "url": f"https://example.org/{n}",
        "language": "en",
    }
    fields.update(changes)
    return Article(**fields)


def test_round_trip_keeps_every_field(db_url: str) -> None:
    store = open_store(db_url)
    original = make_article(1, title="Ünïcode “quotes” <b>&</b>", url=None, published=None)
    [result] = store.add_articles([original])
    assert result.stored is not None and result.stored.id is not None
    back = store.get_article("a1")
    assert back == result.stored
    assert store.get_article(str(back.id)) == back
    store.close()


def test_duplicates_by_url_text_and_id_are_reported(db_url: str) -> None:
    store = open_store(db_url)
    store.add_articles([make_article(1)])
    same_url = make_article(2, url="https://example.org/1")
    same_text = make_article(1, external_id="other", url=None)
    same_id_other_text = make_article(3, external_id="a1", url=None)
    results = store.add_articles([same_url, same_text, same_id_other_text])
    assert [(r.existing, r.reason) for r in results[:2]] == [("a1", "same URL"), ("a1", "same text")]
    # Another article under a taken id (two folders' `index.html`) is kept under an id its text decides.
    renamed = results[2].stored
    assert renamed is not None and renamed.external_id == f"a1~{same_id_other_text.content_hash[:8]}"
    assert "'a1' is already used by a different article" in results[2].reason
    assert store.get_article("a1").text == make_article(1).text
    assert store.get_article(renamed.external_id).text == same_id_other_text.text
    [again] = store.add_articles([same_id_other_text])  # read again: found by its text, not stored twice
    assert (again.stored, again.existing, again.reason) == (None, renamed.external_id, "same text")
    assert store.count_articles() == 2
    store.close()


def test_duplicates_inside_one_batch_are_stored_once(db_url: str) -> None:
    store = open_store(db_url)
    results = store.add_articles([make_article(1), make_article(1, external_id="b", url=None)])
    assert results[0].stored is not None and results[1].existing == "a1"
    assert store.count_articles() == 1
    store.close()


def test_missing_article_raises_not_found(db_url: str) -> None:
    store = open_store(db_url)
    # Digits that are no row id: a superscript (isdigit, yet no int) and one past PostgreSQL's bigint.
    for missing in ("nope", "\u00b9", "\u0663", "9" * 30):
        with pytest.raises(NotFoundError, match="no stored article"):
            store.get_article(missing)
    store.close()


def test_rejections_are_recorded_once_per_source(db_url: str) -> None:
    store = open_store(db_url)
    store.add_rejections([Rejected("bad.txt", "empty input", "bad")])
    store.add_rejections([Rejected("bad.txt", "binary content, not text", "bad")])
    rows = list(store.iter_rejections())
    assert rows == [Rejected("bad.txt", "binary content, not text", "bad")]
    store.close()


def test_known_urls_and_pagination(db_url: str) -> None:
    store = open_store(db_url)
    store.add_articles([make_article(n) for n in range(5)])
    assert store.known_urls(["https://example.org/1", "https://example.org/9"]) == {"https://example.org/1"}
    assert [a.external_id for a in store.iter_articles(limit=2, offset=1)] == ["a1", "a2"]
    store.close()


def test_migrations_build_exactly_the_live_schema(db_url: str) -> None:
    """Alembic's autogenerate finds nothing to change after `upgrade head`."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    store = open_store(db_url)
    assert isinstance(store, SqlStore)
    assert store.revision() == store.upgrade()
    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"include_name": include_name}), metadata)
    assert diff == []
    store.close()


def test_reopening_does_not_migrate_again(sqlite_url: str) -> None:
    open_store(sqlite_url).close()
    store = open_store(sqlite_url)
    assert isinstance(store, SqlStore)
    with store.engine.connect() as conn:
        tables = set(sa.inspect(conn).get_table_names())
    assert {"articles", "rejections", "alembic_version"} <= tables
    store.close()


@pytest.mark.parametrize("url", ["mysql://root@localhost/x", "mongodb://x", "file.db", "redis://x"])
def test_unknown_schemes_are_rejected_with_the_fix(url: str) -> None:
    with pytest.raises(UnsupportedDatabaseError, match=r"sqlite:///.*postgresql://"):
        normalise_url(url)


def test_db_url_comes_from_option_then_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STORYLINE_DB", "sqlite:///env.db")
    assert resolve_db_url(None) == "sqlite:///env.db"
    assert resolve_db_url("sqlite:///opt.db") == "sqlite:///opt.db"
    monkeypatch.delenv("STORYLINE_DB")
    assert resolve_db_url(None) == "sqlite:///storyline.db"


texts = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), min_size=1, max_size=300)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=texts, title=st.none() | texts, outlet=st.none() | texts)
def test_any_text_round_trips(tmp_path: Path, text: str, title: str | None, outlet: str | None) -> None:
    store = open_store(f"sqlite:///{tmp_path / f'{uuid.uuid4().hex}.db'}")
    art = make_article(0, text=text, content_hash=content_hash(text), title=title, outlet=outlet, url=None)
    [result] = store.add_articles([art])
    assert result.stored is not None
    assert store.get_article("a0") == result.stored
    [again] = store.add_articles([art])
    assert (again.existing, again.reason) == ("a0", "same text")
    store.close()


def _ingest_in_process(url: str, start: int) -> None:
    store = open_store(url)
    for n in range(start, start + 30):
        store.add_articles([make_article(n % 40)])
    store.close()


def test_concurrent_writers_never_duplicate(db_url: str) -> None:
    """Two processes storing overlapping articles: each article exactly once."""
    open_store(db_url).close()
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_ingest_in_process, args=(db_url, s)) for s in (0, 10)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    store = open_store(db_url)
    assert store.count_articles() == 40
    store.close()
