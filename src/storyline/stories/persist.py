"""The story index kept in a file beside the store, so a fresh process loads it instead of rebuilding it.

Building the index is the cost of every fresh `storyline ingest`, `watch` round and web request
that groups articles: every stored vector read back and inserted into usearch's graph (12.6 of the
17.3 s it took at 100,000 stored, docs/scale.md). The file holds what that load produces: the
usearch graph as usearch saves it, each indexed article's id, story, date, vector, title, outlet
and label, and the document frequencies. It is written at the end of a run, under the story lock,
to a temporary file that then replaces the old one (readers see the old file or the new one, never
half of one; two writers leave one whole file).

Nothing in it is trusted: a file is used only when its magic, format, model, dimension, length and
checksum are right and it names the same store. `builder.load_index` then compares it with the
store's memberships (a cheap read of ids), applies what other processes changed since (articles
added, moved or gone) and spot-checks vectors; anything else is rebuilt from the store, logged in
one line.

Layout: ``STORYIDX`` magic, a little-endian u32 format number, a u64 header length, the JSON
header (model, dimension, store, story version, count, the sections' offsets and lengths, the
payload's CRC-32), then the payload sections back to back.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from ..errors import IndexFileError

__all__ = ["IndexFileError", "Snapshot", "default_index_path", "read_snapshot", "store_key", "write_snapshot"]

MAGIC = b"STORYIDX"
FORMAT = 1
SUFFIX = ".storyindex"
_PREFIX = struct.Struct("<8sIQ")
_NO_DATE = np.iinfo(np.int32).min
_EPOCH = dt.date(1970, 1, 1).toordinal()
INDEX_DIR_ENV_VAR = "STORYLINE_INDEX_DIR"


@dataclass(slots=True)
class Snapshot:
    """What a story index file holds (see the module docstring).

    Attributes:
        version: the store's story version the file reflects.
        ids, stories, published: per indexed article: id, story id, publication day
            (days since 1970-01-01, `_NO_DATE` when unknown).
        vectors: one unit vector per article, float32.
        ann: usearch's saved graph.
        titles, outlets, labels: per article, as the index keeps them.
        df: document frequencies: {"n": int, "names": {...}, "terms": {...}}.
    """

    version: int
    ids: npt.NDArray[np.int64]
    stories: npt.NDArray[np.int64]
    published: npt.NDArray[np.int32]
    vectors: npt.NDArray[np.float32]
    ann: bytes
    titles: list[str | None]
    outlets: list[str | None]
    labels: list[str | None]
    df: dict[str, Any]

    def dates(self) -> list[dt.date | None]:
        """The publication dates."""
        return [None if d == _NO_DATE else dt.date.fromordinal(int(d) + _EPOCH) for d in self.published]


def day_numbers(dates: list[dt.date | None]) -> npt.NDArray[np.int32]:
    """Dates as the file keeps them."""
    return np.array([_NO_DATE if d is None else d.toordinal() - _EPOCH for d in dates], dtype=np.int32)


def store_key(url: str) -> str:
    """What names a store in an index file: a SQLite file's absolute path, else the URL without its
    password (a file made for one store is never used for another, nor after the store moved)."""
    import sqlalchemy as sa

    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return f"sqlite:{Path(parsed.database or '').resolve()}"
    bare = sa.engine.URL.create(
        parsed.drivername, parsed.username, None, parsed.host, parsed.port, parsed.database, parsed.query
    )
    return bare.render_as_string(hide_password=False)


def default_index_path(url: str, index_dir: Path | None = None) -> Path | None:
    """Where the story index of the store at `url` lives.

    A SQLite file's index lies beside it (``news.db`` → ``news.db.storyindex``), or in `index_dir`
    when the caller gives one; a PostgreSQL store's in `index_dir`, else `$STORYLINE_INDEX_DIR`
    (what the CLI's ``--index-dir`` sets), else the user's cache folder (``$XDG_CACHE_HOME/storyline``
    or ``~/.cache/storyline``), named after a digest of the URL. An in-memory SQLite store has none.
    """
    import sqlalchemy as sa

    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database in ("", ":memory:") or database.startswith("file:"):
            return None
        db = Path(database).resolve()
        return (index_dir / (db.name + SUFFIX)) if index_dir else db.with_name(db.name + SUFFIX)
    folder = index_dir or (Path(p) if (p := os.environ.get(INDEX_DIR_ENV_VAR)) else None)
    if folder is None:
        cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
        folder = cache / "storyline"
    digest = hashlib.sha256(store_key(url).encode()).hexdigest()[:16]
    return folder / f"{parsed.get_backend_name()}-{digest}{SUFFIX}"


def write_snapshot(path: Path, snapshot: Snapshot, *, store: str, model: str, dim: int) -> None:
    """Write `snapshot` to `path` atomically (a temporary file beside it, then renamed over it)."""
    meta = json.dumps(
        {"titles": snapshot.titles, "outlets": snapshot.outlets, "labels": snapshot.labels}, ensure_ascii=False
    ).encode()
    sections: list[tuple[str, bytes]] = [
        ("ids", np.ascontiguousarray(snapshot.ids, dtype="<i8").tobytes()),
        ("stories", np.ascontiguousarray(snapshot.stories, dtype="<i8").tobytes()),
        ("published", np.ascontiguousarray(snapshot.published, dtype="<i4").tobytes()),
        ("vectors", np.ascontiguousarray(snapshot.vectors, dtype="<f4").tobytes()),
        ("ann", bytes(snapshot.ann)),
        ("meta", meta),
        ("df", json.dumps(snapshot.df, ensure_ascii=False).encode()),
    ]
    offsets: dict[str, list[int]] = {}
    position, crc = 0, 0
    for name, data in sections:
        offsets[name] = [position, len(data)]
        position += len(data)
        crc = zlib.crc32(data, crc)
    header = json.dumps(
        {
            "model": model,
            "dim": dim,
            "store": store,
            "version": snapshot.version,
            "count": len(snapshot.ids),
            "sections": offsets,
            "payload": position,
            "crc32": crc,
        }
    ).encode()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{os.urandom(4).hex()}.tmp")
    try:
        with tmp.open("wb") as fh:
            fh.write(_PREFIX.pack(MAGIC, FORMAT, len(header)))
            fh.write(header)
            for _name, data in sections:
                fh.write(data)
        # No fsync: a file torn by a crash fails its length or checksum check and is rebuilt.
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def read_snapshot(path: Path, *, store: str, model: str, dim: int) -> Snapshot:
    """The snapshot in `path`, checked: raises :class:`IndexFileError` saying why it cannot be used."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise IndexFileError("no index file yet") from None
    except OSError as exc:
        raise IndexFileError(f"cannot be read ({exc.strerror or exc})") from exc
    header = _header(data)
    for key, want, what in (("model", model, "model"), ("dim", dim, "dimension"), ("store", store, "store")):
        if header.get(key) != want:
            raise IndexFileError(f"made for another {what} ({header.get(key)!r}, not {want!r})")
    start = _PREFIX.size + int(header["_length"])
    payload = memoryview(data)[start:]
    if len(payload) != header.get("payload"):
        raise IndexFileError(
            f"truncated or padded ({len(payload)} payload bytes, the header says {header.get('payload')})"
        )
    if zlib.crc32(payload) != header.get("crc32"):
        raise IndexFileError("checksum mismatch (the file is damaged)")
    try:
        return _sections(payload, header, dim)
    except (KeyError, TypeError, ValueError) as exc:
        raise IndexFileError(f"malformed ({exc})") from exc


def _header(data: bytes) -> dict[str, Any]:
    if len(data) < _PREFIX.size:
        raise IndexFileError("truncated (shorter than its header)")
    magic, form, length = _PREFIX.unpack_from(data)
    if magic != MAGIC:
        raise IndexFileError("not a story index file")
    if form != FORMAT:
        raise IndexFileError(f"format {form}, this version reads {FORMAT}")
    try:
        header = json.loads(data[_PREFIX.size : _PREFIX.size + length])
    except (UnicodeDecodeError, ValueError) as exc:
        raise IndexFileError("truncated or damaged header") from exc
    if not isinstance(header, dict):
        raise IndexFileError("damaged header")
    header["_length"] = length
    return header


def _sections(payload: memoryview, header: dict[str, Any], dim: int) -> Snapshot:
    def part(name: str) -> memoryview:
        offset, length = header["sections"][name]
        return payload[offset : offset + length]

    count = int(header["count"])
    ids = np.frombuffer(part("ids"), dtype="<i8")
    stories = np.frombuffer(part("stories"), dtype="<i8")
    published = np.frombuffer(part("published"), dtype="<i4")
    vectors = np.frombuffer(part("vectors"), dtype="<f4").reshape(-1, dim)
    meta = json.loads(bytes(part("meta")))
    titles, outlets, labels = meta["titles"], meta["outlets"], meta["labels"]
    if not all(len(x) == count for x in (ids, stories, published, vectors, titles, outlets, labels)):
        raise ValueError("section lengths disagree with the count")
    df = json.loads(bytes(part("df")))
    if (
        not isinstance(df.get("n"), int)
        or not isinstance(df.get("names"), dict)
        or not isinstance(df.get("terms"), dict)
    ):
        raise ValueError("document frequencies")
    return Snapshot(
        version=int(header["version"]),
        ids=ids.astype(np.int64),
        stories=stories.astype(np.int64),
        published=published.astype(np.int32),
        vectors=vectors.astype(np.float32),
        ann=bytes(part("ann")),
        titles=titles,
        outlets=outlets,
        labels=labels,
        df=df,
    )
