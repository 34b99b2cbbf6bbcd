"""NLIModel on a tiny real checkpoint: label order, batching, truncation, fingerprints, errors."""
import json
import shutil
import sys
import types

import numpy as np
import pytest
from safetensors.torch import load_file, save_file

from stance.errors import UsageError
from stance.nli import MANIFEST, NLIModel, native_bf16, resolve_precision
from stance.types import NLI_LABELS, ModelInfo
from tiny_model import build_tiny_model, seed_sentences


@pytest.fixture(scope="module")
def tiny(tiny_model_dir) -> NLIModel:
    return NLIModel.load(tiny_model_dir)


@pytest.fixture(scope="module")
def seed_pairs() -> list[tuple[str, str]]:
    """Consecutive seed sentences as (premise, hypothesis): lengths from a few tokens to 128+."""
    sentences = seed_sentences()
    return list(zip(sentences[0::2], sentences[1::2]))


def softmax(values) -> np.ndarray:
    exp = np.exp(np.asarray(values, dtype=np.float64))
    return exp / exp.sum()


def load_error(name) -> str:
    with pytest.raises(UsageError) as caught:
        NLIModel.load(name)
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_predict_gives_input_dependent_probabilities(tiny, seed_pairs):
    probs = tiny.predict(seed_pairs)
    assert probs.shape == (len(seed_pairs), 3)
    assert np.allclose(probs.sum(axis=1), 1.0, atol=1e-5)
    assert (probs >= 0).all()
    # The other tests compare rows; they prove something only if rows differ.
    assert probs.std(axis=0).min() > 0.1


def test_info_and_labels(tiny, tiny_model_dir):
    assert tiny.name == str(tiny_model_dir)
    assert tiny.labels == NLI_LABELS
    assert tiny.info == ModelInfo(name=str(tiny_model_dir), labels=NLI_LABELS, precision=tiny.precision)


@pytest.mark.parametrize("id2label, meaning", [
    ({0: "CONTRADICTION", 1: "entailment", 2: "Neutral"}, ("contradiction", "entailment", "neutral")),
    ({0: "neutral", 1: "contradict", 2: "ENTAILS"}, ("neutral", "contradiction", "entailment")),
    ({0: "Contradiction", 1: "Neutral", 2: "Entailment"}, ("contradiction", "neutral", "entailment")),
])
def test_forced_output_is_read_through_id2label(tmp_path, id2label, meaning):
    bias = (3.0, 1.0, -2.0)          # distinct, so every column is checked
    model = NLIModel.load(build_tiny_model(tmp_path, id2label=id2label, bias=bias))
    probs = model.predict([("Le soutien de l'OTAN reste inébranlable.", "M. Rutte a déclaré.")])[0]
    for output, probability in enumerate(softmax(bias)):
        assert probs[NLI_LABELS.index(meaning[output])] == pytest.approx(probability, abs=1e-5)


def test_permuting_id2label_permutes_the_columns(tmp_path, tiny, seed_pairs):
    # Same seed, same weights; only the names of the outputs change.
    permuted = NLIModel.load(build_tiny_model(
        tmp_path, id2label={0: "CONTRADICTION", 1: "entailment", 2: "Neutral"}))
    base, moved = tiny.predict(seed_pairs), permuted.predict(seed_pairs)
    # Output 0 is entailment in the tiny model and contradiction in the permuted one, etc.
    assert np.allclose(moved[:, 2], base[:, 0], atol=1e-6)
    assert np.allclose(moved[:, 0], base[:, 1], atol=1e-6)
    assert np.allclose(moved[:, 1], base[:, 2], atol=1e-6)
    assert not np.allclose(moved, base, atol=1e-3)


def test_length_sorted_batches_restore_input_order(tiny, seed_pairs):
    lengths = [len(tiny.tokenizer(p, h)["input_ids"]) for p, h in seed_pairs]
    assert len(set(lengths)) > 10 and lengths != sorted(lengths, reverse=True)
    batched = tiny.predict(seed_pairs, batch_size=8)
    one_by_one = np.vstack([tiny.predict([pair], batch_size=1) for pair in seed_pairs])
    assert np.allclose(batched, one_by_one, atol=1e-5)
    # Rows differ enough that any mix-up of order would have failed the check above.
    assert not np.allclose(batched, batched[::-1], atol=1e-3)


def test_advance_reports_every_input_batch_by_batch(tiny, seed_pairs):
    calls = []
    tiny.predict(seed_pairs, batch_size=7, advance=calls.append)
    assert sum(calls) == len(seed_pairs)
    assert max(calls) == 7 and len(calls) == -(-len(seed_pairs) // 7)


def test_empty_input_gives_an_empty_array(tiny):
    assert tiny.predict([]).shape == (0, 3)


def test_long_inputs_are_truncated_to_max_length(tiny, seeds_dir):
    article = sorted(seeds_dir.glob("*.txt"))[0].read_text(encoding="utf-8")
    hypothesis = "L'OTAN soutient l'Ukraine."
    assert len(tiny.tokenizer(article)["input_ids"]) > 4 * tiny.max_length
    whole, longer = tiny.predict([(article, hypothesis), (article + " Poutine a déclaré non.", hypothesis)])
    assert np.allclose(whole, longer, atol=1e-6)     # the added words lie past the cut


def test_max_length_is_capped_by_what_the_model_can_read(tiny_model_dir):
    assert NLIModel.load(tiny_model_dir, max_length=4096).max_length == 128
    assert NLIModel.load(tiny_model_dir, max_length=32).max_length == 32


def test_fingerprint_follows_content_and_truncation(tmp_path, tiny, tiny_model_dir):
    copy = shutil.copytree(tiny_model_dir, tmp_path / "copy")
    assert NLIModel.load(copy).fingerprint == tiny.fingerprint
    assert NLIModel.load(build_tiny_model(tmp_path / "other", seed=1)).fingerprint != tiny.fingerprint
    assert NLIModel.load(tiny_model_dir, max_length=64).fingerprint != tiny.fingerprint


def test_precision_is_resolved_once_and_named_in_the_fingerprint(tiny, tiny_model_dir):
    assert resolve_precision("fp32", "cpu") == "fp32" and resolve_precision("bf16", "cpu") == "bf16"
    assert resolve_precision("auto", "cpu") == ("bf16" if native_bf16("cpu") else "fp32")
    assert resolve_precision("auto", "mps") == "fp32"
    assert tiny.precision == "fp32"      # the default: scores that do not depend on batch-mates
    with pytest.raises(UsageError, match="unknown precision 'fp16'"):
        NLIModel.load(tiny_model_dir, precision="fp16")
    fp32 = NLIModel.load(tiny_model_dir, precision="fp32")
    bf16 = NLIModel.load(tiny_model_dir, precision="bf16")
    assert (fp32.info.precision, bf16.info.precision) == ("fp32", "bf16")
    assert bf16.fingerprint != fp32.fingerprint      # caches never mix the two precisions' scores
    assert tiny.fingerprint == fp32.fingerprint       # fp32 caches from before precision existed stay valid


def test_bf16_predictions_are_probabilities_close_to_fp32(tiny_model_dir, seed_pairs):
    fp32 = NLIModel.load(tiny_model_dir, precision="fp32").predict(seed_pairs)
    bf16 = NLIModel.load(tiny_model_dir, precision="bf16").predict(seed_pairs)
    assert bf16.shape == fp32.shape and np.allclose(bf16.sum(axis=1), 1.0, atol=1e-4)
    assert np.abs(bf16 - fp32).max() < 0.15        # a random tiny model; the shipped one: < 0.03 (below)
    assert not np.array_equal(bf16, fp32)          # autocast did run


def test_missing_directory_is_a_one_line_error(tmp_path):
    assert "no such directory" in load_error(str(tmp_path / "nope" / "model"))


def test_uncached_hub_id_offline_is_a_one_line_error():
    message = load_error("stance-tests/not-a-real-model")
    assert message == ("cannot load model 'stance-tests/not-a-real-model': "
                       "not a local directory and not in the offline cache")


@pytest.mark.parametrize("config_text", ["{not json", '{"architectures": ["Bert"]}',
                                         '{"model_type": "no-such-architecture"}'])
def test_broken_config_is_a_one_line_error(tmp_path, tiny_model_dir, config_text):
    broken = shutil.copytree(tiny_model_dir, tmp_path / "broken")
    (broken / "config.json").write_text(config_text)
    assert "broken config" in load_error(broken)


def test_directory_without_config_or_a_file_is_refused(tmp_path):
    assert "no config.json" in load_error(tmp_path)
    weights = tmp_path / "model.safetensors"
    weights.write_bytes(b"")
    assert "not a model directory" in load_error(weights)


def test_two_label_model_is_refused(tmp_path):
    model_dir = build_tiny_model(tmp_path, id2label={0: "entailment", 1: "not_entailment"})
    message = load_error(model_dir)
    assert "2 labels" in message and "not_entailment" in message


@pytest.mark.parametrize("id2label", [{0: "LABEL_0", 1: "LABEL_1", 2: "LABEL_2"},
                                      {0: "entailment", 1: "entails", 2: "contradiction"},
                                      {0: "entailment", 1: "neutral", 2: "contradiction", 3: "other"}])
def test_labels_that_are_not_the_three_nli_classes_are_refused(tmp_path, id2label):
    assert "cannot use model" in load_error(build_tiny_model(tmp_path, id2label=id2label))


def test_checkpoint_without_a_trained_head_is_refused(tmp_path, tiny_model_dir):
    headless = shutil.copytree(tiny_model_dir, tmp_path / "headless")
    weights = load_file(headless / "model.safetensors")
    save_file({name: tensor for name, tensor in weights.items() if "classifier" not in name},
              headless / "model.safetensors", metadata={"format": "pt"})
    assert "no trained weights for classifier" in load_error(headless)


def test_unknown_device_is_a_one_line_error(tiny_model_dir):
    with pytest.raises(UsageError, match="device 'gpu0'"):
        NLIModel.load(tiny_model_dir, device="gpu0")


def test_no_default_model_is_a_one_line_error(monkeypatch, tmp_path):
    import stance.encoder

    monkeypatch.setattr(stance.encoder, "default_model_dir", lambda: tmp_path / "absent")
    assert "no default model is installed yet" in load_error(None)
    monkeypatch.setitem(sys.modules, "stance.encoder", None)    # the module itself missing
    assert "no default model is installed yet" in load_error(None)


def test_manifest_directory_is_loaded_by_stance_encoder(monkeypatch, tmp_path, tiny_model_dir):
    # Stand-in for the embedded loader: it loads the tiny checkpoint the ordinary way, so the
    # label mapping and prediction that follow are real; what is checked is the dispatch.
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    embedded = shutil.copytree(tiny_model_dir, tmp_path / "stance-nli-tiny")
    (embedded / MANIFEST).write_text(json.dumps({"format": "stance-embedded/1"}))
    loaded_from = []

    def load_embedded(path):
        loaded_from.append(path)
        return (AutoTokenizer.from_pretrained(path),
                AutoModelForSequenceClassification.from_pretrained(path))

    fake_encoder = types.ModuleType("stance.encoder")
    fake_encoder.load_embedded = load_embedded
    fake_encoder.default_model_dir = lambda: embedded
    monkeypatch.setitem(sys.modules, "stance.encoder", fake_encoder)
    model = NLIModel.load(None)
    assert loaded_from == [embedded] and model.embedded
    assert model.name == "stance-nli-tiny"
    assert np.allclose(model.predict([("a", "b")]), NLIModel.load(tiny_model_dir).predict([("a", "b")]))


def test_shipped_default_model_loads_and_predicts():
    import stance.encoder

    try:
        stance.encoder.default_model_dir()
    except FileNotFoundError:
        pytest.skip("the default model is not built yet")
    model = NLIModel.load(None)
    probs = model.predict([("Le soutien de l'OTAN à l'Ukraine reste inébranlable.",
                            "L'OTAN ne soutient plus l'Ukraine.")])
    assert probs.shape == (1, 3) and probs.sum() == pytest.approx(1.0, abs=1e-4)


def test_shipped_model_in_bf16_labels_the_mission_pairs_as_in_fp32():
    """--precision bf16 (and auto on CPUs with native bf16) must not change what stance reports."""
    import csv
    import stance.encoder

    from conftest import ROOT

    try:
        stance.encoder.default_model_dir()
    except FileNotFoundError:
        pytest.skip("the default model is not built yet")
    with (ROOT / "eval" / "data" / "mission" / "pairs.tsv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    pairs = [(r["a"], r["b"]) for r in rows] + [(r["b"], r["a"]) for r in rows]
    fp32 = NLIModel.load(None, precision="fp32").predict(pairs)
    bf16 = NLIModel.load(None, precision="bf16").predict(pairs)
    assert np.abs(fp32 - bf16).max() < 0.03
    assert (fp32.argmax(axis=1) == bf16.argmax(axis=1)).all()
