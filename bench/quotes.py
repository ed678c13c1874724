"""Quotes benchmark: extract and align the quotes of a 50-article story, cold and from the cache.

The target (the quotes issue): quotes for a 50-article story in under 5 s on this machine, that is
``storyline quotes --story ID`` run once on a store whose quotes are not cached yet.

**Corpus.** The first ``--n`` PolNeAR political news articles by file name
(``../shared/eval/quotes/polnear-dev/text/*.txt``, about 5k characters each), ingested with
``--no-stories`` into a fresh SQLite store and then made one story by hand. They are not one
real-world event, so few quotes align across them, but extraction (the parse) is the cost and it
does not depend on that. Also the five seed articles (``examples/seeds``), ingested with stories
as a real story (the largest story they form). Ingest is not timed.

**Method.** Every timed run is a fresh Python process (spaCy, the embedder and the store are
loaded again each time; the OS file cache is warm after the first run):

* worker, cold: the quote cache (``article_quotes``) emptied, then in a new process what
  ``storyline quotes --story`` does (`story_quotes`): the story's articles read, `article_quotes`
  (extract the missing ones with `extract_many`, cache them), `align_quotes` with
  ``default_embedder(128)``. Timed apart: imports, spaCy model load (`load_parser`), extraction
  (split into the parse, i.e. spaCy's ``nlp.pipe`` over the candidate sentences, and the rest:
  sentence split, quotation marks, rules, cache write), embedder load, alignment (the embedding
  inside it shown apart). Also the process's wall time seen from outside and its peak RSS;
* worker, warm: the same again in a new process, the quotes read from the cache;
* CLI, cold and warm: ``python -m storyline --db URL quotes --story ID --format json`` (the target)
  and ``quotes --format jsonl`` (every article, no alignment), wall time around the subprocess.

spaCy is loaded only when some article is not cached, and the embedder only when there are
indirect quotes, as `story_quotes` does. Each is run ``--repeat`` times and the median is
reported; quote and mention counts that differ between runs are reported as a warning.

    python bench/quotes.py                      # 50 PolNeAR articles + the seed story, 3 repeats
    python bench/quotes.py --n 20 --repeat 1 --json result.json
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
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from cli_timer import timed_cli

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_EVAL = ROOT.parent / "shared" / "eval"
SEEDS = ROOT / "examples" / "seeds"
TARGET_S = 5.0  # seconds, `storyline quotes --story` on a 50-article story, cold


# -- the measured process ------------------------------------------------------------------------


def instrument_parser() -> dict[str, Any]:
    """Time spaCy's load and parse inside `extract_many`; the figures land in the returned dict.

    spaCy still loads only when some article is not cached (as in `story_quotes`): the first call
    of `load_parser` is timed, and the cached parser's ``pipe`` wrapped to time the parse and count
    the sentences, characters and tokens parsed.
    """
    import storyline.analysis.quotes as quotes_module

    load_parser = quotes_module.load_parser
    parse: dict[str, Any] = {"load_s": 0.0, "s": 0.0, "sentences": 0, "chars": 0, "tokens": 0, "loaded": False}

    def timed_pipe(real_pipe: Any, texts: Iterable[str], **kwargs: Any) -> Iterator[Any]:
        texts = list(texts)
        parse["sentences"] += len(texts)
        parse["chars"] += sum(map(len, texts))
        docs = real_pipe(texts, **kwargs)
        while True:
            t0 = time.perf_counter()
            doc = next(docs, None)
            parse["s"] += time.perf_counter() - t0
            if doc is None:
                return
            parse["tokens"] += len(doc)
            yield doc

    def timed_load() -> Any:
        if not parse["loaded"]:
            t0 = time.perf_counter()
            nlp = load_parser()
            parse["load_s"] = time.perf_counter() - t0
            nlp.pipe = functools.partial(timed_pipe, nlp.pipe)  # type: ignore[method-assign]
            parse["loaded"] = True
        return load_parser()

    quotes_module.load_parser = timed_load  # type: ignore[assignment]  # extract_many looks it up at each call
    return parse


def worker(db: Path, story_id: int) -> dict[str, Any]:
    """What `story_quotes` does, stage by stage, in this (fresh) process."""
    t_start = time.perf_counter()
    from storyline.analysis.quotealign import align_quotes
    from storyline.services import article_quotes
    from storyline.store import open_store
    from storyline.stories.embed import default_embedder
    from storyline.text.sentences import split_sentences

    t_imported = time.perf_counter()
    store = open_store(f"sqlite:///{db}")
    story = store.get_story(story_id)
    arts = store.articles_by_id(sorted({a.id for a in story.articles}))
    t_read = time.perf_counter()

    parse = instrument_parser()
    by_id = article_quotes(store, arts)
    t_extracted = time.perf_counter()
    mentions = [m for a in arts for m in by_id.get(a.id or -1, [])]
    embed = None
    if any(m.kind == "indirect" for m in mentions):  # as story_quotes: the embedder only when needed
        embed = default_embedder(128)
    t_embed_loaded = time.perf_counter()

    embedding: dict[str, Any] = {"s": 0.0, "texts": 0}

    def timed_embed(texts: Sequence[str]) -> Any:
        t0 = time.perf_counter()
        assert embed is not None
        out = embed(texts)
        embedding["s"] += time.perf_counter() - t0
        embedding["texts"] += len(texts)
        return out

    quotes = align_quotes(mentions, embed=timed_embed if embed else None)
    t_done = time.perf_counter()
    store.close()

    extract_s = t_extracted - t_read - parse["load_s"]
    parsed = parse["loaded"]
    return {
        "articles": len(arts),
        "cached": not parsed,
        "import_s": t_imported - t_start,
        "read_story_s": t_read - t_imported,
        "spacy_load_s": parse["load_s"],
        "extract_s": extract_s,
        "parse_s": parse["s"],
        "extract_other_s": extract_s - parse["s"],
        "embed_load_s": t_embed_loaded - t_extracted,
        "align_s": t_done - t_embed_loaded,
        "align_embed_s": embedding["s"],
        "embedded_texts": embedding["texts"],
        "total_after_imports_s": t_done - t_imported,
        "total_s": t_done - t_start,
        "sentences_parsed": parse["sentences"],
        "chars_parsed": parse["chars"],
        "tokens_parsed": parse["tokens"],
        "chars_total": sum(len(a.text) for a in arts),
        "sentences_total": sum(len(split_sentences(a.text)) for a in arts),
        "mentions": len(mentions),
        "indirect": sum(m.kind == "indirect" for m in mentions),
        "quotes": len(quotes),
        "quotes_in_2_plus_articles": sum(len(q.articles) > 1 for q in quotes),
        "paraphrased": sum(o.fidelity == "paraphrased" for q in quotes for o in q.occurrences),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


# -- setup and runs -------------------------------------------------------------------------------


def make_store(db: Path, files: Sequence[Path], *, one_story: bool) -> tuple[int, int]:
    """A fresh store of `files`; (story id, its article count). `one_story`: all in one story by hand."""
    db.unlink(missing_ok=True)
    if one_story:
        timed_cli(db, "ingest", "--no-stories", "--format", "json", *map(str, files))
        from storyline.model import Story
        from storyline.store import open_store

        store = open_store(f"sqlite:///{db}")
        ids = [a.id for a in store.iter_articles() if a.id is not None]
        store.save_stories([Story(1, "quotes benchmark", None, None, len(ids))], [(i, 1, None) for i in ids])
        store.close()
        return 1, len(ids)
    timed_cli(db, "ingest", "--format", "json", *map(str, files))
    stories = json.loads(timed_cli(db, "stories", "--format", "json")[1])
    biggest = max(stories, key=lambda s: s["article_count"])
    return int(biggest["id"]), int(biggest["article_count"])


def clear_cache(db: Path) -> None:
    """Forget every cached quote (the next run extracts again)."""
    with sqlite3.connect(db) as conn:
        conn.execute("DELETE FROM article_quotes")
    conn.close()


def run_worker(db: Path, story_id: int) -> dict[str, Any]:
    """The worker in a fresh process; its figures and its wall time seen from here."""
    cmd = [sys.executable, __file__, "--worker", str(db), "--story", str(story_id)]
    start = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    if done.returncode:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"failed: {' '.join(cmd)}")
    result: dict[str, Any] = json.loads(done.stdout)
    result["process_wall_s"] = wall
    return result


def median(runs: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Per key: the median of numbers, else the first run's value; rounded."""
    out: dict[str, Any] = {}
    for key, value in runs[0].items():
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            m = statistics.median(r[key] for r in runs)
            out[key] = round(m, 3) if isinstance(m, float) else m
        else:
            out[key] = value
    return out


def measure(db: Path, story_id: int, repeat: int) -> dict[str, Any]:
    """Cold and warm worker runs, then cold and warm CLI runs, each `repeat` times."""
    cold, warm = [], []
    for _ in range(repeat):
        clear_cache(db)
        cold.append(run_worker(db, story_id))
        warm.append(run_worker(db, story_id))
    c = median(cold)
    c["articles_per_s"] = round(c["articles"] / c["extract_s"], 1)
    c["ms_per_article"] = round(1000 * c["extract_s"] / c["articles"], 1)
    c["sentences_parsed_per_s"] = round(c["sentences_parsed"] / c["parse_s"], 1)
    c["tokens_parsed_per_s"] = round(c["tokens_parsed"] / c["parse_s"])
    cli: dict[str, list[float]] = {k: [] for k in ("story_cold", "story_warm", "jsonl_cold", "jsonl_warm")}
    counts: dict[str, set[int]] = {
        "story": {r["quotes"] for r in cold + warm},
        "jsonl": {r["mentions"] for r in cold + warm},
    }
    for _ in range(repeat):
        for fmt, args in (("story", ("--story", str(story_id), "--format", "json")), ("jsonl", ("--format", "jsonl"))):
            clear_cache(db)
            wall, out = timed_cli(db, "quotes", *args)
            cli[f"{fmt}_cold"].append(wall)
            wall, out = timed_cli(db, "quotes", *args)
            cli[f"{fmt}_warm"].append(wall)
            counts[fmt].add(len(json.loads(out)) if fmt == "story" else sum(1 for line in out.splitlines() if line))
    # Every run saw the same articles: a different count means extraction is not deterministic (or
    # the code changed during the run).
    warnings = [
        f"{what} differ between runs: {sorted(counts[k])}"
        for k, what in (("jsonl", "mentions"), ("story", "quotes"))
        if len(counts[k]) > 1
    ]
    return {
        "cold": c,
        "warm": median(warm),
        "cli_s": {k: round(statistics.median(v), 3) for k, v in cli.items()},
        "cli_quotes": max(counts["story"]),
        "cli_mentions": max(counts["jsonl"]),
        "warnings": warnings,
    }


def print_summary(r: dict[str, Any]) -> None:
    """A compact table of the figures."""
    print(
        f"quotes benchmark ({r['machine']}), median of {r['repeat']}; target: 50-article story < {TARGET_S:.0f} s cold"
    )
    for name, s in r["stories"].items():
        c, w, cli = s["cold"], s["warm"], s["cli_s"]
        print(
            f"\n{name}: {c['articles']} articles, {c['chars_total'] / 1000:.0f}k chars;"
            f" {c['sentences_parsed']} of {c['sentences_total']} sentences parsed ({c['tokens_parsed']} tokens);"
            f" {c['mentions']} mentions ({c['indirect']} indirect) -> {c['quotes']} quotes,"
            f" {c['quotes_in_2_plus_articles']} in 2+ articles, {c['paraphrased']} paraphrased"
        )
        print(
            f"  cold worker  process {c['process_wall_s']:.2f} s = imports {c['import_s']:.2f}"
            f" + read {c['read_story_s']:.2f} + spaCy load {c['spacy_load_s']:.2f}"
            f" + extract {c['extract_s']:.2f} (parse {c['parse_s']:.2f}, rest {c['extract_other_s']:.2f})"
            f" + embedder load {c['embed_load_s']:.2f} + align {c['align_s']:.2f}"
            f" (embedding {c['align_embed_s']:.2f}, {c['embedded_texts']} texts) + interpreter;"
            f" peak {c['peak_rss_mb']:.0f} MB"
        )
        print(
            f"  extraction   {c['articles_per_s']} articles/s ({c['ms_per_article']} ms/article),"
            f" parse {c['sentences_parsed_per_s']} sentences/s, {c['tokens_parsed_per_s']} tokens/s"
        )
        print(
            f"  warm worker  process {w['process_wall_s']:.2f} s = imports {w['import_s']:.2f}"
            f" + read {w['read_story_s']:.2f} + spaCy load {w['spacy_load_s']:.2f}"
            f" + cached quotes {w['extract_s']:.2f} + embedder load {w['embed_load_s']:.2f}"
            f" + align {w['align_s']:.2f}; after imports {w['total_after_imports_s']:.2f} s;"
            f" peak {w['peak_rss_mb']:.0f} MB"
        )
        print(
            f"  CLI          quotes --story: cold {cli['story_cold']:.2f} s, warm {cli['story_warm']:.2f} s"
            f" ({s['cli_quotes']} quotes);  quotes --format jsonl: cold {cli['jsonl_cold']:.2f} s,"
            f" warm {cli['jsonl_warm']:.2f} s ({s['cli_mentions']} mentions)"
        )
        for warning in s["warnings"]:
            print(f"  WARNING: {warning}")
    verdict = {True: "met", False: "NOT met", None: "not applicable (needs --n 50 or more)"}[r["target_met"]]
    print(f"\ntarget {verdict}: `quotes --story` on {r['n']} articles, cold, {r['target_s']:.2f} s")


def main(argv: list[str] | None = None) -> int:
    """Build the stores, run the measured processes, print the summary and the JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--n", type=int, default=50, help="PolNeAR articles in the story (first by name)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each measurement; the median is reported")
    parser.add_argument("--eval-dir", type=Path, default=DEFAULT_EVAL)
    parser.add_argument("--workdir", type=Path, help="where the stores go (default: a temporary folder)")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the JSON result here")
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)  # internal: one measured run on this db
    parser.add_argument("--story", type=int, default=1, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(args.worker, args.story)))
        return 0
    files = sorted((args.eval_dir / "quotes" / "polnear-dev" / "text").glob("*.txt"))[: args.n]
    if len(files) < args.n:
        raise SystemExit(f"only {len(files)} PolNeAR texts under {args.eval_dir}")
    work = args.workdir or Path(tempfile.mkdtemp(prefix="storyline-bench-quotes-"))
    work.mkdir(parents=True, exist_ok=True)
    stories = {}
    for name, db, source, one_story in (
        (f"polnear-{args.n}", work / "polnear.db", files, True),
        ("seeds", work / "seeds.db", sorted(SEEDS.glob("*.txt")), False),
    ):
        story_id, count = make_store(db, source, one_story=one_story)
        stories[name] = {"story_id": story_id, "story_articles": count, **measure(db, story_id, args.repeat)}
    if not args.workdir:
        shutil.rmtree(work, ignore_errors=True)
    target_s = stories[f"polnear-{args.n}"]["cli_s"]["story_cold"]
    result = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "n": args.n,
        "repeat": args.repeat,
        "target_s": target_s,
        "target_met": target_s < TARGET_S if args.n >= 50 else None,
        "stories": stories,
    }
    print_summary(result)
    print(json.dumps(result, indent=2))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
