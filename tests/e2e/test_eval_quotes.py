"""The PolNeAR quote evaluation (eval/quotes.py): its .ann parser and its scorer, on hand-made examples."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

EVAL_DIR = Path(__file__).resolve().parents[2] / "eval"


def _load() -> ModuleType:
    if str(EVAL_DIR) not in sys.path:
        sys.path.insert(0, str(EVAL_DIR))  # for its `from cli_runner import run_storyline`
    spec = importlib.util.spec_from_file_location("eval_quotes", EVAL_DIR / "quotes.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


q = _load()

TEXT = (
    "The Post reported that the team avoided the room to “keep details under wraps.” "  # 0..80
    "“We will win,” Mr. Barrett said. "  # 80..113
    "“It is over,” she said, “and we know it.” "  # 113..154
    "Officials said the plan was dead."  # 154..187
)


def _at(part: str) -> tuple[int, int]:
    start = TEXT.index(part)
    return start, start + len(part)


def _span(part: str) -> str:
    s, e = _at(part)
    return f"{s} {e}"


MIXED = "that the team avoided the room to “keep details under wraps.”"
BARRETT = "“We will win,”"
SHE_1, SHE_2 = "“It is over,”", "“and we know it.”"
PLAN = "the plan was dead"

ANN = "\n".join(
    [
        f"T1\tSource {_span('The Post')}\tThe Post",
        f"T2\tCue {_span('reported')}\treported",
        f"T3\tContent {_span(MIXED)}\t{MIXED}",
        f"T4\tAttribution {_span('reported')}\treported",
        "E1\tAttribution:T4 Content:T3 Cue:T2 Source:T1",
        f"T5\tSource {_span('Mr. Barrett')}\tMr. Barrett",
        f"T6\tContent {_span(BARRETT)}\t{BARRETT}",
        "E2\tAttribution:T5 Content:T6 Source:T5",
        f"T7\tSource {_span('she')}\tshe",
        # a split quote, fragments listed out of order as PolNeAR sometimes does
        f"T8\tContent {_span(SHE_2)};{_span(SHE_1)}\t{SHE_1} {SHE_2}",
        "E3\tAttribution:T7 Content:T8 Source:T7 Content2:T8",
        f"T9\tContent {_span(PLAN)}\t{PLAN}",
        f"T10\tCue {_span('said the')}\tsaid the",
        "E4\tAttribution-no-source:T10 Content:T9 Cue:T10",
        # malformed or unusable lines, as found in the corpus
        "",
        "a span text that ran on over a line break",
        "#1\tAnnotatorNotes T3\tis this a quote?",
        "E5\tAttribution-no-source:T11 ",
        "E6\t",
        "E7\tAttribution:T4 Content",
        "T12\tContent 5 x\tbad offsets",
    ]
)


@pytest.fixture
def gold() -> Any:
    return q.gold_from_ann("a1", TEXT, ANN)


def pred(part: str, kind: str = "direct", speaker: str | None = None, speaker_part: str | None = None) -> Any:
    s, e = _at(part)
    row = {"article": "a1", "kind": kind, "text": part, "start": s, "end": e, "speaker": speaker}
    if speaker_part:
        row["speaker_span"] = list(_at(speaker_part))
    return q.Prediction.from_json(row)


def test_parse_fragments_sorts_and_rejects_bad_offsets() -> None:
    assert q.parse_fragments("35 40;12 30") == [(12, 30), (35, 40)]
    with pytest.raises(ValueError):
        q.parse_fragments("5 x")
    with pytest.raises(ValueError):
        q.parse_fragments("9 3")


def test_parse_ann_skips_malformed_lines() -> None:
    spans, events, skipped = q.parse_ann(ANN)
    assert spans["T8"] == ("Content", sorted([_at(SHE_1), _at(SHE_2)]))
    assert "T12" not in spans
    assert [e[0] for e in events] == ["E1", "E2", "E3", "E4", "E5"]  # E5 parses but has no Content
    assert events[3] == ("E4", "Attribution-no-source", {"trigger": "T10", "Content": "T9", "Cue": "T10"})
    # the continuation line, the note, E6 (empty), E7 (key without target), T12 (bad offsets)
    assert skipped == 5


def test_gold_from_ann(gold: Any) -> None:
    quotes = {x.event: x for x in gold.quotes}
    assert sorted(quotes) == ["E1", "E2", "E3", "E4"]  # E5 has no Content
    assert gold.skipped_lines == 6
    assert quotes["E1"].direct and not quotes["E1"].pure  # mixed content
    assert quotes["E2"].direct and quotes["E2"].pure
    assert quotes["E2"].source_text == "Mr. Barrett"
    assert quotes["E3"].direct and quotes["E3"].pure
    assert quotes["E3"].fragments == [_at(SHE_1), _at(SHE_2)]
    assert quotes["E3"].size == len(SHE_1) + len(SHE_2)
    assert not quotes["E4"].direct and quotes["E4"].source is None and quotes["E4"].no_source
    assert len(gold.contents) == 4


def test_double_apostrophe_marks() -> None:
    text = "''It is over,'' she said. Aides said ''maybe.''"
    ann = "T1\tSource 16 19\tshe\nT2\tContent 0 15\t''It is over,''\nE1\tAttribution:T1 Content:T2 Source:T1"
    assert not q.gold_from_ann("n", text, ann).quotes[0].direct
    quote = q.gold_from_ann("n", text, ann, double_apostrophe=True).quotes[0]
    assert quote.direct and quote.pure


def test_ann_files_takes_the_first_annotator(tmp_path: Path) -> None:
    (tmp_path / "attributions").mkdir()
    for name in ("nyt_x_b2.ann", "nyt_x_a1.ann", "nyt_y_c3.ann"):
        (tmp_path / "attributions" / name).write_text("")
    assert {k: v.name for k, v in q.ann_files(tmp_path).items()} == {"nyt_x": "nyt_x_a1.ann", "nyt_y": "nyt_y_c3.ann"}


def test_perfect_predictions_score_one(gold: Any) -> None:
    preds = [
        pred(MIXED, speaker="The New York Post", speaker_part="The Post"),
        pred(BARRETT, speaker="John Barrett", speaker_part="Mr. Barrett"),
        pred(f"{SHE_1} she said, {SHE_2}", speaker="Jane Doe", speaker_part="she"),
        pred(PLAN, kind="indirect"),
    ]
    r = q.score([gold], preds)
    assert r["direct_recall"] == 1.0
    assert r["direct_precision"] == 1.0
    assert r["direct_f1"] == 1.0
    assert r["direct_precision_lenient"] == 1.0
    assert r["speaker_accuracy"] == 1.0
    assert r["speaker"]["correct_by_span"] == 3
    assert r["indirect"]["recall"] == 1.0
    assert r["counts"]["gold_direct"] == 3
    assert r["counts"]["gold_direct_pure"] == 2


def test_short_fragment_inside_mixed_gold_is_a_miss(gold: Any) -> None:
    r = q.score([gold], [pred("“keep details under wraps.”")])
    assert r["direct_recall"] == 0.0
    assert r["direct_precision"] == 0.0
    assert r["direct_precision_lenient"] == 0.0
    assert r["counts"]["pred_direct"] == 1


def test_split_quote_fragments_union(gold: Any) -> None:
    whole = pred(f"{SHE_1} she said, {SHE_2}")
    assert q.covers(gold.quotes[2].fragments, whole)
    # the first fragment alone is less than half of the union: a miss
    assert len(SHE_1) < 0.5 * (len(SHE_1) + len(SHE_2))
    assert not q.covers(gold.quotes[2].fragments, pred(SHE_1))
    # the second fragment alone is more than half: a match
    assert q.covers(gold.quotes[2].fragments, pred(SHE_2))
    r = q.score([gold], [pred(SHE_2)])
    assert r["direct_recall"] == pytest.approx(1 / 3)
    assert r["direct_precision"] == 1.0


def test_matching_is_one_to_one(gold: Any) -> None:
    # two predictions of the same quote: one matches, the other is a false positive
    r = q.score([gold], [pred(BARRETT), pred(BARRETT)])
    assert r["counts"]["matched_direct"] == 1
    assert r["direct_precision"] == 0.5
    # one prediction over two gold quotes matches one of them only
    pairs = q.match([[(0, 10)], [(10, 20)]], [q.Prediction("a", "direct", 0, 20)])
    assert pairs == [(0, 0)]


def test_lenient_precision_and_kinds(gold: Any) -> None:
    r = q.score([gold], [pred(PLAN, kind="direct"), pred(BARRETT, kind="indirect")])
    assert r["direct_precision"] == 0.0
    assert r["direct_precision_lenient"] == 1.0  # PLAN is a gold content without marks
    assert r["direct_recall"] == 0.0
    assert r["direct_recall_any_kind"] == pytest.approx(1 / 3)  # BARRETT, predicted as indirect
    assert r["indirect"]["recall"] == 0.0
    assert r["indirect"]["on_content"] == 1.0


def test_speaker_by_span_or_surname(gold: Any) -> None:
    barrett = gold.quotes[1]
    assert q.speaker_correct(barrett, pred(BARRETT, speaker="X", speaker_part="Barrett")) == "span"
    assert q.speaker_correct(barrett, pred(BARRETT, speaker="John Barrett")) == "name"
    assert q.speaker_correct(barrett, pred(BARRETT, speaker="Barrett's spokesman Mr. Jones")) is None
    assert q.speaker_correct(barrett, pred(BARRETT, speaker="John Smith", speaker_part="The Post")) is None
    assert q.speaker_correct(barrett, pred(BARRETT, speaker=None)) is None
    she = gold.quotes[2]
    # a pronoun source is right by span only
    assert q.speaker_correct(she, pred(SHE_1, speaker="Jane Doe", speaker_part="she")) == "span"
    assert q.speaker_correct(she, pred(SHE_1, speaker="Jane Doe")) is None
    assert q.surname("Donald J. Trump Jr.") == "trump"
    assert q.surname("the president") is None
    assert q.name_tokens("Mr. Trump's campaign manager") == ["trump"]


def test_speaker_accuracy_counts(gold: Any) -> None:
    text = TEXT + " “Fine,” an aide said."
    ann = ANN + f"\nT20\tContent {text.index('“Fine,”')} {text.index('“Fine,”') + 7}\t“Fine,”"
    ann += "\nE20\tAttribution-no-source:T20 Content:T20"
    g = q.gold_from_ann("a1", text, ann)
    fine = text.index("“Fine,”")
    preds = [
        pred(BARRETT, speaker="John Barrett"),  # right by name
        pred(f"{SHE_1} she said, {SHE_2}", speaker="Jane Doe"),  # pronoun gold, no span: wrong
        pred(MIXED, speaker=None),  # null: wrong
        q.Prediction("a1", "direct", fine, fine + 7, "“Fine,”"),  # gold without source, null speaker
    ]
    r = q.score([g], preds)
    assert r["direct_recall"] == 1.0
    assert r["speaker_accuracy"] == pytest.approx(1 / 3)
    s = r["speaker"]
    assert (s["matched_with_source"], s["correct"], s["correct_by_name"], s["null_speaker"]) == (3, 1, 1, 1)
    assert (s["pronoun_source"], s["pronoun_source_correct"]) == (1, 0)
    assert (s["matched_no_source"], s["no_source_null_speaker"]) == (1, 1)


def test_relocation_moves_prediction_and_speaker_span(gold: Any) -> None:
    s, e = _at(BARRETT)
    row = {"article": "a1", "kind": "direct", "text": BARRETT, "start": s + 4, "end": e + 4}
    row |= {"speaker": "Barrett", "speaker_span": [e + 1 + 4, e + 12 + 4]}  # " Mr. Barrett", shifted too
    p = q.Prediction.from_json(row)
    assert q.relocate(p, TEXT) == "moved"
    assert (p.start, p.end) == (s, e)
    assert TEXT[p.speaker_span[0] : p.speaker_span[1]] == "Mr. Barrett"
    lost = q.Prediction.from_json({"article": "a1", "kind": "direct", "text": "“Not here.”", "start": 3, "end": 14})
    assert q.relocate(lost, TEXT) == "lost"
    nbsp = TEXT.replace(" ", "\xa0")  # stored text has NBSP made a space: same offsets
    assert q.relocate(pred(BARRETT), nbsp) == "ok"
    r = q.score([gold], [q.Prediction.from_json(row)])
    assert r["counts"]["relocated"] == 1
    assert r["direct_recall"] == pytest.approx(1 / 3)


def test_read_predictions_and_unknown_articles(gold: Any) -> None:
    lines = [json.dumps({"article": "other", "kind": "direct", "text": "x", "start": 0, "end": 1}), ""]
    preds = q.read_predictions(lines)
    r = q.score([gold], preds, rejected=["a2"])
    assert r["counts"]["pred_unknown_article"] == 1
    assert r["counts"]["rejected_at_ingest"] == 1
    assert r["direct_recall"] == 0.0
    assert r["direct_precision"] == 0.0  # no direct predictions: 0, not a division error


def test_check_floors(tmp_path: Path) -> None:
    floors = tmp_path / "floors.json"
    floors.write_text(json.dumps({"quotes": {"direct_recall": 0.5, "indirect.recall": 0.2}}))
    assert q.check_floors({"direct_recall": 0.6, "indirect": {"recall": 0.3}}, floors) == []
    failures = q.check_floors({"direct_recall": 0.4, "indirect": {"recall": 0.3}}, floors)
    assert len(failures) == 1 and "direct_recall" in failures[0]
    assert q.check_floors({}, tmp_path / "missing.json") == []


def test_relocation_over_collapsed_white_space() -> None:
    raw = "Intro.\xa0 Then:\n\n“We won,” he said."
    stored = " ".join(raw.replace("\xa0", " ").split())  # the store collapsed the runs of white space
    s = stored.index("“We won,”")
    row = {"article": "a", "kind": "direct", "text": "“We won,”", "start": s, "end": s + 9}
    row |= {"speaker": "Smith", "speaker_span": [s + 10, s + 12], "speaker_text": "he"}
    p = q.Prediction.from_json(row)
    assert q.relocate(p, raw) == "moved"
    assert raw[p.start : p.end] == "“We won,”"
    assert raw[p.speaker_span[0] : p.speaker_span[1]] == "he"
    spread = q.Prediction.from_json({"article": "a", "kind": "direct", "text": "Intro. Then:", "start": 0, "end": 12})
    assert q.relocate(spread, raw) == "moved"
    assert (spread.start, spread.end) == (0, len("Intro.\xa0 Then:"))
