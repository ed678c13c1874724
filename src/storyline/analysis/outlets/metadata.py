"""The user's outlet file (`--outlets FILE`): country, language, owner and any rating columns.

A CSV file (a header row, comma-separated) or a JSON file (a list of objects, or ``{"outlets":
[...]}``). Each row names an outlet by `name` or `domain` (or both); `domains` and `aliases` may
list more, separated by ``;``; every other column (country, language, owner, lean, factuality …)
is kept as text. Storyline bundles no ratings: `examples/outlets.csv` only shows the format.

The file is read whole or not at all. One-line errors (:class:`~storyline.errors.SourceError`):
a file over the size limit, not UTF-8, not CSV/JSON, without a `name` or `domain` column, a row
with neither, markup (``<`` or ``>``) in a name, or two rows that give one outlet different values.
Counted warnings: rows repeated identically (kept once), and, once joined to the store, rows naming
an outlet no stored article has (kept: later articles may match).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ...errors import SourceError
from ...model.outlets import OutletMetadata
from .identity import name_key, registrable_domain

__all__ = ["MAX_BYTES", "OutletFile", "parse_outlets", "read_outlets"]

#: The largest outlet file read (a list of every outlet on earth fits in far less).
MAX_BYTES = 5_000_000
_MAX_COLUMNS = 64
_MAX_VALUE = 500
_RESERVED = {"name", "domain", "domains", "aliases"}


@dataclass(frozen=True, slots=True)
class OutletFile:
    """A parsed outlet file: its rows, its extra columns in order, and the warnings counted."""

    rows: tuple[OutletMetadata, ...]
    columns: tuple[str, ...]
    duplicates: int = 0

    @property
    def warnings(self) -> list[str]:
        """One line per kind of problem that did not stop the load."""
        return [f"{self.duplicates} repeated rows kept once"] if self.duplicates else []


def read_outlets(path: Path, *, max_bytes: int = MAX_BYTES) -> OutletFile:
    """Read an outlet file (CSV, or JSON by its `.json` suffix or a leading ``[``/``{``).

    Raises:
        SourceError: the file cannot be read or is not a valid outlet file (the message says why).
    """
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise SourceError(f"{path}: outlet file is {size / 1e6:.1f} MB; the limit is {max_bytes / 1e6:.0f} MB")
        data = path.read_bytes()
    except OSError as exc:
        raise SourceError(f"{path}: cannot read the outlet file: {exc.strerror or exc}") from exc
    return parse_outlets(data, name=str(path), max_bytes=max_bytes)


def parse_outlets(data: bytes, *, name: str = "outlet file", max_bytes: int = MAX_BYTES) -> OutletFile:
    """Parse an outlet file's bytes (see :func:`read_outlets`)."""
    if len(data) > max_bytes:
        raise SourceError(f"{name}: outlet file is {len(data) / 1e6:.1f} MB; the limit is {max_bytes / 1e6:.0f} MB")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SourceError(f"{name}: not UTF-8 (byte {exc.start}); save the outlet file as UTF-8") from exc
    stripped = text.lstrip()
    if not stripped:
        raise SourceError(f"{name}: the outlet file is empty")
    records = (
        _json_records(stripped, name) if stripped[0] in "[{" or name.endswith(".json") else _csv_records(text, name)
    )
    return _validate(records, name)


def _json_records(text: str, name: str) -> list[tuple[int, Mapping[str, Any]]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SourceError(f"{name}: not valid JSON (line {exc.lineno}: {exc.msg})") from exc
    if isinstance(data, dict):
        data = data.get("outlets")
    if not isinstance(data, list) or not all(isinstance(x, dict) for x in data):
        raise SourceError(f'{name}: a JSON outlet file is a list of objects, or {{"outlets": [...]}}')
    return [(i + 1, row) for i, row in enumerate(data)]


def _csv_records(text: str, name: str) -> list[tuple[int, Mapping[str, Any]]]:
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    try:
        rows = [(reader.line_num, row) for row in reader]
    except csv.Error as exc:
        raise SourceError(f"{name}: not valid CSV (line {reader.line_num}: {exc})") from exc
    if reader.fieldnames is None:
        raise SourceError(f"{name}: the outlet file has no header row")
    if any(None in row for _, row in rows):
        line = next(n for n, row in rows if None in row)
        raise SourceError(f"{name}: line {line} has more cells than the header")
    return [(0, dict.fromkeys(reader.fieldnames, "")), *rows]


def _validate(records: list[tuple[int, Mapping[str, Any]]], name: str) -> OutletFile:
    header = records[0][1] if records and records[0][0] == 0 else None
    body = records[1:] if header is not None else records
    columns = {_column(k) for k in (header or {k: 0 for _, r in body for k in r})}
    if not columns & {"name", "domain", "domains"}:
        raise SourceError(f"{name}: missing column: every outlet file needs a `name` or a `domain` column")
    extra = sorted(columns - _RESERVED)
    if len(extra) > _MAX_COLUMNS:
        raise SourceError(f"{name}: {len(extra)} columns; at most {_MAX_COLUMNS}")
    rows: dict[str, OutletMetadata] = {}
    owner: dict[str, str] = {}  # every name and domain -> the row key that claims it
    duplicates = 0
    for line, record in body:
        row = _row(line, {_column(k): v for k, v in record.items()}, name)
        row_key = name_key(row.name) or row.domains[0]
        if row_key in rows:
            if _same(rows[row_key], row):
                duplicates += 1
                continue
            raise SourceError(f"{name}: line {line} gives {row_key!r} other values than line {rows[row_key].line}")
        for ident in _identities(row):
            if owner.setdefault(ident, row_key) != row_key:
                other = rows[owner[ident]]
                raise SourceError(f"{name}: line {line} and line {other.line} both claim {ident!r}")
        rows[row_key] = row
    return OutletFile(rows=tuple(rows.values()), columns=tuple(extra), duplicates=duplicates)


def _same(a: OutletMetadata, b: OutletMetadata) -> bool:
    return (a.name, a.domains, a.aliases, a.columns) == (b.name, b.domains, b.aliases, b.columns)


def _column(name: Any) -> str:
    return str(name).strip().casefold()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    return str(value).strip()


def _row(line: int, record: Mapping[str, Any], name: str) -> OutletMetadata:
    where = f"{name}: line {line}"
    outlet = " ".join(_cell(record.get("name")).split()) or None
    if outlet and ("<" in outlet or ">" in outlet):
        raise SourceError(f"{where}: the name {outlet[:60]!r} holds markup (< or >); give the plain name")
    listed = [_cell(record.get("domain")), *_cell(record.get("domains")).split(";")]
    domains: list[str] = []
    for d in (x.strip() for x in listed if x.strip()):
        dom = registrable_domain(d)
        if dom is None:
            raise SourceError(f"{where}: {d[:60]!r} is not a domain (like example.com)")
        domains.append(dom)
    if outlet is None and not domains:
        raise SourceError(f"{where}: the row has neither a name nor a domain")
    aliases = tuple(a.strip() for a in _cell(record.get("aliases")).split(";") if a.strip())
    if any("<" in a or ">" in a for a in aliases):
        raise SourceError(f"{where}: an alias holds markup (< or >)")
    columns = {k: _cell(v)[:_MAX_VALUE] for k, v in record.items() if k not in _RESERVED and _cell(v)}
    return OutletMetadata(
        name=outlet, domains=tuple(dict.fromkeys(domains)), aliases=aliases, columns=columns, line=line
    )


def _identities(row: OutletMetadata) -> Sequence[str]:
    names = [row.name, *(a for a in row.aliases if "." not in a)]
    domains = [*row.domains, *(registrable_domain(a) or a for a in row.aliases if "." in a)]
    return [k for n in names if (k := name_key(n))] + [f"domain:{d}" for d in domains]
