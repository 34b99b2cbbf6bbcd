"""Benchmark an NLI model on the French test splits: accuracy, macro-F1, pairs/s, load time, memory.

    .venv/bin/python eval/bench_nli.py [--model DIR] [--limit N] [--split xnli-fr/test ...]

--model defaults to the shipped default model; a stance embedded model directory or any transformers
sequence-classification directory works. Splits are TSV files under --data (../shared/data/nli).
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

import torch

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from stance import encoder  # noqa: E402
from stance.errors import StanceError  # noqa: E402
from stance.train import predict, read_pairs, scores  # noqa: E402
from stance.types import NLI_LABELS  # noqa: E402

SPLITS = ["xnli-fr/test", "sick-fr/test", "rte3-fr/test", "gqnli-fr/test"]


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def load_model(path: Path):
    if (path / encoder.MANIFEST).is_file():
        tokenizer, model = encoder.load_embedded(path)
        return tokenizer, model, encoder.read_manifest(path)["max_length"]
    from transformers import AutoModelForSequenceClassification, AutoTokenizer
    tokenizer = AutoTokenizer.from_pretrained(str(path))
    model = AutoModelForSequenceClassification.from_pretrained(str(path)).eval()
    model.config.id2label = {i: str(name).lower() for i, name in model.config.id2label.items()}
    return tokenizer, model, 128


def confusion(gold: list[str], predicted: list[str]) -> str:
    corner = "gold \\ predicted"
    rows = [f"{corner:>18} " + " ".join(f"{label[:7]:>8}" for label in NLI_LABELS)]
    for g in NLI_LABELS:
        counts = [sum(1 for a, b in zip(gold, predicted) if a == g and b == p) for p in NLI_LABELS]
        rows.append(f"{g:>18} " + " ".join(f"{c:>8}" for c in counts))
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, help="model directory (default: the shipped default model)")
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data" / "nli")
    parser.add_argument("--split", action="append", help=f"split under --data (default: {', '.join(SPLITS)})")
    parser.add_argument("--limit", type=int, help="score a seeded sample of at most N pairs per split")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--max-length", type=int, help="default: the model's own")
    parser.add_argument("--threads", type=int, help="torch CPU threads")
    parser.add_argument("--confusion", action="store_true", help="print a confusion matrix per split")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)

    try:
        model_dir = args.model or encoder.default_model_dir()
        started = time.perf_counter()
        tokenizer, model, model_max_length = load_model(model_dir)
        load_seconds = time.perf_counter() - started
    except (StanceError, FileNotFoundError, OSError) as error:
        print(f"bench_nli: {error}", file=sys.stderr)
        return 1
    max_length = args.max_length or model_max_length
    print(f"model {model_dir}: loaded in {load_seconds:.2f} s, RSS {rss_mb():.0f} MB, "
          f"max_length {max_length}, {torch.get_num_threads()} threads")

    results = {"model": str(model_dir), "load_seconds": load_seconds, "max_length": max_length, "splits": {}}
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
        predicted = predict(model, tokenizer, pairs, batch_size=args.batch_size, max_length=max_length)
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
