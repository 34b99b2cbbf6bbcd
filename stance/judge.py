"""Judge claim pairs: does b agree with a, contradict it, or neither?

Each pair is scored in both directions (a as premise of b, and b as premise of a) in a single
batched predict call, and the two distributions are combined by `combine`:

* contradiction: the MEAN of the two directions. Contradiction is symmetric (if a rules b out,
  b rules a out), so both directions measure the same thing and averaging cancels the
  direction-specific noise NLI models are known for.
* entailment: the MAX of the two directions. Two people agree when one's claim supports the
  other's; mutual entailment (paraphrase) is too strict for news, where one outlet quotes
  "Russia launched 50 drones at Kyiv overnight" and another reports "Russia attacked Kyiv".
  The detailed claim implies the short one but not the reverse; the mean would halve that
  support and call the pair neutral.
* neutral: what is left, so the combined scores still sum to 1.

Labels: contradiction is checked first (a contradiction is the finding stance exists for, and
it must not be masked by one direction's entailment), then agreement, else neutral.
A near-duplicate pair (the same quote carried by two outlets) is "agreement" whatever the
scores; it is still scored, so the report can show the model's view of it.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional

import numpy as np

from stance.errors import UsageError
from stance.nli import NLIModel
from stance.types import ClaimPair, Judgement, PairLabel, Scores


@dataclass(frozen=True)
class Thresholds:
    contradiction: float = 0.5     # combined P(contradiction) at or above -> "contradiction"
    agreement: float = 0.5         # combined P(entailment) at or above -> "agreement"

    def __post_init__(self):
        for name in ("contradiction", "agreement"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise UsageError(f"the {name} threshold must be between 0 and 1, got {value}")


def combine(forward: Scores, backward: Scores) -> Scores:
    """Both directions' scores as one distribution (rule and reasons in the module docstring)."""
    contradiction = (forward.contradiction + backward.contradiction) / 2
    entailment = min(max(forward.entailment, backward.entailment), 1.0 - contradiction)
    return Scores(entailment=entailment, neutral=max(0.0, 1.0 - entailment - contradiction),
                  contradiction=contradiction)


def label(pair: ClaimPair, scores: Scores, thresholds: Thresholds) -> PairLabel:
    return label_scores(scores, thresholds, near_duplicate=pair.near_duplicate)


def label_scores(scores: Scores, thresholds: Thresholds, near_duplicate: bool = False) -> PairLabel:
    """The label of combined scores (and of the near-duplicate rule, for texts marked so)."""
    if near_duplicate:
        return "agreement"
    if scores.contradiction >= thresholds.contradiction:
        return "contradiction"
    if scores.entailment >= thresholds.agreement:
        return "agreement"
    return "neutral"


def judge(pairs: list[ClaimPair], model: NLIModel, thresholds: Thresholds = Thresholds(),
          batch_size: int = 32, advance: Optional[Callable[[int], None]] = None) -> list[Judgement]:
    """One Judgement per pair, in the pairs' order. `advance` is called in units of pairs."""
    both_ways = score_both_ways([(pair.a.text, pair.b.text) for pair in pairs], model,
                                batch_size=batch_size, advance=advance)
    judgements = []
    for pair, (forward, backward) in zip(pairs, both_ways):
        combined = combine(forward, backward)
        judgements.append(Judgement(pair=pair, label=label(pair, combined, thresholds),
                                    scores=combined, forward=forward, backward=backward))
    return judgements


def score_both_ways(texts: list[tuple[str, str]], model: NLIModel, batch_size: int = 32,
                    advance: Optional[Callable[[int], None]] = None) -> list[tuple[Scores, Scores]]:
    """(a -> b, b -> a) scores per (a, b), in one batched predict call; each distinct
    (premise, hypothesis) is scored once. `advance` is called in units of pairs."""
    inputs: dict[tuple[str, str], int] = {}
    for a, b in texts:
        inputs.setdefault((a, b), len(inputs))
        inputs.setdefault((b, a), len(inputs))
    probs = model.predict(list(inputs), batch_size=batch_size,
                          advance=_in_pairs(advance, len(inputs), len(texts)))
    return [(_scores(probs[inputs[(a, b)]]), _scores(probs[inputs[(b, a)]])) for a, b in texts]


def _scores(row: np.ndarray) -> Scores:
    entailment, neutral, contradiction = (float(value) for value in row)
    return Scores(entailment=entailment, neutral=neutral, contradiction=contradiction)


def _in_pairs(advance: Optional[Callable[[int], None]], n_inputs: int, n_pairs: int):
    """Turn predict's progress (model inputs, after deduplication) into pairs, which is what a
    caller knows the total of; the counts sum to exactly n_pairs at the end."""
    if advance is None:
        return None
    done_inputs = done_pairs = 0

    def advance_inputs(count: int) -> None:
        nonlocal done_inputs, done_pairs
        done_inputs += count
        reached = done_inputs * n_pairs // n_inputs
        if reached > done_pairs:
            advance(reached - done_pairs)
            done_pairs = reached
    return advance_inputs
