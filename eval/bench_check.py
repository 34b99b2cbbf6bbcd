"""Benchmark of `stance check` stages on a batch (default: the seeds).

    ./run python eval/bench_check.py [PATHS...] [--model DIR] [--repeat N]

Prints statements/s of extraction (spaCy model already loaded), pairs/s of the
NLI stage (both directions of every pair), the other stage timings, and peak
memory (max RSS of this process). Figures, not assertions: compare runs on the
same machine.
"""
from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from stance.extract import extract_statements  # noqa: E402
from stance.judge import judge  # noqa: E402
from stance.nli import PRECISIONS, NLIModel  # noqa: E402
from stance.pairs import article_anchors, build_pairs  # noqa: E402
from stance.readers import read_articles  # noqa: E402


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("paths", nargs="*", default=[str(ROOT / "seeds")])
    parser.add_argument("--model", default=None, help="NLI model (default: the embedded one)")
    parser.add_argument("--repeat", type=int, default=3, help="extraction repeats (best time is kept)")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--precision", default="fp32", choices=PRECISIONS, help="fp32 (default), bf16, or auto")
    args = parser.parse_args()

    t0 = time.perf_counter()
    articles, skipped = read_articles(args.paths)
    read_s = time.perf_counter() - t0
    extract_statements(articles[:1])  # loads the spaCy pipeline outside the timed runs
    best = float("inf")
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        extraction = extract_statements(articles)
        best = min(best, time.perf_counter() - t0)
    statements = extraction.statements

    t0 = time.perf_counter()
    pairs = build_pairs(statements, anchors=article_anchors(extraction))
    pair_s = time.perf_counter() - t0

    t0 = time.perf_counter()
    model = NLIModel.load(args.model, precision=args.precision)
    load_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    judgements = judge(pairs, model, batch_size=args.batch_size)
    nli_s = time.perf_counter() - t0

    labels = [j.label for j in judgements]
    print(f"articles            {len(articles)} read in {read_s:.3f}s ({len(skipped)} skipped)")
    print(f"extraction          {len(statements)} statements, {len(extraction.actors)} actors, "
          f"best of {args.repeat}: {best:.3f}s = {len(statements) / best:.1f} statements/s "
          f"({len(articles) / best:.2f} articles/s)")
    print(f"pairing             {len(pairs)} pairs in {pair_s:.3f}s (e5 embeddings + similarity)")
    print(f"nli model           {model.name} ({model.precision}) loaded in {load_s:.2f}s")
    print(f"nli                 {len(pairs)} pairs ({2 * len(pairs)} directions) in {nli_s:.3f}s = "
          f"{len(pairs) / nli_s if nli_s else float('inf'):.1f} pairs/s")
    print(f"labels              contradiction {labels.count('contradiction')}, "
          f"agreement {labels.count('agreement')}, neutral {labels.count('neutral')}")
    print(f"peak memory (RSS)   {peak_rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
