"""A generated folder of good and bad inputs, with what ingesting each must give.

:func:`make_sweep` writes `total` entries (files, folders, links) into a folder: good articles
(text, HTML, JSON, JSON lines, gzip, WARC) from real texts where ../shared/eval has them, mixed
with truncated, binary, huge, mis-encoded and hostile ones. Each entry comes with the outcome it
must have (`Expected`: stored, already stored, or rejected with a reason fragment), keyed by the
source name `storyline ingest --format json` reports; entries the folder walk does not read by
design (hidden files, unsupported extensions, empty folders, links to folders) are listed apart.

Nothing large is written: the huge files are sparse, the gzip bombs are ~1 MB each (1 GiB
inside), the one long JSON line is 50 MB.
"""

from __future__ import annotations

import gzip
import html
import io
import json
import random
import shutil
import uuid
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from support.articles import article_text
from support.corpus import corpus

CAP = 10_000_000  # `storyline ingest --max-bytes` default: larger inputs are refused unread
MARKER = "PWNED"  # in every piece of active content (scripts, handlers, javascript: URLs): never stored
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06\x00\x00\x00\x1f\xf3\xffa"


@dataclass(frozen=True, slots=True)
class Expected:
    """What ingesting one source must give: `status`, and for a rejection a reason fragment
    ("a|b": either will do)."""

    kind: str
    source: str
    status: str
    reason: str = ""

    def matches(self, status: str, detail: str) -> bool:
        """True when an outcome (status, detail) is the expected one."""
        if status != self.status:
            return False
        return not self.reason or any(f.lower() in detail.lower() for f in self.reason.split("|"))


@dataclass
class Sweep:
    """The generated folder, what each source must give, and what the walk skips by design."""

    folder: Path
    entries: int = 0
    expected: list[Expected] = field(default_factory=list)
    skipped: list[tuple[str, Path]] = field(default_factory=list)  # (kind, path) not read, by design


class _Maker:
    """Writes entries into the folder; hands out distinct article texts and names."""

    def __init__(self, folder: Path, seed: int) -> None:
        self.folder = folder
        self.rng = random.Random(seed)
        self.sweep = Sweep(folder)
        # Long enough to stay an article inside a page (40 words of body), no URL lines (they could alias).
        records = [r for r in corpus(900, seed=seed) if "http" not in r["text"] and len(r["text"].split()) >= 80]
        generated = [article_text(60_000 + i) for i in range(5000)]
        self._texts: Iterator[str] = iter([r["text"] for r in records] + generated)
        self._n = 0
        self._bomb: bytes | None = None

    def text(self) -> str:
        """An article text no other entry has."""
        return next(self._texts)

    def path(self, stem: str, ext: str) -> Path:
        """A fresh path in the folder."""
        self._n += 1
        return self.folder / f"{stem}-{self._n:04d}{ext}"

    def expect(self, kind: str, source: Path | str, status: str, reason: str = "") -> None:
        self.sweep.expected.append(Expected(kind, str(source), status, reason))

    def bomb(self) -> bytes:
        """A gzip stream of 1 GiB of zeros (about 1 MB), made once."""
        if self._bomb is None:
            out = io.BytesIO()
            with gzip.GzipFile(fileobj=out, mode="wb", compresslevel=9) as gz:
                chunk = bytes(1 << 20)
                for _ in range(1024):
                    gz.write(chunk)
            self._bomb = out.getvalue()
        return self._bomb


def page(text: str, *, title: str | None = None, head: str = "", before: str = "", after: str = "") -> str:
    """An HTML page around `text` (one <p> a paragraph), with navigation and a footer."""
    paras = [p for p in text.split("\n\n") if p.strip()]
    title = title or paras[0][:80]
    body = "".join(f"<p>{html.escape(p)}</p>" for p in paras)
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>{head}</head><body>"
        "<nav><a href='/'>Home</a> <a href='/world'>World</a> <a href='/sport'>Sport</a></nav>"
        f"<article><h1>{html.escape(title)}</h1>{before}{body}{after}</article>"
        "<footer><p>Copyright 2024 The Daily Example. All rights reserved.</p></footer></body></html>"
    )


# -- good inputs ------------------------------------------------------------------------------------


def good_text(m: _Maker) -> None:
    path = m.path("article", ".txt")
    path.write_text(m.text(), encoding="utf-8")
    m.expect("good: text", path, "stored")


def good_html(m: _Maker) -> None:
    path = m.path("page", ".html")
    path.write_text(page(m.text()), encoding="utf-8")
    m.expect("good: HTML page", path, "stored")


def good_json(m: _Maker) -> None:
    path = m.path("record", ".json")
    record = {"id": path.stem, "title": f"Record {path.stem}", "text": m.text(), "published": "2024-03-05"}
    path.write_text(json.dumps(record), encoding="utf-8")
    m.expect("good: JSON record", path, "stored")


def good_json_array(m: _Maker) -> None:
    path = m.path("records", ".json")
    path.write_text(json.dumps([{"text": m.text()} for _ in range(3)]), encoding="utf-8")
    for i in range(1, 4):
        m.expect("good: JSON array (3 records)", f"{path}[{i}]", "stored")


def good_jsonl(m: _Maker) -> None:
    path = m.path("feed", ".jsonl")
    path.write_text("".join(json.dumps({"text": m.text()}) + "\n" for _ in range(5)), encoding="utf-8")
    for i in range(1, 6):
        m.expect("good: JSON lines (5 records)", f"{path}:{i}", "stored")


def good_gzip(m: _Maker) -> None:
    if m.rng.random() < 0.5:
        path = m.path("article", ".txt.gz")
        path.write_bytes(gzip.compress(m.text().encode("utf-8")))
    else:
        path = m.path("page", ".html.gz")
        path.write_bytes(gzip.compress(page(m.text()).encode("utf-8")))
    m.expect("good: gzip", path, "stored")


def good_warc(m: _Maker) -> None:
    path = m.path("crawl", ".warc.gz")
    with path.open("wb") as fh:
        for i in range(3):
            uri = f"https://news.example.org/{path.stem}/{i}"
            fh.write(gzip.compress(warc_response(uri, page(m.text()).encode("utf-8"))))  # one gzip member a record
            m.expect("good: WARC (3 pages)", f"{path} {uri}", "stored")


def warc_response(uri: str, body: bytes) -> bytes:
    """One WARC/1.0 response record holding an HTTP 200 answer with `body`."""
    http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" + body
    headers = (
        "WARC/1.0\r\nWARC-Type: response\r\n"
        f"WARC-Record-ID: <urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, uri)}>\r\n"
        f"WARC-Date: 2024-03-05T10:00:00Z\r\nWARC-Target-URI: {uri}\r\n"
        f"Content-Type: application/http; msgtype=response\r\nContent-Length: {len(http)}\r\n\r\n"
    )
    return headers.encode("utf-8") + http + b"\r\n\r\n"


def good_odd_name(m: _Maker) -> None:
    m._n += 1
    path = m.folder / f"Ünïcödé name with spaces — {m._n} (final).txt"
    path.write_text(m.text(), encoding="utf-8")
    m.expect("good: odd file name", path, "stored")


def good_deep(m: _Maker) -> None:
    m._n += 1
    folder = m.folder.joinpath(f"deep-{m._n}", *[f"level{i}" for i in range(30)])
    folder.mkdir(parents=True)
    (folder / "buried.txt").write_text(m.text(), encoding="utf-8")
    m.expect("good: 30 folders deep", folder / "buried.txt", "stored")


def good_large(m: _Maker) -> None:
    path = m.path("long-read", ".txt")
    paragraphs = [m.text() for _ in range(3)]
    path.write_text("\n\n".join(paragraphs * (3_000_000 // sum(map(len, paragraphs)) + 1)), encoding="utf-8")
    m.expect("good: large (3 MB, under the cap)", path, "stored")


def folder_named_like_a_file(m: _Maker) -> None:
    folder = m.path("folder", ".txt")
    folder.mkdir()
    inner = folder / f"inner-{folder.stem}.txt"  # ids come from file names: two inner.txt would clash
    inner.write_text(m.text(), encoding="utf-8")
    m.expect("folder named like a file (its article read)", inner, "stored")


# -- mis-encoded but readable ---------------------------------------------------------------------

ACCENTS = "Le café du coin, naïve et célèbre, a rouvert ses portes après la grève à Zürich."


def latin1(m: _Maker) -> None:
    path = m.path("latin1", ".txt")
    path.write_bytes(f"{ACCENTS}\n\n{m.text()}".encode("latin-1", errors="replace"))
    m.expect("mis-encoded, readable: Latin-1", path, "stored")


def utf16_without_bom(m: _Maker) -> None:
    path = m.path("utf16", ".txt")
    encoding = m.rng.choice(["utf-16-le", "utf-16-be"])
    path.write_bytes(f"{ACCENTS}\n\n{m.text()}".encode(encoding))
    m.expect("mis-encoded, readable: UTF-16 without BOM", path, "stored")


def broken_utf8(m: _Maker) -> None:
    path = m.path("broken-utf8", ".txt")
    data = bytearray(f"{ACCENTS}\n\n{m.text()}".encode())
    for at in sorted(m.rng.sample(range(100, len(data) - 1), 3), reverse=True):
        data[at:at] = b"\xff\xc3"  # invalid sequences inside otherwise good UTF-8
    path.write_bytes(bytes(data))
    m.expect("mis-encoded, readable: broken UTF-8", path, "stored")


# -- hostile HTML -----------------------------------------------------------------------------------

HOSTILE = [
    ("", f"<script>document.write('{MARKER}-script')</script>"),
    (f"<script src='javascript:{MARKER}-src'></script>", ""),
    ("", f"<a href=\"javascript:alert('{MARKER}-href')\">Read the full report</a>"),
    ("", f"<img src=x onerror=\"alert('{MARKER}-onerror')\">"),
    ("", f"<iframe src=\"javascript:alert('{MARKER}-iframe')\"></iframe>"),
    ("", f"<svg onload=\"alert('{MARKER}-svg')\"><circle r='1'/></svg>"),
    (f"<style>body{{background:url('javascript:{MARKER}-css')}}</style>", ""),
    ("", f'<object data="javascript:{MARKER}-object"></object><embed src="{MARKER}-embed.swf">'),
    (f"<meta http-equiv='refresh' content='0;url=javascript:{MARKER}-refresh'>", ""),
    ("", f'<form action="javascript:{MARKER}-form"><input name=q onfocus="{MARKER}-focus()"></form>'),
    ("", f"<!-- <script>{MARKER}-comment()</script> -->"),
    ("", f"<noscript><img src='x' onerror='{MARKER}-noscript'></noscript>"),
]


def hostile_article(m: _Maker) -> None:
    path = m.path("hostile", ".html")
    head, inline = m.rng.choice(HOSTILE)
    text = m.text()
    path.write_text(page(text, head=head, before=inline, after=inline), encoding="utf-8")
    m.expect("hostile HTML around an article (script removed)", path, "stored")


def entity_expansion(m: _Maker) -> None:
    path = m.path("laughs", ".html")
    doctype = '<!DOCTYPE html [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    path.write_text(doctype + page(m.text()).removeprefix("<!doctype html>"), encoding="utf-8")
    m.expect("hostile HTML: entity expansion in a DOCTYPE (not expanded)", path, "stored")


def hostile_without_article(m: _Maker) -> None:
    path = m.path("script-only", ".html")
    path.write_text(
        f"<html><head><script>window.location='javascript:{MARKER}-only'</script></head>"
        f'<body onload="{MARKER}-onload()"><script>{MARKER}-body()</script><p>Loading…</p></body></html>',
        encoding="utf-8",
    )
    m.expect("hostile HTML, no article", path, "rejected", "no article text|not an article")


def html_nested_deep(m: _Maker) -> None:
    path = m.path("nested", ".html")
    inner = "".join(f"<p>{html.escape(p)}</p>" for p in m.text().split("\n\n"))
    path.write_text(f"<html><body>{'<div>' * 10_000}{inner}{'</div>' * 10_000}</body></html>", encoding="utf-8")
    m.expect("hostile HTML: nested 10,000 deep", path, "rejected", "no article text|not an article")


# -- truncated --------------------------------------------------------------------------------------


def truncated_html(m: _Maker) -> None:
    path = m.path("cut", ".html")
    full = page(m.text())
    path.write_text(full[: full.index("<article>")], encoding="utf-8")
    m.expect("truncated HTML (cut before the article)", path, "rejected", "not an article|no article text")


def truncated_json(m: _Maker) -> None:
    path = m.path("cut", ".json")
    full = json.dumps({"id": path.stem, "text": m.text()})
    path.write_text(full[: m.rng.randrange(10, len(full) - 5)], encoding="utf-8")
    m.expect("truncated JSON", path, "rejected", "invalid JSON")


def truncated_jsonl(m: _Maker) -> None:
    path = m.path("cut", ".jsonl")
    lines = [json.dumps({"text": m.text()}) for _ in range(4)]
    path.write_text("\n".join(lines[:3]) + "\n" + lines[3][: len(lines[3]) // 2], encoding="utf-8")
    for i in range(1, 4):
        m.expect("truncated JSON lines (last line cut)", f"{path}:{i}", "stored")
    m.expect("truncated JSON lines (last line cut)", f"{path}:4", "rejected", "line 4: invalid JSON")


def truncated_gzip(m: _Maker) -> None:
    path = m.path("cut", m.rng.choice([".txt.gz", ".html.gz"]))
    data = gzip.compress(page(m.text()).encode("utf-8"))
    path.write_bytes(data[: len(data) // 2])
    m.expect("truncated gzip", path, "rejected", "cannot read")


def truncated_warc(m: _Maker) -> None:
    path = m.path("cut", ".warc")
    path.write_text("WARC/1.0\r\nWARC-Type: response\r\nContent-Length: 99999\r\n\r\n<html><p>cut", encoding="utf-8")
    m.expect("truncated WARC", path, "rejected", "unreadable WARC")


# -- binary -----------------------------------------------------------------------------------------


def png_named_text(m: _Maker) -> None:
    path = m.path("photo", m.rng.choice([".txt", ".html"]))
    path.write_bytes(PNG + m.rng.randbytes(3000))
    m.expect("binary: PNG with a text name", path, "rejected", "binary content")


def random_bytes(m: _Maker) -> None:
    path = m.path("noise", m.rng.choice([".txt", ".html", ".json"]))
    path.write_bytes(m.rng.randbytes(m.rng.randrange(500, 20_000)))
    m.expect("binary: random bytes", path, "rejected", "binary content|invalid JSON")


def elf_named_text(m: _Maker) -> None:
    path = m.path("program", ".txt")
    path.write_bytes(b"\x7fELF\x02\x01\x01\x00" + bytes(8) + m.rng.randbytes(4000))
    m.expect("binary: ELF executable with a text name", path, "rejected", "binary content")


def zip_named_html(m: _Maker) -> None:
    path = m.path("archive", ".html")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("article.txt", m.rng.randbytes(2000))
    path.write_bytes(out.getvalue())
    m.expect("binary: zip archive with an HTML name", path, "rejected", "binary content")


def nul_bytes(m: _Maker) -> None:
    path = m.path("nul", ".txt")
    path.write_bytes(m.text().encode().replace(b" ", b" \x00"))
    m.expect("binary: text full of NUL bytes", path, "rejected", "binary content")


# -- huge -------------------------------------------------------------------------------------------


def sparse_over_cap(m: _Maker) -> None:
    path = m.path("huge", m.rng.choice([".txt", ".html", ".json"]))
    with path.open("wb") as fh:
        fh.write(b"<html><body><p>")
        fh.truncate(CAP * 4)  # 40 MB that take no disk: the size alone refuses it
    m.expect("huge: file over the size cap (sparse)", path, "rejected", "too large")


def long_jsonl_line(m: _Maker) -> None:
    path = m.path("long-line", ".jsonl")
    with path.open("w", encoding="utf-8") as fh:
        fh.write('{"text": "')
        chunk = "word " * 200_000
        for _ in range(50):
            fh.write(chunk)  # 50 MB on one line
        fh.write('"}\n')
        fh.write(json.dumps({"text": m.text()}) + "\n")
    m.expect("huge: JSON line of 50 MB", f"{path}:1", "rejected", "line 1: too large")
    m.expect("huge: JSON line of 50 MB", f"{path}:2", "stored")


def gzip_bomb(m: _Maker) -> None:
    path = m.path("bomb", m.rng.choice([".txt.gz", ".html.gz", ".json.gz"]))
    path.write_bytes(m.bomb())
    m.expect("gzip bomb (1 MB inflating to 1 GiB)", path, "rejected", "too large")


def gzip_bomb_jsonl(m: _Maker) -> None:
    path = m.path("bomb", ".jsonl.gz")
    path.write_bytes(m.bomb())
    m.expect("gzip bomb (1 MB inflating to 1 GiB)", f"{path}:1", "rejected", "line 1: too large")


# -- malformed JSON ---------------------------------------------------------------------------------


def json_nested_deep(m: _Maker) -> None:
    path = m.path("nested", ".json")
    path.write_text('{"a":' * 10_000 + "1" + "}" * 10_000, encoding="utf-8")
    m.expect("JSON nested 10,000 deep", path, "rejected", "nested too deeply")


def jsonl_nested_deep(m: _Maker) -> None:
    path = m.path("nested", ".jsonl")
    path.write_text("[" * 10_000 + "]" * 10_000 + "\n", encoding="utf-8")
    m.expect("JSON nested 10,000 deep", f"{path}:1", "rejected", "nested too deeply")


JSON_SHAPES = [
    ("42", "expected a JSON object"),
    ('"just a string"', "expected a JSON object"),
    ("[]", "no records"),
    ('{"title": "No body", "url": "https://example.org/x"}', "no 'text' or 'html'"),
    ('{"text": 12345}', "no 'text' or 'html'"),
    ('{"id": ' + "9" * 5000 + ', "text": "x"}', "invalid JSON"),
    ("{'single': 'quotes'}", "invalid JSON"),
]


def json_wrong_shape(m: _Maker) -> None:
    path = m.path("shape", ".json")
    content, reason = m.rng.choice(JSON_SHAPES)
    path.write_text(content, encoding="utf-8")
    m.expect("JSON of the wrong shape", path, "rejected", reason)


# -- empty and not articles -------------------------------------------------------------------------


def empty_file(m: _Maker) -> None:
    ext = m.rng.choice([".txt", ".html", ".json", ".jsonl", ".txt.gz"])
    path = m.path("empty", ext)
    path.write_bytes(gzip.compress(b"") if ext.endswith(".gz") else m.rng.choice([b"", b"  \n\t\r\n "]))
    m.expect("empty file", path, "rejected", "empty|no records")


def too_short(m: _Maker) -> None:
    path = m.path("short", ".txt")
    path.write_text(m.rng.choice(["Hello world.", "TODO", "Breaking: more soon."]), encoding="utf-8")
    m.expect("not an article: too short", path, "rejected", "not an article")


def not_an_article_page(m: _Maker) -> None:
    path = m.path("index", ".html")
    links = "".join(f"<li><a href='/n/{i}'>Headline number {i} of the day</a></li>" for i in range(40))
    body = m.rng.choice(
        [
            "<h1>404 Not Found</h1><p>The requested URL was not found on this server.</p>",
            f"<nav><ul>{links}</ul></nav>",
        ]
    )
    path.write_text(f"<html><head><title>Index</title></head><body>{body}</body></html>", encoding="utf-8")
    m.expect("not an article: error page or list of links", path, "rejected", "not an article|no article text")


def not_a_warc(m: _Maker) -> None:
    path = m.path("fake", ".warc")
    path.write_text("this is a text file with a .warc name\n" * 3, encoding="utf-8")
    m.expect("not a WARC", path, "rejected", "unreadable WARC")


# -- links and duplicates ---------------------------------------------------------------------------


def symlink_loop(m: _Maker) -> None:
    path = m.path("loop", ".txt")
    path.symlink_to(path.name)
    m.expect("symlink loop", path, "rejected", "too many levels of symbolic links")


def symlink_cycle(m: _Maker) -> None:
    first, second = m.path("cycle", ".html"), m.path("cycle", ".html")
    first.symlink_to(second.name)
    second.symlink_to(first.name)
    m.expect("symlink loop", first, "rejected", "too many levels of symbolic links")
    m.expect("symlink loop", second, "rejected", "too many levels of symbolic links")


def dangling_symlink(m: _Maker) -> None:
    path = m.path("gone", ".txt")
    path.symlink_to(m.folder / "never-written.txt")
    m.expect("dangling symlink", path, "rejected", "no such file")


def duplicate_copy(m: _Maker) -> None:
    originals = [e for e in m.sweep.expected if e.kind == "good: text"]
    original = Path(m.rng.choice(originals).source)
    path = m.path("copy", ".txt")
    shutil.copyfile(original, path)
    m.expect("duplicate: copy of a good file", path, "already stored", "same text")


def symlink_to_good(m: _Maker) -> None:
    originals = [e for e in m.sweep.expected if e.kind == "good: HTML page"]
    original = Path(m.rng.choice(originals).source)
    path = m.path("zz-link", ".html")  # sorted after the original, so the original is stored first
    path.symlink_to(original.name)
    m.expect("duplicate: symlink to a good file", path, "already stored", "same text")


# -- not read by design -----------------------------------------------------------------------------


def unsupported_extension(m: _Maker) -> None:
    path = m.path("attachment", m.rng.choice([".png", ".exe", ".pdf", ".docx"]))
    path.write_bytes(PNG + m.rng.randbytes(1000))
    m.sweep.skipped.append(("unsupported extension (not an input)", path))


def hidden_file(m: _Maker) -> None:
    m._n += 1
    path = m.folder / f".hidden-{m._n}.txt"
    path.write_text(m.text(), encoding="utf-8")
    m.sweep.skipped.append(("hidden file (not an input)", path))


def empty_folder_named_like_a_file(m: _Maker) -> None:
    path = m.path("empty-folder", ".html")
    path.mkdir()
    m.sweep.skipped.append(("empty folder named like a file (nothing in it)", path))


def symlink_to_parent(m: _Maker) -> None:
    path = m.path("up", "")
    path.symlink_to("..")
    m.sweep.skipped.append(("symlink to a parent folder (not followed)", path))


Make = Callable[[_Maker], None]

# (maker, entries it writes, how many): the good ones fill what is left of `total`.
BAD: list[tuple[Make, int, int]] = [
    (latin1, 1, 10),
    (utf16_without_bom, 1, 10),
    (broken_utf8, 1, 10),
    (hostile_article, 1, 36),
    (entity_expansion, 1, 4),
    (hostile_without_article, 1, 10),
    (html_nested_deep, 1, 4),
    (truncated_html, 1, 30),
    (truncated_json, 1, 30),
    (truncated_jsonl, 1, 10),
    (truncated_gzip, 1, 20),
    (truncated_warc, 1, 4),
    (png_named_text, 1, 20),
    (random_bytes, 1, 20),
    (elf_named_text, 1, 10),
    (zip_named_html, 1, 10),
    (nul_bytes, 1, 10),
    (sparse_over_cap, 1, 10),
    (long_jsonl_line, 1, 1),
    (gzip_bomb, 1, 9),
    (gzip_bomb_jsonl, 1, 1),
    (json_nested_deep, 1, 10),
    (jsonl_nested_deep, 1, 5),
    (json_wrong_shape, 1, 21),
    (empty_file, 1, 25),
    (too_short, 1, 10),
    (not_an_article_page, 1, 10),
    (not_a_warc, 1, 4),
    (symlink_loop, 1, 5),
    (symlink_cycle, 2, 3),
    (dangling_symlink, 1, 5),
    (duplicate_copy, 1, 10),
    (symlink_to_good, 1, 5),
    (folder_named_like_a_file, 1, 5),
    (unsupported_extension, 1, 10),
    (hidden_file, 1, 2),
    (empty_folder_named_like_a_file, 1, 5),
    (symlink_to_parent, 1, 2),
]
GOOD: list[tuple[Make, float]] = [  # (maker, weight)
    (good_text, 10),
    (good_html, 5),
    (good_json, 3),
    (good_json_array, 0.5),
    (good_jsonl, 0.5),
    (good_gzip, 1),
]
ONCE: list[Make] = [good_warc, good_warc, good_warc, good_odd_name, good_odd_name, good_deep, good_large]


def make_sweep(folder: Path, total: int = 1000, seed: int = 8) -> Sweep:
    """Write `total` entries into `folder` (created) and return what ingesting each must give."""
    folder.mkdir(parents=True, exist_ok=True)
    m = _Maker(folder, seed)
    bad = sum(entries * count for _make, entries, count in BAD)
    good = total - bad - len(ONCE)
    if good < 20:
        raise ValueError(f"total must be at least {bad + len(ONCE) + 20}")
    makers, weights = zip(*GOOD, strict=True)
    for make in [*m.rng.choices(makers, weights, k=good), *ONCE]:  # good files first: duplicates copy them
        make(m)
    for make, _entries, count in BAD:
        for _ in range(count):
            make(m)
    m.sweep.entries = total
    return m.sweep


def article_kinds(sweep: Sweep) -> dict[str, dict[str, int]]:
    """Expected outcomes counted by kind: {kind: {status: n}}."""
    table: dict[str, dict[str, int]] = {}
    for e in sweep.expected:
        table.setdefault(e.kind, {}).setdefault(e.status, 0)
        table[e.kind][e.status] += 1
    return table


__all__ = ["CAP", "MARKER", "Expected", "Sweep", "article_kinds", "make_sweep"]
