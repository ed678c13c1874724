"""Cost of each stage of the Ray engine per article, and end-to-end throughput of both engines.

Builds a plain-text JSONL corpus from ``../shared/eval`` (the ECB+ articles, the PolNeAR articles,
then ECB+ articles with a sentence added, until it holds ``--articles``), then:

* stages: each stage's own code on one core, without Ray, in this process: reading the sources
  (driver), extraction and the dedup signatures (Ray tasks), embedding on one thread (Ray actors),
  then storing in batches of 200 and clustering (driver: ``StoryBuilder.update`` with the vectors
  given, which computes the features, caches them and assigns stories; ``finish`` at the end);
* ``--end-to-end``: ``storyline ingest`` in a subprocess for each engine and worker count, into a
  fresh SQLite store, with stories on: wall time, articles/s, CPU seconds of the whole process tree
  (Ray's processes included) and the load average around the run (the machine may be shared).

Run ``python bench/ray_stages.py --help``; docs/ray.md quotes its figures.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from ingest import vary_text  # bench/ingest.py: distinct copies of an article

from storyline.ingest.extract import extract
from storyline.ingest.inputs import SourceContext, iter_sources
from storyline.ingest.raydata import PrecomputedVectors, mark_repeats
from storyline.model import Article, RawDocument
from storyline.store import open_store
from storyline.stories.builder import StoryBuilder
from storyline.stories.embed import Embedder, EmbedOptions
from storyline.stories.features import FeatureOptions, extract_features, lead_text

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_EVAL = ROOT.parent / "shared" / "eval"
BATCH = 200  # the store batch of IngestOptions
EMBED_BATCH = 64  # RayOptions.embed_batch


def build_corpus(eval_dir: Path, n: int, path: Path) -> Path:
    """`n` distinct plain-text articles as JSON lines: ECB+, PolNeAR, then varied ECB+ copies."""
    ecb = [json.loads(line) for line in (eval_dir / "stories" / "ecbplus-dev.articles.jsonl").open()]
    records = [{"id": r["id"], "text": r["text"]} for r in ecb]
    records += [{"id": p.stem, "text": p.read_text()} for p in sorted(eval_dir.glob("quotes/polnear-*/text/*.txt"))]
    k = 0
    while len(records) < n:
        base, copy = ecb[k % len(ecb)], k // len(ecb) + 1
        records.append({"id": f"{base['id']}~{copy}", "text": vary_text(base["text"], copy)})
        k += 1
    path.write_text("".join(json.dumps(r) + "\n" for r in records[:n]))
    return path


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    """CPU seconds of this process while `fn` runs (every stage here runs on one thread), and its value.

    CPU time, not wall time: on a shared machine the wall clock counts the other processes too.
    """
    start = time.process_time()
    value = fn()
    return time.process_time() - start, value


def stage_costs(corpus: Path, work: Path) -> dict[str, Any]:
    """CPU milliseconds per article of each stage, one thread, no Ray."""
    read_s, items = timed(lambda: list(iter_sources([str(corpus)], SourceContext())))
    docs = [i for i in items if isinstance(i, RawDocument)]
    extract_s, done = timed(lambda: [extract(d) for d in docs])
    articles = [a for a in done if isinstance(a, Article)]
    rows = [{"kind": "article", "content_hash": a.content_hash, "url": a.url} for a in articles]
    sign_s, _ = timed(lambda: mark_repeats(rows))
    features = FeatureOptions()
    embed = Embedder(EmbedOptions(max_tokens=features.vector_tokens, threads=1))
    embed([lead_text(a, features.vector_chars) for a in articles[:EMBED_BATCH]])  # warm up
    texts = [lead_text(a, features.vector_chars) for a in articles]
    embed_s, vectors = timed(lambda: [v for i in range(0, len(texts), EMBED_BATCH) for v in embed(texts[i : i + 64])])
    features_s, _ = timed(lambda: extract_features(articles))  # also inside update below
    store = open_store(f"sqlite:///{work / 'stages.db'}")
    given = PrecomputedVectors(features)
    builder = StoryBuilder(store, embed=given)
    store_s = cluster_s = 0.0
    for i in range(0, len(articles), BATCH):
        t, _ = timed(lambda i=i: store.add_articles(articles[i : i + BATCH]))
        store_s += t
        for article, vector in zip(articles[i : i + BATCH], vectors[i : i + BATCH], strict=True):
            given.add(article, vector)
        t, _ = timed(builder.update)
        cluster_s += t
        given.clear()
    finish_s, _ = timed(builder.finish)
    store.close()
    n = len(articles)
    per = {
        "read (driver)": read_s,
        "extract (Ray tasks)": extract_s,
        "signatures (Ray tasks)": sign_s,
        "embed, 1 thread (Ray actors)": embed_s,
        "store (driver)": store_s,
        "features + cluster (driver)": cluster_s,
        "  of which features": features_s,
        "finish (driver)": finish_s,
    }
    return {
        "articles": n,
        "ms_per_article": {k: round(1000 * v / n, 3) for k, v in per.items()},
        "misses": given.misses,
    }


def tree_cpu(pid: int, stop: threading.Event, seen: dict[tuple[int, float], float]) -> None:
    """Poll the CPU seconds of `pid` and every descendant until `stop` (Ray's processes are descendants)."""
    import psutil

    root = psutil.Process(pid)
    while not stop.is_set():
        try:
            procs = [root, *root.children(recursive=True)]
        except psutil.Error:
            return
        for proc in procs:
            try:
                times = proc.cpu_times()
                seen[(proc.pid, proc.create_time())] = times.user + times.system
            except psutil.Error:
                continue
        stop.wait(0.2)


def end_to_end(corpus: Path, work: Path, engine: str, workers: int) -> dict[str, Any]:
    db = work / f"{engine}-{workers}.db"
    db.unlink(missing_ok=True)
    cmd = [sys.executable, "-m", "storyline", "--db", f"sqlite:///{db}", "ingest", "--format", "json"]
    cmd += ["--engine", engine, "--workers", str(workers), str(corpus)]
    load_before = os.getloadavg()[0]
    seen: dict[tuple[int, float], float] = {}
    stop = threading.Event()
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    poller = threading.Thread(target=tree_cpu, args=(proc.pid, stop, seen))
    poller.start()
    out, err = proc.communicate()
    wall = time.perf_counter() - start
    stop.set()
    poller.join()
    if proc.returncode:
        sys.stderr.write(err)
        raise SystemExit(f"failed: {' '.join(cmd)}")
    data = json.loads(out)
    stored = data["counts"]["stored"]
    stories = open_store(f"sqlite:///{db}")
    partition = sorted(sorted(a.external_id for a in s.articles) for s in stories.list_stories())
    stories.close()
    return {
        "engine": engine,
        "workers": workers,
        "stored": stored,
        "seconds": round(wall, 1),
        "articles_per_s": round(stored / wall, 2),
        "cpu_s": round(sum(seen.values()), 1),
        "cpu_ms_per_article": round(1000 * sum(seen.values()) / stored, 1),
        "load_1min_before_after": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "stories": len(partition),
        "_partition": partition,
    }


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--eval-dir", type=Path, default=DEFAULT_EVAL, help="../shared/eval")
    parser.add_argument("--articles", type=int, default=2000, help="corpus size (default 2000)")
    parser.add_argument("--end-to-end", action="store_true", help="also time `storyline ingest` per engine")
    parser.add_argument("--runs", default="local:2,ray:2,ray:1", help="engine:workers list for --end-to-end")
    parser.add_argument("--no-stages", action="store_true", help="skip the per-stage costs")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if not args.eval_dir.is_dir():
        print(f"skipped: {args.eval_dir} not found")
        return 0
    with tempfile.TemporaryDirectory(prefix="ray-stages-") as tmp:
        work = Path(tmp)
        corpus = build_corpus(args.eval_dir, args.articles, work / "corpus.jsonl")
        result: dict[str, Any] = {"cpus": os.cpu_count(), "corpus_articles": args.articles}
        if not args.no_stages:
            result["stages"] = stage_costs(corpus, work)
        if args.end_to_end:
            runs = [end_to_end(corpus, work, *_run(spec)) for spec in args.runs.split(",")]
            first = runs[0]["_partition"]
            for run in runs:
                run["same_stories_as_first"] = run.pop("_partition") == first
            result["end_to_end"] = runs
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        _print(result)
    return 0


def _run(spec: str) -> tuple[str, int]:
    engine, _, workers = spec.partition(":")
    return engine, int(workers or 1)


def _print(result: dict[str, Any]) -> None:
    print(f"{result['corpus_articles']} articles, {result['cpus']} CPUs")
    if "stages" in result:
        stages = result["stages"]
        print(f"per-stage cost, CPU ms per article ({stages['articles']} articles, one thread, no Ray):")
        for name, ms in stages["ms_per_article"].items():
            print(f"  {name:32} {ms:8.2f}")
    for run in result.get("end_to_end", []):
        print(
            f"{run['engine']:5} workers={run['workers']}: {run['stored']} stored in {run['seconds']} s = "
            f"{run['articles_per_s']} articles/s; {run['cpu_ms_per_article']} CPU ms/article; "
            f"load {run['load_1min_before_after']}; {run['stories']} stories; "
            f"same stories: {run['same_stories_as_first']}"
        )


if __name__ == "__main__":
    raise SystemExit(main())
