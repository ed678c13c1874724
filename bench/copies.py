"""Copies benchmark: near-duplicate detection at 100k articles (rensa vs datasketch), and alignment cost.

**Corpus.** The real ECB+ and PolNeAR texts in ``../shared/eval`` (exact duplicates and texts under
50 words dropped), varied until there are ``--n`` of them. Text *i* is built on demand, so a run
never holds the whole corpus:

* the base texts first, unchanged;
* every 20th text (i % 20 == 19) is a reprint of text i - 7: a numbered sentence inserted, about
  5% of the words dropped and two neighbouring words swapped (a near-duplicate, Jaccard ~0.7);
* every 20th text (i % 20 == 9) is a trim of text i - 3: its first 60% of words and a numbered
  sentence (Jaccard ~0.5);
* every other text is copy *k* of a base text: half its words replaced by words drawn from the
  corpus vocabulary by frequency, and a numbered sentence inserted. Copies of one base text are
  then no nearer to each other than unrelated news (Jaccard ~0.01), so the LSH index sees a
  realistic mix: 10% planted near-duplicates, the rest distinct.

**Near-duplicate detection.** Each stage is timed separately, in batches of ``--batch`` texts
(building a batch's texts is not timed): (a) word 3-gram shingles (`storyline.analysis.copies.shingles`),
(b) MinHash signatures, 128 permutations, (c) LSH insert of all signatures, then a query for every
signature, to candidate pairs, 64 bands of 2 rows (threshold 0.2, as `CopyOptions`), (d) keeping
the candidates whose estimated Jaccard is at least 0.2 (vectorised over the digests). rensa runs
its batch paths (`RMinHash.from_token_sets`, `RMinHashLSH.insert_many`, `query_all`); datasketch
runs `MinHash.bulk` (tokens encoded to bytes, counted in its signature time) and a `MinHashLSH`
insertion session, then `query` per signature. rensa runs at ``--n``; datasketch, much slower,
at ``--ds-n`` (both also at ``--ds-n``, on the same texts, for the agreement and a like-for-like
ratio). Each run is its own subprocess: its peak RSS (``ru_maxrss``) before and after the LSH
stage is its own.

**Agreement.** On the ``--ds-n`` sample: overlap of the two libraries' candidate pairs and kept
pairs, their recall of the planted near-duplicates, and, on the union of kept pairs, how many
have an exact shingle Jaccard of at least 0.2 and how many of those each library found.

**Alignment.** Real article pairs: ECB+ articles within one topic (short texts) and PolNeAR
articles in groups of 20 (long texts), every pair within a group. Timed apart: sentence splitting,
MiniLM sentence embedding (`default_embedder(128)`), `align` over every pair; then
`find_copies(group, embed)` end to end (which embeds again, runs LSH and builds links).

    python bench/copies.py                  # 100k rensa, 10k datasketch, alignment
    python bench/copies.py --n 20000 --ds-n 5000 --json
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import re
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

DEFAULT_EVAL = Path(__file__).resolve().parents[2] / "shared" / "eval"
TARGET = 5000.0  # articles/s, signatures + LSH
NUM_PERM, SEED, THRESHOLD, BANDS = 128, 42, 0.2, 64
_WORD = re.compile(r"\w+")
_PLACES = ("Lisbon", "Denver", "Osaka", "Nairobi", "Quito", "Tallinn", "Perth", "Lyon", "Accra", "Hanoi")

Pairs = npt.NDArray[np.int64]  # pair (i, j), i < j, as i * 2**32 + j, sorted


# -- corpus -------------------------------------------------------------------------------------


def load_texts(eval_dir: Path) -> list[tuple[str, str]]:
    """(id, text) of the ECB+ and PolNeAR articles: at least 50 words, no exact duplicates."""
    out: list[tuple[str, str]] = []
    with (eval_dir / "stories" / "ecbplus-dev.articles.jsonl").open(encoding="utf-8") as fh:
        out += [(f"ecb-{r['id']}", r["text"]) for r in map(json.loads, filter(str.strip, fh))]
    for path in sorted((eval_dir / "quotes").glob("polnear-*/text/*.txt")):
        out.append((f"polnear-{path.stem}", path.read_text(encoding="utf-8")))
    seen: set[str] = set()
    kept = []
    for ext_id, text in out:
        if text not in seen and len(_WORD.findall(text)) >= 50:
            seen.add(text)
            kept.append((ext_id, text))
    return kept


def numbered_sentence(k: int) -> str:
    """A distinct, ordinary-looking sentence for text number `k`."""
    return (
        f"Update {k}: correspondents in {_PLACES[k % len(_PLACES)]} added that {k + 2} further accounts were checked."
    )


class Corpus:
    """Text `i` of a corpus of any size, built on demand from the base texts (see the module doc)."""

    def __init__(self, base: list[str]) -> None:
        self.base = base
        counts = Counter(w for t in base for w in t.split())
        self.vocab: list[str] = list(counts)
        weights = np.array(list(counts.values()), dtype=np.float64)
        self.cum = np.cumsum(weights / weights.sum())

    def planted(self, i: int) -> int | None:
        """The text that text `i` is a near-duplicate of (a reprint or a trim), if any."""
        if i < len(self.base):
            return None
        return i - 7 if i % 20 == 19 else i - 3 if i % 20 == 9 else None

    def text(self, i: int) -> str:
        """Text number `i`."""
        if i < len(self.base):
            return self.base[i]
        rng = np.random.default_rng(i)
        src = self.planted(i)
        if src is not None:
            words = self.text(src).split()
            if i % 20 == 9:
                return " ".join([*words[: max(20, len(words) * 3 // 5)], numbered_sentence(i)])
            words = [w for w, keep in zip(words, rng.random(len(words)) >= 0.05, strict=True) if keep]
            at = int(rng.integers(1, len(words) - 1))
            words[at], words[at + 1] = words[at + 1], words[at]
            return " ".join([*words[: len(words) // 2], numbered_sentence(i), *words[len(words) // 2 :]])
        words = self.base[i % len(self.base)].split()
        swap = rng.random(len(words)) < 0.5
        picks = np.searchsorted(self.cum, rng.random(int(swap.sum())))
        drawn = iter(picks.tolist())
        words = [self.vocab[next(drawn)] if s else w for w, s in zip(words, swap.tolist(), strict=True)]
        return " ".join([*words[: len(words) // 2], numbered_sentence(i), *words[len(words) // 2 :]])

    def batches(self, n: int, size: int) -> Iterator[list[str]]:
        """Texts 0 … n-1 in lists of `size`."""
        for start in range(0, n, size):
            yield [self.text(i) for i in range(start, min(n, start + size))]


@cache
def corpus(eval_dir: Path) -> Corpus:
    """The corpus over the base texts in `eval_dir`."""
    return Corpus([t for _, t in load_texts(eval_dir)])


# -- near-duplicate detection -------------------------------------------------------------------


@dataclass(slots=True)
class Clock:
    """Wall and CPU seconds per stage."""

    wall: dict[str, float]
    cpu: dict[str, float]

    def add(self, stage: str, wall: float, cpu: float) -> None:
        """Add one timed interval to `stage`."""
        self.wall[stage] = self.wall.get(stage, 0.0) + wall
        self.cpu[stage] = self.cpu.get(stage, 0.0) + cpu


class Timer:
    """``with Timer(clock, stage):`` adds the block's wall and CPU time to the clock."""

    def __init__(self, clock: Clock, stage: str) -> None:
        self.clock, self.stage = clock, stage

    def __enter__(self) -> None:
        self.t0, self.c0 = time.perf_counter(), time.process_time()

    def __exit__(self, *exc: object) -> None:
        self.clock.add(self.stage, time.perf_counter() - self.t0, time.process_time() - self.c0)


def to_pairs(candidates: Sequence[Sequence[int]]) -> Pairs:
    """Candidate lists per key (self included) to sorted unique i < j pair codes."""
    codes = [i << 32 | j for i, found in enumerate(candidates) for j in found if j > i]
    return np.unique(np.array(codes, dtype=np.int64))


def keep_similar(pairs: Pairs, digests: npt.NDArray[Any]) -> Pairs:
    """The pairs whose digests agree in at least THRESHOLD of their positions (estimated Jaccard)."""
    out = []
    for chunk in np.array_split(pairs, max(1, len(pairs) // 200_000)):
        same = (digests[chunk >> 32] == digests[chunk & 0xFFFFFFFF]).mean(axis=1)
        out.append(chunk[same >= THRESHOLD])
    return np.concatenate(out) if out else pairs


def run_rensa(texts: Iterator[list[str]], clock: Clock) -> tuple[Pairs, Pairs, dict[str, float]]:
    """Shingles, signatures, LSH and the estimated-Jaccard filter with rensa's batch paths."""
    from rensa import RMinHash, RMinHashLSH

    from storyline.analysis.copies import shingles

    hashes: list[Any] = []
    for batch in texts:
        with Timer(clock, "shingles"):
            sh = [shingles(t) for t in batch]
        with Timer(clock, "signatures"):
            hashes += RMinHash.from_token_sets(sh, NUM_PERM, SEED)
    rss_before = _rss_mb()
    lsh = RMinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM, num_bands=BANDS)
    with Timer(clock, "lsh_insert"):
        lsh.insert_many(hashes, 0)
    with Timer(clock, "lsh_query"):
        candidates = to_pairs(lsh.query_all(hashes))
    rss_after = _rss_mb()
    with Timer(clock, "verify"):
        kept = keep_similar(candidates, np.array([m.digest() for m in hashes], dtype=np.uint32))
    return candidates, kept, {"rss_before_lsh_mb": rss_before, "rss_after_lsh_mb": rss_after}


def run_datasketch(texts: Iterator[list[str]], clock: Clock) -> tuple[Pairs, Pairs, dict[str, float]]:
    """The same with datasketch: `MinHash.bulk` over encoded shingles, a `MinHashLSH` session."""
    from datasketch import MinHash, MinHashLSH

    from storyline.analysis.copies import shingles

    hashes: list[Any] = []
    for batch in texts:
        with Timer(clock, "shingles"):
            sh = [shingles(t) for t in batch]
        with Timer(clock, "signatures"):
            hashes += MinHash.bulk([[s.encode() for s in doc] for doc in sh], num_perm=NUM_PERM, seed=SEED)
    rss_before = _rss_mb()
    lsh = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM, params=(BANDS, NUM_PERM // BANDS))
    with Timer(clock, "lsh_insert"), lsh.insertion_session() as session:
        for i, m in enumerate(hashes):
            session.insert(i, m, check_duplication=False)
    with Timer(clock, "lsh_query"):
        candidates = to_pairs([lsh.query(m) for m in hashes])
    rss_after = _rss_mb()
    with Timer(clock, "verify"):
        kept = keep_similar(candidates, np.array([m.hashvalues for m in hashes]))
    return candidates, kept, {"rss_before_lsh_mb": rss_before, "rss_after_lsh_mb": rss_after}


def _rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def detect(library: str, n: int, batch: int, eval_dir: Path, out: Path) -> dict[str, Any]:
    """One library over texts 0 … n-1: stage timings and memory; pairs saved to `out`."""
    corp = corpus(eval_dir)
    clock = Clock({}, {})
    run = run_rensa if library == "rensa" else run_datasketch
    candidates, kept, memory = run(corp.batches(n, batch), clock)
    np.savez(out, candidates=candidates, kept=kept)
    lsh = clock.wall["lsh_insert"] + clock.wall["lsh_query"]
    sig_lsh = clock.wall["signatures"] + lsh
    total = sig_lsh + clock.wall["shingles"] + clock.wall["verify"]
    return {
        "library": library,
        "n": n,
        "wall_s": {k: round(v, 2) for k, v in clock.wall.items()},
        "cpu_s": {k: round(v, 2) for k, v in clock.cpu.items()},
        "per_s": {k: round(n / v) for k, v in clock.wall.items() if v},
        "signatures_lsh_per_s": round(n / sig_lsh),
        "total_s": round(total, 2),
        "total_per_s": round(n / total),
        "candidate_pairs": len(candidates),
        "kept_pairs": len(kept),
        **memory,
    }


def agreement(rensa: Path, datasketch: Path, n: int, eval_dir: Path) -> dict[str, Any]:
    """How far the two libraries' pairs over the same `n` texts agree, and against exact Jaccard."""
    from storyline.analysis.copies import shingles

    r, d = np.load(rensa), np.load(datasketch)
    corp = corpus(eval_dir)
    planted = np.array([s << 32 | i for i in range(n) if (s := corp.planted(i)) is not None and s >= 0], np.int64)
    union = np.union1d(r["kept"], d["kept"])
    sets: dict[int, frozenset[str]] = {}

    def exact(code: int) -> float:
        i, j = code >> 32, code & 0xFFFFFFFF
        a, b = (sets.setdefault(k, frozenset(shingles(corp.text(k)))) for k in (i, j))
        return len(a & b) / max(1, len(a | b))

    true = np.array([c for c in union.tolist() if exact(c) >= THRESHOLD], dtype=np.int64)
    return {
        "n": n,
        "candidates_rensa": len(r["candidates"]),
        "candidates_datasketch": len(d["candidates"]),
        "candidates_overlap": _jaccard(r["candidates"], d["candidates"]),
        "kept_rensa": len(r["kept"]),
        "kept_datasketch": len(d["kept"]),
        "kept_overlap": _jaccard(r["kept"], d["kept"]),
        "planted": len(planted),
        "planted_recall_rensa": _share(planted, r["kept"]),
        "planted_recall_datasketch": _share(planted, d["kept"]),
        "exact_ge_threshold": len(true),
        "exact_recall_rensa": _share(true, r["kept"]),
        "exact_recall_datasketch": _share(true, d["kept"]),
    }


def _jaccard(a: Pairs, b: Pairs) -> float:
    return round(len(np.intersect1d(a, b)) / max(1, len(np.union1d(a, b))), 4)


def _share(want: Pairs, got: Pairs) -> float:
    return round(len(np.intersect1d(want, got)) / max(1, len(want)), 4)


# -- alignment ----------------------------------------------------------------------------------


def align_groups(eval_dir: Path, limit: int, long_limit: int) -> dict[str, list[list[Any]]]:
    """Real articles in groups whose every pair is a candidate: ECB+ topics, PolNeAR runs of 20."""
    from storyline.ingest.extract import extract
    from storyline.model import Article, RawDocument

    ecb: dict[str, list[Any]] = {}
    polnear: list[Any] = []
    for ext_id, text in load_texts(eval_dir):
        art = extract(RawDocument(source="bench", external_id=ext_id, content=text.encode(), kind="text"))
        if not isinstance(art, Article):
            continue
        if ext_id.startswith("ecb-"):
            ecb.setdefault(ext_id[4:].split("_")[0], []).append(art)
        elif len(polnear) < long_limit:
            polnear.append(art)
    ecb_groups, total = [], 0
    for group in ecb.values():
        if total < limit:
            ecb_groups.append(group[: limit - total])
            total += len(ecb_groups[-1])
    groups = {"ecb+": ecb_groups, "polnear": [polnear[i : i + 20] for i in range(0, len(polnear), 20)]}
    return {name: g for name, g in groups.items() if g}


def time_alignment(groups: list[list[Any]], embed: Any) -> dict[str, Any]:
    """Split, embed and align every pair within each group (timed apart), then find_copies end to end."""
    from storyline.analysis import copies
    from storyline.text.sentences import split_sentences

    options = copies.CopyOptions()
    arts = [a for g in groups for a in g]
    t0 = time.perf_counter()
    split = [split_sentences(a.text) for a in arts]
    t1 = time.perf_counter()
    texts = [s.text_in(a.text) for a, sents in zip(arts, split, strict=True) for s in sents]
    vectors = embed(texts)
    t2 = time.perf_counter()
    docs, at = [], 0
    for a, sents in zip(arts, split, strict=True):
        words = [copies._content(s.text_in(a.text)) for s in sents]
        docs.append(copies._Doc(a, sents, words, vectors[at : at + len(sents)]))
        at += len(sents)
    t3 = time.perf_counter()
    pairs, start = 0, 0
    for g in groups:
        for i, j in itertools.combinations(range(start, start + len(g)), 2):
            copies.align(docs[i], docs[j], options)
            pairs += 1
        start += len(g)
    t4 = time.perf_counter()
    links = sum(len(copies.find_copies(g, embed, options)) for g in groups)
    t5 = time.perf_counter()
    return {
        "articles": len(arts),
        "groups": len(groups),
        "pairs": pairs,
        "sentences": len(texts),
        "sentences_per_article": round(len(texts) / len(arts), 1),
        "split_s": round(t1 - t0, 3),
        "embed_s": round(t2 - t1, 2),
        "sentences_embedded_per_s": round(len(texts) / (t2 - t1)),
        "content_words_s": round(t3 - t2, 3),
        "align_s": round(t4 - t3, 2),
        "align_pairs_per_s": round(pairs / (t4 - t3)),
        "align_ms_per_pair": round(1000 * (t4 - t3) / pairs, 3),
        "find_copies_s": round(t5 - t4, 2),
        "find_copies_pairs_per_s": round(pairs / (t5 - t4), 1),
        "find_copies_ms_per_pair": round(1000 * (t5 - t4) / pairs, 2),
        "links": links,
    }


def alignment(eval_dir: Path, limit: int, long_limit: int) -> dict[str, Any]:
    """Alignment figures for the ECB+ and PolNeAR groups."""
    from storyline.stories.embed import default_embedder

    embed = default_embedder(128)
    embed(["warm up"])
    return {name: time_alignment(groups, embed) for name, groups in align_groups(eval_dir, limit, long_limit).items()}


# -- driver -------------------------------------------------------------------------------------


def _child(args: argparse.Namespace, *extra: str) -> dict[str, Any]:
    common = ["--batch", str(args.batch), "--eval-dir", str(args.eval_dir)]
    done = subprocess.run([sys.executable, __file__, *common, *extra], capture_output=True, text=True, check=False)
    if done.returncode:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"failed: {' '.join(extra)}")
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def run_all(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    """Every detection run in its own subprocess, the agreement, then alignment here."""
    todo = [("rensa", args.n), ("datasketch", args.ds_n)] + ([("rensa", args.ds_n)] if args.ds_n != args.n else [])
    runs = {}
    for library, n in todo:
        out = work / f"{library}-{n}.npz"
        runs[f"{library}-{n}"] = _child(args, "--child", library, "--child-n", str(n), "--child-out", str(out))
    small_r, small_d = runs[f"rensa-{args.ds_n}"], runs[f"datasketch-{args.ds_n}"]
    paths = (work / f"rensa-{args.ds_n}.npz", work / f"datasketch-{args.ds_n}.npz")
    result: dict[str, Any] = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "target_signatures_lsh_per_s": TARGET,
        "detection": list(runs.values()),
        "speed_ratio_at_ds_n": {
            stage: round(small_d["wall_s"][stage] / small_r["wall_s"][stage], 1)
            for stage in ("signatures", "lsh_insert", "lsh_query")
        }
        | {
            "signatures_lsh": round(small_r["signatures_lsh_per_s"] / small_d["signatures_lsh_per_s"], 1),
            "total": round(small_r["total_per_s"] / small_d["total_per_s"], 1),
        },
        "agreement": agreement(*paths, args.ds_n, args.eval_dir),
    }
    if args.ds_n != args.n:
        result["datasketch_extrapolated_total_s_at_n"] = round(small_d["total_s"] * args.n / args.ds_n, 1)
    if args.align_n or args.align_long_n:
        result["alignment"] = alignment(args.eval_dir, args.align_n, args.align_long_n)
    return result


def print_table(r: dict[str, Any]) -> None:
    """The figures for people."""
    print(f"copies benchmark ({r['machine']}); target >= {TARGET:.0f} articles/s signatures + LSH")
    stages = ("shingles", "signatures", "lsh_insert", "lsh_query", "verify")
    print(
        f"{'library':<11}{'n':>8}"
        + "".join(f"{s + ' s':>13}" for s in stages)
        + "  sig+LSH/s  total/s  cand  kept  RSS MB"
    )
    for d in r["detection"]:
        print(
            f"{d['library']:<11}{d['n']:>8}"
            + "".join(f"{d['wall_s'][s]:>13}" for s in stages)
            + f"  {d['signatures_lsh_per_s']:>9} {d['total_per_s']:>8} {d['candidate_pairs']:>5} {d['kept_pairs']:>5}"
            + f"  {d['rss_before_lsh_mb']} -> {d['rss_after_lsh_mb']}"
        )
    print(f"speed ratio rensa/datasketch: {r['speed_ratio_at_ds_n']}")
    if "datasketch_extrapolated_total_s_at_n" in r:
        print(f"datasketch extrapolated to n: {r['datasketch_extrapolated_total_s_at_n']} s")
    print("agreement:", json.dumps(r["agreement"]))
    for name, a in r.get("alignment", {}).items():
        print(f"alignment {name}:", json.dumps(a))


def main(argv: list[str] | None = None) -> int:
    """Run the detection runs in subprocesses, the agreement and alignment here; print a table (or JSON)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--n", type=int, default=100_000, help="texts for the rensa run")
    parser.add_argument("--ds-n", type=int, default=100_000, help="texts for datasketch and the agreement")
    parser.add_argument("--batch", type=int, default=5000, help="texts shingled and signed at a time")
    parser.add_argument("--align-n", type=int, default=200, help="ECB+ articles aligned, by topic (0: skip)")
    parser.add_argument("--align-long-n", type=int, default=60, help="PolNeAR articles aligned, in 20s (0: skip)")
    parser.add_argument("--eval-dir", type=Path, default=DEFAULT_EVAL)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--child", choices=["rensa", "datasketch"], help=argparse.SUPPRESS)
    parser.add_argument("--child-n", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--child-out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(detect(args.child, args.child_n, args.batch, args.eval_dir, args.child_out)))
        return 0
    with tempfile.TemporaryDirectory(prefix="storyline-bench-") as tmp:
        result = run_all(args, Path(tmp))
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print_table(result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
