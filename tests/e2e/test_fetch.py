"""Fetching URLs and feeds against a real HTTP server on 127.0.0.1, storing into a real SQLite file."""

from __future__ import annotations

import time
from collections.abc import Iterator
from email.utils import format_datetime
from html import escape

import pytest

from storyline.errors import FetchError, OptionsError
from storyline.ingest.fetch import Fetcher, FetchOptions, system_resolver
from storyline.ingest.local import IngestOptions, ingest
from storyline.model import IngestReport
from storyline.store import Store, open_store
from support.articles import article_html
from support.server import LocalServer

pytestmark = pytest.mark.network


@pytest.fixture
def server() -> Iterator[LocalServer]:
    with LocalServer().running() as running:
        yield running


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    opened = open_store(db_url)
    yield opened
    opened.close()


@pytest.fixture
def fetcher() -> Iterator[Fetcher]:
    with Fetcher(FetchOptions(allow_private=True, timeout=5)) as opened:
        yield opened


def outcome(report: IngestReport, source: str) -> tuple[str, str]:
    [found] = [o for o in report.outcomes if o.source == source]
    return found.status, found.detail


def only_reason(report: IngestReport) -> str:
    [found] = [o for o in report.outcomes if o.status == "rejected"]
    return found.detail


# -- single pages ------------------------------------------------------------------------------------


def test_a_page_is_stored_with_its_url_as_id_and_not_fetched_twice(
    server: LocalServer, fetcher: Fetcher, store: Store
) -> None:
    url = server.add("/news/1", article_html(1, title="Budget approved"))
    report = ingest([url], store, fetcher=fetcher)
    assert report.counts == {"stored": 1, "already stored": 0, "rejected": 0}
    article = store.get_article(url)
    assert article.url == url and article.title == "Budget approved"
    assert "report number 1" in article.text
    again = ingest([url], store, fetcher=fetcher)
    assert again.counts == {"stored": 0, "already stored": 1, "rejected": 0}
    assert server.hits["/news/1"] == 1


def test_a_plain_text_page_is_stored(server: LocalServer, fetcher: Fetcher, store: Store) -> None:
    from support.articles import article_text

    url = server.add("/wire.txt", article_text(2), content_type="text/plain; charset=utf-8")
    assert ingest([url], store, fetcher=fetcher).counts["stored"] == 1
    assert "report number 2" in store.get_article(url).text


def test_http_500_is_rejected_and_the_batch_goes_on(server: LocalServer, fetcher: Fetcher, store: Store) -> None:
    broken = server.add("/feed.xml", "oops", status=500)
    good = server.add("/news/3", article_html(3))
    report = ingest([broken, good], store, fetcher=fetcher)
    assert outcome(report, broken) == ("rejected", "HTTP 500 Internal Server Error")
    assert outcome(report, good) == ("stored", "")
    assert [r.source for r in store.iter_rejections()] == [broken]


def test_endless_redirects_are_rejected(server: LocalServer, store: Store) -> None:
    loop = server.add("/loop", status=302, headers={"Location": "/loop"})
    with Fetcher(FetchOptions(allow_private=True, max_redirects=3)) as fetcher:
        report = ingest([loop], store, fetcher=fetcher)
    assert only_reason(report) == "too many redirects (more than 3)"
    assert server.hits["/loop"] == 4


def test_a_redirect_is_followed(server: LocalServer, fetcher: Fetcher, store: Store) -> None:
    target = server.add("/news/4", article_html(4))
    moved = server.add("/old/4", status=301, headers={"Location": "/news/4"})
    report = ingest([moved], store, fetcher=fetcher)
    assert report.counts["stored"] == 1
    assert store.get_article(moved).url == target


def test_loopback_is_refused_without_allow_private_and_fetched_with_it(server: LocalServer, store: Store) -> None:
    url = server.add("/news/5", article_html(5))
    refused = ingest([url], store)  # the pipeline's own fetcher, default options
    assert only_reason(refused) == ("refused private address 127.0.0.1 for 127.0.0.1 (use --allow-private to permit)")
    assert server.hits["/news/5"] == 0
    allowed = ingest([url], store, IngestOptions(fetch=FetchOptions(allow_private=True)))
    assert allowed.counts["stored"] == 1


def test_every_redirect_hop_is_checked_for_private_addresses(server: LocalServer, store: Store) -> None:
    # "localhost" resolves to a public address here, so the first hop passes; its redirect to 127.0.0.1 must not.
    def resolver(host: str) -> list[str]:
        return ["93.184.216.34"] if host == "localhost" else system_resolver(host)

    server.add("/news/6", article_html(6))
    server.add("/jump", status=302, headers={"Location": server.url("/news/6")})
    with Fetcher(FetchOptions(), resolver=resolver) as fetcher:
        report = ingest([f"http://localhost:{server.port}/jump"], store, fetcher=fetcher)
    assert only_reason(report).startswith("refused private address 127.0.0.1")
    assert server.hits == {"/jump": 1}


@pytest.mark.parametrize("send_length", [True, False], ids=["content-length", "streamed"])
def test_a_body_over_the_size_cap_is_rejected(server: LocalServer, store: Store, send_length: bool) -> None:
    url = server.add("/big", article_html(7) * 20, send_length=send_length)
    with Fetcher(FetchOptions(allow_private=True, max_bytes=4096)) as fetcher:
        report = ingest([url], store, fetcher=fetcher)
    reason = only_reason(report)
    assert reason.startswith("too large") and "over the 0.004096 MB limit" in reason


def test_a_wrong_content_type_is_rejected(server: LocalServer, fetcher: Fetcher, store: Store) -> None:
    url = server.add("/photo", b"\x89PNG\r\n\x1a\n" + bytes(2000), content_type="image/png")
    assert only_reason(ingest([url], store, fetcher=fetcher)) == "unsupported content type 'image/png'"


def test_a_slow_server_times_out(server: LocalServer, store: Store) -> None:
    url = server.add("/slow", article_html(8), delay=3)
    started = time.perf_counter()
    with Fetcher(FetchOptions(allow_private=True, timeout=0.3)) as fetcher:
        report = ingest([url], store, fetcher=fetcher)
    assert only_reason(report) == "timed out after 0.3s"
    assert time.perf_counter() - started < 2


def test_a_refused_connection_is_rejected(fetcher: Fetcher, store: Store) -> None:
    with LocalServer().running() as gone:
        url = gone.url("/x")
    assert only_reason(ingest([url], store, fetcher=fetcher)).startswith("cannot fetch: ConnectError")


@pytest.mark.parametrize(
    ("location", "reason"),
    [
        ("file:///etc/passwd", "refused URL scheme 'file': only http and https are fetched"),
        ("http://[::1", "cannot fetch: RemoteProtocolError: Invalid URL in location header"),
        ("http://127.0.0.1:99999/x", "not a valid URL"),
    ],
)
def test_a_bad_redirect_target_is_rejected(
    server: LocalServer, fetcher: Fetcher, store: Store, location: str, reason: str
) -> None:
    url = server.add("/bad", status=302, headers={"Location": location})
    assert only_reason(ingest([url], store, fetcher=fetcher)).startswith(reason)


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://[::1", "not a valid URL"),
        ("http://" + "a" * 70 + ".example/", "not a valid host name"),
        ("http:///no-host", "not a valid URL"),
        ("https://name.invalid/", "cannot resolve host 'name.invalid'"),
    ],
)
def test_unusable_urls_are_rejected_not_raised(store: Store, url: str, reason: str) -> None:
    report = ingest([url], store)
    assert report.counts["rejected"] == 1
    assert reason in only_reason(report)


def test_fetcher_raises_one_line_fetch_errors(server: LocalServer, fetcher: Fetcher) -> None:
    server.add("/gone", status=410)
    with pytest.raises(FetchError, match=r"^HTTP 410 Gone$"):
        fetcher.fetch(server.url("/gone"))


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"timeout": 0}, "timeout must be positive"),
        ({"max_redirects": -1}, "max_redirects cannot be negative"),
        ({"max_bytes": 10}, "max_bytes must be at least 1024"),
    ],
)
def test_impossible_fetch_options_are_refused(options: dict[str, float], message: str) -> None:
    with pytest.raises(OptionsError, match=message):
        FetchOptions(**options)  # type: ignore[arg-type]


# -- feeds -------------------------------------------------------------------------------------------

WHEN = time.struct_time((2024, 3, 5, 10, 0, 0, 1, 65, 0))


def rss(items: list[tuple[str, str]], *, content: dict[str, str] | None = None) -> str:
    """An RSS 2.0 feed; `items` are (title, link); `content` maps a link to full HTML for content:encoded."""
    import calendar
    import datetime as dt

    date = format_datetime(dt.datetime.fromtimestamp(calendar.timegm(WHEN), dt.UTC))
    entries = "".join(
        f"<item><title>{escape(title)}</title><link>{escape(link)}</link><pubDate>{date}</pubDate>"
        + (f"<content:encoded><![CDATA[{content[link]}]]></content:encoded>" if content and link in content else "")
        + "</item>"
        for title, link in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">'
        f"<channel><title>Example News</title><link>http://example.org/</link>{entries}</channel></rss>"
    )


def atom(items: list[tuple[str, str]]) -> str:
    """An Atom feed; `items` are (title, href), hrefs may be relative."""
    entries = "".join(
        f"<entry><title>{escape(title)}</title><link href='{escape(href)}'/><id>urn:x:{i}</id>"
        "<updated>2024-03-05T10:00:00Z</updated></entry>"
        for i, (title, href) in enumerate(items)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>Example</title><id>urn:x</id><updated>2024-03-05T10:00:00Z</updated>{entries}</feed>"
    )


def add_pages(server: LocalServer, seeds: range, prefix: str) -> list[str]:
    return [server.add(f"{prefix}/{seed}", article_html(seed)) for seed in seeds]


def test_rss_feed_entries_are_stored_and_not_refetched(server: LocalServer, fetcher: Fetcher, store: Store) -> None:
    links = add_pages(server, range(10, 13), "/rss")
    feed = server.add("/feed.rss", rss([(f"Entry {i}", link) for i, link in enumerate(links)]), content_type="")
    report = ingest([feed], store, fetcher=fetcher)
    assert report.counts == {"stored": 3, "already stored": 0, "rejected": 0}
    assert [o.external_id for o in report.outcomes] == links
    first = store.get_article(links[0])
    assert first.title == "Entry 0" and str(first.published) == "2024-03-05" and first.url == links[0]
    again = ingest([feed], store, fetcher=fetcher)
    assert again.counts == {"stored": 0, "already stored": 3, "rejected": 0}
    assert server.hits["/feed.rss"] == 2
    assert all(server.hits[f"/rss/{seed}"] == 1 for seed in range(10, 13))


def test_atom_feed_with_relative_links_is_stored_and_not_refetched(
    server: LocalServer, fetcher: Fetcher, store: Store
) -> None:
    add_pages(server, range(20, 23), "/feeds/atom")
    feed = server.add(
        "/feeds/atom.xml",
        atom([("First", "atom/20"), ("Second", "/feeds/atom/21"), ("Third", server.url("/feeds/atom/22"))]),
        content_type="application/atom+xml",
    )
    report = ingest([feed], store, fetcher=fetcher)
    assert report.counts == {"stored": 3, "already stored": 0, "rejected": 0}, report.outcomes
    assert store.get_article(server.url("/feeds/atom/20")).title == "First"
    again = ingest([feed], store, fetcher=fetcher)
    assert again.counts == {"stored": 0, "already stored": 3, "rejected": 0}
    assert [server.hits[f"/feeds/atom/{seed}"] for seed in range(20, 23)] == [1, 1, 1]


def test_a_feed_entry_whose_page_is_missing_is_rejected(server: LocalServer, fetcher: Fetcher, store: Store) -> None:
    links = add_pages(server, range(30, 32), "/news")
    missing = server.url("/news/deleted")
    feed = server.add(
        "/feed.xml", rss([("A", links[0]), ("Deleted", missing), ("B", links[1])]), content_type="text/xml"
    )
    report = ingest([feed], store, fetcher=fetcher)
    assert outcome(report, missing) == ("rejected", "HTTP 404 Not Found")
    assert [outcome(report, link)[0] for link in links] == ["stored", "stored"]


def test_a_feed_entry_falls_back_to_the_content_the_feed_carries(
    server: LocalServer, fetcher: Fetcher, store: Store
) -> None:
    missing = server.url("/news/paywalled")
    body = article_html(40).split("<article>")[1].split("</article>")[0]
    feed = server.add("/feed.xml", rss([("Paywalled", missing)], content={missing: body}))
    report = ingest([feed], store, fetcher=fetcher)
    assert report.counts["stored"] == 1, report.outcomes
    assert "report number 40" in store.get_article(missing).text
    assert server.hits["/news/paywalled"] == 1


def test_an_unreadable_feed_is_rejected(server: LocalServer, fetcher: Fetcher, store: Store) -> None:
    broken = '<?xml version="1.0"?><rss version="2.0"><channel><title>Q & A</ti'
    url = server.add("/broken.rss", broken, content_type="application/rss+xml")
    assert only_reason(ingest([url], store, fetcher=fetcher)).startswith("unreadable feed: ")


def test_a_feed_without_entries_is_reported(server: LocalServer, fetcher: Fetcher, store: Store) -> None:
    url = server.add("/empty.rss", rss([]), content_type="application/rss+xml")
    assert only_reason(ingest([url], store, fetcher=fetcher)) == "feed has no entries"


def test_feed_entries_without_links_are_rejected_each(server: LocalServer, fetcher: Fetcher, store: Store) -> None:
    [link] = add_pages(server, range(50, 51), "/news")
    feed = server.add("/feed.rss", rss([("No link", ""), ("Linked", link), ("No link either", "")]))
    report = ingest([feed], store, fetcher=fetcher)
    assert report.counts == {"stored": 1, "already stored": 0, "rejected": 2}
    assert {r.source for r in store.iter_rejections()} == {f"{feed} entry 1", f"{feed} entry 3"}
