"""Embedding throughput: MiniLM int8 on onnxruntime, with and without spinning intra-op threads.

Embeds the sentences of PolNeAR articles (`../shared/eval/quotes`) alone, then beside `--busy`
processes that keep a core each busy (as extraction workers, a second ingest or the web app do),
and prints texts per second and CPU milliseconds per text for each session setting. The setting
Storyline uses is `nospin` (docs/benchmarks.md).

    .venv/bin/python bench/embed.py                 # 800 sentences, alone and beside 2 busy processes
    .venv/bin/python bench/embed.py --texts 2000 --busy 1 --rounds 3
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import time
from pathlib import Path

import onnxruntime as ort

from storyline.stories.embed import Embedder, EmbedOptions, model_file
from storyline.text.sentences import split_sentences

EVAL = Path(__file__).resolve().parents[1].parent / "shared" / "eval" / "quotes" / "polnear-dev" / "text"


def sentences(n: int) -> list[str]:
    texts: list[str] = []
    for path in sorted(EVAL.rglob("*")):
        if path.is_file():
            text = path.read_text(encoding="utf-8", errors="replace")
            texts += [s.text_in(text) for s in split_sentences(text)]
        if len(texts) >= n:
            break
    if not texts:
        raise SystemExit(f"no PolNeAR texts under {EVAL}")
    return texts[:n]


def embedder(spinning: bool) -> Embedder:
    """The library's embedder, with its session rebuilt with or without spinning threads."""
    embed = Embedder(EmbedOptions(max_tokens=128))
    options = ort.SessionOptions()
    options.intra_op_num_threads = embed.options.threads or multiprocessing.cpu_count()
    options.inter_op_num_threads = 1
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_BASIC
    options.add_session_config_entry("session.intra_op.allow_spinning", "1" if spinning else "0")
    embed._session = ort.InferenceSession(str(model_file()), options, providers=["CPUExecutionProvider"])
    return embed


def busy(stop: float) -> None:
    while time.monotonic() < stop:
        pass


def measure(texts: list[str], spinning: bool) -> tuple[float, float]:
    embed = embedder(spinning)
    embed(texts[:64])  # warm up
    before, start = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
    embed(texts)
    after, wall = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter() - start
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return len(texts) / wall, 1000 * cpu / len(texts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--texts", type=int, default=800)
    parser.add_argument("--busy", type=int, default=2, help="busy processes beside the second series")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    texts = sentences(args.texts)
    print(f"{len(texts)} sentences, {multiprocessing.cpu_count()} cores, onnxruntime {ort.__version__}")
    for others in (0, args.busy):
        hogs = [multiprocessing.Process(target=busy, args=(time.monotonic() + 3600,)) for _ in range(others)]
        for hog in hogs:
            hog.start()
        try:
            for _ in range(args.rounds):
                for spinning in (True, False):
                    rate, cpu = measure(texts, spinning)
                    name = "spin" if spinning else "nospin"
                    print(f"beside {others} busy: {name:6s} {rate:6.0f} texts/s  {cpu:5.2f} CPU-ms a text")
        finally:
            for hog in hogs:
                hog.terminate()


if __name__ == "__main__":
    main()
