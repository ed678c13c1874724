"""A tiny ONNX NLI cross-encoder built in the test (model.onnx, tokenizer.json, config.json), to test the
loader and the report's use of it with a real onnxruntime session and no download."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
from tokenizers import Tokenizer, models, pre_tokenizers, processors

WORDS = ["the", "talks", "will", "go", "on", "kremlin", "said", "peace", "in", "march"]
VOCAB = {"[PAD]": 0, "[UNK]": 1, "[CLS]": 2, "[SEP]": 3, "not": 4, "never": 5} | {
    w: i for i, w in enumerate(WORDS, start=6)
}
LABELS = {"0": "CONTRADICTION", "1": "NEUTRAL", "2": "ENTAILMENT"}
ONNX_IR_VERSION = 10  # onnxruntime 1.18+ reads IR 10; onnx 1.23 would write 12 by default

ROWS = {"[PAD]": [100.0, 0.0, 0.0], "[UNK]": [0.0, 0.8, 0.0], "[CLS]": [0.0, 1.0, 0.0], "[SEP]": [0.0, 0.0, 0.0]}
ROWS |= {"not": [5.0, 0.0, -3.0], "never": [5.0, 0.0, -3.0]} | {w: [0.0, 0.0, 0.5] for w in WORDS}


def _embedding(width: int) -> np.ndarray:
    table = np.zeros((len(VOCAB), width), dtype=np.float32)
    for token, index in VOCAB.items():
        row = ROWS[token][:width]
        table[index, : len(row)] = row
    return table


def write_model(
    path: Path,
    *,
    token_types: bool = False,
    dtype: int = TensorProto.INT64,
    width: int = 3,
    extra_input: str | None = None,
) -> None:
    """logits[b] = sum over real tokens t of E[ids[b, t]] (+ T[token_type_ids[b, t]] when token_types)."""
    names = ["input_ids", "attention_mask"] + (["token_type_ids"] if token_types else [])
    names += [extra_input] if extra_input else []
    inputs = [helper.make_tensor_value_info(n, dtype, ["batch", "seq"]) for n in names]
    output = helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", width])
    inits = [
        numpy_helper.from_array(_embedding(width), "E"),
        numpy_helper.from_array(np.array([1]), "seq_axis"),
        numpy_helper.from_array(np.array([-1]), "last_axis"),
    ]
    nodes = [helper.make_node("Gather", ["E", "input_ids"], ["word"])]
    per_token = "word"
    if token_types:  # segment 1 (the hypothesis) adds 20 to neutral: proves the tokenizer's type ids arrive
        types = np.zeros((2, width), dtype=np.float32)
        types[1, 1] = 20.0
        inits.append(numpy_helper.from_array(types, "T"))
        nodes += [
            helper.make_node("Gather", ["T", "token_type_ids"], ["segment"]),
            helper.make_node("Add", ["word", "segment"], ["word_and_segment"]),
        ]
        per_token = "word_and_segment"
    nodes += [
        helper.make_node("Cast", ["attention_mask"], ["mask_f"], to=TensorProto.FLOAT),
        helper.make_node("Unsqueeze", ["mask_f", "last_axis"], ["mask3"]),
        helper.make_node("Mul", [per_token, "mask3"], ["masked"]),
        helper.make_node("ReduceSum", ["masked", "seq_axis"], ["summed"], keepdims=0),
    ]
    if extra_input:  # used, so that it stays a graph input
        nodes += [
            helper.make_node("Cast", [extra_input], ["extra_f"], to=TensorProto.FLOAT),
            helper.make_node("ReduceSum", ["extra_f", "seq_axis"], ["extra_sum"], keepdims=1),
            helper.make_node("Add", ["summed", "extra_sum"], ["logits"]),
        ]
    else:
        nodes.append(helper.make_node("Identity", ["summed"], ["logits"]))
    graph = helper.make_graph(nodes, "tiny_nli", inputs, [output], initializer=inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = ONNX_IR_VERSION
    onnx.checker.check_model(model)
    onnx.save(model, str(path))


def write_tokenizer(path: Path) -> None:
    tokenizer = Tokenizer(models.WordLevel(VOCAB, unk_token="[UNK]"))
    tokenizer.pre_tokenizer = pre_tokenizers.Whitespace()
    tokenizer.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]",
        pair="[CLS] $A [SEP] $B:1 [SEP]:1",
        special_tokens=[("[CLS]", VOCAB["[CLS]"]), ("[SEP]", VOCAB["[SEP]"])],
    )
    tokenizer.enable_padding(pad_id=VOCAB["[PAD]"], pad_token="[PAD]")
    tokenizer.save(str(path))


def make_dir(root: Path, labels: object = LABELS, **model_kwargs: Any) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    write_model(root / "model.onnx", **model_kwargs)
    write_tokenizer(root / "tokenizer.json")
    (root / "config.json").write_text(json.dumps({"model_type": "tiny", "id2label": labels}))
    return root
