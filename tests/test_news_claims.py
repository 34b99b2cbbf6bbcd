"""eval/data/news-claims: the written claim pairs keep their promises (README there)."""
import csv
import importlib.util
import re
from pathlib import Path

import pytest

from stance.evaluation.claims import load_claim_pairs

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "eval" / "data" / "news-claims"
LABELS = {"contradiction", "agreement", "neutral"}


def _script():
    spec = importlib.util.spec_from_file_location("news_claims", ROOT / "eval" / "news_claims.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _rows(split: str) -> list[dict]:
    with (DATA / f"news-claims-{split}.tsv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


@pytest.fixture(scope="module")
def splits():
    return {split: _rows(split) for split in ("train", "heldout")}


def test_expected_is_the_label_author_and_checker_agree_on(splits):
    for rows in splits.values():
        for row in rows:
            assert row["author_label"] in LABELS and row["checker_label"] in LABELS
            agreed = row["author_label"] == row["checker_label"]
            assert row["expected"] == (row["author_label"] if agreed else ""), row["name"]


def test_held_out_topics_are_never_in_training(splits):
    topic = lambda row: (row["name"].split("-")[0], row["topic"])
    held_out = {topic(row) for row in splits["heldout"]}
    assert len(held_out) == 16
    assert not held_out & {topic(row) for row in splits["train"]}
    # the split is the documented rule, recomputed from the rows
    rows = [{"author": row["name"].split("-")[0][1:], "topic": row["topic"]}
            for rows in splits.values() for row in rows]
    assert {(f"a{a}", t) for a, t in _script().held_out_topics(rows)} == held_out


def test_no_pair_is_about_the_seeds_story(splits):
    # The seeds' story stays a test of transfer to an unseen story.
    story = re.compile(r"\b(?:ukrain\w*|russ(?:ie|ia|e|es|ian|ians)|poutine|putin|zelensk[iy]+|kremlin|otan|nato|lavrov)\b", re.I)
    for rows in splits.values():
        assert not [row["name"] for row in rows if story.search(row["a"] + " " + row["b"])]


def test_training_file_follows_the_direction_rule(tmp_path):
    out = tmp_path / "train-pairs.tsv"
    _script().training(DATA, out)
    with out.open(encoding="utf-8", newline="") as handle:
        pairs = {(p["premise"], p["hypothesis"]): p["label"] for p in csv.DictReader(handle, delimiter="\t")}
    train = [row for row in _rows("train") if row["expected"]]
    nli = {"agreement": "entailment", "contradiction": "contradiction", "neutral": "neutral"}
    for row in train:
        kind = row["kind"].lower()
        assert pairs[(row["a"], row["b"])] == nli[row["expected"]], row["name"]
        backwards = (row["b"], row["a"]) in pairs
        if row["expected"] == "contradiction":
            assert backwards, row["name"]
        elif row["expected"] == "agreement":
            assert backwards == ("paraphrase" in kind), row["name"]   # b follows from a, not the reverse
        else:
            assert backwards == ("hedge" not in kind), row["name"]    # "will" supports "could"
    assert any("hedge" in row["kind"].lower() for row in train)
    held_out_texts = {row[side] for row in _rows("heldout") for side in ("a", "b")}
    assert not held_out_texts & {text for pair in pairs for text in pair}


def test_packets_hide_labels_and_merge_maps_them_back(tmp_path):
    authored, packets, checked, data = (tmp_path / name for name in ("authored", "packets", "checked", "data"))
    authored.mkdir()
    checked.mkdir()
    lines = ["topic\tkind\tlabel\ta\tb"] + [
        f"t{i % 3}\tkind\t{label}\tclaim a {i}\tclaim b {i}"
        for i, label in enumerate(["contradiction", "agreement", "neutral"] * 4)]
    (authored / "author-1.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    script = _script()
    script.packets(authored, packets)
    text = (packets / "packet-1.txt").read_text(encoding="utf-8")
    assert "contradiction" not in text and "a1-" not in text and text.count("=== q") == 12
    key = {row["item"]: row["name"] for row in script.read_tsv(authored / script.KEY)}
    truth = {row["name"]: row["label"] for row in script.authored(authored)}
    items = re.findall(r"=== (q\w+)", text)
    wrong = items[0]   # the checker disagrees with the author on this pair only
    checker = {item: truth[key[item]] for item in items}
    checker[wrong] = next(label for label in sorted(LABELS) if label != checker[wrong])
    answers = [f"{item}\t{label}\treason" for item, label in checker.items()]
    (checked / "checked-1.tsv").write_text("\n".join(answers) + "\n", encoding="utf-8")
    script.merge(authored, checked, data)
    rows = [row for split in script.SPLIT_FILES.values() for row in
            csv.DictReader((data / split).open(encoding="utf-8", newline=""), delimiter="\t")]
    assert len(rows) == 12
    assert [row["name"] for row in rows if not row["expected"]] == [key[wrong]]
    assert all(row["expected"] == row["author_label"] for row in rows if row["name"] != key[wrong])
    (checked / "checked-1.tsv").write_text("\n".join(answers[1:]) + "\n", encoding="utf-8")
    with pytest.raises(SystemExit, match="1 pairs have no checker label"):
        script.merge(authored, checked, data)


def test_stance_eval_claims_reads_the_held_out_file():
    data = load_claim_pairs(DATA / "news-claims-heldout.tsv")
    assert len(data.pairs) == sum(1 for row in _rows("heldout") if row["expected"])
    assert {pair.label for pair in data.pairs} == LABELS


def test_cross_pairs_are_same_topic_claims_of_different_pairs():
    rows = [row for row in _rows("train") if row["expected"]]
    script = _script()
    drawn = script.cross_pairs(rows, 300, seed=13)
    assert drawn == script.cross_pairs(rows, 300, seed=13) and len(drawn) == 300
    topic_of = {}
    for row in rows:
        topic_of.setdefault(("a", row["a"]), set()).add(row["topic"])
        topic_of.setdefault(("b", row["b"]), set()).add(row["topic"])
    written = {(row["a"], row["b"]) for row in rows}
    for pair in drawn:
        assert pair.label == "neutral"
        assert topic_of[("a", pair.premise)] & topic_of[("b", pair.hypothesis)]
    assert not [p for p in drawn if (p.premise, p.hypothesis) in written]
