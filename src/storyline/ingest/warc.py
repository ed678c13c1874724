"""WARC files (warcio): each HTML or text response record is one document."""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from storyline.ingest.fetch import media_type
from storyline.ingest.inputs import read_at_most
from storyline.model import Hints, RawDocument, Rejected

_TYPES = {"text/html": "html", "application/xhtml+xml": "html", "text/plain": "text"}


def iter_warc(stream: IO[bytes], source: str, max_bytes: int) -> Iterator[RawDocument | Rejected]:
    """Documents from the response and resource records of a WARC stream (gzipped or not).

    A stream with no WARC records (empty, plain text that warcio would read as ARC, a
    broken gzip member) or a malformed record becomes one `Rejected`; the documents
    read before a malformed record are kept.
    """
    records = 0
    try:
        for record in ArchiveIterator(stream):
            if getattr(record, "format", "warc") != "warc" or not getattr(record, "rec_type", None):
                # warcio reads a text line as an ARC header, and a cut-off stream as an empty record
                problem = "not a WARC file" if records == 0 else f"record {records + 1} has no WARC-Type"
                yield Rejected(source, f"unreadable WARC: {problem}", None)
                return
            records += 1
            item = _record(record, source, max_bytes)
            if item is not None:
                yield item
    except ArchiveLoadFailed as exc:
        yield Rejected(source, f"unreadable WARC: {_first_line(exc)}", None)
        return
    except Exception as exc:  # warcio raises many types (AttributeError, ValueError, ...) on broken records
        why = f"{type(exc).__name__}: {_first_line(exc)}"
        yield Rejected(source, f"unreadable WARC: malformed record {records + 1} ({why})", None)
        return
    if not records:
        yield Rejected(source, "unreadable WARC: no records found", None)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


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
        media = media_type(http.get_header("Content-Type"))
    else:
        media = media_type(headers.get_header("Content-Type"))
    kind = _TYPES.get(media)
    if kind is None:
        return None  # images, scripts, styles: not articles, not worth a rejection each
    data = read_at_most(record.content_stream(), max_bytes)  # type: ignore[attr-defined]
    if data is None:
        return Rejected(f"{source} {uri}", f"too large: over the {max_bytes / 1e6:g} MB limit", uri)
    return RawDocument(f"{source} {uri}", uri, data, "html" if kind == "html" else "text", Hints(url=uri))
