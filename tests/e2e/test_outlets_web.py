"""Outlet profiles where users see them: the CLI (JSON and table), the JSON API, and the pages in
Debian's Chromium (a real uvicorn server on 127.0.0.1), over the seeds plus two articles whose
outlets come from their URLs, one with markup in its site name."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from storyline import services
from storyline.store import open_store
from storyline.web import WebOptions, create_app
from support.cli import run

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = REPO / "test-artifacts" / "web"
HOSTILE = '<img src=x onerror="window.pwned=1">Evil & "News"'
KEYS = {
    "name",
    "domains",
    "articles",
    "stories",
    "first_to_report",
    "originality",
    "attribution",
    "quote_fidelity",
    "lone_conflicts",
    "languages",
    "first_seen",
    "last_seen",
    "metadata",
}
EXTRA = [
    {
        "id": "evil-1",
        "url": "https://m.evil-news.co.uk/a/1",
        "outlet": HOSTILE,
        "published": "2024-01-27",
        "title": "A hostile outlet name",
        "text": "The council met on Tuesday and voted to close the harbour road for repairs until spring, "
        "officials said, after a storm damaged the sea wall last month.",
    },
    {
        "id": "plain-1",
        "url": "https://amp.harbourdaily.com.au/story/2",
        "published": "2024-01-28",
        "title": "Harbour road closed",
        "text": "The harbour road will close for repairs until spring after the council voted on Tuesday, "
        "a spokesperson for the council said, citing storm damage to the sea wall.",
    },
]


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A SQLite store with the seeds, two URL-identified articles, the seeds' report made, and the
    example outlet file loaded."""
    root = tmp_path_factory.mktemp("outlets")
    extra = root / "extra.jsonl"
    extra.write_text("".join(json.dumps(r) + "\n" for r in EXTRA), encoding="utf-8")
    url = f"sqlite:///{root / 'o.db'}"
    res = run("--db", url, "ingest", str(REPO / "examples" / "seeds"), str(extra))
    assert res.returncode == 0, res.stderr
    res = run("--db", url, "report", "1", "--format", "json")
    assert res.returncode == 0, res.stderr
    res = run("--db", url, "outlets", "--outlets", str(REPO / "examples" / "outlets.csv"), "--format", "json")
    assert res.returncode == 0, res.stderr
    assert "1 of 3 rows name outlets no stored article has" in res.stderr  # Bloomberg: counted, kept
    return url


def _cli_json(db: str, *args: str) -> Any:
    res = run("--db", db, *args, "--format", "json")
    assert res.returncode == 0, res.stderr
    return json.loads(res.stdout)


# -- the command line ---------------------------------------------------------------------------------


def test_outlets_json_keeps_the_contract_and_counts_every_article_once(db: str) -> None:
    outlets = _cli_json(db, "outlets")
    assert all(set(o) >= KEYS for o in outlets)
    assert all("evidence" not in o for o in outlets)
    store = open_store(db)
    try:
        assert sum(o["articles"] for o in outlets) == store.count_articles() == 7
    finally:
        store.close()
    by_name = {o["name"]: o for o in outlets}
    assert by_name["unknown"]["articles"] == 3  # three seeds name no outlet: counted, never dropped
    assert by_name[HOSTILE]["domains"] == ["evil-news.co.uk"]
    assert by_name["harbourdaily.com.au"]["domains"] == ["harbourdaily.com.au"]  # shown by its domain
    tmt = by_name["The Moscow Times"]
    assert tmt["quote_fidelity"]["altered"] == 1
    assert tmt["lone_conflicts"] == 1
    assert tmt["metadata"] == {"country": "NL", "language": "en", "owner": "Independent", "lean": "example-a"}


def test_one_outlet_with_its_evidence(db: str) -> None:
    tmt = _cli_json(db, "outlet", "moscow times")  # any of its names finds it
    assert tmt["name"] == "The Moscow Times"
    (altered,) = tmt["evidence"]["altered_quotes"]
    assert altered["speaker"] == "Dmitry Peskov" and "[We]" in altered["text"]
    assert tmt["evidence"]["articles"][0]["id"] == "004_72e330e792d8a04d"
    assert tmt["evidence"]["lone_conflicts"][0]["kind"] == "distortion"
    assert _cli_json(db, "outlet", "https://www.themoscowtimes.com/2024/x")["name"] == "The Moscow Times"
    res = run("--db", db, "outlet", "Nobody Times")
    assert res.returncode == 2 and res.stderr.startswith("error: no stored article is of an outlet named")


def test_outlets_table(db: str) -> None:
    res = run("--db", db, "outlets")
    assert res.returncode == 0, res.stderr
    assert "The Moscow Times" in res.stdout and "7 articles" in res.stdout


def test_a_bad_outlet_file_is_one_line_and_changes_nothing(db: str, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"name,country\nMeduza,LV\nMeduza,RU\n")
    res = run("--db", db, "outlets", "--outlets", str(bad))
    assert res.returncode == 2
    assert res.stderr.count("\n") == 1 and "other values than line 2" in res.stderr
    assert _cli_json(db, "outlet", "Meduza")["metadata"]["country"] == "LV"  # the file loaded before stays


def test_coverage_of_a_story_by_a_column(db: str) -> None:
    cov = _cli_json(db, "coverage", "1", "--by", "country")
    assert cov["column"] == "country" and cov["sources"] >= 3
    assert cov["values"]["NL"] == ["The Moscow Times"] and cov["values"]["LV"] == ["Meduza"]
    assert cov["blindspot"] is None


# -- the API ----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def server(db: str) -> Iterator[str]:
    """A uvicorn server in a thread over the store; its base URL."""
    import uvicorn

    app = create_app(db, options=WebOptions(warm=False))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not srv.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(10)


def test_the_api_answers_what_the_cli_prints(db: str, server: str) -> None:
    assert httpx.get(f"{server}/api/outlets").json() == _cli_json(db, "outlets")
    one = httpx.get(f"{server}/api/outlets/{quote('The Moscow Times', safe='')}").json()
    assert one == _cli_json(db, "outlet", "The Moscow Times")
    missing = httpx.get(f"{server}/api/outlets/nobody")
    assert missing.status_code == 404 and "no stored article" in missing.json()["error"]
    cov = httpx.get(f"{server}/api/stories/1/coverage", params={"by": "owner"}).json()
    assert cov["values"] == {"Independent": ["Meduza", "The Moscow Times"]}


def test_services_give_the_same_profiles_from_the_cache(db: str) -> None:
    store = open_store(db)
    try:
        first = [p.to_json() for p in services.outlet_profiles(store)]
        services.forget_outlets()  # drop the in-memory copy: read the store's cache row
        assert [p.to_json() for p in services.outlet_profiles(store)] == first
    finally:
        store.close()


# -- the pages in Chromium --------------------------------------------------------------------------------

pw = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")


@pytest.fixture(scope="module")
def page(server: str) -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed at /usr/bin/chromium")
    args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
    with pw.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=[*args, "--disable-sync"])
        tab = browser.new_page()
        dialogs: list[str] = []
        tab.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        tab.dialogs = dialogs
        yield tab
        browser.close()


def _shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_outlets_page_sorts_and_leads_to_an_outlet(page: Any, server: str) -> None:
    page.goto(f"{server}/outlets")
    rows = page.locator("table.outlets tbody tr")
    assert rows.count() == 5
    assert rows.first.locator("th").inner_text().startswith("unknown")  # most articles first
    page.get_by_role("link", name="Altered quotes").click()
    assert "sort=altered" in page.url
    assert page.locator("th[aria-sort]").inner_text().startswith("Altered quotes")
    assert rows.first.locator("th a").inner_text() == "The Moscow Times"
    page.get_by_role("link", name="Outlet", exact=True).click()  # by name, Z first
    names = [rows.nth(i).locator("th a").inner_text() for i in range(rows.count())]
    assert names == sorted(names, key=str.casefold, reverse=True)
    _shot(page, "outlets")
    page.get_by_role("link", name="The Moscow Times").click()
    page.wait_for_url("**/outlets/The%20Moscow%20Times")
    assert page.locator("h1").inner_text() == "The Moscow Times"
    altered = page.locator("#altered ~ ul li")
    assert altered.count() == 1 and "[We]" in altered.inner_text()
    assert "country" in page.locator("dl.outlet").inner_text()
    _shot(page, "outlet")
    altered.locator("a").first.click()  # to the quote in its article, highlighted
    assert page.locator("#cited").inner_text().startswith("[We]")


def test_hostile_outlet_names_are_text(page: Any, server: str) -> None:
    page.goto(f"{server}/outlets")
    cell = page.locator("table.outlets tbody th a", has_text="Evil")
    assert cell.inner_text() == HOSTILE
    cell.click()
    assert page.locator("h1").inner_text() == HOSTILE
    assert page.evaluate("window.pwned") is None and page.locator("img").count() == 0
    assert page.dialogs == []


def test_story_page_shows_coverage_by_a_column(page: Any, server: str) -> None:
    page.goto(f"{server}/stories/1?by=owner")
    section = page.locator("#coverage")
    assert "Independent" in section.inner_text() and "The Moscow Times" in section.inner_text()
    page.select_option("#coverage-by", "country")
    page.locator("#coverage button").click()
    assert "by=country" in page.url and "NL" in page.locator("#coverage").inner_text()
    _shot(page, "story-coverage")
