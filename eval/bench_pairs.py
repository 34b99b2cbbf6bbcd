"""The pairs that matter to stance, scored both ways: the issue's targets and known failure cases.

    .venv/bin/python eval/bench_pairs.py [--model DIR] [--pairs eval/data/mission/pairs.tsv]

Each row of the pairs file names two claims a and b and the label `stance check` should give them
(contradiction / agreement / neutral). For each pair this prints entailment / neutral / contradiction
for a -> b and b -> a, the combined scores and label (`stance.judge`, without the near-duplicate
rule), and whether the label is the expected one. Exit code 0 whatever the labels (this is a
benchmark, not a gate); 1 when the pairs file or the model cannot be read.
"""
from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from stance.errors import StanceError  # noqa: E402
from stance.evaluation.pairs import confusion_matrix, per_class_scores  # noqa: E402
from stance.judge import Thresholds, combine, label_scores  # noqa: E402
from stance.nli import PRECISIONS, NLIModel  # noqa: E402
from stance.types import Scores  # noqa: E402

PAIRS = REPO / "eval" / "data" / "mission" / "pairs.tsv"
LABELS = ("contradiction", "agreement", "neutral")


def read_rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def confusion(expected: list[str], got: list[str]) -> str:
    """Counts per (expected, got) label, with each label's precision and recall ("-": undefined)."""
    matrix = confusion_matrix(expected, got, LABELS)
    per_label = per_class_scores(matrix, LABELS)
    corner = "expected / got"
    lines = [f"{corner:<16}" + "".join(f"{label:>15}" for label in LABELS) + f"{'recall':>9}"]
    for want, counts in zip(LABELS, matrix):
        recall = f"{per_label[want]['recall']:.2f}" if per_label[want]["support"] else "-"
        lines.append(f"{want:<16}" + "".join(f"{n:>15}" for n in counts) + f"{recall:>9}")
    precision = [f"{per_label[label]['precision']:.2f}" if any(row[i] for row in matrix) else "-"
                 for i, label in enumerate(LABELS)]
    lines.append(f"{'precision':<16}" + "".join(f"{p:>15}" for p in precision))
    return "\n".join(lines)


def triple(scores: Scores) -> str:
    return f"{scores.entailment:.2f} / {scores.neutral:.2f} / {scores.contradiction:.2f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", help="model directory or hub id (default: the shipped default model)")
    parser.add_argument("--pairs", type=Path, default=PAIRS)
    parser.add_argument("--precision", default="fp32", choices=PRECISIONS, help="fp32 (default), bf16, or auto")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)
    try:
        rows = read_rows(args.pairs)
        model = NLIModel.load(args.model, precision=args.precision)
    except (OSError, StanceError) as error:
        print(f"bench_pairs: {error}", file=sys.stderr)
        return 1
    inputs = [(r["a"], r["b"]) for r in rows] + [(r["b"], r["a"]) for r in rows]
    probs = model.predict(inputs)
    as_scores = [Scores(*map(float, row)) for row in probs]
    print(f"model {model.name} ({model.precision}); scores are entailment / neutral / contradiction")
    print(f"{'pair':<24} {'a -> b':<18} {'b -> a':<18} {'combined':<18} {'label':<14} expected")
    results, right = [], 0
    for row, forward, backward in zip(rows, as_scores, as_scores[len(rows):]):
        combined = combine(forward, backward)
        got = label_scores(combined, Thresholds())
        right += got == row["expected"]
        mark = "ok" if got == row["expected"] else "WRONG"
        print(f"{row['name']:<24} {triple(forward):<18} {triple(backward):<18} {triple(combined):<18} "
              f"{got:<14} {row['expected']} {mark}")
        results.append({"name": row["name"], "forward": forward.as_dict(), "backward": backward.as_dict(),
                        "combined": combined.as_dict(), "label": got, "expected": row["expected"]})
    print(f"{right} of {len(rows)} as expected")
    print(confusion([r["expected"] for r in results], [r["label"] for r in results]))
    if args.json:
        args.json.write_text(json.dumps({"model": model.name, "precision": model.precision, "pairs": results},
                                        indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
