"""Benchmark an NLI model on the French test splits: accuracy, macro-F1, pairs/s, load time, memory.

    .venv/bin/python eval/bench_nli.py [--model DIR] [--limit N] [--split xnli-fr/test ...]

--model defaults to the shipped default model; a stance embedded model directory or any transformers
sequence-classification directory works. Pairs are scored by `stance.nli.NLIModel`, the code
`stance check` serves with, so speed and accuracy are those of the tool. Splits are TSV files under --data (../shared/data/nli).
--limit scores a seeded random sample of N pairs per split (the full splits take a while on a CPU).
"""
from __future__ import annotations

import argparse
import json
import random
import resource
import sys
import time
from pathlib import Path

import numpy as np
import torch

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from stance.errors import StanceError  # noqa: E402
from stance.evaluation.pairs import confusion_matrix  # noqa: E402
from stance.nli import PRECISIONS, NLIModel  # noqa: E402
from stance.train import read_pairs, scores  # noqa: E402
from stance.types import NLI_LABELS  # noqa: E402

SPLITS = ["xnli-fr/test", "sick-fr/test", "rte3-fr/test", "gqnli-fr/test"]


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def confusion(gold: list[str], predicted: list[str]) -> str:
    corner = "gold \\ predicted"
    rows = [f"{corner:>18} " + " ".join(f"{label[:7]:>8}" for label in NLI_LABELS)]
    for g, counts in zip(NLI_LABELS, confusion_matrix(gold, predicted, NLI_LABELS)):
        rows.append(f"{g:>18} " + " ".join(f"{c:>8}" for c in counts))
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, help="model directory (default: the shipped default model)")
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data" / "nli")
    parser.add_argument("--split", action="append", help=f"split under --data (default: {', '.join(SPLITS)})")
    parser.add_argument("--limit", type=int, help="score a seeded sample of at most N pairs per split")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--max-length", type=int, default=128, help="tokens per pair (default 128)")
    parser.add_argument("--precision", default="fp32", choices=PRECISIONS,
                        help="fp32 (default), bf16, or auto (bf16 where native)")
    parser.add_argument("--threads", type=int, help="torch CPU threads")
    parser.add_argument("--confusion", action="store_true", help="print a confusion matrix per split")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)

    try:
        started = time.perf_counter()
        model = NLIModel.load(args.model, max_length=args.max_length, precision=args.precision)
        load_seconds = time.perf_counter() - started
    except StanceError as error:
        print(f"bench_nli: {error}", file=sys.stderr)
        return 1
    print(f"model {model.name} ({model.directory}): loaded in {load_seconds:.2f} s, RSS {rss_mb():.0f} MB, "
          f"max_length {model.max_length}, {model.precision}, {torch.get_num_threads()} threads")

    results = {"model": str(model.directory or model.name), "load_seconds": load_seconds,
               "max_length": model.max_length, "precision": model.precision, "splits": {}}
    print(f"{'split':<16} {'n':>6} {'accuracy':>9} {'macro-F1':>9} {'pairs/s':>8}")
    for split in args.split or SPLITS:
        try:
            pairs = read_pairs(args.data / f"{split}.tsv")
        except StanceError as error:
            print(f"bench_nli: {error}", file=sys.stderr)
            return 1
        if args.limit and len(pairs) > args.limit:
            pairs = random.Random(13).sample(pairs, args.limit)
        started = time.perf_counter()
        probs = model.predict([(p.premise, p.hypothesis) for p in pairs], batch_size=args.batch_size)
        predicted = [model.labels[i] for i in np.argmax(probs, axis=1)]
        seconds = time.perf_counter() - started
        result = scores([p.label for p in pairs], predicted) | {"pairs_per_second": len(pairs) / seconds}
        results["splits"][split] = result
        print(f"{split:<16} {result['n']:>6} {result['accuracy']:>9.4f} {result['macro_f1']:>9.4f} "
              f"{result['pairs_per_second']:>8.1f}", flush=True)
        if args.confusion:
            print(confusion([p.label for p in pairs], predicted))
    results["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {results['peak_rss_mb']:.0f} MB")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
