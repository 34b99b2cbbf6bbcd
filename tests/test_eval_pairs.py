"""`stance eval pairs`: metric math on hand-computed examples, loading with bad rows, a
forced-output tiny model end to end, the regression gate and exit codes."""
import json
import math
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from stance.cli import app
from stance.errors import InputError, UsageError
from stance.evaluation.labelled import BINARY_LABELS, load_labelled, parse_label_map
from stance.evaluation.pairs import (best_contradiction_threshold, calibration_bins,
                                     expected_calibration_error, predicted_labels, score)
from stance.types import NLI_LABELS

ROOT = Path(__file__).resolve().parent.parent
RTE3 = ROOT / "eval" / "data" / "rte3-fr" / "test.tsv"
GQNLI = ROOT / "eval" / "data" / "gqnli-fr" / "test.tsv"
E, N, C = NLI_LABELS


def one_hot(labels, confidence=0.8):
    rest = (1 - confidence) / 2
    return np.array([[confidence if label == name else rest for name in NLI_LABELS] for label in labels])


# --------------------------------------------------------------------------- metric math
def test_accuracy_macro_f1_per_class_and_confusion_by_hand():
    gold = [E, E, N, C, C, C]
    predicted = [E, N, N, C, C, E]
    result = score("hand", gold, one_hot(predicted), NLI_LABELS)
    assert result.confusion == [[1, 1, 0], [0, 1, 0], [1, 0, 2]]
    assert result.accuracy == pytest.approx(4 / 6)
    assert result.per_class[E] == pytest.approx({"precision": 0.5, "recall": 0.5, "f1": 0.5, "support": 2})
    assert result.per_class[N]["f1"] == pytest.approx(2 / 3)
    assert result.per_class[C]["precision"] == 1.0 and result.per_class[C]["recall"] == pytest.approx(2 / 3)
    assert result.macro_f1 == pytest.approx((0.5 + 2 / 3 + 0.8) / 3)


def test_expected_calibration_error_by_hand():
    confidence = np.array([0.95, 0.95, 0.65, 0.65])
    correct = np.array([True, False, True, True])
    bins = calibration_bins(confidence, correct)
    assert [b.count for b in bins] == [0, 0, 0, 0, 0, 0, 1 + 1, 0, 0, 2]
    # (0.9, 1]: accuracy 0.5 at confidence 0.95; (0.6, 0.7]: accuracy 1 at 0.65.
    assert expected_calibration_error(bins) == pytest.approx(2 / 4 * 0.45 + 2 / 4 * 0.35)


def test_calibration_bins_are_closed_on_the_right():
    bins = calibration_bins(np.array([0.7, 0.0, 1.0]), np.array([True, True, False]))
    assert bins[6].count == 1 and bins[0].count == 1 and bins[9].count == 1   # (0.6, 0.7], [0, 0.1], (0.9, 1]


def test_best_threshold_maximises_contradiction_f1():
    p = np.array([0.9, 0.8, 0.7, 0.2, 0.1])
    gold = np.array([True, False, True, False, False])
    best = best_contradiction_threshold(p, gold)
    assert best["threshold"] == pytest.approx(0.7) and best["contradiction_f1"] == pytest.approx(0.8)


def test_best_threshold_cannot_split_equal_probabilities():
    # Both pairs at 0.9 are contradictions or neither: F1 1.0 is out of reach.
    best = best_contradiction_threshold(np.array([0.9, 0.9, 0.1]), np.array([True, False, False]))
    assert best == {"threshold": pytest.approx(0.9), "contradiction_f1": pytest.approx(2 / 3)}
    assert best_contradiction_threshold(np.array([0.5]), np.array([False]))["threshold"] is None


def test_binary_prediction_uses_the_threshold_and_its_confidence():
    probs = np.array([[0.5, 0.15, 0.35], [0.5, 0.25, 0.25]])
    labels, confidence = predicted_labels(probs, binary=True, threshold=0.3)
    assert labels == ["contradiction", "not_contradiction"]
    assert confidence == pytest.approx([0.35, 0.75])
    result = score("b", ["contradiction", "contradiction"], probs, BINARY_LABELS, threshold=0.3)
    assert result.task == "binary" and result.accuracy == 0.5 and result.confusion == [[1, 1], [0, 0]]


# --------------------------------------------------------------------------- loading
def test_label_maps():
    binary = parse_label_map("contradiction=contradiction,compatibles=not_contradiction")
    assert binary.binary and binary.labels == BINARY_LABELS
    assert binary.target("Compatibles") == "not_contradiction"
    assert binary.target("neutral") == "not_contradiction"    # NLI labels default in a binary map
    three = parse_label_map("entails=entailment")
    assert not three.binary and three.target("ENTAILS") == E and three.target("contradiction") == C
    with pytest.raises(UsageError, match="unknown target 'maybe'"):
        parse_label_map("x=maybe")
    with pytest.raises(UsageError, match="binary"):
        parse_label_map("a=not_contradiction,b=neutral")


def test_bad_rows_are_counted_with_file_and_line(tmp_path):
    path = tmp_path / "mixed.tsv"
    path.write_text("premise\thypothesis\tlabel\n"
                    "Il pleut.\tIl fait sec.\tcontradiction\n"
                    "Il pleut.\t\tneutral\n"
                    "Il pleut.\tLe sol est mouillé.\tmaybe\n"
                    "Il neige.\tIl fait froid.\tENTAILMENT\n", encoding="utf-8")
    data = load_labelled(path, parse_label_map(None))
    assert [p.label for p in data.pairs] == [C, E]
    assert [bad.where for bad in data.bad_rows] == [f"{path}:3", f"{path}:4"]
    assert "empty premise or hypothesis" in data.bad_rows[0].reason
    assert "'maybe'" in data.bad_rows[1].reason and data.rows == 4


def test_datasets_directory_with_class_labels_and_splits(tmp_path):
    from datasets import ClassLabel, Dataset, DatasetDict, Features, Value

    features = Features({"premise": Value("string"), "hypothesis": Value("string"),
                         "label": ClassLabel(names=list(NLI_LABELS))})
    rows = {"premise": ["Il pleut.", "Il neige."], "hypothesis": ["Il fait sec.", "Il fait froid."],
            "label": [2, 0]}
    DatasetDict({"test": Dataset.from_dict(rows, features=features),
                 "train": Dataset.from_dict(rows, features=features)}).save_to_disk(str(tmp_path / "ds"))
    data = load_labelled(tmp_path / "ds", parse_label_map(None))
    assert [p.label for p in data.pairs] == [C, E] and data.name == "ds"
    with pytest.raises(InputError, match="no split 'dev'"):
        load_labelled(tmp_path / "ds", parse_label_map(None), split="dev")


def test_limit_takes_the_same_seeded_sample():
    first = load_labelled(RTE3, parse_label_map(None), limit=25)
    again = load_labelled(RTE3, parse_label_map(None), limit=25)
    assert len(first.pairs) == 25 and first.pairs == again.pairs and first.rows == 800
    assert [p.source for p in first.pairs] != [p.source for p in load_labelled(
        RTE3, parse_label_map(None)).pairs[:25]]   # a sample, not the first rows


# --------------------------------------------------------------------------- end to end
def run(*args):
    return CliRunner().invoke(app, ["eval", "pairs", *map(str, args)], catch_exceptions=False)


def test_forced_model_gives_the_expected_metrics_and_files(contradiction_model, tmp_path):
    out = tmp_path / "out"
    result = run(RTE3, GQNLI, "--model", contradiction_model, "--limit", 40, "-q", "-o", out)
    assert result.exit_code == 0, result.stderr
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["model"] == str(contradiction_model) and metrics["precision"] == "fp32"
    p_contradiction = math.exp(5) / (2 + math.exp(5))
    for name, path in (("rte3-fr/test", RTE3), ("gqnli-fr/test", GQNLI)):
        gold = [p.label for p in load_labelled(path, parse_label_map(None), limit=40).pairs]
        share = gold.count(C) / len(gold)
        m = metrics["datasets"][name]
        assert m["n"] == 40 and m["accuracy"] == pytest.approx(share)
        assert m["confusion"]["matrix"] == [[0, 0, gold.count(label)] for label in NLI_LABELS]
        assert m["macro_f1"] == pytest.approx(2 * share / (1 + share) / 3)
        assert m["ece"] == pytest.approx(abs(share - p_contradiction), abs=1e-5)
        assert m["per_class"][C]["recall"] == 1.0 and m["pairs_per_s"] > 0
        assert set(m) >= {"n", "accuracy", "macro_f1", "per_class", "confusion", "ece",
                          "best_threshold", "pairs_per_s"}
    assert "| rte3-fr/test |" in (out / "report.md").read_text()
    for png in ("rte3-fr-test-confusion.png", "gqnli-fr-test-reliability.png"):
        assert (out / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "| gqnli-fr/test |" in result.stdout     # the summary table of several datasets


def test_binary_label_map_end_to_end(tiny_model_dir, tmp_path):
    from tiny_model import build_tiny_model

    never = build_tiny_model(tmp_path / "never", bias=(5.0, 0.0, 0.0))  # P(contradiction) ~ 0.007
    data = tmp_path / "pairs.tsv"
    data.write_text("premise\thypothesis\tlabel\n"
                    "Il pleut.\tIl fait sec.\tcontradiction\n"
                    "Il pleut.\tLe sol est mouillé.\tcompatibles\n"
                    "Il neige.\tIl fait froid.\tcompatibles\n", encoding="utf-8")
    out = tmp_path / "out"
    result = run(data, "--model", never, "-q", "-o", out,
                 "--label-map", "contradiction=contradiction,compatibles=not_contradiction")
    assert result.exit_code == 0, result.stderr
    m = json.loads((out / "metrics.json").read_text())["datasets"]["pairs"]
    assert m["task"] == "binary" and m["confusion"] == {
        "labels": ["contradiction", "not_contradiction"], "matrix": [[0, 1], [0, 2]]}
    assert m["accuracy"] == pytest.approx(2 / 3)
    # A threshold under the model's P(contradiction) turns every pair into a contradiction.
    result = run(data, "--model", never, "-q", "-o", out, "--contradiction-threshold", 0.001,
                 "--label-map", "contradiction=contradiction,compatibles=not_contradiction")
    assert json.loads((out / "metrics.json").read_text())["datasets"]["pairs"]["accuracy"] == pytest.approx(1 / 3)


def test_gate_fails_with_exit_1_naming_the_dataset(contradiction_model):
    result = run(RTE3, "--model", contradiction_model, "--limit", 20, "-q", "--min-accuracy", 0.9)
    assert result.exit_code == 1
    assert "rte3-fr/test: accuracy" in result.stderr and "below the minimum 0.9000" in result.stderr
    passed = run(RTE3, "--model", contradiction_model, "--limit", 20, "-q", "--min-macro-f1", 0.0)
    assert passed.exit_code == 0


def test_bad_rows_are_reported_not_fatal(tiny_model_dir, tmp_path):
    data = tmp_path / "bad.tsv"
    data.write_text("premise\thypothesis\tlabel\nIl pleut.\tIl fait sec.\tcontradiction\n"
                    "Il pleut.\tIl neige.\tpeut-être\n", encoding="utf-8")
    out = tmp_path / "out"
    result = run(data, "--model", tiny_model_dir, "-q", "-o", out)
    assert result.exit_code == 0
    assert f"{data}:3" in result.stderr and "1 bad row" in result.stderr
    m = json.loads((out / "metrics.json").read_text())["datasets"]["bad"]
    assert m["n"] == 1 and m["bad_rows"] == 1 and m["bad_examples"][0].startswith(f"{data}:3")


def test_usage_errors_exit_2_with_one_line(tiny_model_dir, tmp_path):
    missing = run(tmp_path / "missing.tsv", "--model", tiny_model_dir)
    assert missing.exit_code == 2 and "missing.tsv" in missing.stderr
    assert len(missing.stderr.strip().splitlines()) == 1
    no_column = run(RTE3, "--model", tiny_model_dir, "--premise", "texte")
    assert no_column.exit_code == 2 and "no column 'texte'" in no_column.stderr
    bad_map = run(RTE3, "--model", tiny_model_dir, "--label-map", "oui")
    assert bad_map.exit_code == 2 and "--label-map" in bad_map.stderr
    bad_precision = run(RTE3, "--model", tiny_model_dir, "--precision", "int8")
    assert bad_precision.exit_code == 2 and "--precision: unknown value 'int8'" in bad_precision.stderr
    empty = tmp_path / "empty.tsv"
    empty.write_text("premise\thypothesis\tlabel\nIl pleut.\t\tneutral\n", encoding="utf-8")
    nothing = run(empty, "--model", tiny_model_dir)
    assert nothing.exit_code == 2 and "no usable pair" in nothing.stderr


def test_an_unusable_file_among_datasets_is_skipped_and_the_rest_scored(tiny_model_dir, tmp_path):
    empty = tmp_path / "empty.tsv"
    empty.write_text("premise\thypothesis\tlabel\nIl pleut.\t\tneutral\n", encoding="utf-8")
    out = tmp_path / "out"
    result = run(empty, GQNLI, "--model", tiny_model_dir, "-q", "--limit", 20, "-o", out)
    assert result.exit_code == 0
    assert f"{empty}: no usable pair" in " ".join(result.stderr.split()) and "(skipped)" in result.stderr
    metrics = json.loads((out / "metrics.json").read_text())
    assert list(metrics["datasets"]) == ["gqnli-fr/test"] and metrics["datasets"]["gqnli-fr/test"]["n"] == 20
    assert [s["path"] for s in metrics["skipped"]] == [str(empty)]
    assert "## Skipped" in (out / "report.md").read_text()
