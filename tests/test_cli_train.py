"""`stance train` through the CLI: a few steps on a small file, a usable model out, resume."""
import csv
import json

from typer.testing import CliRunner

from stance.cli import app
from stance.nli import NLIModel

PREMISES = [
    ("Le Kremlin a rejeté toute rencontre entre Poutine et Zelensky.", "Poutine est prêt à rencontrer Zelensky.", "contradiction"),
    ("Le Kremlin a rejeté toute rencontre entre Poutine et Zelensky.", "Aucune rencontre n'est prévue.", "entailment"),
    ("Macron a annoncé que 26 pays participeront à la force.", "Vingt-six pays participeront à la force.", "entailment"),
    ("Macron a annoncé que 26 pays participeront à la force.", "Aucun pays ne participera à la force.", "contradiction"),
    ("Macron a annoncé que 26 pays participeront à la force.", "La force sera déployée en mer.", "neutral"),
]


def write_pairs(path, n=20):
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter="\t")
        writer.writerow(["premise", "hypothesis", "gold"])
        for i in range(n):
            premise, hypothesis, label = PREMISES[i % len(PREMISES)]
            writer.writerow([premise, hypothesis, {"entailment": "E", "neutral": "N", "contradiction": "C"}[label]])


def test_train_five_steps_then_resume(tiny_model_dir, tmp_path):
    data = tmp_path / "pairs.tsv"
    write_pairs(data)
    out = tmp_path / "model"
    args = ["train", str(data), "-o", str(out), "--base", str(tiny_model_dir), "--label", "gold",
            "--label-map", "E=entailment,N=neutral,C=contradiction", "--batch-size", "4",
            "--max-steps", "5", "--save-every", "2", "--dev-fraction", "0.2",
            "--checkpoints", str(tmp_path / "ckpt"), "--bf16"]
    result = CliRunner().invoke(app, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "model written to" in result.stderr and "(bf16 autocast)" in result.stderr
    model = NLIModel.load(out)
    probs = model.predict([(p, h) for p, h, _ in PREMISES])
    assert probs.shape == (5, 3)
    assert json.loads((out / "config.json").read_text())["id2label"]


def test_train_rejects_bad_label_map_and_missing_file(tmp_path):
    runner = CliRunner()
    result = runner.invoke(app, ["train", str(tmp_path / "missing.tsv"), "-o", str(tmp_path / "m")])
    assert result.exit_code == 2 and "missing.tsv" in result.stderr
    data = tmp_path / "pairs.tsv"
    write_pairs(data)
    result = runner.invoke(app, ["train", str(data), "-o", str(tmp_path / "m"), "--label-map", "E"])
    assert result.exit_code == 2 and "--label-map" in result.stderr
