"""Bad input is data: each bad input gets a clear reason, and the good inputs beside it are all stored.

Every test ingests real files into a real SQLite store through `storyline.ingest.local.ingest`,
with good articles before and after the bad input in the same batch.
"""

from __future__ import annotations

import codecs
import gzip
import io
import json
import os
import random
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from storyline.ingest.extract import extract
from storyline.ingest.local import ingest
from storyline.model import IngestReport, RawDocument
from storyline.store import Store, open_store
from support.articles import article_html, article_text

REPO = Path(__file__).resolve().parents[2]
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06\x00\x00\x00\x1f\xf3\xffa"
    + random.Random(1).randbytes(2000)
)
_seed = iter(range(100, 100_000))


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    opened = open_store(db_url)
    yield opened
    opened.close()


def good_file(folder: Path, name: str | None = None) -> Path:
    """A plain-text article file with text no other test file has."""
    seed = next(_seed)
    path = folder / (name or f"good_{seed}.txt")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(article_text(seed), encoding="utf-8")
    return path


def rejected(report: IngestReport) -> dict[str, str]:
    """Rejected outcomes as {source: reason}."""
    return {o.source: o.detail for o in report.outcomes if o.status == "rejected"}


def stored_ids(report: IngestReport) -> list[str]:
    return [o.external_id or "" for o in report.outcomes if o.status == "stored"]


# -- one bad input between two good ones ----------------------------------------------------------

BadInput = Callable[[Path], Path]


def empty(tmp: Path) -> Path:
    (tmp / "empty.txt").write_bytes(b"")
    return tmp / "empty.txt"


def whitespace_only(tmp: Path) -> Path:
    (tmp / "blank.txt").write_bytes(b" \n\t\r\n  \n")
    return tmp / "blank.txt"


def png_named_txt(tmp: Path) -> Path:
    (tmp / "photo.txt").write_bytes(PNG)
    return tmp / "photo.txt"


def png_named_html(tmp: Path) -> Path:
    (tmp / "photo.html").write_bytes(PNG)
    return tmp / "photo.html"


def random_bytes(tmp: Path) -> Path:
    (tmp / "noise.txt").write_bytes(random.Random(7).randbytes(5000))
    return tmp / "noise.txt"


def not_an_article_404(tmp: Path) -> Path:
    page = (
        "<html><head><title>404 Not Found</title></head><body><h1>Not Found</h1>"
        "<p>The requested URL was not found on this server.</p></body></html>"
    )
    (tmp / "missing-page.html").write_text(page)
    return tmp / "missing-page.html"


def tag_soup(tmp: Path) -> Path:
    (tmp / "soup.html").write_text("<<<>>><html<<body>></p></div><<script>var x = '<p>';</scr")
    return tmp / "soup.html"


def invalid_json(tmp: Path) -> Path:
    (tmp / "broken.json").write_text('{"id": "a", "text": "unterminated')
    return tmp / "broken.json"


def json_without_body(tmp: Path) -> Path:
    (tmp / "nobody.json").write_text(json.dumps({"id": "nobody", "title": "A title", "url": "https://x.org/a"}))
    return tmp / "nobody.json"


def json_scalar(tmp: Path) -> Path:
    (tmp / "scalar.json").write_text("42")
    return tmp / "scalar.json"


def json_nested_too_deep(tmp: Path) -> Path:
    (tmp / "deep.json").write_text("[" * 200_000 + "]" * 200_000)
    return tmp / "deep.json"


def json_huge_integer(tmp: Path) -> Path:
    (tmp / "bigint.json").write_text('{"id": ' + "9" * 5000 + ', "text": "x"}')
    return tmp / "bigint.json"


def missing_path(tmp: Path) -> Path:
    return tmp / "no-such-file.txt"


def corrupt_gz(tmp: Path) -> Path:
    (tmp / "corrupt.txt.gz").write_bytes(b"this was never gzip data " * 10)
    return tmp / "corrupt.txt.gz"


def truncated_gz(tmp: Path) -> Path:
    data = gzip.compress(article_text(next(_seed)).encode())
    (tmp / "truncated.html.gz").write_bytes(data[: len(data) // 2])
    return tmp / "truncated.html.gz"


def corrupt_jsonl_gz(tmp: Path) -> Path:
    (tmp / "corrupt.jsonl.gz").write_bytes(b"\x1f\x8b\x08\x00garbage after a gzip magic number")
    return tmp / "corrupt.jsonl.gz"


def empty_jsonl(tmp: Path) -> Path:
    (tmp / "nothing.jsonl").write_bytes(b"\n  \n")
    return tmp / "nothing.jsonl"


def empty_json(tmp: Path) -> Path:
    (tmp / "nothing.json").write_bytes(b"")
    return tmp / "nothing.json"


def symlink_loop(tmp: Path) -> Path:
    (tmp / "loop.txt").symlink_to("loop.txt")
    return tmp / "loop.txt"


def not_a_warc(tmp: Path) -> Path:
    (tmp / "fake.warc").write_text("this is a text file with a .warc name\n")
    return tmp / "fake.warc"


BAD_INPUTS: list[tuple[BadInput, tuple[str, ...]]] = [
    (empty, ("empty input",)),
    (whitespace_only, ("empty input",)),
    (png_named_txt, ("binary content",)),
    (png_named_html, ("binary content",)),
    (random_bytes, ("binary content",)),
    (not_an_article_404, ("not an article", "words")),
    (tag_soup, ("not an article|no article text",)),
    (invalid_json, ("invalid JSON",)),
    (json_without_body, ("no 'text' or 'html'",)),
    (json_scalar, ("expected a JSON object", "int")),
    (json_nested_too_deep, ("invalid JSON", "nested too deeply")),
    (json_huge_integer, ("invalid JSON",)),
    (missing_path, ("no such file or directory",)),
    (corrupt_gz, ("cannot read", "gzip")),
    (truncated_gz, ("cannot read",)),
    (corrupt_jsonl_gz, ("cannot read",)),
    (not_a_warc, ("unreadable WARC",)),
    (empty_jsonl, ("empty input",)),
    (empty_json, ("empty input",)),
    (symlink_loop, ("cannot read", "too many levels of symbolic links")),
]


@pytest.mark.parametrize(("make", "fragments"), BAD_INPUTS, ids=[make.__name__ for make, _ in BAD_INPUTS])
def test_bad_input_is_rejected_with_a_reason_and_the_batch_goes_on(
    tmp_path: Path, store: Store, make: BadInput, fragments: tuple[str, ...]
) -> None:
    before, bad, after = good_file(tmp_path), make(tmp_path), good_file(tmp_path)
    report = ingest([str(before), str(bad), str(after)], store)
    assert report.counts == {"stored": 2, "already stored": 0, "rejected": 1}
    [(source, reason)] = rejected(report).items()
    assert source == str(bad)
    for fragment in fragments:  # "a|b": either will do
        assert any(f.lower() in reason.lower() for f in fragment.split("|")), reason
    assert "\n" not in reason
    assert stored_ids(report) == [before.stem, after.stem]
    assert {r.source for r in store.iter_rejections()} == {str(bad)}


def test_every_bad_input_in_one_folder_with_good_ones(tmp_path: Path, store: Store) -> None:
    folder = tmp_path / "inbox"
    folder.mkdir()
    goods = [good_file(folder) for _ in range(3)]
    bads = [make(folder) for make, _ in BAD_INPUTS if make is not missing_path]
    report = ingest([str(folder)], store)
    assert sorted(stored_ids(report)) == sorted(p.stem for p in goods)
    assert sorted(rejected(report)) == sorted(map(str, bads))
    assert store.count_articles() == 3


# -- good inputs in other encodings ----------------------------------------------------------------


def test_latin1_and_utf16_texts_are_stored_with_their_accents(tmp_path: Path, store: Store) -> None:
    intro = "Le café du coin, naïve et célèbre, a rouvert ses portes après la grève."
    (tmp_path / "latin1.txt").write_bytes(f"{intro}\n\n{article_text(11)}".encode("latin-1"))
    (tmp_path / "utf16.txt").write_bytes(codecs.BOM_UTF16_LE + f"{intro}\n\n{article_text(12)}".encode("utf-16-le"))
    (tmp_path / "utf16be.txt").write_bytes(f"{intro}\n\n{article_text(13)}".encode("utf-16"))
    (tmp_path / "cp1252.html").write_bytes(
        article_html(14)
        .replace("<p>", f"<p>{intro} “Déjà vu”, he said. ", 1)
        .replace("utf-8", "windows-1252")
        .encode("cp1252")
    )
    report = ingest([str(tmp_path)], store)
    assert report.counts == {"stored": 4, "already stored": 0, "rejected": 0}, rejected(report)
    for ext_id in ("latin1", "utf16", "utf16be", "cp1252"):
        text = store.get_article(ext_id).text
        assert "café" in text and "naïve" in text and "grève" in text, (ext_id, text[:120])
    assert "“Déjà vu”" in store.get_article("cp1252").text


def test_malformed_html_that_still_holds_an_article_is_stored(tmp_path: Path, store: Store) -> None:
    body = article_text(21).replace("\n\n", "<p>")
    page = f"<html><head><title>Unclosed tags</title><body><div class=x id=<><p>{body}</div></span><b><i>a</b></table>"
    (tmp_path / "sloppy.html").write_text(page)
    report = ingest([str(tmp_path / "sloppy.html")], store)
    assert report.counts["stored"] == 1, rejected(report)
    assert "report number 21" in store.get_article("sloppy").text


def test_a_page_of_navigation_links_is_not_an_article(tmp_path: Path, store: Store) -> None:
    heads = [f"Headline number {i} about events in the region today" for i in range(10)]
    nav = "".join(f"<li><a href='/s{i}'>Section {i}</a></li>" for i in range(12))
    links = "".join(f"<li><a href='/a{i}'>{h}</a></li>" for i, h in enumerate(heads))
    page = f"<html><head><title>Home</title></head><body><nav><ul>{nav}</ul></nav><main><ul>{links}</ul></main></body>"
    (tmp_path / "front.html").write_text(page + "</html>")
    report = ingest([str(good_file(tmp_path)), str(tmp_path / "front.html")], store)
    assert "not an article" in rejected(report).get(str(tmp_path / "front.html"), "")


# -- JSON lines and JSON arrays ------------------------------------------------------------------


def test_a_broken_jsonl_line_is_rejected_with_its_line_number(tmp_path: Path, store: Store) -> None:
    lines = [
        json.dumps({"id": "first", "text": article_text(31)}),
        '{"id": "broken", "text": "no closing quote}',
        "",
        json.dumps({"id": "third", "html": article_html(32), "url": "https://example.org/third"}),
        json.dumps({"id": "notext", "title": "nothing else"}),
        json.dumps({"id": "fifth", "text": article_text(33), "published": "2024-02-03"}),
    ]
    (tmp_path / "batch.jsonl").write_text("\n".join(lines) + "\n")
    report = ingest([str(tmp_path / "batch.jsonl")], store)
    assert stored_ids(report) == ["first", "third", "fifth"]
    reasons = rejected(report)
    assert reasons.keys() == {f"{tmp_path / 'batch.jsonl'}:2", f"{tmp_path / 'batch.jsonl'}:5"}
    assert reasons[f"{tmp_path / 'batch.jsonl'}:2"].startswith("line 2: invalid JSON")
    assert "no 'text' or 'html'" in reasons[f"{tmp_path / 'batch.jsonl'}:5"]
    assert store.get_article("third").url == "https://example.org/third"
    assert str(store.get_article("fifth").published) == "2024-02-03"


def test_lone_surrogates_in_json_become_replacement_characters(tmp_path: Path, store: Store) -> None:
    """JSON can escape half a surrogate pair, which no UTF-8 text holds: it once ended the whole batch."""
    text = article_text(34)
    cut = text.index(" ", 40)
    lines = [
        '{"id": "half\\udc00", "title": "Bad \\ud800 title", "outlet": "\\udfff", "text": "'
        + text[:cut]
        + " \\ud83d "
        + text[cut:].replace("\n", " ")
        + '"}',
        json.dumps({"id": "fine", "text": article_text(35)}),
    ]
    (tmp_path / "halves.jsonl").write_text("\n".join(lines) + "\n")
    report = ingest([str(tmp_path / "halves.jsonl")], store)
    assert stored_ids(report) == ["half\ufffd", "fine"]
    stored = store.get_article("half\ufffd")
    assert stored.title == "Bad \ufffd title" and stored.outlet == "\ufffd" and "\ufffd" in stored.text
    again = ingest([str(tmp_path / "halves.jsonl")], store)
    assert again.counts == {"stored": 0, "already stored": 2, "rejected": 0}


def test_an_over_long_jsonl_line_is_rejected_without_reading_it_whole(tmp_path: Path, store: Store) -> None:
    from storyline.ingest.extract import ExtractOptions
    from storyline.ingest.local import IngestOptions

    path = tmp_path / "long.jsonl"
    with path.open("w") as fh:
        fh.write(json.dumps({"id": "a", "text": article_text(41)}) + "\n")
        fh.write('{"id": "huge", "text": "' + "word " * 2_000_000 + '"}\n')
        fh.write(json.dumps({"id": "b", "text": article_text(42)}) + "\n")
    options = IngestOptions(extract=ExtractOptions(max_bytes=1_000_000))
    tracemalloc.start()
    try:
        report = ingest([str(path)], store, options)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert stored_ids(report) == ["a", "b"]
    assert rejected(report) == {f"{path}:2": "line 2: too large: over the 1 MB limit"}
    assert peak < 6_000_000, f"peak {peak / 1e6:.1f} MB for a 10 MB line with a 1 MB cap"


def test_a_json_array_with_one_bad_record_stores_the_rest(tmp_path: Path, store: Store) -> None:
    records = [{"id": "one", "text": article_text(51)}, "not an object", {"text": article_text(52)}]
    (tmp_path / "list.json").write_text(json.dumps(records))
    report = ingest([str(tmp_path / "list.json")], store)
    assert stored_ids(report) == ["one", "list:3"]
    assert rejected(report) == {f"{tmp_path / 'list.json'}[2]": "expected a JSON object, got str"}


# -- size --------------------------------------------------------------------------------------------


def test_a_20_mb_html_file_is_rejected_quickly_without_reading_it(tmp_path: Path, store: Store) -> None:
    big = tmp_path / "big.html"
    with big.open("wb") as fh:
        chunk = article_html(61).encode()
        while fh.tell() < 20_000_000:
            fh.write(chunk)
    before, after = good_file(tmp_path), good_file(tmp_path)
    extract(RawDocument("warm-up", "warm-up", article_text(62).encode(), "text"))  # load models outside the count
    tracemalloc.start()
    started = time.perf_counter()
    try:
        report = ingest([str(before), str(big), str(after)], store)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    elapsed = time.perf_counter() - started
    assert rejected(report) == {str(big): "too large: 20.0 MB, over the 10 MB limit"}
    assert stored_ids(report) == [before.stem, after.stem]
    assert peak < 5_000_000, f"peak {peak / 1e6:.1f} MB"
    assert elapsed < 5, f"{elapsed:.1f}s"


def test_a_small_gz_that_inflates_past_the_limit_is_rejected(tmp_path: Path, store: Store) -> None:
    from storyline.ingest.extract import ExtractOptions
    from storyline.ingest.local import IngestOptions

    bomb = tmp_path / "bomb.html.gz"
    bomb.write_bytes(gzip.compress(b"<p>" + b"a" * 5_000_000))
    options = IngestOptions(extract=ExtractOptions(max_bytes=1_000_000))
    report = ingest([str(good_file(tmp_path)), str(bomb)], store, options)
    assert report.counts["stored"] == 1
    assert rejected(report) == {str(bomb): "too large: over the 1 MB limit (uncompressed)"}


# -- unreadable files and folders ---------------------------------------------------------------


def test_a_dangling_symlink_in_a_folder_is_rejected(tmp_path: Path, store: Store) -> None:
    folder = tmp_path / "inbox"
    goods = [good_file(folder), good_file(folder)]
    (folder / "gone.txt").symlink_to(tmp_path / "deleted.txt")
    (folder / "subdir.txt").mkdir()  # a folder with an article's name holds nothing: not an input
    report = ingest([str(folder)], store)
    assert sorted(stored_ids(report)) == sorted(p.stem for p in goods)
    assert rejected(report) == {str(folder / "gone.txt"): "cannot read: no such file or directory"}


def skip_unless_chmod_stops_reading(tmp_path: Path) -> None:
    """Root (with CAP_DAC_OVERRIDE) reads and lists anything whatever its mode: then these tests cannot work."""
    probe = tmp_path / "probe"
    probe.mkdir()
    probe.chmod(0)
    try:
        os.listdir(probe)
    except PermissionError:
        return
    finally:
        probe.chmod(0o755)
    pytest.skip("chmod 000 does not stop this user (root?) from reading; the dangling-symlink test covers the path")


def test_an_unreadable_file_in_a_folder_is_rejected(tmp_path: Path, store: Store) -> None:
    skip_unless_chmod_stops_reading(tmp_path)
    folder = tmp_path / "inbox"
    goods = [good_file(folder), good_file(folder)]
    locked = good_file(folder, "locked.txt")
    locked.chmod(0)
    try:
        report = ingest([str(folder)], store)
    finally:
        locked.chmod(0o644)
    assert sorted(stored_ids(report)) == sorted(p.stem for p in goods)
    assert rejected(report) == {str(locked): "cannot read: permission denied"}


def test_an_unreadable_subfolder_is_rejected_not_skipped(tmp_path: Path, store: Store) -> None:
    from storyline.ingest.inputs import expand_paths

    skip_unless_chmod_stops_reading(tmp_path)
    folder = tmp_path / "inbox"
    goods = [good_file(folder), good_file(folder)]
    locked = folder / "locked"
    good_file(locked)
    locked.chmod(0)
    try:
        report = ingest(expand_paths([str(folder)]), store)
    finally:
        locked.chmod(0o755)
    assert sorted(stored_ids(report)) == sorted(p.stem for p in goods)
    assert rejected(report) == {str(locked): "cannot read folder: permission denied"}


# -- stdin -------------------------------------------------------------------------------------------


def test_stdin_binary_and_empty_are_rejected(store: Store) -> None:
    assert rejected(ingest(["-"], store, stdin=io.BytesIO(PNG))) == {"<stdin>": "binary content, not text"}
    assert rejected(ingest(["-"], store, stdin=io.BytesIO(b""))) == {"<stdin>": "empty input"}


# -- the command line ------------------------------------------------------------------------------


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "storyline", *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
        check=False,
    )


def test_cli_batch_with_bad_inputs_exits_0_and_prints_counts(db_url: str, tmp_path: Path) -> None:
    goods = [good_file(tmp_path / "in") for _ in range(2)]
    bads = [empty(tmp_path / "in"), png_named_txt(tmp_path / "in"), invalid_json(tmp_path / "in")]
    db = db_url
    res = run_cli("--db", db, "ingest", str(tmp_path / "in"), str(tmp_path / "missing.txt"), "--format", "json")
    assert res.returncode == 0, res.stderr
    assert "Traceback" not in res.stderr
    report = json.loads(res.stdout)
    assert report["counts"] == {"stored": 2, "already stored": 0, "rejected": 4}
    by_source = {o["source"]: o for o in report["outcomes"]}
    assert {by_source[str(p)]["status"] for p in goods} == {"stored"}
    assert by_source[str(bads[1])]["detail"] == "binary content, not text"
    table = run_cli("--db", db, "ingest", str(tmp_path / "in"))
    assert table.returncode == 0
    assert "stored 0 · already stored 2 · rejected 3" in table.stdout


def test_cli_nothing_readable_exits_non_zero_without_traceback(db_url: str, tmp_path: Path) -> None:
    bad = [empty(tmp_path), random_bytes(tmp_path), tmp_path / "missing.txt"]
    res = run_cli("--db", db_url, "ingest", *map(str, bad), "--format", "json")
    assert res.returncode != 0
    assert "Traceback" not in res.stderr + res.stdout
    assert json.loads(res.stdout)["counts"] == {"stored": 0, "already stored": 0, "rejected": 3}


def test_cli_nothing_readable_says_so_in_one_line(db_url: str, tmp_path: Path) -> None:
    res = run_cli("--db", db_url, "ingest", str(empty(tmp_path)))
    assert res.returncode != 0
    assert res.stderr.strip().splitlines() == ["error: nothing could be read (1 inputs rejected)"]


def test_cli_unusable_database_is_one_line_exit_2(tmp_path: Path) -> None:
    res = run_cli("--db", "mysql://localhost/news", "ingest", str(good_file(tmp_path)))
    assert res.returncode == 2
    assert res.stderr.strip().splitlines() == [
        "error: unsupported database URL scheme 'mysql'; use sqlite:///path/to/file.db or "
        "postgresql://user@host:5432/dbname"
    ]
