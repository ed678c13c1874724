"""Optional contradiction scoring with a user-supplied ONNX NLI cross-encoder.

No natural-language-inference model ships on PyPI, so Storyline finds conflicts from the parse,
numbers, dates and embeddings, and uses an NLI model only when given one (``--nli-model DIR``).
Nothing is downloaded at run time.

A compatible directory holds three files, as written by a HuggingFace ONNX export of a
sequence-classification NLI model such as ``cross-encoder/nli-deberta-v3-base`` or
``roberta-large-mnli``::

    DIR/
        model.onnx       inputs input_ids, attention_mask and optionally token_type_ids
                         (int64 or int32, shape [batch, tokens]); first output: logits [batch, labels]
        tokenizer.json   a HuggingFace ``tokenizers`` file whose post-processor builds sentence pairs
        config.json      with ``id2label``, e.g. {"0": "contradiction", "1": "entailment", "2": "neutral"}

One way to make one, on a machine with network access and ``pip install optimum[exporters]``::

    optimum-cli export onnx --model cross-encoder/nli-deberta-v3-base --task text-classification DIR

Labels are matched case-insensitively: a name containing "contradict", "neutral" or "entail". The
model must have a contradiction and an entailment label; neutral is optional (scored 0 when
absent). Two-label models (entailment / not_entailment) are refused: "not entailed" does not tell
a contradiction from an unrelated pair.

Pairs are (premise, hypothesis); NLI models are not symmetric, so :func:`contradiction` scores
both orders.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from ..errors import NliModelError, OptionsError

log = logging.getLogger(__name__)

__all__ = ["NliModel", "NliModelError", "NliScores", "OnnxNliModel", "contradiction", "load_nli"]

#: Model inputs Storyline knows how to fill; input_ids is required.
_KNOWN_INPUTS = ("input_ids", "attention_mask", "token_type_ids")
_INT_TYPES: dict[str, type[np.integer[Any]]] = {"tensor(int64)": np.int64, "tensor(int32)": np.int32}
_KINDS = ("entailment", "neutral", "contradiction")


@dataclass(frozen=True, slots=True)
class NliScores:
    """Probabilities of the three NLI relations for one (premise, hypothesis) pair; they sum to 1."""

    entailment: float
    neutral: float
    contradiction: float


class NliModel(Protocol):
    """Anything that scores (premise, hypothesis) pairs; tests may pass their own."""

    def score(self, pairs: Sequence[tuple[str, str]]) -> list[NliScores]:
        """One :class:`NliScores` per pair, in order."""
        ...


def _label_columns(id2label: object, config: Path) -> tuple[dict[str, int], int]:
    """Which logit column holds each relation, from the ``id2label`` of the file `config`.

    Returns:
        ``{"entailment": i, "contradiction": j}``, plus ``"neutral"`` when the model has it, and the
        number of labels (logit columns).

    Raises:
        NliModelError: the mapping is malformed, a label is unknown or repeated, or the
            contradiction or entailment label is missing.
    """
    if not isinstance(id2label, dict) or not id2label:
        raise NliModelError(f"{config} has no id2label mapping (column index -> label name)")
    try:
        names = {int(key): str(value) for key, value in id2label.items()}
    except ValueError:
        raise NliModelError(f"{config}: id2label keys must be column numbers (got {sorted(id2label)})") from None
    if sorted(names) != list(range(len(names))):
        raise NliModelError(f"{config}: id2label keys must be 0..{len(names) - 1} (got {sorted(names)})")
    columns: dict[str, int] = {}
    for index, name in sorted(names.items()):
        kind = _label_kind(name, config)
        if kind in columns:
            raise NliModelError(f"{config}: id2label names {kind} twice ({names[columns[kind]]!r} and {name!r})")
        columns[kind] = index
    for required in ("contradiction", "entailment"):
        if required not in columns:
            raise NliModelError(
                f"{config}: id2label has no {required} label (labels: {', '.join(names.values())}); "
                "Storyline needs a 3-label NLI model (entailment, neutral, contradiction)"
            )
    return columns, len(names)


def _label_kind(name: str, config: Path) -> str:
    lowered = name.lower()
    if "contradict" in lowered:
        return "contradiction"
    if "neutral" in lowered:
        return "neutral"
    if "entail" in lowered and not lowered.startswith(("not", "non")):
        return "entailment"
    raise NliModelError(
        f"{config}: id2label has the label {name!r}, which is not entailment, neutral or contradiction; "
        "Storyline needs a 3-label NLI model"
    )


def _required_file(directory: Path, name: str) -> Path:
    path = directory / name
    if not path.is_file():
        raise NliModelError(f"{path} is missing: an NLI model directory needs model.onnx, tokenizer.json, config.json")
    return path


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise NliModelError(f"{path} is not readable JSON: {_first_line(exc)}") from None
    if not isinstance(data, dict):
        raise NliModelError(f"{path} is not a JSON object")
    return data


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


class OnnxNliModel:
    """An NLI cross-encoder exported to ONNX, run with onnxruntime (see the module docstring).

    Create once per process: loading a large model takes seconds.
    """

    def __init__(self, directory: Path | str, *, max_tokens: int = 256, batch_size: int = 16) -> None:
        """Load the model, tokenizer and labels from `directory`.

        Args:
            directory: holds model.onnx, tokenizer.json and config.json.
            max_tokens: a pair longer than this is cut (longest side first) to this many tokens.
            batch_size: pairs per model call.

        Raises:
            OptionsError: max_tokens or batch_size cannot work.
            NliModelError: the directory, a file, the labels or the model's inputs are unusable.
        """
        if not 8 <= max_tokens <= 4096:
            raise OptionsError(f"max_tokens must be between 8 and 4096 (got {max_tokens})")
        if batch_size < 1:
            raise OptionsError(f"batch_size must be at least 1 (got {batch_size})")
        self.directory = Path(directory)
        if not self.directory.is_dir():
            raise NliModelError(f"NLI model directory {self.directory} does not exist or is not a directory")
        self.max_tokens = max_tokens
        self.batch_size = batch_size
        config = _required_file(self.directory, "config.json")
        self._columns, self._n_labels = _label_columns(_read_json(config).get("id2label"), config)
        self._load_tokenizer(_required_file(self.directory, "tokenizer.json"))
        self._load_session(_required_file(self.directory, "model.onnx"))
        log.debug("loaded NLI model %s (labels %s)", self.directory, self._columns)

    def _load_tokenizer(self, path: Path) -> None:
        from tokenizers import Tokenizer

        try:
            tokenizer = Tokenizer.from_file(str(path))
        except Exception as exc:  # the Rust side raises a plain Exception for any malformed file
            raise NliModelError(f"{path} is not a HuggingFace tokenizers file: {_first_line(exc)}") from None
        padding = tokenizer.padding
        pad_id = padding["pad_id"] if padding else None
        if pad_id is None:
            pad_id = next((i for t in ("[PAD]", "<pad>") if (i := tokenizer.token_to_id(t)) is not None), 0)
        self._pad_id: int = pad_id
        tokenizer.enable_truncation(self.max_tokens)  # longest_first: the longer of premise and hypothesis
        tokenizer.no_padding()  # each batch is padded to its own longest pair in _run
        self._tokenizer = tokenizer

    def _load_session(self, path: Path) -> None:
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = os.cpu_count() or 1
        options.inter_op_num_threads = 1
        try:
            session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        except Exception as exc:  # onnxruntime raises its own classes (InvalidProtobuf, Fail, …) for a bad file
            raise NliModelError(f"not an ONNX model: {path} ({_first_line(exc)})") from None
        inputs = {i.name: i.type for i in session.get_inputs()}
        unknown = sorted(set(inputs) - set(_KNOWN_INPUTS))
        if "input_ids" not in inputs or unknown:
            raise NliModelError(
                f"{path} has inputs {sorted(inputs)}; an NLI model takes input_ids, attention_mask "
                "and optionally token_type_ids"
            )
        bad = sorted(name for name, kind in inputs.items() if kind not in _INT_TYPES)
        if bad:
            raise NliModelError(f"{path} inputs {bad} are not int64 or int32 tensors")
        self._input_types = {name: _INT_TYPES[kind] for name, kind in inputs.items()}
        width = session.get_outputs()[0].shape[-1]
        if isinstance(width, int) and width != self._n_labels:
            raise NliModelError(f"{path} gives {width} scores per pair but config.json names {self._n_labels} labels")
        self._session = session

    def score(self, pairs: Sequence[tuple[str, str]]) -> list[NliScores]:
        """Entailment, neutral and contradiction probabilities for each (premise, hypothesis) pair.

        Raises:
            NliModelError: the model fails on a batch or returns logits of the wrong shape.
        """
        if not pairs:
            return []
        encodings = self._tokenizer.encode_batch([(premise, hypothesis) for premise, hypothesis in pairs])
        order = np.argsort([len(e.ids) for e in encodings], kind="stable")
        probabilities = np.zeros((len(pairs), self._n_labels), dtype=np.float64)
        for start in range(0, len(order), self.batch_size):
            rows = order[start : start + self.batch_size]
            probabilities[rows] = self._run([encodings[i].ids for i in rows], [encodings[i].type_ids for i in rows])
        return [self._scores(row) for row in probabilities]

    def _run(self, ids: list[list[int]], type_ids: list[list[int]]) -> npt.NDArray[np.float64]:
        width = max(len(row) for row in ids)
        arrays = {name: np.zeros((len(ids), width), dtype=np.int64) for name in _KNOWN_INPUTS}
        arrays["input_ids"][:] = self._pad_id
        for row, (pieces, types) in enumerate(zip(ids, type_ids, strict=True)):
            arrays["input_ids"][row, : len(pieces)] = pieces
            arrays["attention_mask"][row, : len(pieces)] = 1
            arrays["token_type_ids"][row, : len(types)] = types
        feeds = {name: arrays[name].astype(dtype) for name, dtype in self._input_types.items()}
        try:
            logits = np.asarray(self._session.run(None, feeds)[0], dtype=np.float64)
        except Exception as exc:  # onnxruntime's errors carry no common base class
            raise NliModelError(f"the NLI model in {self.directory} failed: {_first_line(exc)}") from None
        if logits.shape != (len(ids), self._n_labels):
            raise NliModelError(
                f"the NLI model in {self.directory} returned logits of shape {logits.shape}, "
                f"expected ({len(ids)}, {self._n_labels})"
            )
        shifted = np.exp(logits - logits.max(axis=1, keepdims=True))  # stable softmax
        softmax: npt.NDArray[np.float64] = shifted / shifted.sum(axis=1, keepdims=True)
        return softmax

    def _scores(self, row: npt.NDArray[np.float64]) -> NliScores:
        values = {kind: float(row[self._columns[kind]]) if kind in self._columns else 0.0 for kind in _KINDS}
        return NliScores(**values)


def load_nli(path: str | Path | None) -> NliModel | None:
    """The NLI model in directory `path`, or None when no directory is given.

    Raises:
        NliModelError: the directory cannot be loaded (see :class:`OnnxNliModel`).
    """
    if path is None:
        return None
    return OnnxNliModel(path)


def contradiction(model: NliModel, a: str, b: str) -> float:
    """How likely `a` and `b` contradict each other, in either direction (NLI is not symmetric).

    Returns:
        The larger of the contradiction probabilities of (a, b) and (b, a).
    """
    forward, backward = model.score([(a, b), (b, a)])
    return max(forward.contradiction, backward.contradiction)
