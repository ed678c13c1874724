"""RSS and Atom feeds: each entry's link is fetched as an article page.

Entries already in the store are not fetched again. When an entry's page cannot be
fetched but the feed carries the full content, that content is used instead.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import feedparser

from storyline.errors import FetchError
from storyline.ingest.fetch import FEED_TYPES, Fetched
from storyline.model import Hints, RawDocument, Rejected

if TYPE_CHECKING:
    from storyline.ingest.inputs import Item, SourceContext


def iter_feed(feed: Fetched, ctx: SourceContext) -> Iterator[Item]:
    """One item per feed entry, or one Rejected when the feed cannot be parsed."""
    from storyline.ingest.inputs import KnownUrl

    # The feed's own URL and type let feedparser resolve relative entry links ("/news/1", "a1").
    media = feed.media_type if feed.media_type in FEED_TYPES else "application/xml"
    parsed = feedparser.parse(feed.content, response_headers={"content-location": feed.url, "content-type": media})
    if parsed.get("bozo") and not parsed.entries:
        reason = str(parsed.get("bozo_exception") or "not a feed").splitlines()[0]
        yield Rejected(feed.url, f"unreadable feed: {reason}", feed.url)
        return
    if not parsed.entries:
        yield Rejected(feed.url, "feed has no entries", feed.url)
        return
    for number, entry in enumerate(parsed.entries, 1):
        link = entry.get("link")
        if not link:
            yield Rejected(f"{feed.url} entry {number}", "feed entry without a link", entry.get("id"))
        elif ctx.is_known(link):
            yield KnownUrl(link, link)
        else:
            yield _fetch_entry(entry, link, ctx)


def _fetch_entry(entry: Any, link: str, ctx: SourceContext) -> RawDocument | Rejected:
    hints = Hints(url=link, title=entry.get("title"), published=_entry_date(entry))
    assert ctx.fetcher is not None  # a feed was fetched, so there is a fetcher
    try:
        page = ctx.fetcher.fetch(link)
    except FetchError as exc:
        content = _entry_content(entry)
        if content:
            return RawDocument(f"{link} (from feed)", link, content.encode("utf-8"), "html", hints)
        return Rejected(link, str(exc), link)
    return RawDocument(link, link, page.content, page.kind, hints)


def _entry_content(entry: Any) -> str | None:
    for item in entry.get("content") or []:
        value = item.get("value")
        if isinstance(value, str) and value.strip():
            return f"<html><body><article>{value}</article></body></html>"
    return None


def _entry_date(entry: Any) -> dt.date | None:
    for key in ("published_parsed", "updated_parsed"):
        value = entry.get(key)
        if value:
            return dt.date(value.tm_year, value.tm_mon, value.tm_mday)
    return None
