"""Sources: turn what the user names (paths, folders, `-`, URLs, feeds) into raw documents.

Yields :class:`RawDocument` for each article-sized input, :class:`Rejected` for each
input that cannot be read, and :class:`KnownUrl` for feed entries already stored (so
they are not fetched again). Nothing here raises for a bad input: the batch goes on.
"""

from __future__ import annotations

import codecs
import datetime as dt
import gzip
import json
import os
import re
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from storyline.errors import FetchError
from storyline.ingest.fetch import Fetcher
from storyline.model import DocumentKind, Hints, RawDocument, Rejected

TEXT_EXTS = (".txt", ".text", ".md")
HTML_EXTS = (".html", ".htm", ".xhtml")
JSON_EXTS = (".json",)
JSONL_EXTS = (".jsonl", ".ndjson")
WARC_EXTS = (".warc",)
ALL_EXTS = TEXT_EXTS + HTML_EXTS + JSON_EXTS + JSONL_EXTS + WARC_EXTS
_STRIP_EXTS = (*ALL_EXTS, ".gz")
_CHUNK = 1 << 20
_URL_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# JSON may escape half a surrogate pair ("\\ud800") that no UTF-8 text can hold: each becomes U+FFFD.
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass(frozen=True, slots=True)
class KnownUrl:
    """A URL the store already holds; reported as "already stored" without fetching."""

    source: str
    external_id: str


Item = RawDocument | Rejected | KnownUrl


@dataclass(frozen=True, slots=True, kw_only=True)
class SourceContext:
    """What reading sources needs from outside: the fetcher, stdin, the store's known URLs."""

    fetcher: Fetcher | None = None
    stdin: IO[bytes] | None = None
    is_known: Callable[[str], bool] = lambda _url: False
    max_bytes: int = 10_000_000


def external_id_for_path(path: Path) -> str:
    """The file name without its extensions: `000_x.txt` → `000_x`, `a.html.gz` → `a`."""
    name = path.name
    while (suffix := Path(name).suffix.lower()) in _STRIP_EXTS and Path(name).stem:
        name = name[: -len(suffix)]
    return name


def iter_sources(specs: Iterable[str], ctx: SourceContext) -> Iterator[Item]:
    """Every document named by `specs` (paths, folders, `-` for stdin, URLs, feeds)."""
    for spec in specs:
        if spec == "-":
            yield from _from_stdin(ctx)
        elif spec.lower().startswith(("http://", "https://")):
            yield from _from_url(spec, ctx)
        else:
            yield from _from_path(Path(spec), ctx)


def expand_paths(specs: Iterable[str]) -> list[str]:
    """Specs with folders expanded to their supported files (recursive, sorted, no hidden files)."""
    out: list[str] = []
    for spec in specs:
        path = Path(spec)
        if spec != "-" and path.is_dir():
            out.extend(str(p) for p in _walk(path))
        else:
            out.append(spec)
    return out


def _walk(root: Path) -> list[Path]:
    """Supported files under `root`; a folder that cannot be listed is returned itself.

    Reading that folder later fails, so it becomes a `Rejected` instead of vanishing.
    """
    found: list[Path] = []

    def unreadable(exc: OSError) -> None:
        found.append(Path(exc.filename) if exc.filename else root)

    for dirpath, dirnames, filenames in os.walk(root, onerror=unreadable):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if not name.startswith(".") and _kind_of(Path(name)) is not None:
                found.append(Path(dirpath) / name)
    return found


def _kind_of(path: Path) -> str | None:
    name = path.name.lower().removesuffix(".gz")
    for kind, exts in (
        ("text", TEXT_EXTS),
        ("html", HTML_EXTS),
        ("json", JSON_EXTS),
        ("jsonl", JSONL_EXTS),
        ("warc", WARC_EXTS),
    ):
        if name.endswith(exts):
            return kind
    return None


def _from_path(path: Path, ctx: SourceContext) -> Iterator[Item]:
    if path.is_dir():
        for file in _walk(path):
            if file.is_dir():
                yield Rejected(str(file), f"cannot read folder: {_os_reason(_listing_error(file))}", file.name)
            else:
                yield from _from_file(file, ctx)
    elif not path.exists() and not path.is_symlink():
        yield Rejected(str(path), "no such file or directory", external_id_for_path(path))
    else:
        yield from _from_file(path, ctx)


def _from_file(path: Path, ctx: SourceContext) -> Iterator[Item]:
    kind = _kind_of(path) or "sniff"
    if kind == "jsonl":
        yield from _guarded(path, lambda fh: _from_jsonl(_bounded_lines(fh, ctx.max_bytes), str(path), ctx))
    elif kind == "warc":
        from storyline.ingest.warc import iter_warc

        yield from _guarded(path, lambda fh: iter_warc(fh, str(path), ctx.max_bytes), raw=True)
    else:
        yield from _from_single(path, kind, ctx)


def _guarded(path: Path, read: Callable[[IO[bytes]], Iterator[Item]], *, raw: bool = False) -> Iterator[Item]:
    """Run a streaming reader over a file, turning read errors into a Rejected."""
    try:
        opener: Any = open if raw or path.suffix.lower() != ".gz" else gzip.open
        with opener(path, "rb") as fh:
            yield from read(fh)
    except (OSError, EOFError, zlib.error) as exc:
        yield Rejected(str(path), f"cannot read: {_os_reason(exc)}", external_id_for_path(path))


def _from_single(path: Path, kind: str, ctx: SourceContext) -> Iterator[Item]:
    ext_id = external_id_for_path(path)
    try:
        data = _read_capped(path, ctx.max_bytes)
    except (OSError, EOFError, zlib.error) as exc:
        yield Rejected(str(path), f"cannot read: {_os_reason(exc)}", ext_id)
        return
    if data is None:
        yield Rejected(str(path), _too_large(path, ctx.max_bytes), ext_id)
    elif kind == "json":
        yield from _from_json_bytes(data, str(path), ext_id)
    else:
        yield RawDocument(str(path), ext_id, data, "html" if kind == "html" else _sniff(data))


def _read_capped(path: Path, limit: int) -> bytes | None:
    """The file's bytes (gunzipped if needed), or None when larger than `limit`.

    At most `limit + 1` bytes are read, whatever the file is: a pipe or a device
    reports no size, and a small .gz can hold gigabytes.
    """
    gz = path.suffix.lower() == ".gz"
    if not gz and path.stat().st_size > limit:
        return None
    opener: Any = gzip.open if gz else open
    with opener(path, "rb") as fh:
        return read_at_most(fh, limit)


def read_at_most(stream: IO[bytes], limit: int) -> bytes | None:
    """All of `stream`, or None as soon as it proves longer than `limit` bytes.

    Reads in chunks: `stream.read(limit + 1)` would allocate `limit` bytes up front for every input.
    """
    chunks: list[bytes] = []
    size = 0
    while chunk := stream.read(min(_CHUNK, limit + 1 - size)):
        chunks.append(chunk)
        size += len(chunk)
        if size > limit:
            return None
    return b"".join(chunks)


def _too_large(path: Path, limit: int) -> str:
    if path.suffix.lower() == ".gz":
        return f"too large: over the {limit / 1e6:g} MB limit (uncompressed)"
    size = path.stat().st_size
    if not size:  # a pipe or a device has no size to report
        return f"too large: over the {limit / 1e6:g} MB limit"
    return f"too large: {size / 1e6:.1f} MB, over the {limit / 1e6:g} MB limit"


def _listing_error(folder: Path) -> OSError:
    try:
        os.listdir(folder)
    except OSError as exc:
        return exc
    return OSError(0, "cannot be listed")


def _sniff(data: bytes) -> DocumentKind:
    head = data[:512].lstrip().lower()
    return "html" if head.startswith((b"<!doctype html", b"<html", b"<head", b"<body")) else "text"


def _os_reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror.lower()
    return f"{type(exc).__name__}: {exc}".rstrip(": ")


# -- JSON records ---------------------------------------------------------------------------------


def record_to_document(record: Any, source: str, fallback_id: str) -> RawDocument | Rejected:
    """A JSON object with `text` or `html` (and optional `id`, `url`, `title`, `published`, `outlet`)."""
    if not isinstance(record, dict):
        return Rejected(source, f"expected a JSON object, got {type(record).__name__}", fallback_id)
    ext_id = _str_or_none(record.get("id")) or _str_or_none(record.get("url")) or fallback_id
    body, kind = record.get("html"), "html"
    if not isinstance(body, str) or not body.strip():
        body, kind = record.get("text"), "text"
    if not isinstance(body, str):
        return Rejected(source, "record has no 'text' or 'html' string field", ext_id)
    hints = Hints(
        url=_str_or_none(record.get("url")),
        title=_str_or_none(record.get("title")),
        published=parse_published(record.get("published")),
        outlet=_str_or_none(record.get("outlet")),
    )
    data = _LONE_SURROGATE.sub("\ufffd", body).encode("utf-8")
    return RawDocument(source, ext_id, data, "html" if kind == "html" else "text", hints)


def _from_json_bytes(data: bytes, source: str, ext_id: str) -> Iterator[Item]:
    if not data.strip():
        yield Rejected(source, "empty input", ext_id)
        return
    try:
        value = _parse_json(data)
    except ValueError as exc:
        yield Rejected(source, f"invalid JSON: {exc}", ext_id)
        return
    yield from _from_json_value(value, source, ext_id)


def _from_json_value(value: Any, source: str, ext_id: str) -> Iterator[Item]:
    """One item per record: a JSON array holds many, anything else is one."""
    if value == []:
        yield Rejected(source, "empty JSON array: no records", ext_id)
    elif isinstance(value, list):
        for i, record in enumerate(value, 1):
            yield record_to_document(record, f"{source}[{i}]", f"{ext_id}:{i}")
    else:
        yield record_to_document(value, source, ext_id)


def _parse_json(data: bytes) -> Any:
    """Parse JSON bytes (UTF-8, BOM allowed).

    Raises:
        ValueError: not valid JSON, not UTF-8, an integer too long to convert, or nesting too deep.
    """
    try:
        return json.loads(data.decode("utf-8-sig"))
    except RecursionError as exc:
        raise ValueError("nested too deeply") from exc


def _from_jsonl(lines: Iterable[bytes | None], source: str, ctx: SourceContext) -> Iterator[Item]:
    """One item per non-blank line; a None line stands for one longer than the size cap."""
    stem = external_id_for_path(Path(source))
    lineno = records = 0
    for lineno, line in enumerate(lines, 1):
        where, ext_id = f"{source}:{lineno}", f"{stem}:{lineno}"
        if line is not None and not line.strip():
            continue
        records += 1
        if line is None:
            yield Rejected(where, f"line {lineno}: too large: over the {ctx.max_bytes / 1e6:g} MB limit", ext_id)
            continue
        try:
            record = _parse_json(line)
        except ValueError as exc:
            yield Rejected(where, f"line {lineno}: invalid JSON: {exc}", ext_id)
            continue
        yield record_to_document(record, where, ext_id)
    if not records:  # an empty file would otherwise vanish without a word
        yield Rejected(source, "empty input: no JSON lines" if lineno == 0 else "empty input: only blank lines", stem)


def _bounded_lines(stream: IO[bytes], limit: int) -> Iterator[bytes | None]:
    """The stream's lines, each read with at most `limit + 1` bytes in memory; None for a longer line."""
    while line := stream.readline(limit + 1):
        if len(line) <= limit or line.endswith(b"\n"):
            yield line
            continue
        while (rest := stream.readline(limit + 1)) and not rest.endswith(b"\n"):
            pass  # skip the remainder of the over-long line without keeping it
        yield None


def parse_published(value: Any) -> dt.date | None:
    """A date from a JSON `published` value (ISO date or date-time, or a readable date)."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        return dt.date.fromisoformat(value.strip()[:10])
    except ValueError:
        pass
    from dateutil import parser as date_parser

    try:
        return date_parser.parse(value, fuzzy=True, ignoretz=True).date()
    except (ValueError, OverflowError):
        return None


def _str_or_none(value: Any) -> str | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            return str(value)
        except ValueError:  # an integer longer than Python's int-to-str digit limit
            return None
    if not isinstance(value, str):
        return None
    # NUL is no character of any id, title, outlet or URL, and PostgreSQL text cannot hold it.
    return _LONE_SURROGATE.sub("\ufffd", value.replace("\x00", "")).strip() or None


# -- stdin ----------------------------------------------------------------------------------------


def _from_stdin(ctx: SourceContext) -> Iterator[Item]:
    if ctx.stdin is None:
        yield Rejected("<stdin>", "no standard input available", "stdin")
        return
    data = read_at_most(ctx.stdin, ctx.max_bytes)
    if data is None:
        yield Rejected("<stdin>", f"too large: over the {ctx.max_bytes / 1e6:g} MB limit", "stdin")
        return
    start = data.removeprefix(codecs.BOM_UTF8).lstrip()[:1]
    if start in (b"{", b"["):
        try:
            value = _parse_json(data)
        except ValueError:
            value = None  # not one JSON document: read it as JSON lines
        if isinstance(value, (dict, list)):
            yield from _from_json_value(value, "<stdin>", "stdin")
            return
    if start == b"{":
        yield from _from_jsonl(data.removeprefix(codecs.BOM_UTF8).splitlines(), "<stdin>", ctx)
    else:
        yield RawDocument("<stdin>", "stdin", data, _sniff(data))


# -- URLs and feeds -------------------------------------------------------------------------------


def _from_url(url: str, ctx: SourceContext) -> Iterator[Item]:
    if _URL_CONTROL.search(url):  # never a valid URL, and PostgreSQL text cannot hold NUL: shown escaped
        shown = _URL_CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", url)
        yield Rejected(shown, "not a valid URL: it holds control characters", shown)
        return
    if ctx.is_known(url):
        yield KnownUrl(url, url)
        return
    if ctx.fetcher is None:
        yield Rejected(url, "URL given but fetching is not enabled", url)
        return
    try:
        page = ctx.fetcher.fetch(url)
    except FetchError as exc:
        yield Rejected(url, str(exc), url)
        return
    if page.is_feed:
        from storyline.ingest.feeds import iter_feed

        yield from iter_feed(page, ctx)
        return
    yield RawDocument(url, url, page.content, page.kind, Hints(url=page.url))
