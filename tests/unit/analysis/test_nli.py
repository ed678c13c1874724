"""The ONNX NLI loader, with a tiny real ONNX model and a real tokenizers file built in a temporary directory.

The model sums one embedding row per real token into three logits (columns ordered contradiction,
neutral, entailment, as in roberta-large-mnli, so the label mapping is exercised): ordinary words
push towards entailment, "not" and "never" towards contradiction, unknown words and [CLS] towards
neutral, and [PAD] would swamp everything if padding were not masked out.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from onnx import TensorProto

from storyline.analysis.nli import NliModel, NliModelError, NliScores, OnnxNliModel, contradiction, load_nli
from storyline.errors import OptionsError, StorylineError
from support.nli import WORDS, make_dir


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_dir(tmp_path_factory.mktemp("nli"))


@pytest.fixture(scope="module")
def nli(model_dir: Path) -> OnnxNliModel:
    return OnnxNliModel(model_dir)


def best(scores: NliScores) -> str:
    values = {"entailment": scores.entailment, "neutral": scores.neutral, "contradiction": scores.contradiction}
    return max(values, key=values.__getitem__)


def _matrix(scores: list[NliScores]) -> np.ndarray:
    return np.array([[s.entailment, s.neutral, s.contradiction] for s in scores])


def test_negation_is_contradiction_and_repetition_is_entailment(nli: OnnxNliModel) -> None:
    negated, same, unrelated = nli.score(
        [
            ("the talks will go on", "the talks will not go on"),
            ("the talks will go on", "the talks will go on"),
            ("weather", "bananas"),
        ]
    )
    assert best(negated) == "contradiction"
    assert best(same) == "entailment"
    assert best(unrelated) == "neutral"
    for scores in (negated, same, unrelated):
        assert scores.entailment + scores.neutral + scores.contradiction == pytest.approx(1.0)


def test_scores_match_the_softmax_of_the_logits_in_label_order(nli: OnnxNliModel) -> None:
    # [CLS] the talks [SEP] never [SEP]: contradiction 5, neutral 1, entailment 2 * 0.5 - 3
    (scores,) = nli.score([("the talks", "never")])
    expected = np.exp([5.0, 1.0, -2.0]) / np.exp([5.0, 1.0, -2.0]).sum()
    assert (scores.contradiction, scores.neutral, scores.entailment) == pytest.approx(list(expected), abs=1e-6)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.text(max_size=60), st.text(max_size=60)), max_size=5))
def test_scores_are_probabilities_for_any_text(nli: OnnxNliModel, pairs: list[tuple[str, str]]) -> None:
    results = nli.score(pairs)
    assert len(results) == len(pairs)
    for s in results:
        assert min(s.entailment, s.neutral, s.contradiction) >= 0.0
        assert s.entailment + s.neutral + s.contradiction == pytest.approx(1.0)


def test_batches_equal_one_pair_at_a_time(nli: OnnxNliModel) -> None:
    rng = np.random.default_rng(7)
    words = [*WORDS, "not", "never", "zebra"]
    pairs = [
        (" ".join(rng.choice(words, rng.integers(0, 12))), " ".join(rng.choice(words, rng.integers(1, 9))))
        for _ in range(40)
    ]
    together = nli.score(pairs)  # 3 batches of up to 16, each padded with [PAD] (which must be masked out)
    alone = [nli.score([pair])[0] for pair in pairs]
    assert np.allclose(_matrix(together), _matrix(alone), atol=1e-6)
    assert nli.score([]) == []


def test_long_pairs_are_truncated_to_max_tokens(model_dir: Path) -> None:
    short = OnnxNliModel(model_dir, max_tokens=8, batch_size=1)
    # 8 tokens kept of [CLS] + 30 words + [SEP] + "not" + [SEP]: the premise is cut, the "not" stays
    (scores,) = short.score([(" ".join(["the"] * 30), "not")])
    assert best(scores) == "contradiction"


class _Directional:
    """A fake NLI model that finds a contradiction only when the premise says "never"."""

    def score(self, pairs: Sequence[tuple[str, str]]) -> list[NliScores]:
        return [NliScores(0.1, 0.1, 0.8) if "never" in p else NliScores(0.6, 0.3, 0.1) for p, _ in pairs]


def test_contradiction_takes_the_larger_direction(nli: OnnxNliModel) -> None:
    fake: NliModel = _Directional()
    assert contradiction(fake, "they never met", "they met") == contradiction(fake, "they met", "they never met") == 0.8
    assert contradiction(fake, "they met", "they met") == 0.1
    a, b = "the talks will go on", "the talks will not go on"
    forward, backward = nli.score([(a, b), (b, a)])
    assert contradiction(nli, a, b) == contradiction(nli, b, a) == max(forward.contradiction, backward.contradiction)


def test_token_type_ids_come_from_the_tokenizer(tmp_path: Path) -> None:
    typed = OnnxNliModel(make_dir(tmp_path, token_types=True))
    # The hypothesis tokens are segment 1, which this model reads as strongly neutral.
    (same,) = typed.score([("the talks will go on", "the talks will go on")])
    assert best(same) == "neutral"


def test_int32_inputs_are_accepted(tmp_path: Path, nli: OnnxNliModel) -> None:
    narrow = OnnxNliModel(make_dir(tmp_path, dtype=TensorProto.INT32))
    pairs = [("the talks will go on", "the talks will not go on"), ("peace", "peace in march")]
    assert narrow.score(pairs) == nli.score(pairs)


def test_label_order_comes_from_config(tmp_path: Path) -> None:
    # Same logits, labels read the other way round: column 0 now means entailment.
    flipped = OnnxNliModel(make_dir(tmp_path, labels={"0": "entailment", "1": "neutral", "2": "contradiction"}))
    (scores,) = flipped.score([("the talks will go on", "the talks will not go on")])
    assert best(scores) == "entailment"


def test_a_model_without_neutral_scores_neutral_zero(tmp_path: Path) -> None:
    two = OnnxNliModel(make_dir(tmp_path, labels={"0": "contradiction", "1": "entailment"}, width=2))
    (scores,) = two.score([("the talks will go on", "the talks will not go on")])
    assert scores.neutral == 0.0 and scores.contradiction + scores.entailment == pytest.approx(1.0)


def test_load_nli(model_dir: Path) -> None:
    assert load_nli(None) is None
    assert isinstance(load_nli(model_dir), OnnxNliModel)
    assert isinstance(load_nli(str(model_dir)), OnnxNliModel)


def _break_dir(root: Path, case: str) -> Path:
    """A model directory broken in one way."""
    if case == "missing directory":
        return root / "nowhere"
    if case == "a file, not a directory":
        (root / "file").write_text("x")
        return root / "file"
    variants: dict[str, dict[str, object]] = {
        "two-label not_entailment model": {"labels": {"0": "entailment", "1": "not_entailment"}, "width": 2},
        "no entailment label": {"labels": {"0": "contradiction", "1": "neutral"}, "width": 2},
        "generic labels": {"labels": {"0": "LABEL_0", "1": "LABEL_1", "2": "LABEL_2"}},
        "repeated label": {"labels": {"0": "contradiction", "1": "Contradicts", "2": "entailment"}},
        "non-numeric id2label keys": {"labels": {"a": "contradiction", "b": "neutral", "c": "entailment"}},
        "gap in id2label keys": {"labels": {"0": "contradiction", "1": "neutral", "5": "entailment"}},
        "id2label is a list": {"labels": ["contradiction", "neutral", "entailment"]},
        "logits wider than labels": {"width": 4},
        "unknown model input": {"extra_input": "pixel_values"},
    }
    directory = make_dir(root / "model", **variants.get(case, {}))
    if case.endswith(" missing"):
        (directory / case.removesuffix(" missing")).unlink()
    elif case == "config without id2label":
        (directory / "config.json").write_text('{"model_type": "tiny"}')
    elif case == "config is a JSON list":
        (directory / "config.json").write_text("[]")
    elif case == "config not JSON":
        (directory / "config.json").write_text("{not json")
    elif case == "tokenizer not a tokenizer":
        (directory / "tokenizer.json").write_text('{"version": "1.0"}')
    elif case == "model not ONNX":
        (directory / "model.onnx").write_bytes(b"<html>not a model</html>\n" * 10)
    return directory


BROKEN = {
    "missing directory": "does not exist",
    "a file, not a directory": "not a directory",
    "model.onnx missing": "model.onnx is missing",
    "tokenizer.json missing": "tokenizer.json is missing",
    "config.json missing": "config.json is missing",
    "config without id2label": "no id2label",
    "config not JSON": "not readable JSON",
    "id2label is a list": "no id2label",
    "config is a JSON list": "not a JSON object",
    "two-label not_entailment model": "'not_entailment'",
    "no entailment label": "no entailment label",
    "generic labels": "'LABEL_0'",
    "repeated label": "contradiction twice",
    "non-numeric id2label keys": "column numbers",
    "gap in id2label keys": "keys must be 0..2",
    "tokenizer not a tokenizer": "not a HuggingFace tokenizers file",
    "model not ONNX": "not an ONNX model",
    "logits wider than labels": "gives 4 scores per pair but config.json names 3 labels",
    "unknown model input": "pixel_values",
}


@pytest.mark.parametrize(("case", "message"), BROKEN.items(), ids=list(BROKEN))
def test_unusable_directories_raise_one_line_errors(tmp_path: Path, case: str, message: str) -> None:
    with pytest.raises(NliModelError) as caught:
        load_nli(_break_dir(tmp_path, case))
    assert isinstance(caught.value, StorylineError)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize("kwargs", [{"max_tokens": 4}, {"batch_size": 0}])
def test_impossible_options_are_refused(model_dir: Path, kwargs: dict[str, int]) -> None:
    with pytest.raises(OptionsError):
        OnnxNliModel(model_dir, **kwargs)
