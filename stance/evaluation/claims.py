"""stance's own judgement on labelled claim pairs: the label `stance check` gives each pair
(contradiction / agreement / neutral) against a gold label, and what other thresholds would do.

The NLI test sets score one direction and the most probable label; `stance check` scores both
directions, combines them (stance.judge.combine), calls near-duplicates agreements and applies
two thresholds. This module measures exactly that, on pairs a user has labelled:

* at the given thresholds: accuracy, macro-F1 (over the labels in the gold or the predictions),
  each label's precision / recall / F1, confusion;
* curves: each label's precision and recall as its own threshold moves over GRID (the other
  threshold held where it is): where to set a threshold for the precision a desk needs;
* best: the two thresholds (GRID values, or the given ones) with the best macro-F1 on the file. Tuned on the data being
  scored, so an oracle: an upper bound, not an estimate;
* cross-validated: the pairs split into two folds by a hash of their texts; thresholds tuned on
  one fold are scored on the other, beside the current thresholds on the same fold. The mean of
  the two held-out macro-F1s is what tuning on a file like this one can be expected to buy.
  With few pairs of a label it is noisy: the report gives each label's support.

Files: TSV/CSV/JSONL with a column per claim and one for the label (default a, b, expected),
read by stance.evaluation.labelled (bad rows are reported with file:line and skipped). The label
is contradiction, agreement or neutral; "entailment" is read as agreement; rows with no label are
skipped, so `stance check -f tsv` output labelled in part can be scored as it is.
"""
from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Optional, Sequence

import numpy as np

from ..judge import Thresholds, combine, label_scores, score_both_ways
from ..pairs import is_near_duplicate
from ..types import Scores
from .labelled import MAX_EXAMPLES, Columns, LabelledSet, load_labelled, parse_label_map
from .pairs import confusion_matrix, per_class_scores

CLAIM_LABELS = ("contradiction", "agreement", "neutral")
CLAIM_COLUMNS = Columns(premise="a", hypothesis="b", label="expected")
#: Threshold values the sweep tries, for each of the two thresholds.
GRID = tuple(round(0.05 * i, 2) for i in range(1, 20))
#: Wrongly labelled pairs kept for the report, at most.
MAX_ERRORS = 20
_AS_CLAIM_LABEL = {"entailment": "agreement", "neutral": "neutral", "contradiction": "contradiction"}


@dataclass(frozen=True)
class JudgedClaimPair:
    where: str                 # "file:line"
    a: str
    b: str
    expected: str              # one of CLAIM_LABELS
    forward: Scores            # a -> b
    backward: Scores           # b -> a
    combined: Scores
    near_duplicate: bool

    def label(self, thresholds: Thresholds) -> str:
        return label_scores(self.combined, thresholds, self.near_duplicate)


@dataclass
class ClaimScores:
    """Everything measured on one file; `as_json()` is its entry in metrics.json."""
    name: str
    source: str
    n: int
    thresholds: Thresholds
    accuracy: float
    macro_f1: float
    per_class: dict[str, dict[str, float]]
    confusion: list[list[int]]                  # rows: gold label, columns: stance's label
    curves: dict[str, list[dict[str, float]]]   # label -> [{threshold, precision, recall, predicted}]
    best: dict[str, float]                      # {contradiction, agreement, macro_f1}: the oracle
    cross_validated: dict
    errors: list[dict] = field(default_factory=list)
    near_duplicates: bool = True
    labels: tuple[str, ...] = CLAIM_LABELS
    pairs_per_s: float = 0.0
    rows: int = 0
    unlabelled: int = 0
    bad_rows: int = 0
    bad_examples: list[str] = field(default_factory=list)

    def as_json(self) -> dict:
        return {
            "n": self.n, "thresholds": vars(self.thresholds), "accuracy": self.accuracy,
            "macro_f1": self.macro_f1, "per_class": self.per_class,
            "confusion": {"labels": list(self.labels), "matrix": self.confusion},
            "best": self.best, "cross_validated": self.cross_validated, "curves": self.curves,
            "errors": self.errors, "near_duplicates": self.near_duplicates,
            "pairs_per_s": self.pairs_per_s, "source": self.source, "rows": self.rows,
            "unlabelled": self.unlabelled, "bad_rows": self.bad_rows, "bad_examples": self.bad_examples,
        }

    @classmethod
    def from_json(cls, name: str, m: dict) -> "ClaimScores":
        """Back from a metrics.json entry (eval/run_all.py rebuilds its tables so)."""
        return cls(name=name, source=m["source"], n=m["n"], thresholds=Thresholds(**m["thresholds"]),
                   accuracy=m["accuracy"], macro_f1=m["macro_f1"], per_class=m["per_class"],
                   confusion=m["confusion"]["matrix"], curves=m["curves"], best=m["best"],
                   cross_validated=m["cross_validated"], errors=m["errors"],
                   near_duplicates=m["near_duplicates"], labels=tuple(m["confusion"]["labels"]),
                   pairs_per_s=m["pairs_per_s"], rows=m["rows"], unlabelled=m.get("unlabelled", 0),
                   bad_rows=m["bad_rows"],
                   bad_examples=m["bad_examples"])


def load_claim_pairs(path: Path, columns: Columns = CLAIM_COLUMNS) -> LabelledSet:
    """Labelled claim pairs; each Pair's label is one of CLAIM_LABELS."""
    data = load_labelled(path, parse_label_map({"agreement": "entailment", "agree": "entailment",
                                                "agrees": "entailment"}), columns, unlabelled_ok=True,
                        label_hint="")
    data.pairs = [replace(pair, label=_AS_CLAIM_LABEL[pair.label]) for pair in data.pairs]
    return data


def judge_labelled(model, data: LabelledSet, batch_size: int = 32, near_duplicates: bool = True,
                   advance: Optional[Callable[[int], None]] = None) -> list[JudgedClaimPair]:
    """Score every pair both ways with a loaded stance.nli.NLIModel. Without `near_duplicates`
    the near-duplicate rule is off: every label is the model's."""
    both_ways = score_both_ways([(p.premise, p.hypothesis) for p in data.pairs], model,
                                batch_size=batch_size, advance=advance)
    return [JudgedClaimPair(where=p.source, a=p.premise, b=p.hypothesis, expected=p.label,
                            forward=forward, backward=backward, combined=combine(forward, backward),
                            near_duplicate=near_duplicates and is_near_duplicate(p.premise, p.hypothesis))
            for p, (forward, backward) in zip(data.pairs, both_ways)]


def macro_f1(judged: Sequence[JudgedClaimPair], thresholds: Thresholds) -> float:
    matrix = confusion_matrix([j.expected for j in judged], [j.label(thresholds) for j in judged],
                              CLAIM_LABELS)
    return _macro(matrix)


def _macro(matrix: list[list[int]]) -> float:
    """Mean F1 over the labels in the gold or the predictions: a sample with no gold agreement
    is not capped at 2/3 for it (as scikit-learn's default)."""
    scores = per_class_scores(matrix, CLAIM_LABELS)
    present = [label for i, label in enumerate(CLAIM_LABELS) if sum(matrix[i]) or any(row[i] for row in matrix)]
    return float(np.mean([scores[label]["f1"] for label in present])) if present else 0.0


def best_thresholds(judged: Sequence[JudgedClaimPair], start: Thresholds) -> tuple[Thresholds, float]:
    """The thresholds (GRID and `start`'s own) with the best macro-F1 on `judged`; ties go to the
    ones nearest `start`, so the best is never worse than `start`."""
    ranked = []
    for contradiction in sorted(set(GRID) | {start.contradiction}):
        for agreement in sorted(set(GRID) | {start.agreement}):
            candidate = Thresholds(contradiction=contradiction, agreement=agreement)
            distance = abs(contradiction - start.contradiction) + abs(agreement - start.agreement)
            ranked.append((-macro_f1(judged, candidate), distance, candidate))
    score, _, best = min(ranked, key=lambda item: item[:2])
    return best, -score


def fold_of(pair: JudgedClaimPair) -> int:
    """0 or 1, fixed by the pair's texts (not its row), so a re-sorted file keeps its folds."""
    return hashlib.sha1(f"{pair.a}\x1f{pair.b}".encode("utf-8")).digest()[0] % 2


def cross_validate(judged: Sequence[JudgedClaimPair], thresholds: Thresholds) -> dict:
    folds = [[j for j in judged if fold_of(j) == k] for k in (0, 1)]
    results = []
    for k in (0, 1):
        tuned_on, held_out = folds[1 - k], folds[k]
        if not tuned_on or not held_out:
            return {"folds": [], "tuned_macro_f1": None, "current_macro_f1": None}
        tuned, _ = best_thresholds(tuned_on, thresholds)
        results.append({"n": len(held_out), "tuned": vars(tuned),
                        "support": {label: sum(j.expected == label for j in held_out) for label in CLAIM_LABELS},
                        "tuned_macro_f1": macro_f1(held_out, tuned),
                        "current_macro_f1": macro_f1(held_out, thresholds)})
    return {"folds": results,
            "tuned_macro_f1": float(np.mean([r["tuned_macro_f1"] for r in results])),
            "current_macro_f1": float(np.mean([r["current_macro_f1"] for r in results]))}


def threshold_curves(judged: Sequence[JudgedClaimPair], thresholds: Thresholds) -> dict[str, list[dict]]:
    curves = {}
    for target in ("contradiction", "agreement"):
        points = []
        for value in GRID:
            moved = Thresholds(**{**vars(thresholds), target: value})
            got = [j.label(moved) for j in judged]
            scores = per_class_scores(confusion_matrix([j.expected for j in judged], got, CLAIM_LABELS),
                                      CLAIM_LABELS)[target]
            points.append({"threshold": value, "precision": scores["precision"],
                           "recall": scores["recall"], "predicted": got.count(target)})
        curves[target] = points
    return curves


def score_claims(name: str, judged: Sequence[JudgedClaimPair], thresholds: Thresholds = Thresholds(),
                 source: str = "", near_duplicates: bool = True) -> ClaimScores:
    """Metrics of judged pairs; `near_duplicates` records whether they were judged with that rule."""
    gold = [j.expected for j in judged]
    got = [j.label(thresholds) for j in judged]
    matrix = confusion_matrix(gold, got, CLAIM_LABELS)
    classes = per_class_scores(matrix, CLAIM_LABELS)
    best, best_f1 = best_thresholds(judged, thresholds) if judged else (thresholds, 0.0)
    errors = [{"where": j.where, "a": j.a, "b": j.b, "expected": j.expected, "label": label,
               "scores": j.combined.as_dict()}
              for j, label in zip(judged, got) if label != j.expected][:MAX_ERRORS]
    n = len(judged)
    return ClaimScores(
        name=name, source=source, n=n, thresholds=thresholds,
        accuracy=sum(g == p for g, p in zip(gold, got)) / n if n else 0.0,
        macro_f1=_macro(matrix) if n else 0.0,
        per_class=classes, confusion=matrix, curves=threshold_curves(judged, thresholds),
        best={"contradiction": best.contradiction, "agreement": best.agreement, "macro_f1": best_f1},
        cross_validated=cross_validate(judged, thresholds), errors=errors, near_duplicates=near_duplicates)


def evaluate_claims(model, data: LabelledSet, thresholds: Thresholds = Thresholds(), batch_size: int = 32,
                    near_duplicates: bool = True,
                    advance: Optional[Callable[[int], None]] = None) -> tuple[ClaimScores, list[JudgedClaimPair]]:
    """Judge `data` as `stance check` would and score the labels; also returns each judged pair."""
    started = time.perf_counter()
    judged = judge_labelled(model, data, batch_size=batch_size, near_duplicates=near_duplicates,
                            advance=advance)
    seconds = time.perf_counter() - started
    result = score_claims(data.name, judged, thresholds, data.source, near_duplicates)
    result.pairs_per_s = len(judged) / seconds if seconds > 0 else 0.0
    result.rows = data.rows
    result.unlabelled = data.unlabelled
    result.bad_rows = len(data.bad_rows)
    result.bad_examples = [bad.message() for bad in data.bad_rows[:MAX_EXAMPLES]]
    return result, judged
