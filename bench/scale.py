"""Scale benchmark: 100,000 articles through `storyline ingest`, with the local engine and with Ray.

The corpus is built from the ECB+ articles in ``../shared/eval/stories`` (770 after extraction) and KEEPS THEIR
STORY STRUCTURE: variant *k* of every gold story is a new story whose articles are variants of
that story's articles, with names, figures and dates shifted the same way across the story.

* names: words written capitalised at least twice as often as in lower case are replaced by a
  made-up name drawn from (seed, k, word), so "Lohan" becomes the same new name in every
  article of variant k (and in the other event of the same ECB+ topic, as in the original);
* dates: every article is published 400·k days after its base date (undated ECB+ articles get
  their story's date: at scale every article has one, from its feed); years and "Month day"
  mentions in the text move with it;
* figures above 10 (not years, not the day after a month name) grow by k; URL lines get ``?v=k``.

Variant 0 is the original text. The corpus is written variant by variant, each in date order.
The gold story of each article goes to ``gold-N.json``.

Runs, each ``storyline ingest`` in a fresh process (wall time, peak memory of the whole process
tree sampled with psutil, load average, the machine's CPU use beside ours):

* ``local``: the local engine ingests the corpus in chunks into one growing store (0→10k→…→100k);
  after each chunk: BCubed against gold over everything stored, and the cost of ONE more article
  (a new article of an existing story): a CLI run, and an in-process run through the library that
  splits start-up, index load and the article's own work;
* ``fill``: a store grown to ``--n`` on the driver's path with cached vectors (no embedding), from
  a copy of the local run's store (``--fill-from``); at each ``--probe-at`` size ``--probe-n`` real
  articles go through ``storyline ingest`` and one more article is timed (the shortcut to 100k when
  the local run cannot get there in the time at hand);
* ``ray``: the same with ``--engine ray`` (Ray in local mode), up to ``--ray-n`` articles; story
  partitions compared with the local run's at the same size;
* ``scaling``: the first ``--scale-n`` articles into fresh stores: local, Ray with 1 and 2 workers;
* ``stages``: per-stage costs in one process (extract, features, embed, store, cluster, rebuild),
  wall and CPU time: with ``fill``'s driver costs, the basis of the cluster estimate (docs/scale.md).

    python bench/scale.py --quick                          # 2,000 articles, smoke run
    python bench/scale.py --workdir /tmp/scale --plot docs/scale.png
    python bench/scale.py --workdir /tmp/scale --parts ray,scaling --ray-n 20000
    python bench/scale.py --workdir /tmp/scale --report-only --markdown   # docs/scale.md's tables

Each run writes ``WORKDIR/results-PARTS.json``; reports merge them all.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import hashlib
import json
import math
import os
import pickle
import re
import resource
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import psutil

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_EVAL = ROOT.parent / "shared" / "eval"
CLI = ROOT / ".venv" / "bin" / "storyline"
# Variant k is published k·400 days later: another year (as two earthquakes of one kind usually are)
# and far outside the 60-day window. With 75 days (same year, same days in the text) the end-of-batch
# repair merged variants of one story, which share all their wording: F1 0.74 at 2,000 articles.
SHIFT_DAYS = 400
RAY_RATIO_TARGET = 0.8
CORE_GAIN = 1.3  # two cores of this machine do ~1.3x the CPU-bound work of one (measured, issue 8)
MONTHS = (
    "January February March April May June July August September October November December "
    "Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec"
).split()
WEEKDAYS = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()
_URL_LINE = re.compile(r"^\s*(?:https?://|www\.)\S", re.IGNORECASE)
_CAP = re.compile(r"\b[A-Z][A-Za-z]{2,}\b")
_NUMBER = re.compile(r"(?<![\w.,])(\d{1,3}(?:,\d{3})+|\d+)(?![\w]|[.,]\d)")
_YEAR = re.compile(r"\b(19[5-9]\d|20[0-4]\d)\b")
_MONTH_BEFORE = re.compile(r"(?:" + "|".join(MONTHS) + r")\.?\s+$")
_MONTH_DAY = re.compile(r"\b(" + "|".join(MONTHS) + r")(\.?\s+)(\d{1,2})\b(?!,\d|\d)")
_MONTH_NUMBER = (
    {m: i % 12 + 1 for i, m in enumerate(MONTHS[:12])}
    | {m: i + 1 for i, m in enumerate("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split())}
    | {"Sept": 9}
)
_SYLLABLES = (
    "ka ri lo ven dar mi sol ta bre nor el vi ga tor lin ma ru sen ko del "
    "an be ci fa gor ha is jor ke lu mor nes os pa quin ros sta ul var wen"
).split()


# -- corpus -------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, slots=True)
class Base:
    """One real ECB+ article: id, text, gold story and the date it is published on (variant 0)."""

    ext_id: str
    text: str
    story: str
    published: dt.date


def load_base(eval_dir: Path) -> list[Base]:
    """The ECB+ articles that extraction keeps, without duplicates, each with a publication date.

    An article without a date of its own gets its story's (the median of the story's dated
    articles; for a story with none, mid-June of the year its articles mention most), plus 0-2
    days, so that every article is dated as a feed would date it.
    """
    from storyline.ingest.extract import extract
    from storyline.model import Article, RawDocument

    gold: dict[str, str] = json.loads((eval_dir / "stories" / "ecbplus-dev.gold.json").read_text())
    rows: list[tuple[str, str, dt.date | None]] = []
    seen: set[str] = set()
    with (eval_dir / "stories" / "ecbplus-dev.articles.jsonl").open(encoding="utf-8") as fh:
        for record in map(json.loads, filter(str.strip, fh)):
            art = extract(RawDocument("ecb+", record["id"], record["text"].encode(), "text"))
            if isinstance(art, Article) and not {art.content_hash, art.url} & seen:
                seen |= {art.content_hash, art.url or art.content_hash}
                rows.append((record["id"], record["text"], art.published))
    by_story: dict[str, list[tuple[str, str, dt.date | None]]] = defaultdict(list)
    for row in rows:
        by_story[gold[row[0]]].append(row)
    out: list[Base] = []
    for story, members in sorted(by_story.items()):
        anchor = _story_date(members)
        for ext_id, text, published in members:
            jitter = int(hashlib.sha1(ext_id.encode()).hexdigest(), 16) % 3
            out.append(Base(ext_id, text, story, published or anchor + dt.timedelta(days=jitter)))
    return out


def _story_date(members: Sequence[tuple[str, str, dt.date | None]]) -> dt.date:
    dated = sorted(p for _i, _t, p in members if p)
    if dated:
        return dated[len(dated) // 2]
    years = Counter(int(y) for _i, text, _p in members for y in _YEAR.findall(text))
    return dt.date(years.most_common(1)[0][0] if years else 2010, 6, 15)


def name_words(base: Sequence[Base]) -> set[str]:
    """Words written capitalised at least twice as often as in lower case: names, places, bodies.

    URL lines are left out of the counts (``…/mark-teixeira-…`` is not a use of "mark").
    """
    caps: Counter[str] = Counter()
    lower: Counter[str] = Counter()
    for b in base:
        text = "\n".join(line for line in b.text.split("\n") if not _URL_LINE.match(line))
        caps.update(_CAP.findall(text))
        lower.update(re.findall(r"\b[a-z]{3,}\b", text))
    skip = {*MONTHS, *WEEKDAYS, *(m.upper() for m in MONTHS)}
    return {w for w, c in caps.items() if c >= 2 * (lower[w.lower()] + 1) / 2 and w not in skip}


def made_up_name(word: str, k: int, seed: int) -> str:
    """The name that stands for `word` in variant `k` (same inputs, same name)."""
    h = int.from_bytes(hashlib.sha1(f"{seed}:{k}:{word}".encode()).digest()[:8], "big")
    count, h = 2 + h % 2, h // 2
    parts = []
    for _ in range(count):
        parts.append(_SYLLABLES[h % len(_SYLLABLES)])
        h //= len(_SYLLABLES)
    name = "".join(parts).capitalize()
    return name.upper() if word.isupper() else name


def vary(base: Base, k: int, names: set[str], seed: int) -> tuple[str, dt.date]:
    """Variant `k` of an article: (text, publication date). Variant 0 is the original."""
    published = base.published + dt.timedelta(days=SHIFT_DAYS * k)
    if k == 0:
        return base.text, published
    dy = published.year - base.published.year

    def number(m: re.Match[str]) -> str:
        raw = m.group(1)
        value = int(raw.replace(",", ""))
        if "," not in raw and len(raw) == 4 and 1950 <= value <= 2049:
            return str(value + dy)
        if value <= 10 or _MONTH_BEFORE.search(m.string, max(0, m.start() - 12), m.start()):
            return raw
        return f"{value + k:,}" if "," in raw else str(value + k)

    def month_day(m: re.Match[str]) -> str:
        try:
            day = dt.date(base.published.year, _MONTH_NUMBER[m.group(1)], int(m.group(3)))
        except ValueError:
            return m.group(0)
        moved = day + (published - base.published)
        return f"{MONTHS[moved.month - 1]}{m.group(2)}{moved.day}"

    lines = base.text.split("\n")
    for i, line in enumerate(lines):
        if i < 4 and _URL_LINE.match(line):
            lines[i] = f"{line.rstrip()}?v={k}"
            continue
        named = _CAP.sub(lambda m: made_up_name(m.group(0), k, seed) if m.group(0) in names else m.group(0), line)
        lines[i] = _MONTH_DAY.sub(month_day, _NUMBER.sub(number, named))
    return "\n".join(lines), published


def build_corpus(eval_dir: Path, workdir: Path, n: int, seed: int) -> dict[str, Any]:
    """Write `n` articles to WORKDIR/corpus-N.jsonl and their gold stories to gold-N.json (once)."""
    corpus, gold_path = workdir / f"corpus-{n}.jsonl", workdir / f"gold-{n}.json"
    manifest = workdir / f"corpus-{n}.json"
    if manifest.exists() and corpus.exists():
        info: dict[str, Any] = json.loads(manifest.read_text())
        if info.get("seed") == seed:
            return info
    start = time.perf_counter()
    base = load_base(eval_dir)
    names = name_words(base)
    gold: dict[str, str] = {}
    seen: set[str] = set()
    with corpus.open("w", encoding="utf-8") as fh:
        for k in range(math.ceil(n / len(base))):
            variants = sorted(((vary(b, k, names, seed), b) for b in base), key=lambda v: (v[0][1], v[1].ext_id))
            for (text, published), b in variants:
                if len(gold) == n:
                    break
                digest = hashlib.sha1(text.encode()).hexdigest()
                # Nothing in the article changed (no names, figures, years): mark it so it stores apart.
                body = f"{text}\n(Filed {published.isoformat()}.)" if digest in seen else text
                seen.add(digest)
                ext_id = f"{b.ext_id}~{k}"
                gold[ext_id] = f"{b.story}~{k}"
                record = {"id": ext_id, "text": body, "published": published.isoformat()}
                fh.write(json.dumps(record, ensure_ascii=False) + "\n")
    gold_path.write_text(json.dumps(gold))
    info = {
        "path": str(corpus),
        "gold": str(gold_path),
        "n": n,
        "seed": seed,
        "base_articles": len(base),
        "base_stories": len({b.story for b in base}),
        "variants": math.ceil(n / len(base)),
        "gold_stories": len(set(gold.values())),
        "name_words": len(names),
        "build_s": round(time.perf_counter() - start, 1),
        "mb": round(corpus.stat().st_size / 1e6, 1),
    }
    manifest.write_text(json.dumps(info, indent=2))
    return info


def chunk_files(corpus: Path, chunk: int, limit: int) -> list[Path]:
    """The first `limit` lines of the corpus split into files of `chunk` lines (written once)."""
    folder = corpus.parent / f"{corpus.stem}-chunks-{chunk}"
    want = [folder / f"part-{i:03d}.jsonl" for i in range(math.ceil(limit / chunk))]
    if all(p.exists() for p in want):
        return want
    folder.mkdir(exist_ok=True)
    out = None
    with corpus.open(encoding="utf-8") as fh:
        for i, line in enumerate(fh):
            if i == limit:
                break
            if i % chunk == 0:
                if out:
                    out.close()
                out = want[i // chunk].open("w", encoding="utf-8")
            assert out is not None
            out.write(line)
    if out:
        out.close()
    return want


def head_file(corpus: Path, count: int) -> Path:
    """The first `count` articles of the corpus as one file."""
    path = corpus.parent / f"{corpus.stem}-head-{count}.jsonl"
    if not path.exists():
        with corpus.open(encoding="utf-8") as src, path.open("w", encoding="utf-8") as dst:
            for i, line in enumerate(src):
                if i == count:
                    break
                dst.write(line)
    return path


def one_more(chunk: Path, tag: str) -> tuple[Path, str, str]:
    """A new article of an existing story: the chunk's last article with a sentence added.

    Returns (file, its id, the id of the article it was made from).
    """
    *_, last = chunk.read_text(encoding="utf-8").splitlines()
    record = json.loads(last)
    source = record["id"]
    record["id"] = f"{source}+{tag}"
    # A URL line of its own too: the store would take the same URL for the same article.
    lines = [f"{x}&more={tag}" if i < 4 and _URL_LINE.match(x) else x for i, x in enumerate(record["text"].split("\n"))]
    extra = f"Correspondents added later that further accounts were being checked ({tag})."
    lines.insert(max(1, len(lines) // 2), extra)
    record["text"] = "\n".join(lines)
    path = chunk.parent.parent / "one-more" / f"{tag}.jsonl"
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    return path, record["id"], source


# -- measuring one process tree -----------------------------------------------------------------


class TreeSampler:
    """Peak memory of a process and all its descendants (Ray's raylet and workers included).

    Sums PSS (shared pages split between the processes that map them, so Ray's shared object
    store is counted once) and RSS, and keeps each process's CPU time: Ray's workers are children
    of its raylet and never reaped by us, so `RUSAGE_CHILDREN` misses them. Samples every
    `interval` seconds in a thread (reading smaps costs this process about 5% of a core).
    """

    def __init__(self, pid: int, interval: float = 1.0):
        self.root = psutil.Process(pid)
        self.interval = interval
        self.peak_pss = self.peak_rss = self.peak_one = 0.0
        self.peak_procs = 0
        self.cpu: dict[int, float] = {}  # user + system seconds of every process seen, at its last sample
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> TreeSampler:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.interval)

    def sample(self) -> None:
        """One reading of the tree."""
        try:
            procs = [self.root, *self.root.children(recursive=True)]
        except psutil.Error:
            return
        pss = rss = 0.0
        for p in procs:
            try:
                mem = p.memory_full_info()
                times = p.cpu_times()
            except psutil.Error:
                continue
            self.cpu[p.pid] = times.user + times.system
            pss += getattr(mem, "pss", mem.rss)
            rss += mem.rss
            self.peak_one = max(self.peak_one, mem.rss / 2**20)
        self.peak_pss = max(self.peak_pss, pss / 2**20)
        self.peak_rss = max(self.peak_rss, rss / 2**20)
        self.peak_procs = max(self.peak_procs, len(procs))


def run_tree(cmd: Sequence[str], *, env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run `cmd`; wall time, peak tree memory, CPU of the tree and of the whole machine, load."""
    load_before = os.getloadavg()[0]
    cpu_before = psutil.cpu_times()
    ru_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    env = {**os.environ, **(env or {})}
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT, env=env)
    with TreeSampler(proc.pid) as sampler:
        stdout, stderr = proc.communicate()
    wall = time.perf_counter() - start
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu_after = psutil.cpu_times()
    busy = sum(getattr(cpu_after, f) - getattr(cpu_before, f) for f in ("user", "system", "nice", "irq", "softirq"))
    # Processes that ended between two samples lose up to one interval of CPU in the psutil sum.
    own = max((ru.ru_utime - ru_before.ru_utime) + (ru.ru_stime - ru_before.ru_stime), sum(sampler.cpu.values()))
    return {
        "rc": proc.returncode,
        "stdout": stdout,
        "stderr": stderr[-4000:],
        "wall_s": round(wall, 2),
        "peak_pss_mb": round(sampler.peak_pss),
        "peak_rss_sum_mb": round(sampler.peak_rss),
        "peak_one_mb": round(sampler.peak_one),
        "processes": sampler.peak_procs,
        "own_cpu_s": round(own, 1),
        "machine_cpu_s": round(busy, 1),
        "others_cpu_s": round(max(0.0, busy - own), 1),
        "load_before": round(load_before, 2),
        "load_after": round(os.getloadavg()[0], 2),
    }


def ingest_cmd(db: Path, engine: str, workers: int, files: Sequence[Path], ray_address: str | None) -> list[str]:
    """The `storyline ingest` command line for one engine."""
    cmd = [str(CLI), "--db", f"sqlite:///{db}", "ingest", "--format", "json", "--workers", str(workers)]
    if engine == "ray":
        cmd += ["--engine", "ray", *(["--ray-address", ray_address] if ray_address else [])]
    elif _has_engine_option():
        cmd += ["--engine", "local"]
    return [*cmd, *map(str, files)]


def _has_engine_option() -> bool:
    done = subprocess.run([str(CLI), "ingest", "--help"], capture_output=True, text=True, check=False)
    return "--engine" in done.stdout


def timed_ingest(db: Path, engine: str, workers: int, files: Sequence[Path], ray_address: str | None) -> dict[str, Any]:
    """One `storyline ingest` run, measured; counts and rate parsed from its JSON report."""
    # Ray starts its workers at nice 15: on a machine shared with other busy processes they would
    # starve, which measures the neighbours rather than the engine. They run at nice 0 here, as the
    # local engine does (RAY_worker_niceness; docs/scale.md).
    env = {"RAY_worker_niceness": "0"} if engine == "ray" else None
    res = run_tree(ingest_cmd(db, engine, workers, files, ray_address), env=env)
    out, stderr = res.pop("stdout"), res.pop("stderr")
    if res["rc"] != 0:
        return {**res, "error": stderr}
    report = json.loads(out[out.index("{") :])
    counts = report["counts"]
    inputs = sum(counts.values())
    extra = {k: v for k, v in report.items() if k not in ("counts", "outcomes", "stories")}
    return {
        **res,
        "counts": counts,
        "inputs": inputs,
        "per_s": round(inputs / res["wall_s"], 1),
        "per_cpu_s": round(inputs / res["own_cpu_s"], 2) if res["own_cpu_s"] else None,
        **({"engine_report": extra} if extra else {}),
    }


# -- stories against gold and against each other ------------------------------------------------


def partition(db: Path) -> dict[str, int]:
    """External id → story id of every stored article (and of inputs stored as duplicates)."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        rows = con.execute(
            "SELECT a.external_id, m.story_id FROM articles a JOIN story_members m ON m.article_id = a.id"
        ).fetchall()
        rows += con.execute(
            "SELECT x.external_id, m.story_id FROM article_aliases x"
            " JOIN story_members m ON m.article_id = x.article_id"
        ).fetchall()
    finally:
        con.close()
    return dict(rows)


def bcubed(pred: dict[str, Any], gold: dict[str, Any]) -> dict[str, float]:
    """BCubed precision, recall and F1 of `pred` against `gold` over the items both hold."""
    items = [i for i in pred if i in gold]
    if not items:
        return {"p": 0.0, "r": 0.0, "f1": 0.0, "items": 0}
    cells = Counter((pred[i], gold[i]) for i in items)
    size_p = Counter(pred[i] for i in items)
    size_g = Counter(gold[i] for i in items)
    p = sum(c * c / size_p[a] for (a, _b), c in cells.items()) / len(items)
    r = sum(c * c / size_g[b] for (_a, b), c in cells.items()) / len(items)
    return {
        "p": round(p, 4),
        "r": round(r, 4),
        "f1": round(2 * p * r / (p + r), 4),
        "items": len(items),
        "clusters": len(size_p),
        "gold_clusters": len(size_g),
    }


def agreement(a: dict[str, int], b: dict[str, int]) -> dict[str, Any]:
    """How alike two story partitions of the same articles are: BCubed F1 and identical stories."""
    common = [i for i in a if i in b]
    members_a: dict[int, set[str]] = defaultdict(set)
    members_b: dict[int, set[str]] = defaultdict(set)
    for i in common:
        members_a[a[i]].add(i)
        members_b[b[i]].add(i)
    groups_a = {s: frozenset(m) for s, m in members_a.items()}
    groups_b = {s: frozenset(m) for s, m in members_b.items()}
    same = sum(1 for i in common if groups_a[a[i]] == groups_b[b[i]])
    return {
        **bcubed({i: a[i] for i in common}, b),
        "articles_in_identical_stories": round(same / len(common), 4) if common else 0.0,
        "stories_a": len(groups_a),
        "stories_b": len(groups_b),
    }


# -- the cost of one more article ---------------------------------------------------------------


def one_more_in_process(db: str, path: str) -> dict[str, Any]:
    """Child process: ingest one article through the library, timing start-up, index load and the rest."""
    t0 = time.perf_counter()
    from storyline.ingest.extract import ExtractOptions
    from storyline.ingest.local import IngestOptions, ingest
    from storyline.store import open_store
    from storyline.stories.builder import StoryBuilder

    t1 = time.perf_counter()
    store = open_store(f"sqlite:///{db}")
    t2 = time.perf_counter()
    builder = StoryBuilder(store)
    builder.update()  # nothing waits: this loads the index of everything stored
    t3 = time.perf_counter()
    report = ingest([path], store, IngestOptions(extract=ExtractOptions()), after_batch=builder.update)
    t4 = time.perf_counter()
    builder.finish()
    t5 = time.perf_counter()
    store.close()
    return {
        "imports_s": round(t1 - t0, 3),
        "open_store_s": round(t2 - t1, 3),
        "index_load_s": round(t3 - t2, 3),
        "ingest_and_cluster_s": round(t4 - t3, 3),  # read, extract, store, embed (model load), assign
        "finish_s": round(t5 - t4, 3),
        "article_s": round(t5 - t3, 3),
        "counts": report.counts,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def measure_one_more(db: Path, chunk: Path, size: int, gold: dict[str, str]) -> dict[str, Any]:
    """The cost of one new article of an existing story in a store of `size` articles."""
    cli_path, cli_id, source = one_more(chunk, f"cli-{size}")
    lib_path, lib_id, _ = one_more(chunk, f"lib-{size}")
    gold[cli_id] = gold[lib_id] = gold[source]
    cli = run_tree([str(CLI), "--db", f"sqlite:///{db}", "ingest", "--format", "json", str(cli_path)])
    ok = cli["rc"] == 0 and '"stored": 1' in cli["stdout"]
    # The same without the story index file beside the store (it is rebuilt, as before it was kept).
    cold_path, cold_id, _ = one_more(chunk, f"cold-{size}")
    gold[cold_id] = gold[source]
    db.with_name(db.name + ".storyindex").unlink(missing_ok=True)
    cold = run_tree([str(CLI), "--db", f"sqlite:///{db}", "ingest", "--format", "json", str(cold_path)])
    lib = subprocess.run(
        [sys.executable, __file__, "--one-more", str(db), str(lib_path)],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    if lib.returncode:
        return {"stored": size, "error": lib.stderr[-2000:]}
    stories = partition(db)
    return {
        "stored": size,
        "cli_wall_s": cli["wall_s"],
        "cli_ok": ok,
        "cli_rebuild_wall_s": cold["wall_s"],
        "cli_peak_mb": cli["peak_pss_mb"],
        **json.loads(lib.stdout.strip().splitlines()[-1]),
        "joined_source_story": len({stories.get(i) for i in (cli_id, source, lib_id, cold_id)}) == 1,
        "load": cli["load_before"],
    }


# -- per-stage costs, and filling a store fast with cached vectors --------------------------------


def _embedder(vectors: str, options: Any) -> Callable[[Sequence[Any]], Any]:
    """Articles → vectors: MiniLM, or (with an .npz of base vectors) the base article's vector nudged."""
    import numpy as np

    from storyline.stories.embed import default_embedder
    from storyline.stories.features import lead_text

    if not vectors:
        model = default_embedder(options.features.vector_tokens)
        model(["warm up"])
        return lambda arts: model([lead_text(a, options.features.vector_chars) for a in arts])
    cached = dict(np.load(vectors))

    def nudged(arts: Sequence[Any]) -> list[Any]:
        out = []
        for a in arts:
            base_id, _, k = a.external_id.partition("~")
            rng = np.random.default_rng(int(hashlib.sha1(a.external_id.encode()).hexdigest()[:12], 16))
            v = cached[base_id] + rng.normal(0, 0.02, cached[base_id].shape).astype(np.float32) * (k != "0")
            out.append(v / np.linalg.norm(v))
        return out

    return nudged


def staged_ingest(path: str, db: str, vectors: str = "", workers: int = 1) -> dict[str, Any]:
    """Child process: ingest `path` into store `db` stage by stage, timing each stage.

    Worker-side stages (extract, features, embed) and driver-side ones (store the articles, cache
    vectors and features, assign to stories with repair, the end-of-run rebuild) are timed apart.
    With `vectors` (an .npz of base-article vectors) nothing is embedded: each article gets its base
    article's vector nudged by seeded noise, as a cluster's driver receives vectors made elsewhere;
    that is how `fill` grows a store to 100,000 articles in minutes instead of an hour.
    """

    from storyline.ingest.local import IngestOptions, extract_documents
    from storyline.model import Article
    from storyline.store import open_store
    from storyline.stories.builder import StoryBuilder, StoryOptions, _cache, _label, load_index
    from storyline.stories.cluster import Member
    from storyline.stories.features import extract_features

    options = StoryOptions()
    embed = _embedder(vectors, options)
    t: dict[str, float] = {}
    cpu: dict[str, float] = {}  # CPU seconds of this process (all its threads): steadier on a busy machine
    last_cpu = [time.process_time()]

    def clock(name: str, since: float) -> float:
        now, now_cpu = time.perf_counter(), time.process_time()
        t[name] = t.get(name, 0.0) + now - since
        cpu[name] = cpu.get(name, 0.0) + now_cpu - last_cpu[0]
        last_cpu[0] = now_cpu
        return now

    now = time.perf_counter()
    if vectors:  # filling: articles made from the extracted base ones (see _fast_articles)
        arts = _fast_articles(path, str(Path(vectors).with_name("base-articles.pickle")))
    else:
        arts = [a for a in extract_documents([path], IngestOptions(workers=workers)) if isinstance(a, Article)]
    now = clock("extract", now)
    store = open_store(f"sqlite:///{db}")
    now = clock("open", now)
    builder = StoryBuilder(store, options)
    builder._index, _, _ = load_index(store, options)
    now = clock("index_load", now)
    stored: list[Article] = []
    for i in range(0, len(arts), 200):
        stored += [r.stored for r in store.add_articles(arts[i : i + 200]) if r.stored is not None]
    now = clock("store", now)
    for i in range(0, len(stored), options.batch_size):
        batch = stored[i : i + options.batch_size]
        feats = extract_features(batch)
        now = clock("features", now)
        vecs = embed(batch)
        now = clock("embed", now)
        members = [
            Member(article_id=a.id or 0, vector=v, features=f, title=a.title, outlet=a.outlet, label=_label(a))
            for a, f, v in zip(batch, feats, vecs, strict=True)
        ]
        _cache(store, members)
        now = clock("cache", now)
        builder._assign(members)
        now = clock("cluster", now)
    builder.finish()
    clock("finish", now)
    store.close()
    n = len(stored)
    worker = t["extract"] + t["features"] + t["embed"]
    driver = t["store"] + t["cache"] + t["cluster"] + t["finish"]
    return {
        "articles": n,
        "seconds": {k: round(v, 2) for k, v in t.items()},
        "ms_per_article": {k: round(1000 * v / n, 2) for k, v in t.items() if k not in ("open", "index_load")},
        "cpu_ms_per_article": {k: round(1000 * v / n, 2) for k, v in cpu.items() if k not in ("open", "index_load")},
        "worker_side_per_s": round(n / worker, 1),
        "driver_side_per_s": round(n / driver, 1),
        "driver_side_with_features_per_s": round(n / (driver + t["features"]), 1),
        "embed_per_s": round(n / t["embed"], 1),
        "worker_cpu_ms_per_article": round(1000 * sum(cpu[k] for k in ("extract", "features", "embed")) / n, 2),
        "driver_cpu_ms_per_article": round(1000 * sum(cpu[k] for k in ("store", "cache", "cluster", "finish")) / n, 2),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def base_articles(eval_dir: str, seed: int, out: str) -> dict[str, Any]:
    """Child process: the extracted base articles, their gold data and the name words, pickled for `fill`."""
    from storyline.ingest.extract import extract
    from storyline.model import Article, RawDocument

    base = load_base(Path(eval_dir))
    cache = {}
    for b in base:
        art = extract(RawDocument("ecb+", b.ext_id, b.text.encode(), "text"))
        assert isinstance(art, Article)
        cache[b.ext_id] = (art, b)
    Path(out).write_bytes(pickle.dumps({"articles": cache, "names": name_words(base), "seed": seed}))
    return {"articles": len(cache)}


def _fast_articles(path: str, cache_file: str) -> list[Any]:
    """The articles of a corpus file built from the extracted base articles, without extracting again.

    Variant k of an article is its extracted text and title varied as `vary` varies the raw text:
    the same names, figures and dates as the corpus line, at a fraction of extraction's cost.
    """
    cache = pickle.loads(Path(cache_file).read_bytes())
    out = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        base_id, _, k = record["id"].partition("~")
        art, base = cache["articles"][base_id]
        text, published = vary(dataclasses.replace(base, text=art.text), int(k), cache["names"], cache["seed"])
        title = vary(dataclasses.replace(base, text=art.title or ""), int(k), cache["names"], cache["seed"])[0]
        out.append(
            dataclasses.replace(
                art,
                external_id=record["id"],
                text=text,
                title=title if art.title else None,
                content_hash=hashlib.sha256(text.encode()).hexdigest(),
                url=f"{art.url}?v={k}" if art.url else None,
                published=published,
                source=path,
            )
        )
    return out


def base_vectors(corpus: str, count: int, out: str) -> dict[str, Any]:
    """Child process: MiniLM vectors of the first `count` corpus articles (variant 0: the originals)."""
    import numpy as np

    from storyline.ingest.local import extract_documents
    from storyline.model import Article
    from storyline.stories.embed import default_embedder
    from storyline.stories.features import FeatureOptions, lead_text

    path = Path(out).with_suffix(".jsonl")
    with Path(corpus).open(encoding="utf-8") as src:
        path.write_text("".join(line for _, line in zip(range(count), src, strict=False)), encoding="utf-8")
    arts = [a for a in extract_documents([str(path)]) if isinstance(a, Article)]
    feats = FeatureOptions()
    vecs = default_embedder(feats.vector_tokens)([lead_text(a, feats.vector_chars) for a in arts])
    np.savez(out, **{a.external_id.partition("~")[0]: v for a, v in zip(arts, vecs, strict=True)})
    return {"vectors": len(arts)}


def estimate(stages: dict[str, Any], driver: dict[str, Any] | None, nodes: int = 10) -> dict[str, Any]:
    """Articles/s on `nodes` machines like this one: extraction and embedding scale out, the driver does not.

    From CPU time per article (steadier than wall time on a shared machine): a 2-core node does the
    worker side at CORE_GAIN / worker CPU s per article (two cores give ~1.3x one here, measured);
    the driver stores and clusters on one core at 1 / driver CPU s. `driver` is the fill step with
    the largest store (driver-side costs at ~100k stored); without it, the stages run's own.
    """
    worker_ms = stages["worker_cpu_ms_per_article"]
    driver_ms = (driver or stages)["driver_cpu_ms_per_article"]
    node, central = CORE_GAIN * 1000 / worker_ms, 1000 / driver_ms
    return {
        "nodes": nodes,
        "worker_cpu_ms_per_article": worker_ms,
        "driver_cpu_ms_per_article": driver_ms,
        "driver_measured_at": (driver or {}).get("stored_after", "stages run"),
        "per_node_per_s": round(node, 1),
        "driver_per_s": round(central, 1),
        "estimate_per_s": round(min(nodes * node, central), 1),
        "bound_by": "driver (store + cluster)" if central < nodes * node else "workers (extract + embed)",
        "nodes_to_saturate_driver": round(central / node, 1),
    }


# -- the runs -----------------------------------------------------------------------------------


class Results:
    """WORKDIR/results-PARTS.json, rewritten after every step so a long run can be read while it goes.

    Each run writes its own file (runs of different parts can go at the same time); `merged` reads
    them all, older files first: lists (steps) are joined, anything else is replaced.
    """

    def __init__(self, workdir: Path, parts: Sequence[str]):
        self.path = workdir / f"results-{'-'.join(parts)}.json"
        self.data: dict[str, Any] = {}

    @staticmethod
    def merged(workdir: Path) -> dict[str, Any]:
        """Everything the runs in `workdir` recorded."""
        data: dict[str, Any] = {}
        for path in sorted(workdir.glob("results*.json"), key=lambda p: p.stat().st_mtime):
            for key, value in json.loads(path.read_text()).items():
                if isinstance(value, list) and isinstance(data.get(key), list):
                    data[key] = data[key] + value
                else:
                    data[key] = value
        return data

    def put(self, key: str, value: Any) -> None:
        """Set one part and save."""
        self.data[key] = value
        self.save()

    def append(self, key: str, value: Any) -> None:
        """Add one step to a part and save."""
        self.data.setdefault(key, []).append(value)
        self.save()

    def save(self) -> None:
        """Write atomically."""
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.data, indent=2))
        tmp.replace(self.path)


def _fresh_db(path: Path) -> Path:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return path


def _db_mb(path: Path) -> float:
    return round(sum(Path(f"{path}{s}").stat().st_size for s in ("", "-wal") if Path(f"{path}{s}").exists()) / 1e6)


def log(msg: str) -> None:
    """Progress on stderr, with the time."""
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def run_increments(args: argparse.Namespace, engine: str, limit: int, info: dict[str, Any], results: Results) -> None:
    """Ingest the corpus chunk by chunk into one store; after each chunk score it and time one more."""
    gold: dict[str, str] = json.loads(Path(info["gold"]).read_text())
    db = _fresh_db(args.workdir / f"{engine}.db")
    stored = 0
    if engine == "ray" and args.ray_from:  # go on from a store of the corpus's first chunks (scaling's ray-2)
        con = sqlite3.connect(args.ray_from)
        con.execute("VACUUM INTO ?", (str(db),))
        stored = con.execute("SELECT count(*) FROM articles").fetchone()[0]
        con.close()
    for chunk in chunk_files(Path(info["path"]), args.chunk, limit)[stored // args.chunk :]:
        step = timed_ingest(db, engine, args.workers, [chunk], args.ray_address)
        if "error" in step:
            log(f"{engine} failed on {chunk.name}: {step['error'][-600:]}")
            results.append(engine, {"chunk": chunk.name, **step})
            return
        stored += step["inputs"]
        stories = partition(db)
        snapshot = args.workdir / f"partition-{engine}-{stored}.json"
        snapshot.write_text(json.dumps(stories))
        step = {"chunk": chunk.name, "stored_after": stored, **step, "db_mb": _db_mb(db)}
        step["bcubed_vs_gold"] = bcubed(stories, gold)
        if engine == "ray":
            local_snapshot = args.workdir / f"partition-local-{stored}.json"
            if local_snapshot.exists():
                step["vs_local"] = agreement(stories, json.loads(local_snapshot.read_text()))
        results.append(engine, step)
        log(
            f"{engine} {stored}: {step['per_s']}/s, {step['peak_pss_mb']} MB, "
            f"F1 {step['bcubed_vs_gold']['f1']}, load {step['load_before']}"
        )
        if engine == "local" and not args.no_one_more:
            one = measure_one_more(db, chunk, stored, gold)
            results.append("one_more", one)
            log(f"one more at {stored}: CLI {one.get('cli_wall_s')} s, article {one.get('article_s')} s")
            stored += 2 * (one.get("cli_ok", False))  # the two extra articles stay in the store


def run_scaling(args: argparse.Namespace, info: dict[str, Any], results: Results) -> None:
    """The first --scale-n articles into fresh stores: local, then Ray with 1 and 2 workers."""
    path = head_file(Path(info["path"]), args.scale_n)
    partitions = {}
    for name, engine, workers in (("local", "local", args.workers), ("ray-1", "ray", 1), ("ray-2", "ray", 2)):
        if engine not in args.engines:
            continue
        db = _fresh_db(args.workdir / f"scaling-{name}.db")
        step = timed_ingest(db, engine, workers, [path], args.ray_address)
        if "error" not in step:
            partitions[name] = partition(db)
        results.append("scaling", {"run": name, "workers": workers, "articles": args.scale_n, **step})
        log(f"scaling {name}: {step.get('per_s')}/s {step.get('error', '')[-300:]}")
    summary: dict[str, Any] = {}
    snapshot = args.workdir / f"partition-local-{args.scale_n}.json"
    if "local" not in partitions and snapshot.exists():  # the local run's first chunk: the same input
        partitions["local"] = json.loads(snapshot.read_text())
        summary["local_partition"] = snapshot.name
    if "local" in partitions:
        for name in ("ray-1", "ray-2"):
            if name in partitions:
                summary[f"{name}_vs_local"] = agreement(partitions[name], partitions["local"])
    results.put("scaling_agreement", summary)


def _child(*argv: str) -> dict[str, Any]:
    """Run this script with internal arguments in a measured child; its JSON answer and the measures."""
    res = run_tree([sys.executable, str(Path(__file__).resolve()), *argv])
    if res["rc"]:
        raise SystemExit(f"failed: {' '.join(argv)}\n{res['stderr']}")
    answer: dict[str, Any] = json.loads(res.pop("stdout").strip().splitlines()[-1])
    res.pop("stderr")
    return {**answer, "process": res}


def _take(src: Iterable[str], count: int, path: Path) -> int:
    with path.open("w", encoding="utf-8") as out:
        taken = 0
        for line in src:
            out.write(line)
            taken += 1
            if taken == count:
                break
    return taken


def run_fill(args: argparse.Namespace, info: dict[str, Any], results: Results) -> None:
    """Grow a store to --n articles on the driver's path with cached vectors, chunk by chunk; at each
    --probe-at size the last --probe-n articles go through `storyline ingest` (local engine, real
    embedding) and one more article is timed."""
    corpus, vec = Path(info["path"]), args.workdir / "base-vectors.npz"
    if not vec.exists():
        _child("--base-vectors", str(corpus), str(info["base_articles"]), str(vec))
    if not vec.with_name("base-articles.pickle").exists():
        _child("--base-articles", str(args.eval_dir), str(args.seed), str(vec.with_name("base-articles.pickle")))
    gold: dict[str, str] = json.loads(Path(info["gold"]).read_text())
    db = args.workdir / "fill.db"
    taken = extra = 0
    resume = args.fill_from is not None and args.fill_from.resolve() == db.resolve()
    if not resume:
        _fresh_db(db)
    if args.fill_from:  # start from a store the local run filled for real, or go on with fill.db itself
        con = sqlite3.connect(args.fill_from)
        if not resume:
            con.execute("VACUUM INTO ?", (str(db),))
        con.close()
        con = sqlite3.connect(db)
        ids = [row[0] for row in con.execute("SELECT external_id FROM articles")]
        con.close()
        extra = sum("+" in i for i in ids)
        taken = len(ids) - extra
        log(f"fill starts from {args.fill_from}: {taken} corpus articles and {extra} extra")
    probes = sorted(p for p in args.probe_at if taken < p <= args.n)
    with corpus.open(encoding="utf-8") as src:
        for _ in zip(range(taken), src, strict=False):
            pass
        while taken < args.n:
            target = min(args.n, (taken // args.chunk + 1) * args.chunk)
            if probes and target > probes[0] - args.probe_n:
                target = probes[0] - args.probe_n
            if target > taken:
                part = args.workdir / "fill-part.jsonl"
                taken += _take(src, target - taken, part)
                step = _child("--stages", str(part), str(db), str(vec), str(args.workers))
                step = {"stored_after": taken + extra, **step, "bcubed_vs_gold": bcubed(partition(db), gold)}
                results.append("fill", step)
                log(
                    f"fill {taken + extra}: driver {step['driver_side_per_s']}/s, load {step['process']['load_before']}"
                )
            if probes and taken == probes[0] - args.probe_n:
                probe = args.workdir / f"probe-{probes.pop(0)}.jsonl"
                taken += _take(src, args.probe_n, probe)
                step = timed_ingest(db, "local", args.workers, [probe], None)
                step = {"stored_after": taken + extra, **step, "bcubed_vs_gold": bcubed(partition(db), gold)}
                results.append("probe", step)
                one = measure_one_more(db, probe, taken + extra, gold)
                results.append("one_more", {**one, "store": "fill"})
                extra += 2
                log(
                    f"probe {taken}: {step.get('per_s')}/s, {step.get('peak_pss_mb')} MB; "
                    f"one more: {one.get('cli_wall_s')} s"
                )


def run_stages(args: argparse.Namespace, info: dict[str, Any], results: Results) -> None:
    """Per-stage costs on the first --stage-n articles (fresh store), and the 10-node estimate."""
    path = head_file(Path(info["path"]), args.stage_n)
    db = _fresh_db(args.workdir / "stages.db")
    stages = _child("--stages", str(path), str(db))
    results.put("stages", stages)
    fills = Results.merged(args.workdir).get("fill", [])
    results.put("estimate", estimate(stages, fills[-1] if fills else None, args.nodes))
    log(f"stages: {stages}")


# -- report -------------------------------------------------------------------------------------


def _others_pct(step: dict[str, Any]) -> float:
    """Share of the machine's CPU that other processes used during a step."""
    return 100 * step["others_cpu_s"] / step["wall_s"] / (os.cpu_count() or 1)


def table(data: dict[str, Any]) -> str:
    """The figures as readable text."""
    lines = []
    head = (
        f"{'stored':>8} {'art/s':>7} {'art/CPU-s':>9} {'peak MB':>8} {'procs':>5} {'F1':>6} {'load':>5} {'others':>7}"
    )
    for part, title in (
        ("local", "local engine, chunk by chunk into one store"),
        ("ray", "Ray engine (local mode), chunk by chunk into one store"),
        ("probe", "local engine, a real chunk into the filled store"),
    ):
        steps = [s for s in data.get(part, []) if "error" not in s]
        if steps:
            lines += ["", title, head]
        for s in steps:
            lines.append(
                f"{s['stored_after']:>8} {s['per_s']:>7} {s['per_cpu_s'] or 0:>9} {s['peak_pss_mb']:>8} "
                f"{s['processes']:>5} {s['bcubed_vs_gold']['f1']:>6} {s['load_before']:>5} {_others_pct(s):>6.0f}%"
            )
    fills = data.get("fill", [])
    if fills:
        lines += ["", "fill with cached vectors (driver side only)", f"{'stored':>8} {'driver/s':>8}  ms per article"]
        for s in fills:
            lines.append(f"{s['stored_after']:>8} {s['driver_side_per_s']:>8}  {s['ms_per_article']}")
    for one in data.get("one_more", []):
        if "error" not in one:
            lines.append(
                f"one more at {one['stored']} ({one.get('store', 'local')} store): CLI {one['cli_wall_s']} s"
                f" (index file removed first: {one.get('cli_rebuild_wall_s', '-')} s); "
                f"in-process: index load {one['index_load_s']} s, the article itself {one['article_s']} s"
            )
    for s in data.get("scaling", []):
        lines.append(f"scaling {s['run']}: {s.get('per_s')}/s, peak {s.get('peak_pss_mb')} MB {s.get('error', '')}")
    if "estimate" in data:
        lines.append(f"estimate: {data['estimate']}")
    return "\n".join(lines)


def markdown(data: dict[str, Any]) -> str:
    """The tables of docs/scale.md."""
    out = [
        "| stored after | run | articles | wall s | art/s | art per CPU-s | peak PSS MB (processes) | BCubed F1 vs gold"
        " | load before | others' CPU |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    rows = [(s["stored_after"], part, s) for part in ("local", "probe", "ray") for s in data.get(part, [])]
    for stored, part, s in sorted(rows, key=lambda r: (r[0], r[1])):
        if "error" in s:
            out.append(f"| {stored} | {part} | failed | | | | | | | |")
            continue
        run = {"local": "local, growing store", "probe": "local, into filled store", "ray": "Ray, growing store"}[part]
        out.append(
            f"| {stored:,} | {run} | {s['inputs']:,} | {s['wall_s']:.0f} | {s['per_s']} | {s['per_cpu_s']} "
            f"| {s['peak_pss_mb']:,} ({s['processes']}) | {s['bcubed_vs_gold']['f1']:.3f} | {s['load_before']} "
            f"| {_others_pct(s):.0f}% |"
        )
    out += [
        "",
        "| stored | store | `storyline ingest` wall s | the same, index file removed first | imports s | open s"
        " | index load s | the article s | peak MB |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for o in sorted(data.get("one_more", []), key=lambda o: o["stored"]):
        if "error" in o or not o.get("cli_ok", True):
            continue
        out.append(
            f"| {o['stored']:,} | {o.get('store', 'local')} | {o['cli_wall_s']} | {o.get('cli_rebuild_wall_s', '–')}"
            f" | {o['imports_s']} "
            f"| {o['open_store_s']} | {o['index_load_s']} | {o['article_s']} | {o['cli_peak_mb']} |"
        )
    out += [
        "",
        "| stored after | articles | driver side art/s (wall) | CPU ms per article: store, features, cache, cluster,"
        " end-of-run rebuild | driver art per CPU-s | index load s | peak PSS MB | load before |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for s in data.get("fill", []):
        cpu = s.get("cpu_ms_per_article", {})
        stages = ", ".join(str(cpu.get(k, "")) for k in ("store", "features", "cache", "cluster", "finish"))
        driver = round(1000 / s["driver_cpu_ms_per_article"]) if "driver_cpu_ms_per_article" in s else ""
        out.append(
            f"| {s['stored_after']:,} | {s['articles']:,} | {s['driver_side_per_s']} | {stages} | {driver} "
            f"| {s['seconds']['index_load']} | {s['process']['peak_pss_mb']} | {s['process']['load_before']} |"
        )
    return "\n".join(out)


def plot(data: dict[str, Any], path: Path) -> None:
    """Throughput, peak memory and the cost of one more article against the number stored."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(15, 4.4))
    series = (
        ("local", "o-", "local engine, chunk by chunk"),
        ("ray", "s--", "Ray engine (local mode)"),
        ("probe", "D", "local engine, real chunk into the filled store"),
    )
    # Ray 2-worker scaling run = the Ray store's first chunk (the `ray` part may go on from its store).
    first = [{**s, "stored_after": s["articles"]} for s in data.get("scaling", []) if s.get("run") == "ray-2"]
    for part, style, label in series:
        steps = [s for s in (first if part == "ray" else []) + data.get(part, []) if "error" not in s]
        if steps:
            x = [s["stored_after"] / 1000 for s in steps]
            axes[0].plot(x, [s["per_s"] for s in steps], style, label=label)
            axes[1].plot(x, [s["peak_pss_mb"] for s in steps], style, label=label)
    fills = data.get("fill", [])
    if fills:
        x = [s["stored_after"] / 1000 for s in fills]
        per_cpu = [1000 / s["driver_cpu_ms_per_article"] if "driver_cpu_ms_per_article" in s else None for s in fills]
        right = axes[0].twinx()
        right.plot(x, per_cpu, ".:", color="C3", label="driver side per CPU-second, cached vectors (right)")
        right.set_ylim(bottom=0)
        right.set_ylabel("driver articles / CPU-s", color="C3")
        right.legend(fontsize=7, loc="lower right")
        pss = [s["process"]["peak_pss_mb"] for s in fills]
        axes[1].plot(x, pss, ".:", label="driver side only (cached vectors, no model)")
    for store, marker in (("local", "o"), ("fill", "D")):
        ones = [o for o in data.get("one_more", []) if "error" not in o and o.get("cli_ok", True)]
        ones.sort(key=lambda o: o["stored"])
        ones = [o for o in ones if o.get("store", "local") == store]
        if ones:
            x = [o["stored"] / 1000 for o in ones]
            where = "local-run store" if store == "local" else "filled store"
            axes[2].plot(
                x, [o["cli_wall_s"] for o in ones], f"{marker}-", color="C0", label=f"CLI, fresh process ({where})"
            )
            axes[2].plot(x, [o["index_load_s"] for o in ones], f"{marker}-", color="C1", label="of which: index load")
            axes[2].plot(x, [o["article_s"] for o in ones], f"{marker}-", color="C2", label="the article itself")
    titles = ("ingest throughput", "peak memory of the process tree (PSS)", "one more article")
    for ax, title, ylabel in zip(axes, titles, ("articles / s", "MB", "seconds"), strict=True):
        ax.set_title(title)
        ax.set_xlabel("articles stored (thousands)")
        ax.set_ylabel(ylabel)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7, loc="lower left" if ax is not axes[2] else "upper left")
    axes[0].set_ylim(bottom=0)
    axes[1].set_ylim(bottom=0)
    axes[2].set_ylim(bottom=0)
    fig.suptitle("Storyline at scale, one 2-core machine (the load during each step: docs/scale.md)")
    fig.tight_layout()
    fig.savefig(path, dpi=100)


# -- command line -------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/scale"), help="corpus, stores, results.json")
    parser.add_argument("--eval-dir", type=Path, default=DEFAULT_EVAL)
    parser.add_argument("--n", type=int, default=100_000, help="articles in the corpus")
    parser.add_argument("--chunk", type=int, default=10_000, help="articles per ingest run")
    parser.add_argument("--engines", default="local,ray", help="comma-separated: local, ray")
    parser.add_argument(
        "--parts", default="local,fill,ray,scaling,stages", help="which runs, comma-separated (see above)"
    )
    parser.add_argument("--ray-n", type=int, help="articles for the Ray increments (default --n)")
    parser.add_argument(
        "--ray-from", type=Path, help="ray: start from a copy of this store (whole chunks of the corpus)"
    )
    parser.add_argument("--ray-address", help="an existing Ray cluster (default: Ray in local mode)")
    parser.add_argument("--scale-n", type=int, default=5000, help="articles for the 1-vs-2-worker runs")
    parser.add_argument("--stage-n", type=int, default=2000, help="articles for the per-stage costs")
    parser.add_argument("--workers", type=int, default=2, help="workers for the local engine and the Ray runs")
    parser.add_argument("--nodes", type=int, default=10, help="cluster size for the estimate")
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--probe-at", default="10000,50000,100000", help="fill: sizes where real ingest is timed")
    parser.add_argument(
        "--fill-from", type=Path, help="fill: start from a copy of this store (local.db), or go on with WORKDIR/fill.db"
    )
    parser.add_argument("--probe-n", type=int, default=500, help="fill: articles ingested for real at each probe")
    parser.add_argument("--no-one-more", action="store_true", help="skip the one-more-article runs")
    parser.add_argument("--quick", action="store_true", help="smoke run: n=2,000 in chunks of 500")
    parser.add_argument("--json", action="store_true", help="print results.json")
    parser.add_argument("--plot", type=Path, help="write the PNG here")
    parser.add_argument("--markdown", action="store_true", help="print the tables of docs/scale.md")
    parser.add_argument("--report-only", action="store_true", help="only print / plot what results.json holds")
    parser.add_argument("--one-more", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--stages", nargs="+", help=argparse.SUPPRESS)
    parser.add_argument("--base-vectors", nargs=3, help=argparse.SUPPRESS)
    parser.add_argument("--base-articles", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.quick:
        args.n, args.chunk = min(args.n, 2000), min(args.chunk, 500)
        args.scale_n, args.stage_n = min(args.scale_n, 1000), min(args.stage_n, 500)
        args.probe_at, args.probe_n = "1000,2000", min(args.probe_n, 200)
    args.probe_at = [int(p) for p in str(args.probe_at).split(",") if p]
    args.engines = set(args.engines.split(","))
    args.parts = [p for p in args.parts.split(",") if p != "ray" or "ray" in args.engines]
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Build the corpus, run the parts asked for, print and plot the figures."""
    args = parse_args(argv)
    if args.one_more:
        print(json.dumps(one_more_in_process(*args.one_more)))
        return 0
    if args.stages:
        path, db, *rest = args.stages
        print(json.dumps(staged_ingest(path, db, *rest[:1], *(int(w) for w in rest[1:2]))))
        return 0
    if args.base_articles:
        eval_dir, seed, out = args.base_articles
        print(json.dumps(base_articles(eval_dir, int(seed), out)))
        return 0
    if args.base_vectors:
        corpus, count, out = args.base_vectors
        print(json.dumps(base_vectors(corpus, int(count), out)))
        return 0
    args.workdir.mkdir(parents=True, exist_ok=True)
    results = Results(args.workdir, args.parts)
    if not args.report_only:
        info = build_corpus(args.eval_dir, args.workdir, args.n, args.seed)
        results.put("corpus", info)
        results.put(f"machine-{'-'.join(args.parts)}", _machine(args))
        log(f"corpus: {info}")
        if "local" in args.parts:
            run_increments(args, "local", args.n, info, results)
        if "fill" in args.parts:
            run_fill(args, info, results)
        if "ray" in args.parts:
            run_increments(args, "ray", args.ray_n or args.n, info, results)
        if "scaling" in args.parts:
            run_scaling(args, info, results)
        if "stages" in args.parts:
            run_stages(args, info, results)
    data = Results.merged(args.workdir)
    if "stages" in data:  # with the latest fill figures, whichever ran last
        fills = [f for f in data.get("fill", []) if "driver_cpu_ms_per_article" in f]
        data["estimate"] = estimate(data["stages"], fills[-1] if fills else None, args.nodes)
    if args.plot:
        plot(data, args.plot)
    print(json.dumps(data, indent=2) if args.json else markdown(data) if args.markdown else table(data))
    return 0


def _machine(args: argparse.Namespace) -> dict[str, Any]:
    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
    model = next((line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")), "unknown")
    return {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpus": os.cpu_count(),
        "cpu": model,
        "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "load_at_start": os.getloadavg(),
        "command": " ".join([Path(sys.argv[0]).name, *sys.argv[1:]]),
        "workers": args.workers,
        "chunk": args.chunk,
    }


if __name__ == "__main__":
    raise SystemExit(main())
