"""The web pages in a real browser: Playwright driving Debian's Chromium against a real uvicorn
server on 127.0.0.1. Screenshots go to test-artifacts/web/ (gitignored)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from storyline.ingest.local import ingest
from storyline.store import open_store
from storyline.stories.builder import StoryBuilder
from storyline.web import WebOptions, create_app

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "web"
TOKEN = "browser-test-token"

pytestmark = [
    pytest.mark.network,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed at /usr/bin/chromium"),
]
playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A uvicorn server in a thread over a store with the seeds; its base URL."""
    import uvicorn

    url = f"sqlite:///{tmp_path_factory.mktemp('browser') / 'web.db'}"
    store = open_store(url)
    builder = StoryBuilder(store)
    ingest([str(Path(__file__).resolve().parents[2] / "examples" / "seeds")], store, after_batch=builder.update)
    builder.finish()
    store.close()
    app = create_app(url, token=TOKEN, options=WebOptions(warm=False))
    config = uvicorn.Config(app, host="127.0.0.1", port=_free_port(), log_level="warning", lifespan="on")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not srv.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{config.port}"
    srv.should_exit = True
    thread.join(10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with playwright_api.sync_playwright() as p:
        chromium = p.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any, server: str) -> Iterator[Any]:
    """A fresh page at a laptop's size; fails the test on any script error or dialog."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=server)
    tab = context.new_page()
    problems: list[str] = []
    tab.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    tab.on("dialog", lambda d: (problems.append(f"dialog: {d.message}"), d.dismiss()))
    tab.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    yield tab
    context.close()
    assert problems == []


def shot(page: Any, name: str, *, full: bool = False) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=full)


def test_search_open_the_story_and_follow_a_citation_to_its_sentence(page: Any, server: str) -> None:
    page.goto("/")
    shot(page, "stories")
    page.get_by_label("Words in headlines and articles").fill("Kremlin Peskov")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**/?q=Kremlin+Peskov*")
    assert page.locator("ol.hits li").count() >= 1
    shot(page, "search")
    page.get_by_role("link", name="Kremlin Denies Putin Sending Signals to U.S. for Ukraine Peace Talks").first.click()
    page.wait_for_url("**/stories/*")
    sid = page.url.rsplit("/", 1)[1]
    shot(page, "story")
    report = httpx.get(f"{server}/api/stories/{sid}", timeout=60).json()
    first = report["summary"][0]
    cited = first["evidence"][0]
    citation = page.locator("ol.summary > li").first.locator("a.cite").first
    citation.hover()
    assert page.locator("ol.summary > li").first.locator(".pop").first.is_visible()  # the sentence on hover
    citation.click()
    page.wait_for_url(f"**/articles/{cited['article']}?*#cited")
    target = page.locator(":target")
    assert target.count() == 1 and target.get_attribute("id") == "cited"
    assert target.is_visible() and target.inner_text() == cited["text"]
    background = target.evaluate("el => getComputedStyle(el).backgroundColor")
    assert background not in ("rgba(0, 0, 0, 0)", "transparent")  # highlighted by :target
    box = target.bounding_box()
    assert box is not None and 0 <= box["y"] < 900  # scrolled into view
    shot(page, "cited-sentence")


def test_conflicts_show_the_kremlin_denial_beside_the_report(page: Any) -> None:
    page.goto("/")
    page.locator("table.stories tbody th a").first.click()
    page.get_by_role("navigation", name="Sections").get_by_role("link", name="Conflicts (2)").click()
    page.wait_for_url("**#conflicts")
    denial = page.locator(".conflict").filter(has=page.locator(".x-denial")).first
    statement, conflict = denial.locator(".side-a"), denial.locator(".side-b")
    assert "Bloomberg" in statement.inner_text()
    assert "completely untrue" in conflict.inner_text() and "denied" in conflict.inner_text()
    a, b = statement.bounding_box(), conflict.bounding_box()
    assert a is not None and b is not None
    assert b["x"] >= a["x"] + a["width"] - 1 and abs(a["y"] - b["y"]) < 5  # side by side
    denial.scroll_into_view_if_needed()
    shot(page, "conflicts")


def test_keyboard_and_phone(browser: Any, server: str) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, base_url=server, is_mobile=True)
    tab = context.new_page()
    tab.goto("/")
    tab.keyboard.press("Tab")
    assert tab.evaluate("document.activeElement.textContent") == "Skip to content"
    tab.keyboard.press("Enter")
    tab.locator("table.stories tbody th a").first.focus()
    tab.keyboard.press("Enter")
    tab.wait_for_url("**/stories/*")
    width = tab.evaluate("document.documentElement.scrollWidth")
    assert width <= 390 + 1  # nothing wider than the phone: wide tables scroll inside their box
    shot(tab, "story-phone")
    tab.goto(tab.url + "#conflicts")
    a, b = tab.locator(".conflict .side-a").first.bounding_box(), tab.locator(".conflict .side-b").first.bounding_box()
    assert a is not None and b is not None and b["y"] > a["y"]  # stacked on a phone
    context.close()


XSS_TITLE = '<script>window.__xss = "title"</script><img src=x onerror="window.__xss=\'img\'">'
XSS_TEXT = (
    "Breaking: the <script>window.__xss = 'body'</script> council met on Monday in Zanzibar to discuss the "
    "harbour. <img src=x onerror=\"window.__xss='img-body'\"> Officials said the plan was <a "
    "href=\"javascript:window.__xss='link'\">approved</a> after a long debate, and that "
    "javascript:window.__xss='bare' was not a link. The mayor said the vote was historic."
)


def test_hostile_titles_and_texts_are_shown_as_text_and_run_nothing(page: Any, server: str) -> None:
    sent = httpx.post(
        f"{server}/api/articles",
        json={
            "articles": [
                {"text": XSS_TEXT, "title": XSS_TITLE, "url": "javascript:window.__xss='url'", "outlet": "<b>Evil</b>"}
            ]
        },
        headers={"Authorization": f"Bearer {TOKEN}"},
        timeout=120,
    )
    assert sent.status_code == 200, sent.text
    outcome = sent.json()["outcomes"][0]
    assert outcome["status"] == "stored", outcome
    story = sent.json()["stories"][0]
    for path in (f"/articles/{outcome['id']}", f"/stories/{story}", "/?q=Zanzibar+harbour"):
        page.goto(path)
        page.wait_for_load_state("load")
        assert page.evaluate("typeof window.__xss") == "undefined", path
        assert page.locator("script").count() == 0 and page.locator("img").count() == 0, path
        assert page.locator('a[href^="javascript:"]').count() == 0, path
        assert "<script>" in page.locator("main").inner_text(), path  # shown literally
    page.goto(f"/articles/{outcome['id']}")
    assert page.locator("h1").inner_text() == XSS_TITLE
    assert "<img src=x onerror=" in page.locator(".atext").inner_text()
    assert "javascript:window.__xss='url'" in page.locator("dl.meta").inner_text()  # the URL as text only
    shot(page, "xss-article")
    page.goto(f"/stories/{story}")
    for link in page.locator("main a").all()[:40]:
        href = link.get_attribute("href") or ""
        assert href.startswith(("/", "#", "http://", "https://")), href
    assert page.evaluate("typeof window.__xss") == "undefined"
