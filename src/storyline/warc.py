"""WARC files (warcio): each HTML or text response record is one document."""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from storyline.model import Hints, RawDocument, Rejected

_TYPES = {"text/html": "html", "application/xhtml+xml": "html", "text/plain": "text"}


def iter_warc(stream: IO[bytes], source: str, max_bytes: int) -> Iterator[RawDocument | Rejected]:
    """Documents from the response and resource records of a WARC stream (gzipped or not)."""
    try:
        for record in ArchiveIterator(stream):
            item = _record(record, source, max_bytes)
            if item is not None:
                yield item
    except ArchiveLoadFailed as exc:
        yield Rejected(source, f"unreadable WARC: {str(exc).splitlines()[0]}", None)


def _record(record: object, source: str, max_bytes: int) -> RawDocument | Rejected | None:
    rec_type = getattr(record, "rec_type", "")
    if rec_type not in {"response", "resource"}:
        return None
    headers = record.rec_headers  # type: ignore[attr-defined]
    uri = headers.get_header("WARC-Target-URI") or f"{source}#{headers.get_header('WARC-Record-ID')}"
    http = getattr(record, "http_headers", None)
    if rec_type == "response" and http is not None:
        status = http.get_statuscode() or "?"
        if not status.startswith("2"):
            return Rejected(f"{source} {uri}", f"HTTP {status}", uri)
        media = (http.get_header("Content-Type") or "").split(";")[0].strip().lower()
    else:
        media = (headers.get_header("Content-Type") or "").split(";")[0].strip().lower()
    kind = _TYPES.get(media)
    if kind is None:
        return None  # images, scripts, styles: not articles, not worth a rejection each
    data = record.content_stream().read(max_bytes + 1)  # type: ignore[attr-defined]
    if len(data) > max_bytes:
        return Rejected(f"{source} {uri}", f"too large: over the {max_bytes / 1e6:g} MB limit", uri)
    return RawDocument(f"{source} {uri}", uri, data, "html" if kind == "html" else "text", Hints(url=uri))
