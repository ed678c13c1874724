"""Story benchmark: embed + cluster speed for new articles as the store grows, and peak memory.

For each store size N (default 1k, 10k, 100k) a fresh SQLite store is filled with N articles
that already have vectors, features and stories, then `--new` real articles arrive and are
described (MiniLM vector, spaCy names, patterns) and clustered exactly as `storyline ingest`
does. Each size runs in its own subprocess so that its peak RSS is its own.

The stored articles are variants of the real ones in ``../shared/eval`` (ECB+ and PolNeAR):
variant *j* of an article has its text marked, its vector nudged (Gaussian noise, then
re-normalised), its names suffixed with *j* (another event of the same kind, with other people
and places) and its date moved by 45·*j* days. Stories are kept: variant *j* of a base story is
its own story. Base articles are described once, with the real models, and cached in --workdir.

    python bench/stories.py                       # 1k, 10k, 100k
    python bench/stories.py --sizes 1000 10000 --new 300 --json
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import pickle
import platform
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from storyline.ingest.extract import extract
from storyline.model import Article, Hints, RawDocument
from storyline.store import Store, open_store
from storyline.store.base import FeatureRow
from storyline.stories.builder import StoryBuilder, StoryOptions, _cache, describe, load_index
from storyline.stories.cluster import Member, StoryIndex, cluster_all
from storyline.stories.embed import MODEL_ID, default_embedder, to_bytes

DEFAULT_EVAL = Path(__file__).resolve().parents[2] / "shared" / "eval"
TARGET = 30.0  # articles/s, embed + cluster


def base_articles(eval_dir: Path) -> list[Article]:
    """The real articles the corpus is built from (ECB+ stories, PolNeAR political news)."""
    raw = [
        RawDocument(source="ecb+", external_id=r["id"], content=r["text"].encode(), kind="text")
        for r in map(json.loads, (eval_dir / "stories" / "ecbplus-dev.articles.jsonl").open(encoding="utf-8"))
    ]
    for path in sorted((eval_dir / "quotes").glob("polnear-*/text/*.txt")):
        # PolNeAR names its files publisher_date_slug: the date a feed would give.
        day = re.search(r"_(\d{4}-\d{2}-\d{2})_", path.stem)
        hints = Hints(published=dt.date.fromisoformat(day.group(1)) if day else None)
        raw.append(
            RawDocument(source="polnear", external_id=path.stem, content=path.read_bytes(), kind="text", hints=hints)
        )
    seen: set[str] = set()
    out: list[Article] = []
    for doc in raw:
        art = extract(doc)
        if isinstance(art, Article) and not {art.content_hash, art.url} & seen:
            seen |= {art.content_hash, art.url or art.content_hash}
            out.append(art)
    return out


def described_base(eval_dir: Path, workdir: Path) -> tuple[list[Article], list[Member]]:
    """Base articles with their vectors and features (computed once, then read from the cache)."""
    cache = workdir / "base.pickle"
    if cache.exists():
        data: tuple[list[Article], list[Member]] = pickle.loads(cache.read_bytes())
        return data
    arts = [dataclasses.replace(a, id=i + 1) for i, a in enumerate(base_articles(eval_dir))]
    options = StoryOptions()
    members = describe(arts, options, default_embedder(options.features.vector_tokens))
    cache.write_bytes(pickle.dumps((arts, members)))
    return arts, members


def variant(art: Article, member: Member, j: int, rng: np.random.Generator) -> tuple[Article, Member]:
    """Variant `j` of a base article: marked text, nudged vector, suffixed names, later date."""
    shift = dt.timedelta(days=45 * j)
    published = art.published + shift if art.published else None
    text = f"{art.text}\n\n(variant {j})"
    new = dataclasses.replace(
        art,
        external_id=f"{art.external_id}~{j}",
        text=text,
        content_hash=f"{art.content_hash[:56]}{j:08d}",
        url=f"{art.url}?v={j}" if art.url else None,
        published=published,
        id=None,
    )
    vec = member.vector + rng.normal(0, 0.02, member.vector.shape).astype(np.float32)
    f = member.loaded
    feats = dataclasses.replace(
        f,
        names={f"{k}~{j}" if j else k: c for k, c in f.names.items()},
        published=published,
        years={
            y + (published.year - art.published.year if published and art.published else 0): c
            for y, c in f.years.items()
        },
    )
    unit = vec / np.linalg.norm(vec)
    return new, Member(0, unit, feats, title=art.title, outlet=art.outlet, label=member.label, published=published)


def fill(store: Store, arts: list[Article], members: list[Member], size: int) -> None:
    """Store `size` variants with features and stories, in batches."""
    base_stories = {a.article_id: a.story_id for a in cluster_all(members)}
    per_copy = max(base_stories.values())
    rng = np.random.default_rng(7)
    index = StoryIndex()
    batch_arts: list[Article] = []
    batch_members: list[Member] = []

    def flush() -> None:
        stored = store.add_articles(batch_arts)
        rows, links = [], []
        for res, m in zip(stored, batch_members, strict=True):
            assert res.stored is not None and res.stored.id is not None, res
            m.article_id = res.stored.id
            rows.append(FeatureRow(m.article_id, MODEL_ID, to_bytes(m.vector), m.loaded.to_json(), m.label))
            links.append((m.article_id, m.story_id, None))
        store.save_features(rows)
        index.load(batch_members)
        store.save_stories([], links)
        batch_arts.clear()
        batch_members.clear()

    for n in range(size):
        j, i = divmod(n, len(arts))
        art, member = variant(arts[i], members[i], j + 1, rng)
        member.story_id = base_stories[members[i].article_id] + per_copy * j
        batch_arts.append(art)
        batch_members.append(member)
        if len(batch_arts) == 2000:
            flush()
    if batch_arts:
        flush()
    store.save_stories([index.summary(s) for s in index.stories], [])


def prepare(size: int, workdir: Path, eval_dir: Path) -> float:
    """Fill a fresh store of `size` articles (in its own process: its memory is not the measured run's)."""
    arts, members = described_base(eval_dir, workdir)
    db = workdir / f"stories-{size}.db"
    db.unlink(missing_ok=True)
    store = open_store(f"sqlite:///{db}")
    start = time.perf_counter()
    fill(store, arts, members, size)
    store.close()
    return time.perf_counter() - start


def measure(size: int, new: int, workdir: Path, eval_dir: Path) -> dict[str, Any]:
    """One filled store: time describe and cluster for `new` arriving articles."""
    arts, _members = described_base(eval_dir, workdir)
    db = workdir / f"stories-{size}.db"
    store = open_store(f"sqlite:///{db}")
    options = StoryOptions()
    embedder = default_embedder(options.features.vector_tokens)
    embedder(["warm up"])
    arriving = [dataclasses.replace(a, external_id=f"{a.external_id}~new", id=None) for a in arts[-new:]]
    arriving = [dataclasses.replace(a, content_hash=f"{a.content_hash[:60]}new0", url=None) for a in arriving]
    stored = [r.stored for r in store.add_articles(arriving) if r.stored is not None]
    start = time.perf_counter()
    index, _waiting, _version = load_index(store, options)
    load_s = time.perf_counter() - start
    start = time.perf_counter()
    described = describe(stored, options, embedder)
    _cache(store, described)
    describe_s = time.perf_counter() - start
    start = time.perf_counter()
    assignments = [index.assign(m) for m in described]
    summaries = [index.summary(s) for s in sorted(index.touched)]
    store.save_stories(summaries, [(a.article_id, a.story_id, a.score) for a in assignments])
    cluster_s = time.perf_counter() - start
    # The end of an ingest run: the stories the new articles touched are rebuilt from scratch.
    builder = StoryBuilder(store, options, embed=embedder)
    builder._index, builder.touched = index, set(index.touched)
    start = time.perf_counter()
    rebuilt = builder.finish()
    finish_s = time.perf_counter() - start
    store.close()
    db.unlink(missing_ok=True)
    return {
        "stored": size,
        "new": len(stored),
        "index_load_s": round(load_s, 2),
        "describe_per_s": round(len(stored) / describe_s, 1),
        "cluster_ms_per_article": round(1000 * cluster_s / len(stored), 2),
        "embed_cluster_per_s": round(len(stored) / (describe_s + cluster_s), 1),
        "finish_s": round(finish_s, 2),
        "finish_articles": rebuilt.analysed,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def _run(cmd: list[str]) -> dict[str, Any]:
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"failed: {' '.join(cmd)}")
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def main(argv: list[str] | None = None) -> int:
    """Run every size in its own subprocess and print the table (or JSON)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000, 100_000])
    parser.add_argument("--new", type=int, default=300, help="arriving articles timed at each size")
    parser.add_argument("--eval-dir", type=Path, default=DEFAULT_EVAL)
    parser.add_argument("--workdir", type=Path, help="keep the described base articles here")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # internal: measure one size in this process
    parser.add_argument("--fill", type=int, help=argparse.SUPPRESS)  # internal: fill one store in this process
    args = parser.parse_args(argv)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="storyline-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    if args.fill:
        print(json.dumps({"fill_s": round(prepare(args.fill, workdir, args.eval_dir), 1)}))
        return 0
    if args.one:
        print(json.dumps(measure(args.one, args.new, workdir, args.eval_dir)))
        return 0
    described_base(args.eval_dir, workdir)  # once, before the timed runs
    rows = []
    for size in args.sizes:
        common = ["--new", str(args.new), "--workdir", str(workdir), "--eval-dir", str(args.eval_dir)]
        filled = _run([sys.executable, __file__, "--fill", str(size), *common])
        rows.append({**_run([sys.executable, __file__, "--one", str(size), *common]), **filled})
    info = {"machine": f"{platform.machine()}, {__import__('os').cpu_count()} cores", "target_per_s": TARGET}
    if args.json:
        print(json.dumps({"runs": rows, **info}, indent=2))
        return 0
    print(f"stories benchmark ({info['machine']}); target >= {TARGET:.0f} articles/s embed + cluster")
    print(
        "stored   new  fill s  index load s  describe/s  cluster ms/article  embed+cluster/s"
        "  end-of-run rebuild s (articles)  peak MB"
    )
    for r in rows:
        print(
            f"{r['stored']:>7} {r['new']:>5} {r['fill_s']:>7} {r['index_load_s']:>13} {r['describe_per_s']:>11}"
            f" {r['cluster_ms_per_article']:>19} {r['embed_cluster_per_s']:>16}"
            f" {r['finish_s']:>22} ({r['finish_articles']}) {r['peak_rss_mb']:>8}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
