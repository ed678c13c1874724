"""Careful HTTP fetching for URLs and feeds.

Every hop of a redirect chain is checked: http(s) only, no private, loopback or
link-local addresses unless allowed, at most `max_redirects` hops, a body size cap
read in chunks, an accepted content type, and a timeout. The HTTP transport and the
host resolver are injectable so tests use real local servers or fakes, never the network.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import httpx

from storyline._version import __version__
from storyline.errors import FetchError, OptionsError
from storyline.model import DocumentKind

Resolver = Callable[[str], list[str]]

PAGE_TYPES = frozenset({"text/html", "application/xhtml+xml", "text/plain"})
FEED_TYPES = frozenset(
    {
        "application/rss+xml",
        "application/atom+xml",
        "application/rdf+xml",
        "application/xml",
        "text/xml",
        "application/feed+json",
    }
)


@dataclass(frozen=True, slots=True, kw_only=True)
class FetchOptions:
    """Limits for HTTP fetches.

    Attributes:
        timeout: seconds for connect and for each read.
        max_bytes: largest body accepted.
        max_redirects: most redirect hops followed.
        allow_private: permit private, loopback and link-local addresses (tests, intranets).
        user_agent: the User-Agent header sent.
    """

    timeout: float = 20.0
    max_bytes: int = 10_000_000
    max_redirects: int = 5
    allow_private: bool = False
    user_agent: str = f"storyline/{__version__} (news analysis; +https://github.com/storyline)"

    def __post_init__(self) -> None:
        if self.timeout <= 0:
            raise OptionsError(f"timeout must be positive (got {self.timeout})")
        if self.max_redirects < 0:
            raise OptionsError(f"max_redirects cannot be negative (got {self.max_redirects})")
        if self.max_bytes < 1024:
            raise OptionsError(f"max_bytes must be at least 1024 (got {self.max_bytes})")


@dataclass(frozen=True, slots=True)
class Fetched:
    """A fetched body with the URL it finally came from and its media type."""

    url: str
    content: bytes
    media_type: str

    @property
    def kind(self) -> DocumentKind:
        """How extraction should read the body: plain text or HTML."""
        return "text" if self.media_type == "text/plain" else "html"

    @property
    def is_feed(self) -> bool:
        """True for RSS/Atom (by media type, or by sniffing an XML body)."""
        if self.media_type in FEED_TYPES - {"application/xml", "text/xml"}:
            return True
        head = self.content[:2048].lstrip().lower()
        return (self.media_type in FEED_TYPES or head.startswith(b"<?xml")) and (
            b"<rss" in head or b"<feed" in head or b"<rdf:rdf" in head
        )


def media_type(content_type: str | None) -> str:
    """The bare, lower-case media type of a Content-Type header ("" when absent)."""
    return (content_type or "").split(";")[0].strip().lower()


def system_resolver(host: str) -> list[str]:
    """All addresses `host` resolves to."""
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except socket.gaierror as exc:
        raise FetchError(f"cannot resolve host {host!r}: {exc.strerror}") from exc
    except UnicodeError as exc:  # the IDNA codec refuses empty or over-long labels
        raise FetchError(f"cannot resolve host {host!r}: not a valid host name") from exc
    return sorted({str(info[4][0]) for info in infos})


class Fetcher:
    """Fetches pages and feeds within :class:`FetchOptions` limits."""

    def __init__(
        self,
        options: FetchOptions | None = None,
        *,
        transport: httpx.BaseTransport | None = None,
        resolver: Resolver = system_resolver,
    ) -> None:
        self.options = options or FetchOptions()
        self._resolve = resolver
        self._client = httpx.Client(
            transport=transport,
            follow_redirects=False,
            timeout=httpx.Timeout(self.options.timeout),
            headers={"User-Agent": self.options.user_agent},
        )

    def fetch(self, url: str, *, accept: frozenset[str] = PAGE_TYPES | FEED_TYPES) -> Fetched:
        """GET `url`, following redirects by hand so every hop is checked.

        Raises:
            FetchError: refused address, bad status, too many redirects, wrong type, too large,
                timeout or connection failure. The message is one line for users.
        """
        current = url
        for _hop in range(self.options.max_redirects + 1):
            self._check_target(current)
            result = self._get(current, accept)
            if isinstance(result, Fetched):
                return result
            current = result
        raise FetchError(f"too many redirects (more than {self.options.max_redirects})")

    def _get(self, url: str, accept: frozenset[str]) -> Fetched | str:
        try:
            with self._client.stream("GET", url) as response:
                if response.is_redirect and "location" in response.headers:
                    return _redirect_target(url, response.headers["location"])
                if response.status_code >= 400:
                    raise FetchError(f"HTTP {response.status_code} {response.reason_phrase}".strip())
                media = media_type(response.headers.get("content-type"))
                if media and media not in accept:
                    raise FetchError(f"unsupported content type {media!r}")
                body = self._read_capped(response)
        except httpx.TimeoutException as exc:
            raise FetchError(f"timed out after {self.options.timeout:g}s") from exc
        except httpx.InvalidURL as exc:
            raise FetchError(f"not a valid URL: {url!r} ({exc})") from exc
        except httpx.HTTPError as exc:
            raise FetchError(f"cannot fetch: {type(exc).__name__}: {exc}") from exc
        return Fetched(url=url, content=body, media_type=media)

    def _read_capped(self, response: httpx.Response) -> bytes:
        limit = self.options.max_bytes
        declared = response.headers.get("content-length", "")
        if declared.isascii() and declared.isdigit() and int(declared) > limit:
            raise FetchError(f"too large: {int(declared) / 1e6:.1f} MB, over the {limit / 1e6:g} MB limit")
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > limit:
                raise FetchError(f"too large: over the {limit / 1e6:g} MB limit")
            chunks.append(chunk)
        return b"".join(chunks)

    def _check_target(self, url: str) -> None:
        try:
            parts = urlsplit(url)
            _port = parts.port  # raises on a port that is not a number in range
        except ValueError as exc:
            raise FetchError(f"not a valid URL: {url!r} ({exc})") from exc
        if parts.scheme not in {"http", "https"}:
            raise FetchError(f"refused URL scheme {parts.scheme!r}: only http and https are fetched")
        if not parts.hostname:
            raise FetchError(f"not a valid URL: {url!r}")
        if self.options.allow_private:
            return
        for address in self._resolve(parts.hostname):
            if not ipaddress.ip_address(address.split("%")[0]).is_global:
                raise FetchError(
                    f"refused private address {address} for {parts.hostname} (use --allow-private to permit)"
                )

    def close(self) -> None:
        """Close the HTTP client."""
        self._client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def _redirect_target(url: str, location: str) -> str:
    """The absolute URL a redirect points to; a malformed Location is a fetch failure."""
    try:
        return urljoin(url, location)
    except ValueError as exc:
        raise FetchError(f"bad redirect to {location!r}: {exc}") from exc
