"""Report benchmark: the full story report of a 50-article story, cold, warm and after one new article.

The targets (the report issue): a full report for a 50-article story in under 10 s, and
re-analysis after one new article in under 2 s, on this machine, that is ``storyline report ID``
(`build_report`, then `StoryReport.to_json` and `render`).

**Corpus.** The first ``--n`` PolNeAR political news articles by file name
(``../shared/eval/quotes/polnear-dev/text/*.txt``, about 5k characters each), ingested with
``--no-stories`` into a fresh SQLite store and then made one story by hand (its ``stories`` and
``story_members`` rows, through `save_stories`). They are not one real-world event, so few copies,
claims or quotes align across them, but every stage still sees all of them: the candidate pairs
of copies are every pair of the story, and every sentence is split, embedded and compared. The new
article is text ``n + 1``, ingested the same way and added to the story by hand. Also the five
seed articles (``examples/seeds``), a real story: the first four ingested normally (with stories),
the fifth ingested normally as the new article (it joins their story through the story builder,
or is added by hand when it does not). Ingest is not timed, except the new article's CLI ingest.

**Method.** Every timed run is a fresh Python process (the store, the embedder and spaCy are
loaded again each time; the OS file cache is warm after the first run). The store's caches are
the quotes per article (``article_quotes``) and, where the schema has it, the sentence vectors by
text (``text_vectors``, filled by `CachedEmbedder`); "cold" means both emptied.

* worker, cold: the caches emptied, then in a new process what ``storyline report ID --format
  html -o FILE`` does: `build_report`, `StoryReport.to_json`, `render` to HTML, the file written.
  Every stage `storyline.analysis.report` calls is wrapped with a timer through its name in that module
  (`find_copies`, `source_groups`, `article_quotes`, `align_quotes`, `article_units`,
  `embed_units`, `group_claims`, `find_dates`, `find_conflicts`, `build_timeline`, `summarize`,
  `cached_mentions` and `find_facts` (the facts stage),
  `find_upstream`, `by_name`, and the load of `default_embedder`), and inside some of them the costly parts:
  copies' MinHash LSH (`_lsh_pairs`), sentence split and embedding (`_prepare`) and the pairwise
  alignment (`align`, one call per candidate pair); the quotes' spaCy load and extraction
  (`load_parser`, `extract_many`); the claim pairs (`_pairs`). The model (`Embedder.__call__`)
  and the vector cache in front of it (`CachedEmbedder.__call__`, when there is one) are wrapped
  too: their time and texts are charged to the stage that asked. Also imports, opening the store,
  the rest of `build_report` (reading the story and its articles), `to_json`, `render`, the
  process's wall time seen from outside, its peak RSS, and the cache rows found before the run;
* worker, warm: the same again right after, in a new process, on the caches the cold run filled
  (everything not cached is computed again);
* worker, new article: article ``n + 1`` ingested and added to the story, then the same again
  (the first ``n`` articles' quotes and vectors cached, the new one's computed);
* CLI, cold and warm: ``python -m storyline --db URL report ID --format html -o FILE``, wall time
  around the subprocess, the caches emptied before the cold run; on the ``n``-article story.

Each is run ``--repeat`` times and the median reported (before each repeat the new article leaves
the story again and its cached quotes are dropped). The targets are read off the CLI (full report,
cold and warm) and the new-article worker's process wall time.

    python bench/report.py                      # 50 PolNeAR articles + the seed story, 1 repeat
    python bench/report.py --n 20 --repeat 3 --json result.json
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import platform
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from cli_timer import timed_cli

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_EVAL = ROOT.parent / "shared" / "eval"
SEEDS = ROOT / "examples" / "seeds"
TARGET_FULL_S = 10.0  # seconds, a full report of a 50-article story
TARGET_NEW_S = 2.0  # seconds, the report again after one new article

#: The stages `storyline.analysis.report` calls, by their name there, in the order it calls them.
STAGES = (
    "find_copies",
    "source_groups",
    "article_quotes",
    "align_quotes",
    "article_units",
    "embed_units",
    "group_claims",
    "find_dates",
    "find_conflicts",
    "build_timeline",
    "summarize",
    "find_upstream",
    "by_name",
    "cached_mentions",
    "find_facts",
)
#: Parts inside some stages: (module, name, the stage they belong to).
PARTS = (
    ("storyline.analysis.copies", "_lsh_pairs", "find_copies"),
    ("storyline.analysis.copies", "_prepare", "find_copies"),
    ("storyline.analysis.copies", "align", "find_copies"),
    ("storyline.services", "extract_many", "article_quotes"),
    ("storyline.analysis.claims", "_pairs", "group_claims"),
)


# -- the measured process ------------------------------------------------------------------------


class Timers:
    """Accumulated seconds and calls per name; embedding charged to the outermost running stage."""

    def __init__(self) -> None:
        self.s: dict[str, float] = {}
        self.calls: dict[str, int] = {}
        self.embed_s: dict[str, dict[str, float]] = {}
        self.embedded: dict[str, dict[str, int]] = {}
        self.running: list[str] = []
        self.results: dict[str, list[Any]] = {}

    def add(self, name: str, seconds: float) -> None:
        self.s[name] = self.s.get(name, 0.0) + seconds
        self.calls[name] = self.calls.get(name, 0) + 1

    def wrap(self, name: str, fn: Callable[..., Any], *, keep: bool = False) -> Callable[..., Any]:
        """`fn`, timed under `name`; `keep`: its results kept (to count them)."""

        @functools.wraps(fn)
        def timed(*args: Any, **kwargs: Any) -> Any:
            self.running.append(name)
            t0 = time.perf_counter()
            try:
                out = fn(*args, **kwargs)
            finally:
                self.add(name, time.perf_counter() - t0)
                self.running.pop()
            if keep:
                self.results.setdefault(name, []).append(out)
            return out

        return timed

    def charge(self, kind: str, seconds: float, texts: int) -> None:
        """Embedding (`kind`: "embed" the model, "asked" the texts the stages asked for), charged to
        the outermost stage running."""
        stage = self.running[0] if self.running else "(none)"
        self.embed_s.setdefault(kind, {})
        self.embedded.setdefault(kind, {})
        self.embed_s[kind][stage] = self.embed_s[kind].get(stage, 0.0) + seconds
        self.embedded[kind][stage] = self.embedded[kind].get(stage, 0) + texts


def _charged(timers: Timers, kind: str, call: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(call)
    def timed(self: Any, texts: Sequence[str]) -> Any:
        t0 = time.perf_counter()
        out = call(self, texts)
        timers.charge(kind, time.perf_counter() - t0, len(texts))
        return out

    return timed


def instrument() -> Timers:
    """Wrap the stages of `storyline.analysis.report` (and some parts inside them) with timers."""
    import importlib

    import storyline.analysis.quotes as quotes_module
    import storyline.analysis.report as report_module
    import storyline.services as services_module
    import storyline.stories.embed as embed_module

    timers = Timers()
    for name in STAGES:  # a name the module no longer has is left out (its figures stay 0)
        for module in (report_module, services_module):  # article_quotes reads the store: services
            if hasattr(module, name):
                setattr(module, name, timers.wrap(name, getattr(module, name), keep=True))
    for module_name, name, stage in PARTS:
        module = importlib.import_module(module_name)
        if hasattr(module, name):
            setattr(module, name, timers.wrap(f"{stage}.{name}", getattr(module, name), keep=name == "align"))

    load_parser = quotes_module.load_parser
    loaded: list[bool] = []

    def timed_load() -> Any:  # the first call loads spaCy; extract_many looks it up at each call
        if loaded:
            return load_parser()
        t0 = time.perf_counter()
        nlp = load_parser()
        timers.add("article_quotes.spacy_load", time.perf_counter() - t0)
        loaded.append(True)
        return nlp

    quotes_module.load_parser = timed_load  # type: ignore[assignment]

    # The model is loaded lazily by the embed module (CachedEmbedder) or by the report module.
    owner = report_module if hasattr(report_module, "default_embedder") else embed_module
    real_default = owner.default_embedder

    def timed_default(max_tokens: int = 256) -> Any:
        t0 = time.perf_counter()
        embedder = real_default(max_tokens)
        timers.add("embedder_load", time.perf_counter() - t0)
        return embedder

    owner.default_embedder = timed_default  # type: ignore[assignment]
    # The model itself, and the cache in front of it where there is one (CachedEmbedder).
    for cls_name, kind in (("Embedder", "embed"), ("CachedEmbedder", "asked")):
        cls = getattr(embed_module, cls_name, None)
        if cls is not None:
            cls.__call__ = _charged(timers, kind, cls.__call__)
    return timers


def worker(db: Path, story_id: int, out_html: Path) -> dict[str, Any]:
    """What `storyline report ID --format html -o FILE` does, stage by stage, in this (fresh) process."""
    t_start = time.perf_counter()
    from storyline.render import render
    from storyline.services import build_report
    from storyline.store import open_store
    from storyline.text.sentences import split_sentences

    t_imported = time.perf_counter()
    cached = cache_rows(db)
    timers = instrument()
    store = open_store(f"sqlite:///{db}")
    t_opened = time.perf_counter()
    report = build_report(store, story_id)
    t_built = time.perf_counter()
    store.close()
    data = report.to_json()
    t_json = time.perf_counter()
    html = render(data, "html")
    t_rendered = time.perf_counter()
    out_html.write_text(html, encoding="utf-8")
    t_done = time.perf_counter()

    stages_s = sum(timers.s.get(name, 0.0) for name in (*STAGES, "embedder_load"))
    stages = {
        name: {
            "s": timers.s.get(name, 0.0),
            "calls": timers.calls.get(name, 0),
            "embed_s": timers.embed_s.get("embed", {}).get(name, 0.0),  # the model's time
            "embedded": timers.embedded.get("embed", {}).get(name, 0),  # texts the model embedded
            "asked": timers.embedded.get("asked", {}).get(name, 0),  # texts asked of the cache, if any
        }
        for name in ("embedder_load", *STAGES)
    }
    part_names = [f"{stage}.{name}" for _module, name, stage in PARTS] + ["article_quotes.spacy_load"]
    parts = {name: {"s": timers.s.get(name, 0.0), "calls": timers.calls.get(name, 0)} for name in part_names}
    aligned = timers.results.get("find_copies.align", [])
    units = timers.results.get("article_units", [])
    mentions = [m for found in timers.results.get("article_quotes", []) for ms in found.values() for m in ms]
    return {
        "articles": len(report.articles),
        "chars": sum(len(a.text) for a in report.articles),
        "sentences": sum(len(split_sentences(a.text)) for a in report.articles),
        "claim_units": sum(len(u) for u in units),
        "copy_pairs_aligned": len(aligned),
        "copy_pairs_with_alignment": sum(bool(a) for a in aligned),
        "copy_links": len(report.copies),
        "quote_mentions": len(mentions),
        "quotes": len(report.quotes),
        "claim_groups": len(report.claims),
        "claims_in_2_plus_articles": sum(len(g.articles) > 1 for g in report.claims),
        "conflicts": len(report.conflicts),
        "timeline_events": len(report.timeline),
        "summary_sentences": len(report.summary),
        "texts_asked": sum(timers.embedded.get("asked", {}).values()),
        "texts_embedded": sum(timers.embedded.get("embed", {}).values()),
        "html_kb": len(html.encode()) / 1024,
        "import_s": t_imported - t_start,
        "open_store_s": t_opened - t_imported,
        "build_report_s": t_built - t_opened,
        "stages_s": stages_s,
        "read_other_s": t_built - t_opened - stages_s,  # the story and its articles read, NLI (none)
        "embed_s": sum(timers.embed_s.get("embed", {}).values()),
        "cache_s": sum(timers.embed_s.get("asked", {}).values()),  # CachedEmbedder calls, model included
        "to_json_s": t_json - t_built,
        "render_s": t_rendered - t_json,
        "write_s": t_done - t_rendered,
        "report_s": t_done - t_opened,  # build_report + to_json + render + write
        "total_s": t_done - t_start,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "cached_rows_before": cached,
        "stages": stages,
        "parts": parts,
    }


#: The store's caches a report reads and fills (those present in the store's schema are used).
CACHE_TABLES = ("article_quotes", "text_vectors")


def cache_rows(db: Path) -> dict[str, int]:
    """Rows in each cache table the store has."""
    with sqlite3.connect(db) as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        rows = {t: int(conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]) for t in CACHE_TABLES if t in tables}
    conn.close()
    return rows


# -- setup and runs -------------------------------------------------------------------------------


def _ids(db: Path) -> list[int]:
    with sqlite3.connect(db) as conn:
        ids = [int(r[0]) for r in conn.execute("SELECT id FROM articles ORDER BY id")]
    conn.close()
    return ids


class Corpus:
    """A store with one story and a new article to add to it."""

    def __init__(self, name: str, db: Path, files: Sequence[Path], new: Path, *, one_story: bool) -> None:
        self.name, self.db, self.new, self.one_story = name, db, new, one_story
        db.unlink(missing_ok=True)
        if one_story:
            timed_cli(db, "ingest", "--no-stories", "--format", "json", *map(str, files))
            from storyline.model import Story
            from storyline.store import open_store

            ids = _ids(db)
            store = open_store(f"sqlite:///{db}")
            store.save_stories(
                [Story(1, f"report benchmark, {name}", None, None, len(ids))], [(i, 1, None) for i in ids]
            )
            store.close()
            self.story_id = 1
        else:
            timed_cli(db, "ingest", "--format", "json", *map(str, files))
            stories = json.loads(timed_cli(db, "stories", "--format", "json")[1])
            self.story_id = int(max(stories, key=lambda s: s["article_count"])["id"])
        self.new_id: int | None = None
        self.new_joined_by_itself: bool | None = None
        self.ingest_new_s: float | None = None

    def _sql(self, *statements: tuple[str, tuple[Any, ...]]) -> None:
        with sqlite3.connect(self.db) as conn:
            for sql, params in statements:
                conn.execute(sql, params)
        conn.close()

    def clear_caches(self) -> None:
        """Forget every cached quote and vector (the next report computes them again)."""
        self._sql(*((f"DELETE FROM {table}", ()) for table in cache_rows(self.db)))

    def _count(self) -> tuple[str, tuple[Any, ...]]:
        return (
            "UPDATE stories SET article_count = (SELECT count(*) FROM story_members WHERE story_id = ?) WHERE id = ?",
            (self.story_id, self.story_id),
        )

    def without_new(self) -> None:
        """The new article out of the story again (and its cached quotes dropped), if it was added."""
        if self.new_id is not None:
            self._sql(
                ("DELETE FROM story_members WHERE article_id = ?", (self.new_id,)),
                ("DELETE FROM article_quotes WHERE article_id = ?", (self.new_id,)),
                self._count(),
            )

    def add_new(self) -> None:
        """The new article ingested (the first time) and in the story."""
        if self.new_id is None:
            before = set(_ids(self.db))
            args = ("--no-stories",) if self.one_story else ()
            self.ingest_new_s, _ = timed_cli(self.db, "ingest", *args, "--format", "json", str(self.new))
            (self.new_id,) = set(_ids(self.db)) - before
            with sqlite3.connect(self.db) as conn:
                row = conn.execute("SELECT story_id FROM story_members WHERE article_id = ?", (self.new_id,)).fetchone()
            conn.close()
            self.new_joined_by_itself = row is not None and row[0] == self.story_id
        self._sql(
            (
                "INSERT INTO story_members (article_id, story_id, score) VALUES (?, ?, NULL)"
                " ON CONFLICT (article_id) DO UPDATE SET story_id = excluded.story_id",
                (self.new_id, self.story_id),
            ),
            self._count(),
        )


def run_worker(corpus: Corpus, out_html: Path) -> dict[str, Any]:
    """The worker in a fresh process; its figures and its wall time seen from here."""
    cmd = [sys.executable, __file__, "--worker", str(corpus.db), "--story", str(corpus.story_id), "-o", str(out_html)]
    start = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    if done.returncode:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"failed: {' '.join(cmd)}")
    result: dict[str, Any] = json.loads(done.stdout)
    result["process_wall_s"] = wall
    return result


def median(runs: Sequence[Any]) -> Any:
    """The median of numbers, key by key in dicts (else the first run's value); rounded."""
    first = runs[0]
    if isinstance(first, dict):
        return {key: median([r[key] for r in runs]) for key in first}
    if isinstance(first, (int, float)) and not isinstance(first, bool):
        m = statistics.median(runs)
        return round(m, 3) if isinstance(m, float) else m
    return first


def measure(corpus: Corpus, repeat: int, work: Path) -> dict[str, Any]:
    """Cold, warm and CLI runs on the story, then the run after the new article, each `repeat` times."""
    html = work / f"{corpus.name}.html"
    runs: dict[str, list[Any]] = {k: [] for k in ("cold", "warm", "new_article", "cli_cold", "cli_warm")}
    for _ in range(repeat):
        corpus.without_new()
        corpus.clear_caches()
        runs["cold"].append(run_worker(corpus, html))
        runs["warm"].append(run_worker(corpus, html))
        report = ("report", str(corpus.story_id), "--format", "html", "-o", str(html))
        corpus.clear_caches()
        runs["cli_cold"].append(timed_cli(corpus.db, *report)[0])
        runs["cli_warm"].append(timed_cli(corpus.db, *report)[0])
        corpus.add_new()
        runs["new_article"].append(run_worker(corpus, html))
    out = {k: median(v) for k, v in runs.items()}
    counts = {k: {r[k] for r in runs["cold"] + runs["warm"]} for k in ("claim_groups", "quotes", "copy_links")}
    out["warnings"] = [f"{k} differ between runs: {sorted(v)}" for k, v in counts.items() if len(v) > 1]
    out["ingest_new_s"] = round(corpus.ingest_new_s or 0.0, 3)
    out["new_joined_by_itself"] = corpus.new_joined_by_itself
    out["story_id"] = corpus.story_id
    return out


def _stage_line(r: dict[str, Any]) -> str:
    parts = []
    for name, st in r["stages"].items():
        if st["s"] < 0.005:
            continue
        text = f"{name} {st['s']:.2f}"
        if st["embedded"] or st["asked"]:
            asked = f" of {st['asked']} asked" if st["asked"] else ""
            text += f" (model {st['embed_s']:.2f} s, {st['embedded']}{asked} texts)"
        parts.append(text)
    return ", ".join(parts)


def print_summary(result: dict[str, Any]) -> None:
    """A compact table of the figures."""
    print(
        f"report benchmark ({result['machine']}), median of {result['repeat']}; targets: 50-article story"
        f" < {TARGET_FULL_S:.0f} s, after one new article < {TARGET_NEW_S:.0f} s"
    )
    for name, s in result["stories"].items():
        c = s["cold"]
        print(
            f"\n{name} (story {s['story_id']}): {c['articles']} articles, {c['chars'] / 1000:.0f}k chars,"
            f" {c['sentences']} sentences, {c['claim_units']} claim units -> {c['claim_groups']} claim groups"
            f" ({c['claims_in_2_plus_articles']} in 2+ articles); copies: {c['copy_pairs_aligned']} pairs aligned,"
            f" {c['copy_pairs_with_alignment']} with aligned sentences, {c['copy_links']} links;"
            f" {c['quote_mentions']} quote mentions -> {c['quotes']} quotes; {c['conflicts']} conflicts,"
            f" {c['timeline_events']} timeline events, {c['summary_sentences']} summary sentences;"
            f" {c['texts_embedded']} texts embedded ({c['texts_asked']} asked of the vector cache);"
            f" HTML {c['html_kb']:.0f} KB"
        )
        for label in ("cold", "warm", "new_article"):
            r = s[label]
            print(
                f"  {label:<11} process {r['process_wall_s']:.2f} s = imports {r['import_s']:.2f}"
                f" + open store {r['open_store_s']:.2f} + build_report {r['build_report_s']:.2f}"
                f" (embedding {r['embed_s']:.2f}) + to_json {r['to_json_s']:.2f} + render {r['render_s']:.2f}"
                f" + interpreter; peak {r['peak_rss_mb']:.0f} MB; cached rows before: {r['cached_rows_before']}"
            )
            print(f"              {_stage_line(r)}, read/other {r['read_other_s']:.2f}")
            inner = ", ".join(f"{k} {v['s']:.2f} ({v['calls']}x)" for k, v in r["parts"].items())
            print(f"              inside: {inner}")
        print(
            f"  CLI         report --format html: cold {s['cli_cold']:.2f} s, warm {s['cli_warm']:.2f} s;"
            f" new article ingest {s['ingest_new_s']:.2f} s"
            + (
                ""
                if s["new_joined_by_itself"] is None
                else f" (joined the story by itself: {s['new_joined_by_itself']})"
            )
        )
        for warning in s["warnings"]:
            print(f"  WARNING: {warning}")
    for key, what, target in (
        ("full", "full report (CLI, cold)", TARGET_FULL_S),
        ("full_warm", "full report (CLI, caches warm)", TARGET_FULL_S),
        ("new_article", "report after one new article (process)", TARGET_NEW_S),
    ):
        met = result["target_met"][key]
        verdict = {True: "met", False: "NOT met", None: "not applicable (needs --n 50 or more)"}[met]
        print(f"target {verdict}: {what} on {result['n']} articles, {result['target_s'][key]:.2f} s (< {target:.0f} s)")


def main(argv: list[str] | None = None) -> int:
    """Build the stores, run the measured processes, print the summary and the JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--n", type=int, default=50, help="PolNeAR articles in the story (first by name)")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each measurement; the median is reported")
    parser.add_argument("--eval-dir", type=Path, default=DEFAULT_EVAL)
    parser.add_argument("--workdir", type=Path, help="where the stores go (default: a temporary folder)")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the JSON result here")
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)  # internal: one measured run on this db
    parser.add_argument("--story", type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument("-o", type=Path, dest="output", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(args.worker, args.story, args.output)))
        return 0
    texts = sorted((args.eval_dir / "quotes" / "polnear-dev" / "text").glob("*.txt"))
    if len(texts) < args.n + 1:
        raise SystemExit(f"only {len(texts)} PolNeAR texts under {args.eval_dir} (--n {args.n} needs {args.n + 1})")
    seeds = sorted(SEEDS.glob("*.txt"))
    work = args.workdir or Path(tempfile.mkdtemp(prefix="storyline-bench-report-"))
    work.mkdir(parents=True, exist_ok=True)
    stories = {}
    for corpus in (
        Corpus(f"polnear-{args.n}", work / "polnear.db", texts[: args.n], texts[args.n], one_story=True),
        Corpus("seeds", work / "seeds.db", seeds[:-1], seeds[-1], one_story=False),
    ):
        stories[corpus.name] = measure(corpus, args.repeat, work)
    if not args.workdir:
        shutil.rmtree(work, ignore_errors=True)
    main_story = stories[f"polnear-{args.n}"]
    target_s = {
        "full": main_story["cli_cold"],
        "full_warm": main_story["cli_warm"],
        "new_article": main_story["new_article"]["process_wall_s"],
    }
    applies = args.n >= 50
    result = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "n": args.n,
        "repeat": args.repeat,
        "target_s": target_s,
        "target_met": {
            "full": target_s["full"] < TARGET_FULL_S if applies else None,
            "full_warm": target_s["full_warm"] < TARGET_FULL_S if applies else None,
            "new_article": target_s["new_article"] < TARGET_NEW_S if applies else None,
        },
        "stories": stories,
    }
    print_summary(result)
    print(json.dumps(result, indent=2))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
