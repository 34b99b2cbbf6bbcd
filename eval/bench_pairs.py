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
from stance.evaluation.claims import judge_labelled, load_claim_pairs, score_claims  # noqa: E402
from stance.nli import PRECISIONS, NLIModel  # noqa: E402
from stance.types import Scores  # noqa: E402

PAIRS = REPO / "eval" / "data" / "mission" / "pairs.tsv"


def confusion(result) -> str:
    """Counts per (expected, got) label, with each label's precision and recall ("-": undefined)."""
    labels, matrix, per_label = result.labels, result.confusion, result.per_class
    corner = "expected / got"
    lines = [f"{corner:<16}" + "".join(f"{label:>15}" for label in labels) + f"{'recall':>9}"]
    for want, counts in zip(labels, matrix):
        recall = f"{per_label[want]['recall']:.2f}" if per_label[want]["support"] else "-"
        lines.append(f"{want:<16}" + "".join(f"{n:>15}" for n in counts) + f"{recall:>9}")
    precision = [f"{per_label[label]['precision']:.2f}" if any(row[i] for row in matrix) else "-"
                 for i, label in enumerate(labels)]
    lines.append(f"{'precision':<16}" + "".join(f"{p:>15}" for p in precision))
    return "\n".join(lines)


def triple(scores: Scores) -> str:
    return f"{scores.entailment:.2f} / {scores.neutral:.2f} / {scores.contradiction:.2f}"


def row_names(path: Path) -> dict[str, str]:
    """file:line -> the row's `name` column of a TSV file, to print beside its scores (other
    formats: none, and rows are shown by file:line)."""
    if path.suffix.lower() != ".tsv":
        return {}
    with path.open(encoding="utf-8", newline="") as f:
        return {f"{path}:{line}": row.get("name") or f"line {line}"
                for line, row in enumerate(csv.DictReader(f, delimiter="\t"), start=2)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", help="model directory or hub id (default: the shipped default model)")
    parser.add_argument("--pairs", type=Path, default=PAIRS)
    parser.add_argument("--precision", default="fp32", choices=PRECISIONS, help="fp32 (default), bf16, or auto")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)
    try:
        data = load_claim_pairs(args.pairs)
        names = row_names(args.pairs)
        model = NLIModel.load(args.model, precision=args.precision)
    except (OSError, StanceError) as error:
        print(f"bench_pairs: {error}", file=sys.stderr)
        return 1
    for bad in data.bad_rows:
        print(f"bench_pairs: skipped {bad.message()}", file=sys.stderr)
    judged = judge_labelled(model, data, near_duplicates=False)
    scored = score_claims(data.name, judged, near_duplicates=False)
    print(f"model {model.name} ({model.precision}); scores are entailment / neutral / contradiction")
    print(f"{'pair':<24} {'a -> b':<18} {'b -> a':<18} {'combined':<18} {'label':<14} expected")
    results = []
    for pair in judged:
        got = pair.label(scored.thresholds)
        mark = "ok" if got == pair.expected else "WRONG"
        print(f"{names.get(pair.where, pair.where):<24} {triple(pair.forward):<18} {triple(pair.backward):<18} "
              f"{triple(pair.combined):<18} {got:<14} {pair.expected} {mark}")
        results.append({"name": names.get(pair.where, pair.where), "forward": pair.forward.as_dict(),
                        "backward": pair.backward.as_dict(), "combined": pair.combined.as_dict(),
                        "label": got, "expected": pair.expected})
    right = sum(r["label"] == r["expected"] for r in results)
    print(f"{right} of {len(results)} as expected")
    print(confusion(scored))
    if args.json:
        try:
            args.json.write_text(json.dumps({"model": model.name, "precision": model.precision, "pairs": results},
                                            indent=2) + "\n")
        except OSError as error:
            print(f"bench_pairs: cannot write {args.json}: {error.strerror or error}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
