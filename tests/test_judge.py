"""judge() on seed sentences with the tiny model: both directions, combining, labels, thresholds."""
import numpy as np
import pytest

from stance.errors import UsageError
from stance.judge import Thresholds, combine, judge, label_scores
from stance.nli import NLIModel
from stance.types import ClaimPair, Scores, Statement
from tiny_model import build_tiny_model, seed_sentences

PERMUTED = {0: "CONTRADICTION", 1: "entailment", 2: "Neutral"}


def statement(text: str, n: int, actor: str = "mark-rutte") -> Statement:
    return Statement(id=f"seed:{n}", article_id="seed", actor_id=actor, text=text, kind="direct",
                     start=0, end=len(text), cue="déclarer", sentence=text)


def claim_pair(a: str, b: str, n: int = 0, near_duplicate: bool = False) -> ClaimPair:
    return ClaimPair(a=statement(a, 2 * n), b=statement(b, 2 * n + 1), same_actor=True,
                     similarity=0.5, near_duplicate=near_duplicate)


@pytest.fixture(scope="module")
def tiny(tiny_model_dir) -> NLIModel:
    return NLIModel.load(tiny_model_dir)


@pytest.fixture(scope="module")
def seed_claim_pairs() -> list[ClaimPair]:
    sentences = seed_sentences()
    return [claim_pair(a, b, n) for n, (a, b) in enumerate(zip(sentences[0::2], sentences[1::2]))]


def forced(tmp_path, label_name: str) -> NLIModel:
    """A model that gives every input ~0.99 for label_name, through a permuted id2label."""
    bias = [0.0, 0.0, 0.0]
    bias[next(i for i, name in PERMUTED.items() if name.lower() == label_name)] = 6.0
    return NLIModel.load(build_tiny_model(tmp_path / label_name, id2label=PERMUTED, bias=tuple(bias)))


@pytest.mark.parametrize("nli_label, pair_label", [("contradiction", "contradiction"),
                                                    ("entailment", "agreement"),
                                                    ("neutral", "neutral")])
def test_forced_model_output_gives_the_expected_label(tmp_path, seed_claim_pairs, nli_label, pair_label):
    judgements = judge(seed_claim_pairs[:6], forced(tmp_path, nli_label))
    assert [j.label for j in judgements] == [pair_label] * 6
    assert all(getattr(j.scores, nli_label) > 0.98 for j in judgements)


def test_near_duplicates_agree_whatever_the_scores(tmp_path, seed_claim_pairs):
    quote = seed_claim_pairs[0].a.text
    pairs = [claim_pair(quote, quote, near_duplicate=True), seed_claim_pairs[1],
             claim_pair(quote, quote + " (AFP)", n=2, near_duplicate=True)]
    judgements = judge(pairs, forced(tmp_path, "contradiction"))
    assert [j.label for j in judgements] == ["agreement", "contradiction", "agreement"]
    assert judgements[0].scores.contradiction > 0.98      # the model's view is kept as evidence


def test_both_directions_are_scored_in_one_call(tiny, seed_claim_pairs, monkeypatch):
    calls = []
    real_predict = tiny.predict
    monkeypatch.setattr(tiny, "predict", lambda inputs, **kw: calls.append(inputs) or real_predict(inputs, **kw))
    pairs = seed_claim_pairs[:10]
    judgements = judge(pairs, tiny)
    assert len(calls) == 1 and len(calls[0]) == 2 * len(pairs)
    for pair, result in zip(pairs, judgements):
        forward, backward = real_predict([(pair.a.text, pair.b.text), (pair.b.text, pair.a.text)])
        assert np.allclose(list(result.forward.as_dict().values()), forward, atol=1e-5)
        assert np.allclose(list(result.backward.as_dict().values()), backward, atol=1e-5)
        assert result.pair is pair
    # The tiny model is not symmetric, so forward and backward really are different inputs.
    assert any(abs(j.forward.entailment - j.backward.entailment) > 0.1 for j in judgements)


def test_identical_inputs_are_scored_once(tiny, seed_claim_pairs, monkeypatch):
    calls = []
    real_predict = tiny.predict
    monkeypatch.setattr(tiny, "predict", lambda inputs, **kw: calls.append(inputs) or real_predict(inputs, **kw))
    first, second = seed_claim_pairs[:2]
    same_text = claim_pair(first.a.text, first.a.text, n=5)
    swapped = claim_pair(first.b.text, first.a.text, n=6)
    judgements = judge([first, second, first, same_text, swapped], tiny)
    assert len(calls[0]) == 5          # first both ways, second both ways, (a, a) once
    assert len(set(calls[0])) == len(calls[0])
    assert judgements[0].scores == judgements[2].scores
    assert judgements[4].forward == judgements[0].backward
    assert judgements[3].forward == judgements[3].backward


def test_thresholds_move_labels(tiny, seed_claim_pairs):
    pairs = seed_claim_pairs
    by_default = judge(pairs, tiny)
    assert {j.label for j in by_default} == {"agreement", "contradiction", "neutral"}
    assert {j.label for j in judge(pairs, tiny, Thresholds(contradiction=0.0))} == {"contradiction"}
    assert {j.label for j in judge(pairs, tiny, Thresholds(contradiction=1.0, agreement=1.0))} == {"neutral"}
    # Exactly at the threshold counts; just above it does not.
    target = next(j for j in by_default if j.label == "neutral")
    index = by_default.index(target)
    at = Thresholds(contradiction=target.scores.contradiction)
    above = Thresholds(contradiction=target.scores.contradiction + 1e-6, agreement=1.0)
    assert judge(pairs, tiny, at)[index].label == "contradiction"
    assert judge(pairs, tiny, above)[index].label == "neutral"


def test_contradiction_is_checked_before_agreement(tiny, seed_claim_pairs):
    loose = Thresholds(contradiction=0.2, agreement=0.2)
    for result in judge(seed_claim_pairs, tiny, loose):
        if result.scores.contradiction >= 0.2:
            assert result.label == "contradiction"
        elif result.scores.entailment >= 0.2:
            assert result.label == "agreement"


def test_combine_averages_contradiction_and_keeps_one_way_entailment():
    detailed_implies_short = Scores(entailment=0.9, neutral=0.08, contradiction=0.02)
    short_leaves_detail_open = Scores(entailment=0.1, neutral=0.85, contradiction=0.05)
    combined = combine(detailed_implies_short, short_leaves_detail_open)
    assert combined.entailment == pytest.approx(0.9)
    assert combined.contradiction == pytest.approx(0.035)
    assert sum(combined.as_dict().values()) == pytest.approx(1.0)
    # Directions that disagree: contradiction (averaged) caps entailment, scores still sum to 1.
    torn = combine(Scores(0.9, 0.05, 0.05), Scores(0.0, 0.0, 1.0))
    assert torn.contradiction == pytest.approx(0.525) and torn.entailment == pytest.approx(0.475)
    assert torn.neutral == pytest.approx(0.0)


def test_advance_counts_pairs(tiny, seed_claim_pairs):
    calls = []
    pairs = seed_claim_pairs + seed_claim_pairs[:5]       # duplicates make inputs != 2 * pairs
    judge(pairs, tiny, batch_size=8, advance=calls.append)
    assert sum(calls) == len(pairs) and len(calls) > 3


def test_no_pairs_no_judgements(tiny):
    assert judge([], tiny) == []


@pytest.mark.parametrize("values", [{"contradiction": 1.5}, {"agreement": -0.1}])
def test_thresholds_outside_0_1_are_refused(values):
    with pytest.raises(UsageError, match="between 0 and 1"):
        Thresholds(**values)


@pytest.mark.parametrize("entailment, contradiction, expected", [
    (0.10, 0.50, "contradiction"),       # the thresholds are inclusive
    (0.50, 0.10, "agreement"),
    (0.49, 0.49, "neutral"),
    (0.50, 0.50, "contradiction"),       # contradiction is checked first
])
def test_label_scores_applies_the_thresholds(entailment, contradiction, expected):
    scores = Scores(entailment=entailment, neutral=1 - entailment - contradiction, contradiction=contradiction)
    assert label_scores(scores, Thresholds()) == expected
