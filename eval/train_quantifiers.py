"""The quantifier experiments of session 9 (eval/selection-rules.md, items 5-7), one command each:

    ./run python eval/train_quantifiers.py data  [WORK]   generated pairs: training (French, English), held-out
    ./run python eval/train_quantifiers.py 10    [WORK]   stage 10: v4 + generated pairs + the stage-9 replay
    ./run python eval/train_quantifiers.py 10b   [WORK]   stage 10b: stage 10 + new generated pairs only (diagnostic)
    ./run python eval/train_quantifiers.py 11    [WORK]   stage 11: v4 + all generated pairs + a larger replay

WORK defaults to /tmp/q10; models go to /tmp/stance-nli-small-s<stage>. None of them shipped (the model
card has the figures). Stages 10 and 11 need eval/train_default.sh's prepared French files
($V1_WORK, default /tmp/stance-nli-v1-data: fr-train.tsv, hard-fr.tsv, fr-dev.tsv). Score a result with
`eval/bench_nli.py --model DIR --data WORK --split quant-heldout` and the other benchmarks.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from stance import quantifiers  # noqa: E402
from stance.augment import write_pairs  # noqa: E402
from stance.train import train  # noqa: E402

DATA = Path(os.environ.get("STANCE_NLI_DATA", REPO.parent / "shared" / "data"))
V1_WORK = Path(os.environ.get("V1_WORK", "/tmp/stance-nli-v1-data"))
V4 = REPO / "models" / "stance-nli-small-v4"
#: file name -> (count, language, seed, held-out words)
GENERATED = {"quant-fr.tsv": (4000, "fr", 13, False), "quant-en.tsv": (2000, "en", 13, False),
             "quant-fr-b.tsv": (6000, "fr", 21, False), "quant-en-b.tsv": (3000, "en", 21, False),
             "quant-heldout.tsv": (600, "fr", 14, True)}


def data(work: Path) -> None:
    for name, (n, lang, seed, heldout) in GENERATED.items():
        write_pairs(quantifiers.generate(n, lang, seed=seed, heldout=heldout), work / name)
        print(f"{work / name}: {n} pairs")


def stage(name: str, work: Path) -> None:
    ling, mnli = DATA / "nli-en/lingnli/train.tsv", DATA / "nli-en/mnli-dev/mismatched.tsv"
    fr, hard = V1_WORK / "fr-train.tsv", V1_WORK / "hard-fr.tsv"
    first, second = [work / "quant-fr.tsv", work / "quant-en.tsv"], [work / "quant-fr-b.tsv", work / "quant-en-b.tsv"]
    recipes = {
        "10": (V4, first + [fr, hard, ling], {str(fr): 2500, str(hard): 500, str(ling): 1500}, 1e-5),
        "10b": (Path("/tmp/stance-nli-small-s10"), second, {}, 2e-5),
        "11": (V4, first + second + [fr, hard, ling, mnli], {str(ling): 3000, str(mnli): 2000}, 2e-5),
    }
    base, files, limits, lr = recipes[name]
    result = train(base, files, Path(f"/tmp/stance-nli-small-s{name}"), checkpoint_dir=work / f"checkpoints-{name}",
                   seed=13, batch_size=16, max_length=128, freeze_embeddings=True,
                   dev_files=[V1_WORK / "fr-dev.tsv"], file_limits=limits, epochs=1, lr=lr,
                   label_smoothing=0.1, warmup_fraction=0.03, save_every=100, bf16=True,
                   log=lambda line: print(line, flush=True))
    print(result)


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("data", "10", "10b", "11"):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    work = Path(argv[1]) if len(argv) > 1 else Path("/tmp/q10")
    work.mkdir(parents=True, exist_ok=True)
    if argv[0] == "data":
        data(work)
    else:
        stage(argv[0], work)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
