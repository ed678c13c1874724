"""The web app and its JSON API through FastAPI's TestClient, over real stores holding the seeds
(every read-only test runs on a SQLite file and on a PostgreSQL schema)."""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings

from storyline.ingest.local import ingest
from storyline.model import Article, Story
from storyline.store import open_store
from storyline.stories.builder import StoryBuilder
from storyline.web import CSP, WebOptions, create_app
from storyline.web.service import independent_sources
from support.backends import BACKENDS, store_url

REPO = Path(__file__).resolve().parents[2]
TOKEN = "s3cret-token"
DENIAL = "completely untrue"


def seeded(url: str, seeds: Path) -> str:
    """Ingest the seeds into the store at `url` and group them into stories (as `storyline ingest`)."""
    store = open_store(url)
    builder = StoryBuilder(store)
    ingest([str(seeds)], store, after_batch=builder.update)
    builder.finish()
    store.close()
    return url


@pytest.fixture(scope="module", params=BACKENDS)
def seeds_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A store (SQLite file, PostgreSQL schema) with the five seed articles and their story, shared by
    the read-only tests."""
    with store_url(request.param, tmp_path_factory.mktemp("web")) as url:
        yield seeded(url, REPO / "examples" / "seeds")


@pytest.fixture(scope="module")
def client(seeds_url: str) -> Iterator[TestClient]:
    """A client of the app over the seeds (no background reports: the tests decide when)."""
    with TestClient(create_app(seeds_url, token=TOKEN, options=WebOptions(warm=False))) as c:
        yield c


def story_id(client: TestClient) -> int:
    items = client.get("/api/stories").json()["items"]
    return int(next(s["id"] for s in items if s["article_count"] == 5))


# -- reading ------------------------------------------------------------------------------------


def test_stories_are_listed_newest_first_with_counts(client: TestClient) -> None:
    listed = client.get("/api/stories").json()
    assert listed["total"] == 1 and listed["offset"] == 0 and listed["next_offset"] is None
    story = listed["items"][0]
    assert story["article_count"] == 5 and set(story["outlets"]) == {"Meduza", "The Moscow Times"}
    assert story["first_seen"] == "2024-01-26" and story["page"] == f"/stories/{story['id']}"
    assert len(story["articles"]) == 5
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-security-policy"] == CSP
    assert "Kremlin Denies Putin Sending Signals" in page.text and f'href="/stories/{story["id"]}"' in page.text


def test_story_report_is_the_documented_json_and_fills_the_list_counts(client: TestClient) -> None:
    sid = story_id(client)
    report = client.get(f"/api/stories/{sid}").json()
    schema = json.loads((REPO / "docs" / "report-schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(report, schema)
    assert any(c["kind"] == "denial" for c in report["conflicts"])
    assert independent_sources(report) == 4  # 000 and 001 are siblings of the Bloomberg report
    again = client.get(f"/api/stories/{sid}").json()
    assert again["generated_at"] == report["generated_at"]  # served from the cache
    story = client.get("/api/stories").json()["items"][0]
    assert story["analysed"] and story["conflicts"] == len(report["conflicts"])
    assert story["independent_sources"] == 4


def test_story_page_shows_every_part_of_the_report(client: TestClient) -> None:
    sid = story_id(client)
    page = client.get(f"/stories/{sid}")
    assert page.status_code == 200
    html = page.text
    for section in ("summary", "claims", "conflicts", "quotes", "copies", "timeline", "articles"):
        assert f'<section id="{section}"' in html
    assert DENIAL in html and 'class="side side-b"' in html  # the denial beside the report
    assert '<mark class="diff"' in html and "altered" in html  # Peskov's altered quote
    assert "<svg" in html and "Bloomberg" in html  # the copy graph with its upstream source
    assert f"/articles/001_5ca4497752f730ed?story={sid}&amp;hl=" in html  # citations go to the cited span
    assert "<script" not in html


@pytest.mark.parametrize(
    ("suffix", "media", "start"),
    [("json", "application/json", "{"), ("md", "text/markdown", "# "), ("html", "text/html", "<!DOCTYPE html>")],
)
def test_report_downloads(client: TestClient, suffix: str, media: str, start: str) -> None:
    sid = story_id(client)
    got = client.get(f"/stories/{sid}/report.{suffix}")
    assert got.status_code == 200 and got.headers["content-type"].startswith(media)
    assert got.headers["content-disposition"] == f'attachment; filename="story-{sid}.{suffix}"'
    assert got.text.startswith(start)
    assert "script-src" not in got.headers["content-security-policy"] or suffix != "html"


def test_article_api_and_page(client: TestClient) -> None:
    sid = story_id(client)
    article = client.get("/api/articles/004_72e330e792d8a04d").json()
    assert article["outlet"] == "The Moscow Times" and article["story"] == sid and DENIAL in article["text"]
    start = article["text"].index("“That’s false information")
    end = article["text"].index("Bloomberg report.", start) + len("Bloomberg report.")
    page = client.get(f"/articles/004_72e330e792d8a04d?story={sid}&hl={start}-{end}")
    assert page.status_code == 200
    assert '<span id="cited" class="cited"' in page.text
    assert 'class="m-quote"' in page.text and 'class="m-claim"' in page.text  # evidence highlighted
    assert f'href="/stories/{sid}"' in page.text and "Other articles of this story" in page.text
    by_row = client.get(f"/api/articles/{article['row']}").json()
    assert by_row["id"] == "004_72e330e792d8a04d"
    bad_span = client.get(f"/articles/004_72e330e792d8a04d?hl={end}-{start}")
    assert bad_span.status_code == 200 and 'id="cited"' not in bad_span.text


@pytest.mark.parametrize("path", ["/api/stories/987654", "/api/articles/no-such-article", "/api/nothing-here"])
def test_unknown_ids_are_json_404s(client: TestClient, path: str) -> None:
    got = client.get(path)
    assert got.status_code == 404 and got.headers["content-type"] == "application/json"
    assert set(got.json()) == {"error"} and "Traceback" not in got.text


@pytest.mark.parametrize("path", ["/stories/987654", "/articles/no-such-article", "/stories/1/report.exe", "/nothing"])
def test_unknown_pages_are_404_pages(client: TestClient, path: str) -> None:
    got = client.get(path)
    assert got.status_code == 404 and got.headers["content-type"].startswith("text/html")
    assert got.headers["content-security-policy"] == CSP


def test_search_api_and_page(client: TestClient) -> None:
    found = client.get("/api/search", params={"q": "Peskov untrue"}).json()
    assert [h["id"] for h in found["items"]] == ["004_72e330e792d8a04d"] and found["total"] == 1
    assert found["items"][0]["story"] == story_id(client)
    assert client.get("/api/search", params={"q": "Kremlin"}).json()["total"] == 5
    # No syntax reaches the full-text engine: operators and quotes are read as the words they hold
    # (PostgreSQL leaves out English stop words such as "or"; SQLite's FTS5 keeps them).
    syntax = client.get("/api/search", params={"q": '" OR * NEAR( ("'})
    words = client.get("/api/search", params={"q": "or near"}).json()
    assert syntax.status_code == 200 and (syntax.json()["items"], syntax.json()["total"]) == (
        words["items"],
        words["total"],
    )
    assert client.get("/api/search", params={"q": "x" * 201}).status_code == 422
    assert client.get("/api/search", params={"q": ""}).status_code == 422
    page = client.get("/", params={"q": "Peskov untrue"})
    assert "1 story match" in page.text and "<mark>Peskov</mark>" in page.text


def test_story_filters(client: TestClient) -> None:
    def total(**params: str) -> int:
        return int(client.get("/api/stories", params=params).json()["total"])

    assert total(outlet="meduza") == 1 and total(outlet="Reuters") == 0
    assert total(since="2024-01-26", until="2024-01-26") == 1
    assert total(since="2024-02-01") == 0 and total(until="2024-01-01") == 0
    assert total(q="quokka") == 0 and total(q="Peskov") == 1
    assert total(since="2024-02-01", until="2024-01-01") == 0
    assert "after" in client.get("/", params={"since": "2024-02-01", "until": "2024-01-01"}).text
    assert client.get("/api/stories", params={"since": "yesterday"}).status_code == 422
    assert client.get("/", params={"since": "yesterday"}).status_code == 400


@pytest.mark.parametrize(
    "params", [{"limit": "101"}, {"limit": "0"}, {"offset": "-1"}, {"offset": "99999999"}, {"limit": "ten"}]
)
def test_page_sizes_are_capped(client: TestClient, params: dict[str, str]) -> None:
    got = client.get("/api/stories", params=params)
    assert got.status_code == 422 and "error" in got.json()


def test_pagination_over_many_stories(db_url: str) -> None:
    store = open_store(db_url)
    made = [Article(f"a{n}", f"Article {n} about the harbour fire in Lisbon.", f"{n:064x}", "test") for n in range(25)]
    rows = [r.stored.id for r in store.add_articles(made) if r.stored and r.stored.id]
    day = dt.date(2024, 1, 1)
    stories = [Story(n + 1, f"Story {n}", day + dt.timedelta(n), day + dt.timedelta(n), 1) for n in range(25)]
    store.save_stories(stories, [(row, n + 1, None) for n, row in enumerate(rows)])
    store.close()
    with TestClient(create_app(db_url, token="", options=WebOptions(warm=False))) as c:
        first = c.get("/api/stories", params={"limit": 10}).json()
        assert first["total"] == 25 and first["next_offset"] == 10
        assert [s["headline"] for s in first["items"]][:2] == ["Story 24", "Story 23"]  # newest first
        last = c.get("/api/stories", params={"limit": 10, "offset": 20}).json()
        assert len(last["items"]) == 5 and last["next_offset"] is None
        page = c.get("/", params={"page": 2})
        assert "page 2 of 2" in page.text and 'rel="prev"' in page.text
        assert c.get("/api/search", params={"q": "harbour", "limit": 100}).json()["total"] == 25


# -- writing ------------------------------------------------------------------------------------

ZEBRA = {
    "text": "The zebra parliament of Tallinn voted on Tuesday to rename the river after a quokka, officials "
    "said. The mayor called the vote historic and said it was unanimous.",
    "title": "Zebra parliament renames river",
    "outlet": "Test Post",
    "published": "2024-02-01",
}


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic czNjcmV0"}])
def test_writes_without_the_token_are_refused(client: TestClient, headers: dict[str, str]) -> None:
    got = client.post("/api/articles", json={"articles": [ZEBRA]}, headers=headers)
    assert got.status_code == 401 and got.json() == {"error": "a valid bearer token is required"}
    assert got.headers["www-authenticate"] == "Bearer"
    garbage = client.post("/api/articles", content=b"{not json", headers=headers)
    assert garbage.status_code == 401  # the token is checked before the body is read
    form = client.post("/ingest", data={"text": ZEBRA["text"], "token": "wrong"})
    assert form.status_code == 401 and "token is missing or wrong" in form.text
    assert client.get("/api/search", params={"q": "quokka"}).json()["total"] == 0


def test_a_server_without_a_token_refuses_every_write(seeds_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("STORYLINE_TOKEN", raising=False)
    with TestClient(create_app(seeds_url, options=WebOptions(warm=False))) as c:
        got = c.post("/api/articles", json={"articles": [ZEBRA]}, headers={"Authorization": "Bearer "})
        assert got.status_code == 403 and "STORYLINE_TOKEN" in got.json()["error"]
        assert c.post("/ingest", data={"text": "x", "token": "anything"}).status_code == 403
        assert "Adding articles is disabled" in c.get("/ingest").text


def test_request_bodies_and_inputs_are_capped(seeds_url: str) -> None:
    options = WebOptions(warm=False, max_body=2_000)
    auth = {"Authorization": f"Bearer {TOKEN}"}
    with TestClient(create_app(seeds_url, token=TOKEN, options=options)) as c:
        big = c.post("/api/articles", json={"articles": [{"text": "x" * 5_000}]}, headers=auth)
        assert big.status_code == 413 and "limit" in big.json()["error"]
        many = c.post("/api/articles", json={"urls": ["https://example.org/"] * 21}, headers=auth)
        assert many.status_code == 422 and "urls" in many.json()["error"]
        empty = c.post("/api/articles", json={}, headers=auth)
        assert empty.status_code == 400 and "nothing to ingest" in empty.json()["error"]
        not_http = c.post("/api/articles", json={"urls": ["file:///etc/passwd"]}, headers=auth)
        assert not_http.status_code == 400 and "not an http(s) URL" in not_http.json()["error"]


def test_malformed_bodies_are_json_errors_and_bad_records_are_counted(seeds_url: str) -> None:
    auth = {"Authorization": f"Bearer {TOKEN}"}
    with TestClient(create_app(seeds_url, token=TOKEN, options=WebOptions(warm=False))) as c:
        broken = c.post(
            "/api/articles", content=b'{"articles": [', headers={**auth, "Content-Type": "application/json"}
        )
        assert broken.status_code == 422 and "Invalid JSON" in broken.json()["error"]
        good = "A real short article about the council vote on Monday in the city hall, with details."
        mixed = c.post(
            "/api/articles",
            json={"articles": [{"text": "\x00\x01\x02 binary"}, {"id": "ok1", "text": good}]},
            headers=auth,
        )
        assert mixed.status_code == 200
        assert mixed.json()["counts"] == {"stored": 1, "already stored": 0, "rejected": 1}
        assert c.get("/api/articles/ok1").status_code == 200


def test_ingest_with_the_token_makes_the_article_searchable(db_url: str) -> None:
    seeded(db_url, REPO / "examples" / "seeds")
    with TestClient(create_app(db_url, token=TOKEN, options=WebOptions(warm=False))) as c:
        before = c.get("/api/stories").json()["total"]
        got = c.post("/api/articles", json={"articles": [ZEBRA]}, headers={"Authorization": f"Bearer {TOKEN}"})
        assert got.status_code == 200, got.text
        assert got.json()["counts"] == {"stored": 1, "already stored": 0, "rejected": 0}
        article_id = got.json()["outcomes"][0]["id"]
        hits = c.get("/api/search", params={"q": "zebra quokka"}).json()["items"]
        assert [h["id"] for h in hits] == [article_id] and hits[0]["story"] in got.json()["stories"]
        assert c.get("/api/stories").json()["total"] == before + 1
        assert c.get("/api/stories", params={"q": "quokka"}).json()["total"] == 1
        assert c.get(f"/api/stories/{hits[0]['story']}").json()["articles"][0]["id"] == article_id
        again = c.post("/api/articles", json={"articles": [ZEBRA]}, headers={"Authorization": f"Bearer {TOKEN}"})
        assert again.json()["counts"]["already stored"] == 1


def test_posted_lone_surrogates_are_a_clear_json_error(db_url: str) -> None:
    """A JSON body that escapes half a surrogate pair is refused in one line, not a server error."""
    body = '{"articles": [{"title": "Half \\ud800 title", "text": "' + ZEBRA["text"] + ' \\udc00"}]}'
    with TestClient(create_app(db_url, token=TOKEN, options=WebOptions(warm=False))) as c:
        headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
        got = c.post("/api/articles", content=body.encode("ascii"), headers=headers)
        assert got.status_code == 422 and got.json()["error"].startswith("body: Invalid JSON"), got.text
        assert c.get("/api/search", params={"q": "zebra"}).json()["items"] == []


def test_ingest_form_runs_a_job_with_progress(db_url: str, seeds_dir: Path) -> None:
    url = db_url
    with TestClient(create_app(url, token=TOKEN, options=WebOptions(warm=False))) as c:
        upload = ("files", ("002 meduza.txt", (seeds_dir / "002_903f878191b12f6a.txt").read_bytes(), "text/plain"))
        sent = c.post(
            "/ingest",
            data={"token": TOKEN, "text": ZEBRA["text"], "title": ZEBRA["title"]},
            files=[upload],
            follow_redirects=False,
        )
        assert sent.status_code == 303 and sent.headers["location"].startswith("/ingest/jobs/")
        deadline = time.monotonic() + 60
        while "Done: stored" not in (page := c.get(sent.headers["location"]).text):
            assert "Failed" not in page and time.monotonic() < deadline
            assert 'http-equiv="refresh"' in page
            time.sleep(0.2)
        assert "Done: stored 2 · already stored 0 · rejected 0" in page and 'http-equiv="refresh"' not in page
        assert c.get("/api/search", params={"q": "Zelensky Economist"}).json()["total"] == 1
        assert c.get("/ingest/jobs/unknown").status_code == 404


def test_report_is_recomputed_when_its_story_changes(db_url: str, seeds_dir: Path) -> None:
    seeded(db_url, seeds_dir)
    with TestClient(create_app(db_url, token=TOKEN, options=WebOptions(warm=True))) as c:
        sid = story_id(c)
        first = c.get(f"/api/stories/{sid}").json()
        store = open_store(db_url)
        extra = Article(
            "late", "A late report: the Kremlin repeated on Saturday that talks are not planned.", "f" * 64, "t"
        )
        stored = store.add_articles([extra])[0].stored
        assert stored is not None and stored.id is not None
        store.save_stories([], [(stored.id, sid, None)])
        store.close()
        second = c.get(f"/api/stories/{sid}").json()
        assert len(second["articles"]) == len(first["articles"]) + 1
        c.get("/api/stories")  # queues nothing: the report is current
        assert c.app.state.site.warmer.idle()  # type: ignore[attr-defined]


def test_listed_stories_are_analysed_in_the_background(seeds_url: str) -> None:
    with TestClient(create_app(seeds_url, token=TOKEN, options=WebOptions(warm=True))) as c:
        c.get("/")
        deadline = time.monotonic() + 60
        # Every listed story (the seeds' and any an earlier test added) is queued by the page.
        while not all(s["analysed"] for s in c.get("/api/stories").json()["items"]):
            assert time.monotonic() < deadline
            time.sleep(0.2)
        assert "…" not in c.get("/").text.split("<tbody>")[1]


def test_nul_characters_are_answered_alike_on_both_backends(client: TestClient) -> None:
    """PostgreSQL text cannot hold NUL, and refuses queries that hold one: such input must be a 404,
    an empty list, a rejection or a cleaned record there too, never a server error."""
    assert client.get("/api/articles/004_72e330e792d8a04d%00").status_code == 404
    assert client.get("/articles/a%00b").status_code == 404
    assert client.get("/api/stories", params={"outlet": "Meduza\x00"}).json()["total"] == 0
    assert client.get("/", params={"outlet": "Meduza\x00"}).status_code == 200
    auth = {"Authorization": f"Bearer {TOKEN}"}
    url = client.post("/api/articles", json={"urls": ["http://127.0.0.1/a\x00b"]}, headers=auth)
    assert url.status_code == 200 and url.json()["outcomes"][0]["detail"].startswith("not a valid URL")
    assert url.json()["outcomes"][0]["source"] == "http://127.0.0.1/a\\x00b"  # shown escaped
    record = {**ZEBRA, "id": "nul\x00id", "title": "Zebra\x00 parliament", "outlet": "Test\x00 Post"}
    stored = client.post("/api/articles", json={"articles": [record], "stories": False}, headers=auth)
    assert stored.status_code == 200 and stored.json()["counts"]["stored"] == 1, stored.text
    article = client.get("/api/articles/nulid").json()
    assert (article["title"], article["outlet"]) == ("Zebra parliament", "Test Post")


# -- the OpenAPI document ------------------------------------------------------------------------


def test_openapi_document_describes_the_api(client: TestClient) -> None:
    doc = client.get("/api/openapi.json").json()
    assert doc["openapi"].startswith("3.")
    assert set(doc["paths"]) == {
        "/api/stories",
        "/api/stories/{story_id}",
        "/api/articles/{article_id}",
        "/api/search",
        "/api/articles",
        "/api/outlets",
        "/api/outlets/{name}",
        "/api/stories/{story_id}/coverage",
    }
    post = doc["paths"]["/api/articles"]["post"]
    assert post["security"] == [{"HTTPBearer": []}] and "articles" in json.dumps(post["requestBody"])
    assert doc["paths"]["/api/stories"]["get"]["parameters"][0]["schema"]["maximum"] == 100
    assert client.get("/docs").status_code == 404  # no Swagger page loading scripts from elsewhere


@pytest.fixture(scope="module")
def api_app(seeds_url: str) -> FastAPI:
    """The app for schemathesis: reports computed up front, so generated cases run fast."""
    app = create_app(seeds_url, token=TOKEN, options=WebOptions(warm=False))
    with TestClient(app) as c:
        c.get(f"/api/stories/{story_id(c)}")
    return app


@pytest.fixture(scope="module")
def api_schema(api_app: FastAPI) -> Any:
    return schemathesis.openapi.from_asgi("/api/openapi.json", api_app)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/stories"),
        ("GET", "/api/stories/{story_id}"),
        ("GET", "/api/articles/{article_id}"),
        ("GET", "/api/search"),
        ("POST", "/api/articles"),
    ],
)
def test_api_conforms_to_its_openapi_document(api_schema: Any, method: str, path: str) -> None:
    """Schemathesis: generated requests never make a server error, and every answer (status, type,
    body) matches the document."""
    operation = api_schema[path][method]

    @given(case=operation.as_strategy())
    @settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def check(case: Any) -> None:
        case.call_and_validate()

    check()


def test_serve_command_binds_loopback_and_serves(tmp_path: Path, seeds_dir: Path) -> None:
    """`storyline serve` as users start it: 127.0.0.1 by default, read-only without a token."""
    import os
    import socket
    import subprocess
    import sys

    import httpx

    url = seeded(f"sqlite:///{tmp_path / 'serve.db'}", seeds_dir)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if k != "STORYLINE_TOKEN"}
    cmd = [sys.executable, "-m", "storyline", "serve", "--db", url, "--port", str(port)]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=REPO)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                got = httpx.get(f"http://127.0.0.1:{port}/api/stories", timeout=5)
                break
            except httpx.TransportError:
                assert proc.poll() is None and time.monotonic() < deadline, "the server did not start"
                time.sleep(0.2)
        assert got.status_code == 200 and got.json()["total"] == 1
        refused = httpx.post(f"http://127.0.0.1:{port}/api/articles", json={"articles": [ZEBRA]}, timeout=5)
        assert refused.status_code == 403
    finally:
        proc.terminate()
        _out, err = proc.communicate(timeout=10)
    assert f"serving http://127.0.0.1:{port}/ (read-only" in err.decode()
