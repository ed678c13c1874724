"""One JSON form for every record, derived from its fields.

A record is a frozen dataclass that inherits :class:`Record`. Its JSON object has one key per field,
in field order, with the value encoded by type: dates and datetimes as ISO strings, tuples as
lists, nested records as their own JSON objects, mappings value by value. Three field options,
set through the dataclass field's metadata, cover the places where the public JSON (documented
in docs/report.md and docs/report-schema.json) differs from the Python names:

* ``key("article")``: the JSON key differs from the field's name (``article_id`` -> ``article``);
* ``SKIP``: the field stays out of the JSON (a content hash, a cached vector);
* ``OMIT_EMPTY``: the key is left out when the value is empty or None;
* ``rounded(n)``: a float is written rounded to `n` places (a score).

A class may add read-only properties to its JSON through ``__json_extra__`` (JSON key -> attribute
name), e.g. an article's word count. :meth:`Record.from_json` is the inverse of
:meth:`Record.to_json` for every field that the JSON carries (skipped fields take their defaults),
guided by the field types; ``tests/test_model.py`` checks the round trip on every record.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import types
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar, Self

__all__ = ["OMIT_EMPTY", "SKIP", "Record", "decode", "encode", "key", "rounded"]

_META = "storyline.json"


def key(name: str) -> dict[str, Any]:
    """Field metadata: the field's JSON key is `name`."""
    return {_META: {"key": name}}


def rounded(places: int) -> dict[str, Any]:
    """Field metadata: the float is written rounded to `places`."""
    return {_META: {"round": places}}


SKIP: Mapping[str, Any] = types.MappingProxyType({_META: {"skip": True}})
OMIT_EMPTY: Mapping[str, Any] = types.MappingProxyType({_META: {"omit_empty": True}})


class Record:
    """Base of every serialised record: ``to_json`` and ``from_json`` derived from the fields."""

    __slots__ = ()
    __json_extra__: ClassVar[Mapping[str, str]] = {}

    def to_json(self) -> dict[str, Any]:
        """The record as a JSON-ready dict."""
        out: dict[str, Any] = {}
        for f in dataclasses.fields(self):  # type: ignore[arg-type]
            meta = f.metadata.get(_META, {})
            if meta.get("skip"):
                continue
            value = encode(getattr(self, f.name))
            if "round" in meta and isinstance(value, float):
                value = round(value, meta["round"])
            if meta.get("omit_empty") and value in (None, "", [], {}):
                continue
            out[meta.get("key", f.name)] = value
        for name, attr in self.__json_extra__.items():
            out[name] = encode(getattr(self, attr))
        return out

    @classmethod
    def from_json(cls, data: Mapping[str, Any], **missing: Any) -> Self:
        """The record from its JSON form (the inverse of :meth:`to_json`); `missing` gives the
        fields that the JSON does not carry and that have no default (an article's content hash)."""
        hints = _hints(cls)
        kwargs: dict[str, Any] = dict(missing)
        for f in dataclasses.fields(cls):  # type: ignore[arg-type]
            meta = f.metadata.get(_META, {})
            name = meta.get("key", f.name)
            if meta.get("skip") or name not in data:
                continue
            kwargs[f.name] = decode(hints[f.name], data[name])
        return cls(**kwargs)


_HINTS: dict[type, dict[str, Any]] = {}


def _hints(cls: type) -> dict[str, Any]:
    if cls not in _HINTS:
        _HINTS[cls] = typing.get_type_hints(cls)
    return _HINTS[cls]


def encode(value: Any) -> Any:
    """A value as JSON-ready data."""
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, Record) or callable(getattr(value, "to_json", None)):
        return value.to_json()  # a record, or one whose JSON form is still written by hand
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [encode(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): encode(v) for k, v in value.items()}
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"cannot encode {type(value).__name__} as JSON")


def decode(tp: Any, value: Any) -> Any:
    """JSON data as a value of type `tp` (the inverse of :func:`encode`)."""
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if value is None:
        return None
    if origin in (types.UnionType, typing.Union):
        inner = [a for a in args if a is not type(None)]
        return decode(inner[0], value) if len(inner) == 1 else value
    if origin is tuple:
        item = args[0] if args else Any
        return tuple(decode(item, v) for v in value)
    if origin is list:
        return [decode(args[0] if args else Any, v) for v in value]
    if origin in (dict, Mapping) or tp is dict:
        item = args[1] if len(args) == 2 else Any
        return {k: decode(item, v) for k, v in value.items()}
    if isinstance(tp, type):
        return _decode_class(tp, value)
    return value  # Any, Literal and other aliases carry plain JSON values


def _decode_class(tp: type, value: Any) -> Any:
    if issubclass(tp, Record):
        return tp.from_json(value)
    if tp is dt.datetime:
        return dt.datetime.fromisoformat(value)
    if tp is dt.date:
        return dt.date.fromisoformat(value)
    if tp is Path:
        return Path(value)
    if tp is float and isinstance(value, int):
        return float(value)
    return value
