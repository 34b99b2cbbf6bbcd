"""An NLI model on labelled pairs: accuracy, macro-F1, per-class scores, confusion, calibration.

Three-way task: the predicted label is the most probable of entailment / neutral / contradiction.
Binary task (contradiction vs not_contradiction, see labelled.py): a pair is predicted a
contradiction when P(contradiction) >= `threshold`, as `stance check` decides.

Calibration is the top-label expected calibration error over 10 equal-width confidence bins
(0, 0.1], (0.1, 0.2] ... (0.9, 1.0], confidence 0 going to the first bin:
ECE = sum over bins of |bin| / n * |accuracy(bin) - mean confidence(bin)|. The confidence is
the probability of the predicted label: the top probability in the three-way task,
P(contradiction) or 1 - P(contradiction) in the binary one.

Whatever the task, `best_threshold` is the cut on P(contradiction) that maximises the F1 of
"contradiction vs the rest" on this dataset, with that F1: how far the default 0.5 of
`stance check` is from this dataset's best (an oracle figure, tuned on the test data itself).
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable, Optional, Sequence

import numpy as np

from ..types import NLI_LABELS
from .labelled import MAX_EXAMPLES, NOT_CONTRADICTION, LabelledSet

CALIBRATION_BINS = 10
_CONTRADICTION = NLI_LABELS.index("contradiction")


@dataclass(frozen=True)
class CalibrationBin:
    low: float
    high: float
    count: int
    accuracy: float
    confidence: float


@dataclass
class PairScores:
    """Everything measured on one dataset; `as_json()` is its entry in metrics.json."""
    name: str
    source: str
    task: str                                   # "3-way" or "binary"
    labels: tuple[str, ...]
    n: int
    accuracy: float
    macro_f1: float
    per_class: dict[str, dict[str, float]]      # label -> precision, recall, f1, support
    confusion: list[list[int]]                  # rows: gold label, columns: predicted label
    ece: float
    calibration: list[CalibrationBin]
    best_threshold: dict[str, Optional[float]]  # {"threshold", "contradiction_f1"}
    threshold: Optional[float] = None           # the binary task's cut on P(contradiction)
    pairs_per_s: float = 0.0
    seconds: float = 0.0
    rows: int = 0
    bad_rows: int = 0
    bad_examples: list[str] = field(default_factory=list)

    def as_json(self) -> dict:
        return {
            "n": self.n, "accuracy": self.accuracy, "macro_f1": self.macro_f1,
            "per_class": self.per_class,
            "confusion": {"labels": list(self.labels), "matrix": self.confusion},
            "ece": self.ece, "best_threshold": self.best_threshold,
            "pairs_per_s": self.pairs_per_s,
            "task": self.task, "threshold": self.threshold, "source": self.source,
            "rows": self.rows, "bad_rows": self.bad_rows, "bad_examples": self.bad_examples,
            "calibration": [vars(b) for b in self.calibration],
        }


def confusion_matrix(gold: Sequence[str], predicted: Sequence[str],
                     labels: Sequence[str]) -> list[list[int]]:
    index = {label: i for i, label in enumerate(labels)}
    matrix = [[0] * len(labels) for _ in labels]
    for g, p in zip(gold, predicted):
        matrix[index[g]][index[p]] += 1
    return matrix


def per_class_scores(matrix: list[list[int]], labels: Sequence[str]) -> dict[str, dict[str, float]]:
    """Precision, recall and F1 of each label; 0.0 where undefined (nothing predicted / no gold)."""
    scores = {}
    for i, label in enumerate(labels):
        tp = matrix[i][i]
        predicted = sum(row[i] for row in matrix)
        support = sum(matrix[i])
        precision = tp / predicted if predicted else 0.0
        recall = tp / support if support else 0.0
        f1 = 2 * tp / (predicted + support) if predicted + support else 0.0
        scores[label] = {"precision": precision, "recall": recall, "f1": f1, "support": support}
    return scores


def calibration_bins(confidence: np.ndarray, correct: np.ndarray,
                     bins: int = CALIBRATION_BINS) -> list[CalibrationBin]:
    """Equal-width bins (low, high]; empty bins are kept (count 0) so plots show the gaps."""
    edges = np.linspace(0.0, 1.0, bins + 1)
    index = np.clip(np.ceil(confidence * bins).astype(int) - 1, 0, bins - 1)
    result = []
    for b in range(bins):
        members = index == b
        count = int(members.sum())
        result.append(CalibrationBin(
            low=float(edges[b]), high=float(edges[b + 1]), count=count,
            accuracy=float(correct[members].mean()) if count else 0.0,
            confidence=float(confidence[members].mean()) if count else 0.0))
    return result


def expected_calibration_error(bins: list[CalibrationBin]) -> float:
    n = sum(b.count for b in bins)
    if not n:
        return 0.0
    return float(sum(b.count / n * abs(b.accuracy - b.confidence) for b in bins))


def best_contradiction_threshold(p_contradiction: np.ndarray,
                                 is_contradiction: np.ndarray) -> dict[str, Optional[float]]:
    """The cut t (predict contradiction when P >= t) with the best contradiction F1.

    Every distinct probability is a candidate cut; among equal F1s the highest cut wins
    (fewest contradictions claimed). No contradiction in the gold: no threshold, F1 0.
    """
    positives = int(is_contradiction.sum())
    if positives == 0 or len(p_contradiction) == 0:
        return {"threshold": None, "contradiction_f1": 0.0}
    order = np.argsort(-p_contradiction, kind="stable")
    sorted_p = p_contradiction[order]
    true_positives = np.cumsum(is_contradiction[order])
    predicted = np.arange(1, len(order) + 1)
    # Only the last position of a run of equal probabilities is a reachable cut.
    last_of_value = np.append(sorted_p[1:] != sorted_p[:-1], True)
    f1 = np.where(last_of_value, 2 * true_positives / (predicted + positives), -1.0)
    best = int(np.argmax(f1))
    return {"threshold": float(sorted_p[best]), "contradiction_f1": float(f1[best])}


def predicted_labels(probs: np.ndarray, binary: bool, threshold: float) -> tuple[list[str], np.ndarray]:
    """(labels, confidence in each label) for (n, 3) probabilities in NLI_LABELS order."""
    if binary:
        p = probs[:, _CONTRADICTION]
        contradiction = p >= threshold
        labels = ["contradiction" if c else NOT_CONTRADICTION for c in contradiction]
        return labels, np.where(contradiction, p, 1.0 - p)
    top = probs.argmax(axis=1)
    return [NLI_LABELS[i] for i in top], probs[np.arange(len(probs)), top]


def score(name: str, gold: Sequence[str], probs: np.ndarray, labels: Sequence[str],
          threshold: float = 0.5, source: str = "") -> PairScores:
    """Metrics of (n, 3) probabilities against gold labels; `labels` picks the task."""
    binary = NOT_CONTRADICTION in labels
    probs = np.asarray(probs, dtype=np.float64).reshape(-1, len(NLI_LABELS))
    predicted, confidence = predicted_labels(probs, binary, threshold)
    matrix = confusion_matrix(gold, predicted, labels)
    classes = per_class_scores(matrix, labels)
    correct = np.array([g == p for g, p in zip(gold, predicted)], dtype=bool)
    bins = calibration_bins(confidence, correct)
    n = len(gold)
    return PairScores(
        name=name, source=source, task="binary" if binary else "3-way", labels=tuple(labels),
        n=n, accuracy=float(correct.mean()) if n else 0.0,
        macro_f1=float(np.mean([c["f1"] for c in classes.values()])) if n else 0.0,
        per_class=classes, confusion=matrix, ece=expected_calibration_error(bins), calibration=bins,
        best_threshold=best_contradiction_threshold(
            probs[:, _CONTRADICTION], np.array([g == "contradiction" for g in gold], dtype=bool)),
        threshold=threshold if binary else None)


def evaluate_dataset(model, data: LabelledSet, labels: Sequence[str], threshold: float = 0.5,
                     batch_size: int = 32,
                     advance: Optional[Callable[[int], None]] = None) -> PairScores:
    """Score `data` with a loaded stance.nli.NLIModel (anything with its `predict`)."""
    started = time.perf_counter()
    probs = model.predict([(p.premise, p.hypothesis) for p in data.pairs],
                          batch_size=batch_size, advance=advance)
    seconds = time.perf_counter() - started
    result = score(data.name, [p.label for p in data.pairs], probs, labels, threshold, data.source)
    result.seconds = seconds
    result.pairs_per_s = len(data.pairs) / seconds if seconds > 0 else 0.0
    result.rows = data.rows
    result.bad_rows = len(data.bad_rows)
    result.bad_examples = [bad.message() for bad in data.bad_rows[:MAX_EXAMPLES]]
    return result


def below_minimum(results: Sequence[PairScores], min_accuracy: Optional[float],
                  min_macro_f1: Optional[float]) -> list[str]:
    """One line per dataset and metric under its minimum (the regression gate)."""
    failures = []
    for result in results:
        for metric, minimum in (("accuracy", min_accuracy), ("macro_f1", min_macro_f1)):
            value = getattr(result, metric)
            if minimum is not None and value < minimum:
                failures.append(f"{result.name}: {metric} {value:.4f} is below the minimum {minimum:.4f}")
    return failures
