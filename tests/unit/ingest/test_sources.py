"""Sources: WARC files, stdin, folders and JSON records, read for real and stored in a real SQLite file."""

from __future__ import annotations

import codecs
import contextlib
import io
import json
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from storyline.ingest.extract import ExtractOptions
from storyline.ingest.inputs import (
    SourceContext,
    expand_paths,
    external_id_for_path,
    iter_sources,
    parse_published,
    record_to_document,
)
from storyline.ingest.local import IngestOptions, ingest
from storyline.model import IngestReport, RawDocument, Rejected
from storyline.store import Store, open_store
from support.articles import article_html, article_text


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    opened = open_store(db_url)
    yield opened
    opened.close()


def statuses(report: IngestReport) -> dict[str, tuple[str, str]]:
    """{external id or source: (status, detail)}."""
    return {o.external_id or o.source: (o.status, o.detail) for o in report.outcomes}


# -- WARC --------------------------------------------------------------------------------------------


def write_response(writer: WARCWriter, uri: str, status: str, media: str, body: bytes) -> None:
    """One HTTP response record (with its length given, so warcio needs no temporary file)."""
    http = StatusAndHeaders(status, [("Content-Type", media)], protocol="HTTP/1.1")
    payload = io.BytesIO(body)
    writer.write_record(
        writer.create_warc_record(uri, "response", payload=payload, length=len(body), http_headers=http)
    )


def write_warc(path: Path, *, gzip: bool) -> None:
    """A small crawl: two article pages, a text resource, a 404, an image, a request record."""

    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=gzip)
        get = StatusAndHeaders("GET /1 HTTP/1.1", [("Host", "news.example")], is_http_request=True)
        writer.write_record(writer.create_warc_record("http://news.example/1", "request", http_headers=get))
        write_response(writer, "http://news.example/1", "200 OK", "text/html; charset=utf-8", article_html(1).encode())
        write_response(writer, "http://news.example/missing", "404 Not Found", "text/html", b"<html>Not found</html>")
        write_response(writer, "http://news.example/logo.png", "200 OK", "image/png", b"\x89PNG\r\n\x1a\n" + bytes(500))
        write_response(writer, "http://news.example/2", "200 OK", "application/xhtml+xml", article_html(2).encode())
        text = article_text(3).encode()
        resource = writer.create_warc_record(
            "urn:wire:3", "resource", payload=io.BytesIO(text), length=len(text), warc_content_type="text/plain"
        )
        writer.write_record(resource)


@pytest.mark.parametrize("gzip", [False, True], ids=["warc", "warc.gz"])
def test_warc_pages_are_stored_by_target_uri(tmp_path: Path, store: Store, gzip: bool) -> None:
    path = tmp_path / ("crawl.warc.gz" if gzip else "crawl.warc")
    write_warc(path, gzip=gzip)
    report = ingest([str(path)], store)
    assert statuses(report) == {
        "http://news.example/1": ("stored", ""),
        "http://news.example/missing": ("rejected", "HTTP 404"),
        "http://news.example/2": ("stored", ""),
        "urn:wire:3": ("stored", ""),
    }
    assert store.get_article("http://news.example/1").url == "http://news.example/1"
    assert "report number 3" in store.get_article("urn:wire:3").text
    again = ingest([str(path)], store)
    assert again.counts == {"stored": 0, "already stored": 3, "rejected": 1}


def test_a_warc_cut_off_midway_keeps_the_records_before_the_cut(tmp_path: Path, store: Store) -> None:
    whole = tmp_path / "whole.warc"
    write_warc(whole, gzip=False)
    data = whole.read_bytes()
    cut = tmp_path / "cut.warc"
    cut.write_bytes(data[: data.index(b"http://news.example/2") - 40])
    report = ingest([str(cut)], store)
    assert statuses(report)["http://news.example/1"] == ("stored", "")
    [reason] = [o.detail for o in report.outcomes if o.source == str(cut)]
    assert reason.startswith("unreadable WARC")


def test_a_warc_record_over_the_size_cap_is_rejected(tmp_path: Path, store: Store) -> None:
    path = tmp_path / "big.warc"
    with path.open("wb") as fh:
        write_response(
            WARCWriter(fh, gzip=False), "http://x.example/big", "200 OK", "text/html", article_html(4).encode() * 200
        )
    options = IngestOptions(extract=ExtractOptions(max_bytes=100_000))
    report = ingest([str(path)], store, options)
    assert statuses(report) == {"http://x.example/big": ("rejected", "too large: over the 0.1 MB limit")}


# -- stdin -------------------------------------------------------------------------------------------


def test_stdin_plain_text_is_stored(store: Store) -> None:
    report = ingest(["-"], store, stdin=io.BytesIO(article_text(5).encode()))
    assert statuses(report) == {"stdin": ("stored", "")}
    assert "report number 5" in store.get_article("stdin").text


def test_stdin_html_is_stored(store: Store) -> None:
    report = ingest(["-"], store, stdin=io.BytesIO(article_html(6).encode()))
    assert report.counts["stored"] == 1
    assert store.get_article("stdin").title == "Report 6: officials announce new measures"


def test_stdin_jsonl_stores_good_lines_and_rejects_the_broken_one(store: Store) -> None:
    lines = [
        json.dumps({"id": "a", "text": article_text(7)}),
        "{not json",
        json.dumps({"id": "b", "html": article_html(8), "url": "https://example.org/b"}),
    ]
    report = ingest(["-"], store, stdin=io.BytesIO(("\n".join(lines) + "\n").encode()))
    assert statuses(report) == {
        "a": ("stored", ""),
        "<stdin>:2": (
            "rejected",
            "line 2: invalid JSON: Expecting property name enclosed in double quotes: line 1 column 2 (char 1)",
        ),
        "b": ("stored", ""),
    }


def test_stdin_jsonl_with_a_byte_order_mark(store: Store) -> None:
    data = codecs.BOM_UTF8 + (json.dumps({"id": "bom", "text": article_text(9)}) + "\n").encode()
    assert statuses(ingest(["-"], store, stdin=io.BytesIO(data))) == {"bom": ("stored", "")}


def test_stdin_one_pretty_printed_json_object_or_an_array(store: Store) -> None:
    pretty = json.dumps({"id": "pretty", "text": article_text(10)}, indent=2).encode()
    assert statuses(ingest(["-"], store, stdin=io.BytesIO(pretty))) == {"pretty": ("stored", "")}
    array = json.dumps([{"id": "x1", "text": article_text(11)}, {"id": "x2", "text": article_text(12)}]).encode()
    assert statuses(ingest(["-"], store, stdin=io.BytesIO(array))) == {"x1": ("stored", ""), "x2": ("stored", "")}


def test_stdin_over_the_limit_and_no_stdin_are_rejected(store: Store) -> None:
    options = IngestOptions(extract=ExtractOptions(max_bytes=2048))
    big = ingest(["-"], store, options, stdin=io.BytesIO(b"word " * 1000))
    assert statuses(big) == {"stdin": ("rejected", "too large: over the 0.002048 MB limit")}
    none = list(iter_sources(["-"], SourceContext()))
    assert none == [Rejected("<stdin>", "no standard input available", "stdin")]


# -- files and folders -------------------------------------------------------------------------------


def test_expand_paths_lists_supported_files_sorted_without_hidden_ones(tmp_path: Path) -> None:
    for name in ["b.txt", "a.html.gz", "c.jsonl", "notes.pdf", ".hidden.txt", "sub/d.warc", ".git/e.txt", "f.JSON"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    found = expand_paths([str(tmp_path), "-", "https://example.org/feed"])
    names = [str(Path(p).relative_to(tmp_path)) if p.startswith(str(tmp_path)) else p for p in found]
    assert names == ["a.html.gz", "b.txt", "c.jsonl", "f.JSON", "sub/d.warc", "-", "https://example.org/feed"]


def test_a_named_pipe_is_read_with_a_bounded_buffer(tmp_path: Path, store: Store) -> None:
    fifo = tmp_path / "stream.txt"
    os.mkfifo(fifo)

    def feed() -> None:
        with contextlib.suppress(BrokenPipeError), fifo.open("wb") as fh:
            for _ in range(50):
                fh.write(b"endless words " * 10_000)

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    options = IngestOptions(extract=ExtractOptions(max_bytes=1_000_000))
    report = ingest([str(fifo)], store, options)
    writer.join(5)
    assert statuses(report) == {"stream": ("rejected", "too large: over the 1 MB limit")}


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("000_x.txt", "000_x"),
        ("a.html.gz", "a"),
        ("report.v2.txt", "report.v2"),
        ("data.jsonl.gz", "data"),
        (".txt", ".txt"),
        ("archive.tar.gz", "archive.tar"),
        ("UPPER.HTML", "UPPER"),
    ],
)
def test_external_id_for_path(name: str, expected: str) -> None:
    assert external_id_for_path(Path("some/folder") / name) == expected


# -- properties --------------------------------------------------------------------------------------

file_names = st.text(st.characters(blacklist_characters="/\x00", blacklist_categories=("Cs",)), min_size=1).filter(
    lambda n: n not in {".", ".."}
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)
json_records = st.fixed_dictionaries(
    {},
    optional={key: json_values | st.text() for key in ("id", "url", "title", "published", "outlet", "text", "html")},
)


@given(file_names)
def test_external_id_is_a_non_empty_prefix_of_the_name(name: str) -> None:
    ext_id = external_id_for_path(Path(name))
    assert ext_id and name.startswith(ext_id)


@given(json_values | json_records, st.text(min_size=1))
@settings(max_examples=200)
def test_record_to_document_never_raises(value: object, fallback: str) -> None:
    result = record_to_document(value, "src", fallback)
    assert isinstance(result, RawDocument | Rejected)
    if isinstance(result, RawDocument):
        assert result.external_id and isinstance(result.content, bytes)


@given(st.text())
def test_parse_published_never_raises(value: str) -> None:
    parse_published(value)


@given(
    st.binary(max_size=3000) | st.lists(json_values, max_size=5).map(lambda v: "\n".join(map(json.dumps, v)).encode())
)
@settings(max_examples=150)
def test_reading_any_bytes_from_stdin_never_raises(data: bytes) -> None:
    items = list(iter_sources(["-"], SourceContext(stdin=io.BytesIO(data), max_bytes=2048)))
    assert items and all(isinstance(item, RawDocument | Rejected) for item in items)
