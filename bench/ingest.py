"""Ingest benchmark: articles per second for plain-text and HTML ingest, and trafilatura alone.

Builds a corpus from ``../shared/eval`` (ECB+ and PolNeAR texts, the 110 Zyte article pages),
repeated with small variations so that every copy is a distinct article (different text hash,
different id, different URL: otherwise the store would skip it as a duplicate). Then it measures,
each in a fresh subprocess so that peak memory is per run:

* text ingest from one JSONL file and from a folder of ``.txt`` files, into a fresh SQLite store;
* HTML ingest from a folder of ``.html.gz`` pages, with one worker and with two;
* ``trafilatura.bare_extraction`` alone on the same pages (decoding not timed), the yardstick
  for HTML ingest: once with the issue's plain arguments, once with the pipeline's own settings.

Run ``python bench/ingest.py --help`` for options; ``--json`` prints the figures for machines.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import gzip
import json
import os
import platform
import pstats
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

DEFAULT_EVAL = Path(__file__).resolve().parents[2] / "shared" / "eval"
TEXT_TARGET = 300.0  # articles/s, text ingest
HTML_RATIO_TARGET = 0.7  # HTML ingest speed / trafilatura-alone speed
_URL_LINE = re.compile(r"^\s*(?:https?://|www\.)\S", re.IGNORECASE)
_PARAGRAPH = re.compile(r"<p\b[^>]*>(.*?)</p\s*>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]+>")
_PLACES = ("Lisbon", "Denver", "Osaka", "Nairobi", "Quito", "Tallinn", "Perth", "Lyon", "Accra", "Hanoi")


# -- corpus -------------------------------------------------------------------------------------


def variant_sentence(k: int) -> str:
    """A distinct, ordinary-looking sentence for copy number `k` (so each copy hashes differently)."""
    place = _PLACES[k % len(_PLACES)]
    return (
        f"Update {k}: correspondents in {place} added that {k + 2} further accounts of the events "
        f"were being checked by the desk on the morning of day {k % 28 + 1}."
    )


def vary_text(text: str, k: int) -> str:
    """Copy `k` of a plain-text article: URL header lines made unique, a sentence inserted mid-body.

    Copy 0 is the text unchanged; odd copies also swap two body lines (a change in sentence order).
    """
    if k == 0:
        return text
    lines = text.split("\n")
    for i, line in enumerate(lines[:6]):
        if _URL_LINE.match(line):
            lines[i] = f"{line.rstrip()}?copy={k}"
    body = [i for i, line in enumerate(lines) if line.strip()]
    if k % 2 and len(body) >= 6:
        a, b = body[len(body) // 2], body[len(body) // 2 + 1]
        lines[a], lines[b] = lines[b], lines[a]
    at = body[len(body) // 2] if len(body) > 2 else len(lines)
    sep = ["", variant_sentence(k), ""] if "\n\n" in text else [variant_sentence(k)]
    return "\n".join([*lines[:at], *sep, *lines[at:]])


def vary_html(html: str, k: int, url: str | None) -> str:
    """Copy `k` of a page: its URL made unique and a paragraph added after the longest body paragraph."""
    if k == 0:
        return html
    if url:
        html = html.replace(url, f"{url}?copy={k}")
    paras = list(_PARAGRAPH.finditer(html))
    extra = f"<p>{variant_sentence(k)}</p>"
    if not paras:
        return html.replace("</body>", f"{extra}</body>", 1)
    longest = max(paras, key=lambda m: len(_TAG.sub("", m.group(1))))
    return html[: longest.end()] + extra + html[longest.end() :]


def load_texts(eval_dir: Path) -> list[tuple[str, str]]:
    """(id, text) of the ECB+ story articles and the PolNeAR articles, in a fixed order."""
    out: list[tuple[str, str]] = []
    with (eval_dir / "stories" / "ecbplus-dev.articles.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                record = json.loads(line)
                out.append((f"ecb-{record['id']}", record["text"]))
    for path in sorted((eval_dir / "quotes").glob("polnear-*/text/*.txt")):
        out.append((f"polnear-{path.stem}", path.read_text(encoding="utf-8")))
    return out


def usable_texts(texts: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The texts that extraction keeps as articles, without exact duplicates (each stores once)."""
    from storyline.ingest.extract import extract
    from storyline.model import Article, RawDocument

    seen: set[str] = set()
    kept: list[tuple[str, str]] = []
    for ext_id, text in texts:
        result = extract(RawDocument("bench", ext_id, text.encode("utf-8"), "text"))
        if isinstance(result, Article) and result.content_hash not in seen:
            seen.add(result.content_hash)
            kept.append((ext_id, text))
    return kept


def text_copies(base: list[tuple[str, str]], n: int) -> Iterator[tuple[str, str]]:
    """`n` distinct (id, text) articles: the base texts, then copy 1 of each, copy 2, …"""
    for i in range(n):
        k, j = divmod(i, len(base))
        ext_id, text = base[j]
        yield f"{ext_id}~{k}", vary_text(text, k)


def write_text_corpus(base: list[tuple[str, str]], n: int, root: Path) -> tuple[Path, Path]:
    """Write `n` text articles twice: as one JSONL file and as a folder of `.txt` files."""
    jsonl, folder = root / "text.jsonl", root / "text"
    folder.mkdir(parents=True, exist_ok=True)
    with jsonl.open("w", encoding="utf-8") as fh:
        for i, (ext_id, text) in enumerate(text_copies(base, n)):
            fh.write(json.dumps({"id": ext_id, "text": text}, ensure_ascii=False) + "\n")
            (folder / f"{i:06d}.txt").write_text(text, encoding="utf-8")
    return jsonl, folder


@dataclass(frozen=True, slots=True)
class Page:
    """One base page: its id, decoded HTML and the URL trafilatura finds in it."""

    page_id: str
    html: str
    url: str | None


def usable_pages(eval_dir: Path) -> list[Page]:
    """Pages whose copies 1 and 2 extract to distinct articles (other text, other URL) in the store."""
    from storyline.ingest.extract import extract
    from storyline.model import Article, RawDocument

    pages: list[Page] = []
    for path in sorted((eval_dir / "extraction" / "html").glob("*.html.gz")):
        html = gzip.decompress(path.read_bytes()).decode("utf-8", errors="replace")
        base = extract(RawDocument(str(path), path.stem, html.encode("utf-8"), "html"))
        if not isinstance(base, Article):
            continue
        page = Page(path.name.split(".")[0], html, base.url)
        copies = [extract(RawDocument("v", f"v{k}", vary_html(html, k, base.url).encode(), "html")) for k in (1, 2)]
        if all(isinstance(c, Article) for c in copies) and _distinct([base, *copies]):
            pages.append(page)
    return pages


def _distinct(articles: Sequence[Any]) -> bool:
    hashes = {a.content_hash for a in articles}
    urls = [a.url for a in articles if a.url]
    return len(hashes) == len(articles) and len(set(urls)) == len(urls)


def write_html_corpus(pages: list[Page], n: int, root: Path) -> Path:
    """Write `n` distinct pages as `.html.gz` files: the base pages, then copy 1 of each, …"""
    folder = root / "html"
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        k, j = divmod(i, len(pages))
        page = pages[j]
        data = vary_html(page.html, k, page.url).encode("utf-8")
        (folder / f"{i:06d}-{page.page_id[:12]}.html.gz").write_bytes(gzip.compress(data, compresslevel=6))
    return folder


@dataclass(frozen=True, slots=True)
class Corpus:
    """Where the built corpus lies and how many base items it was varied from."""

    text_jsonl: str
    text_folder: str
    html_folder: str
    text_n: int
    html_n: int
    text_base: int
    html_base: int


def build_corpus(eval_dir: Path, root: Path, text_n: int, html_n: int) -> Corpus:
    """Build (or reuse, when `root` holds one of the same size) the benchmark corpus."""
    manifest = root / "corpus.json"
    if manifest.exists():
        corpus = Corpus(**json.loads(manifest.read_text()))
        if (corpus.text_n, corpus.html_n) == (text_n, html_n):
            return corpus
    shutil.rmtree(root, ignore_errors=True)  # a corpus of another size: start clean
    root.mkdir(parents=True)
    base = usable_texts(load_texts(eval_dir))
    jsonl, text_folder = write_text_corpus(base, text_n, root)
    pages = usable_pages(eval_dir)
    html_folder = write_html_corpus(pages, html_n, root)
    corpus = Corpus(str(jsonl), str(text_folder), str(html_folder), text_n, html_n, len(base), len(pages))
    manifest.write_text(json.dumps(asdict(corpus)))
    return corpus


# -- measurements (each runs in its own subprocess) ---------------------------------------------


@dataclass(frozen=True, slots=True)
class Spec:
    """One job for a child process: "ingest", "trafilatura", "trafilatura-pipeline" or "corpus"."""

    name: str
    mode: str
    source: str
    db: str = ""
    workers: int = 1
    profile: str = ""


@dataclass(slots=True)
class Result:
    """What one measurement found."""

    name: str
    inputs: int
    seconds: float
    counts: dict[str, int] = field(default_factory=dict)
    in_store: int | None = None
    cpu_seconds: float = 0.0
    peak_rss_mb: float = 0.0
    peak_rss_children_mb: float = 0.0

    @property
    def rate(self) -> float:
        """Inputs handled per wall-clock second."""
        return self.inputs / self.seconds if self.seconds else 0.0

    @property
    def cpu_rate(self) -> float:
        """Inputs handled per CPU second (all processes): steadier than `rate` on a busy machine."""
        return self.inputs / self.cpu_seconds if self.cpu_seconds else 0.0


def run_ingest(spec: Spec) -> Result:
    """Ingest `spec.source` into a fresh SQLite store; time the `ingest` call.

    Opening the store (migrations) and importing trafilatura happen before the clock starts;
    everything else (reading, extraction, language identification and its model load, SQLite
    writes) is timed.
    """
    import trafilatura  # noqa: F401  # imported untimed, as in run_trafilatura: same footing

    from storyline.ingest.extract import ExtractOptions
    from storyline.ingest.local import IngestOptions, ingest
    from storyline.store import open_store

    store = open_store(f"sqlite:///{spec.db}")
    options = IngestOptions(extract=ExtractOptions(), workers=spec.workers)
    start, cpu = time.perf_counter(), cpu_time()
    report = ingest([spec.source], store, options)
    seconds, cpu = time.perf_counter() - start, cpu_time() - cpu
    in_store = store.count_articles()
    store.close()
    return Result(spec.name, len(report.outcomes), seconds, report.counts, in_store, cpu)


def cpu_time() -> float:
    """CPU seconds used so far by this process and its reaped children (extraction workers)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def trafilatura_kwargs(mode: str) -> dict[str, Any]:
    """Arguments for `bare_extraction`: the issue's plain call, or the pipeline's own settings.

    "trafilatura-pipeline" mirrors `storyline.ingest.extract._from_html` (default `ExtractOptions`, fast
    mode, extensive date search): the ratio against it is the pipeline's own overhead.
    """
    plain = {"with_metadata": True, "include_comments": False, "include_tables": True}
    if mode != "trafilatura-pipeline":
        return plain
    from storyline.ingest.extract import ExtractOptions

    favor = ExtractOptions().favor
    return {
        **plain,
        "favor_precision": favor == "precision",
        "favor_recall": favor == "recall",
        "fast": True,
        "date_extraction_params": {"extensive_search": True, "original_date": True},
    }


def run_trafilatura(spec: Spec) -> Result:
    """`trafilatura.bare_extraction` on every page of `spec.source`; reading and gunzip not timed."""
    import trafilatura

    kwargs = trafilatura_kwargs(spec.mode)
    seconds, cpu, found, total = 0.0, 0.0, 0, 0
    for path in sorted(Path(spec.source).glob("*.html.gz")):
        html = gzip.decompress(path.read_bytes()).decode("utf-8", errors="replace")
        start, cpu_start = time.perf_counter(), time.process_time()
        doc = trafilatura.bare_extraction(html, **kwargs)
        seconds += time.perf_counter() - start
        cpu += time.process_time() - cpu_start
        total += 1
        found += bool(doc is not None and (doc.text or "").strip())
    return Result(spec.name, total, seconds, {"with text": found, "without": total - found}, None, cpu)


def child_main(spec: Spec) -> None:
    """Run one measurement in this process and print its `Result` as one JSON line."""
    if spec.mode == "corpus":
        args = json.loads(spec.source)
        corpus = build_corpus(Path(args["eval_dir"]), Path(args["root"]), args["text_n"], args["html_n"])
        print(json.dumps(asdict(corpus)))
        return
    runner = run_ingest if spec.mode == "ingest" else run_trafilatura
    if spec.profile:
        profiler = cProfile.Profile()
        result = profiler.runcall(runner, spec)
        profiler.dump_stats(spec.profile)
    else:
        result = runner(spec)
    result.peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result.peak_rss_children_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(json.dumps(asdict(result)))


def in_child(spec: Spec) -> dict[str, Any]:
    """Run `spec` in a fresh Python process; return the JSON object it prints last.

    Linux carries a process's peak RSS over fork and exec, so this parent stays small: even the
    corpus is built in a child, and each run's peak is its own.
    """
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", json.dumps(asdict(spec))]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"{spec.name} failed:\n{proc.stderr}")
    value: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return value


def measure(spec: Spec) -> Result:
    """Run one measurement in its own process."""
    return Result(**in_child(spec))


def corpus_in_child(eval_dir: Path, root: Path, text_n: int, html_n: int) -> Corpus:
    """Build (or reuse) the corpus in a child process."""
    args = {"eval_dir": str(eval_dir), "root": str(root), "text_n": text_n, "html_n": html_n}
    return Corpus(**in_child(Spec("corpus", "corpus", json.dumps(args))))


def plan(corpus: Corpus, work: Path, profile_dir: Path | None, workers: int) -> list[Spec]:
    """The measurements to run, in order."""
    runs = [
        ("text-jsonl", "ingest", corpus.text_jsonl, 1),
        ("text-folder", "ingest", corpus.text_folder, 1),
        ("text-jsonl-w2", "ingest", corpus.text_jsonl, workers),
        ("html", "ingest", corpus.html_folder, 1),
        ("html-w2", "ingest", corpus.html_folder, workers),
        ("trafilatura", "trafilatura", corpus.html_folder, 1),
        ("trafilatura-fast", "trafilatura-pipeline", corpus.html_folder, 1),
    ]
    specs = []
    for name, mode, source, n in runs:
        db = work / f"bench-{name}.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        prof = str(profile_dir / f"{name}.prof") if profile_dir else ""
        specs.append(Spec(name, mode, source, str(db), n, prof))
    return specs


# -- report -------------------------------------------------------------------------------------


def summary(results: list[Result], workers: int) -> dict[str, float]:
    """The headline figures: text rates and HTML ingest speed relative to trafilatura alone."""
    by = {r.name: r for r in results}
    base = by["trafilatura"].rate
    return {
        "text_jsonl_per_s": by["text-jsonl"].rate,
        "text_folder_per_s": by["text-folder"].rate,
        "html_per_s": by["html"].rate,
        "html_w2_per_s": by["html-w2"].rate,
        "trafilatura_per_s": base,
        "html_ratio": by["html"].rate / base,
        "html_w2_ratio": by["html-w2"].rate / base,
        "html_cpu_ratio": by["html"].cpu_rate / by["trafilatura"].cpu_rate,
        "trafilatura_fast_per_s": by["trafilatura-fast"].rate,
        "html_vs_same_settings_ratio": by["html"].rate / by["trafilatura-fast"].rate,
        "html_vs_same_settings_cpu_ratio": by["html"].cpu_rate / by["trafilatura-fast"].cpu_rate,
        "workers": workers,
    }


def machine() -> dict[str, Any]:
    """Where the figures were taken."""
    model = "unknown"
    with Path("/proc/cpuinfo").open() as fh:
        for line in fh:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": os.cpu_count(),
        "cpu": model,
        "python": platform.python_version(),
        "load_before": os.getloadavg()[0],
    }


_HEAD = (
    f"{'run':<15}{'inputs':>7}{'stored':>7}{'dup':>5}{'rej':>5}{'in db':>7}"
    f"{'wall s':>8}{'art/s':>8}{'CPU s':>8}{'art/CPU-s':>10}{'RSS MB':>8}"
)


def format_row(r: Result) -> str:
    """One table row; RSS is the larger of the main process's and any worker's peak."""
    stored = r.counts.get("stored", r.counts.get("with text", 0))
    dup, rej = r.counts.get("already stored", 0), r.counts.get("rejected", r.counts.get("without", 0))
    in_db = "-" if r.in_store is None else str(r.in_store)
    rss = max(r.peak_rss_mb, r.peak_rss_children_mb)
    return (
        f"{r.name:<15}{r.inputs:>7}{stored:>7}{dup:>5}{rej:>5}{in_db:>7}"
        f"{r.seconds:>8.1f}{r.rate:>8.1f}{r.cpu_seconds:>8.1f}{r.cpu_rate:>10.1f}{rss:>8.0f}"
    )


def format_table(results: list[Result], figures: dict[str, float]) -> str:
    """A readable table of every run, then the figures against the targets."""
    lines = [_HEAD, "-" * len(_HEAD), *(format_row(r) for r in results)]
    text_ok = "ok" if min(figures["text_jsonl_per_s"], figures["text_folder_per_s"]) >= TEXT_TARGET else "BELOW"
    html_ok = "ok" if figures["html_ratio"] >= HTML_RATIO_TARGET else "BELOW"
    lines += [
        "",
        f"text ingest: jsonl {figures['text_jsonl_per_s']:.0f}/s, folder {figures['text_folder_per_s']:.0f}/s "
        f"(target >= {TEXT_TARGET:.0f}/s: {text_ok})",
        f"HTML ingest / trafilatura alone: {figures['html_ratio']:.2f} with 1 worker ({html_ok}; "
        f"{figures['html_cpu_ratio']:.2f} in CPU time), {figures['html_w2_ratio']:.2f} with "
        f"{figures['workers']:.0f} workers (target >= {HTML_RATIO_TARGET})",
        f"HTML ingest / trafilatura with the pipeline's settings (fast mode): "
        f"{figures['html_vs_same_settings_ratio']:.2f} ({figures['html_vs_same_settings_cpu_ratio']:.2f} in CPU time)",
    ]
    return "\n".join(lines)


def print_profiles(profile_dir: Path, top: int) -> None:
    """Print the top functions of each saved profile, by own time and by cumulative time."""
    for prof in sorted(profile_dir.glob("*.prof")):
        for key in ("tottime", "cumulative"):
            print(f"\n== {prof.stem}: top {top} by {key} ==", file=sys.stderr)
            pstats.Stats(str(prof), stream=sys.stderr).strip_dirs().sort_stats(key).print_stats(top)


# -- command line -------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--eval-dir", type=Path, default=DEFAULT_EVAL, help="the shared eval folder")
    parser.add_argument("--text-n", type=int, default=10_000, help="text articles in the corpus")
    parser.add_argument("--html-n", type=int, default=2_000, help="HTML pages in the corpus")
    parser.add_argument("--workers", type=int, default=2, help="workers for the multi-process runs")
    parser.add_argument("--workdir", type=Path, help="keep corpus and databases here (reused between runs)")
    parser.add_argument("--only", nargs="+", metavar="RUN", help="run only these measurements")
    parser.add_argument("--profile", type=Path, metavar="DIR", help="cProfile each run into DIR/<run>.prof")
    parser.add_argument("--top", type=int, default=20, help="profile lines to print per run")
    parser.add_argument("--json", action="store_true", help="print machine-readable JSON instead of a table")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def run_bench(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    """Build the corpus in `work`, run every measurement, return all figures."""
    start = time.perf_counter()
    corpus = corpus_in_child(args.eval_dir, work / "corpus", args.text_n, args.html_n)
    built = time.perf_counter() - start
    print(f"corpus ready in {built:.1f}s: {corpus.text_n} texts, {corpus.html_n} pages", file=sys.stderr)
    if args.profile:
        args.profile.mkdir(parents=True, exist_ok=True)
    results = []
    for spec in plan(corpus, work, args.profile, args.workers):
        if args.only and spec.name not in args.only:
            continue
        results.append(measure(spec))
        print(f"  {spec.name}: {results[-1].rate:.1f}/s", file=sys.stderr)
    figures = summary(results, args.workers) if not args.only else {}
    return {"machine": machine(), "corpus": asdict(corpus), "results": results, "summary": figures}


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: build the corpus, measure, print a table (or JSON)."""
    args = parse_args(argv)
    if args.child:
        child_main(Spec(**json.loads(args.child)))
        return 0
    with tempfile.TemporaryDirectory(prefix="storyline-bench-") as tmp:
        work = args.workdir or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        out = run_bench(args, work)
    if args.profile:
        print_profiles(args.profile, args.top)
    if args.json:
        out["results"] = [{**asdict(r), "per_s": r.rate, "per_cpu_s": r.cpu_rate} for r in out["results"]]
        print(json.dumps(out, indent=2))
    elif out["summary"]:
        print(format_table(out["results"], out["summary"]))
    else:
        print("\n".join([_HEAD, *(format_row(r) for r in out["results"])]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
