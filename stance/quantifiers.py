"""Generated NLI pairs about quantities: how many members of a set have a property.

None of the project's training sets teaches quantifiers ("la plupart des", "at least three of the",
"exactly half"), and the models read them at chance. These pairs are generated with their label
*computed*: a premise states facts about a set (its size, or not; how many have a property P, how many
its alternative Q), every world the facts allow is enumerated, and a hypothesis is an entailment if it
holds in all of them, a contradiction if it holds in none, neutral otherwise.

A world is (n, p, q): the set's size, how many are P, how many are Q (P and Q exclude each other, so
q <= n - p). A statement counts one target: P, "not P", Q, or R, a predicate from another pair that
the premise never mentions (any count from 0 to n).

Words and templates live in stance/resources/quantifiers.toml. Generation is deterministic for a seed.
"""
from __future__ import annotations

import random
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from .augment import ne_before
from .errors import InputError
from .train import Pair

RESOURCE = Path(__file__).parent / "resources" / "quantifiers.toml"
UNKNOWN_SIZES = range(2, 16)
WIDER_SIZES = range(2, 31)  # a label that changes when the unknown size may be larger is an artefact: dropped
LABELS = ("entailment", "neutral", "contradiction")

QUANTIFIERS = {
    "all": lambda c, n, k: c == n,
    "none": lambda c, n, k: c == 0,
    "some": lambda c, n, k: c >= 1,
    "most": lambda c, n, k: 2 * c > n,
    "half": lambda c, n, k: 2 * c == n,
    "less_than_half": lambda c, n, k: 2 * c < n,
    "at_least_half": lambda c, n, k: 2 * c >= n,
    "at_least": lambda c, n, k: c >= k,
    "at_most": lambda c, n, k: c <= k,
    "exactly": lambda c, n, k: c == k,
    "more_than": lambda c, n, k: c > k,
    "fewer_than": lambda c, n, k: c < k,
    "only_one": lambda c, n, k: c == 1,
}
NUMBERED = {"at_least": 1, "at_most": 1, "exactly": 1, "more_than": 2, "fewer_than": 2}  # smallest k


@dataclass(frozen=True)
class Statement:
    quantifier: str
    k: int          # the number of a numbered quantifier, 0 otherwise
    target: str     # "P", "notP", "Q" or "R"


def counts(target: str, world: tuple[int, int, int]) -> range:
    """The counts the target can have in this world (every count from 0 to n for R)."""
    n, p, q = world
    if target == "R":
        return range(n + 1)
    value = {"P": p, "notP": n - p, "Q": q}[target]
    return range(value, value + 1)


def worlds(facts: list[Statement], size: int | None, partition: bool = False,
           unknown_sizes: range = UNKNOWN_SIZES) -> list[tuple[int, int, int]]:
    """Every (n, p, q) the facts allow; size None means the premise does not say how many there are."""
    found = []
    for n in ([size] if size else unknown_sizes):
        for p in range(n + 1):
            for q in ([n - p] if partition else range(n - p + 1)):
                world = (n, p, q)
                if all(QUANTIFIERS[f.quantifier](c, n, f.k) for f in facts for c in counts(f.target, world)):
                    found.append(world)
    return found


def projections(allowed: list[tuple[int, int, int]]) -> dict[str, set[tuple[int, int]]]:
    """For each target, the (n, count) pairs the allowed worlds leave possible."""
    return {target: {(world[0], c) for world in allowed for c in counts(target, world)}
            for target in ("P", "notP", "Q", "R")}


def label(hypothesis: Statement, projected: dict[str, set[tuple[int, int]]]) -> str:
    test = QUANTIFIERS[hypothesis.quantifier]
    values = {test(c, n, hypothesis.k) for n, c in projected[hypothesis.target]}
    return "entailment" if values == {True} else "contradiction" if values == {False} else "neutral"


def load_resources(path: Path = RESOURCE) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise InputError(str(path), f"cannot read quantifier resources ({exc})") from None


@dataclass(frozen=True)
class Scene:
    """The words of one generated pair: a language, a plural noun and three predicates (P, Q, R)."""
    lang: str
    res: dict
    noun: str
    feminine: bool
    predicates: tuple  # P, Q, R entries of the resource file

    def number(self, k: int, digits: bool) -> str:
        words = self.res["numbers"]
        if self.lang == "fr" and k == 1:
            return self.res["gendered"]["un"][self.feminine]
        return str(k) if digits or k >= len(words) else words[k]

    def predicate(self, target: str, plural: bool) -> str:
        entry = self.predicates["PQR".index(target[-1])]
        negated = target == "notP"
        if self.lang == "en":
            return entry["forms"][(0 if plural else 1) + (2 if negated else 0)]
        verb = entry["verb"][0 if plural else 1]
        rest = entry.get("neg_rest", entry["rest"]) if negated else entry["rest"]
        if not plural:
            rest = entry.get("rest_sg", rest)
        rest = self._agree(rest, plural)
        return f"{ne_before(verb)}{verb} pas {rest}" if negated else f"{verb} {rest}"

    def none_predicate(self, target: str) -> str:
        """The predicate after « aucun des ... »: ne + singular verb, without « pas »."""
        if self.lang == "en":
            return self.predicate(target, plural=True)
        entry = self.predicates["PQR".index(target[-1])]
        verb = entry["verb"][1]
        rest = self._agree(entry.get("rest_sg", entry.get("neg_rest", entry["rest"])), plural=False)
        return f"{ne_before(verb)}{verb} {rest}"

    def _agree(self, rest: str, plural: bool) -> str:
        """« arrivé{e}{s} » for this noun's gender and the subject's number."""
        return rest.replace("{e}", "e" if self.feminine else "").replace("{s}", "s" if plural else "")

    def render(self, statement: Statement, size: int | None, rng: random.Random) -> str:
        digits = rng.random() < 0.25
        template = rng.choice(self.res["templates"][statement.quantifier])
        singular = statement.quantifier in self.res["singular"] or (statement.quantifier in NUMBERED and statement.k == 1)
        shown = f"{self.number(size, digits)} " if size else ""
        values = {
            "des": f"des {shown}{self.noun}", "of": f"of the {shown}{self.noun}", "n_": shown, "the_": "" if size else "the ",
            "noun": self.noun,
            "k": self.number(statement.k, digits),
            "P": self.predicate(statement.target, plural=not singular),
            "S": self.predicate(statement.target, plural=False),
            "NONE": self.none_predicate(statement.target),
        }
        for word, forms in self.res.get("gendered", {}).items():
            values[word] = forms[self.feminine]
        text = template.format(**values)
        if self.lang == "fr":
            text = re.sub(r"\bde (une?)\b", r"d'\1", text)  # « pas plus d'un », but « plus de huit »
        return text[:1].upper() + text[1:]

    def render_partition(self, n: int, p: int, rng: random.Random) -> str:
        digits = rng.random() < 0.25
        return self.res["partition"].format(
            n=self.number(n, digits), noun=self.noun, k1=self.number(p, digits), k2=self.number(n - p, digits),
            P1=self.predicate("P", plural=p > 1), Q2=self.predicate("Q", plural=n - p > 1))


def _scene(res: dict, lang: str, heldout: bool, rng: random.Random) -> Scene:
    groups = [g for g in res["groups"] if bool(g.get("heldout")) == heldout]
    group = rng.choice(groups)
    noun = rng.choice(group["nouns"])
    pair, other = rng.sample(group["predicates"], 2)  # every group has at least two predicate pairs
    if rng.random() < 0.5:
        pair = pair[::-1]
    return Scene(lang, res, noun[0], len(noun) > 1 and noun[1] == "f", (pair[0], pair[1], other[0]))


def _statements(size: int | None, targets: tuple[str, ...], skip: set[str]) -> list[Statement]:
    top = min(size or 10, 12)
    out = []
    for quantifier in QUANTIFIERS:
        ks = range(NUMBERED[quantifier], top + 1) if quantifier in NUMBERED else [0]
        for target in targets:
            if target == "notP" and quantifier in skip:
                continue
            out += [Statement(quantifier, k, target) for k in ks]
    return out


def _pick(statements: list[Statement], rng: random.Random) -> Statement:
    """A random statement, each quantifier equally likely (numbered ones would crowd out the rest)."""
    quantifier = rng.choice(sorted({s.quantifier for s in statements}))
    return rng.choice([s for s in statements if s.quantifier == quantifier])


def _premise(scene: Scene, rng: random.Random):
    """(text, facts, size, partition) of a random consistent premise."""
    kind = rng.choice(["partition", "size-in-phrase", "size-first", "no-size"])
    size = None if kind == "no-size" else rng.randint(2, 12)
    if kind == "partition":
        p = rng.randint(1, size - 1)
        return scene.render_partition(size, p, rng), [Statement("exactly", p, "P")], size, True
    candidates = _statements(size, ("P",), set())
    unconstrained = len(worlds([], size))
    while True:
        facts = [_pick(candidates, rng)]
        if rng.random() < 0.3:
            facts.append(_pick(_statements(size, ("Q",), set()), rng))
        if 0 < len(worlds(facts, size)) < unconstrained:
            break
    shown = size if kind == "size-in-phrase" else None
    text = " ".join(scene.render(fact, shown if i == 0 else None, rng) for i, fact in enumerate(facts))
    if kind == "size-first":
        text = scene.res["there_are"].format(n=scene.number(size, rng.random() < 0.25), noun=scene.noun) + " " + text
    return text, facts, size, False


def generate(n: int, lang: str = "fr", seed: int = 13, heldout: bool = False,
             resources: dict | None = None) -> list[Pair]:
    """n pairs, a third of each label, in `lang` ("fr" or "en"); `heldout` uses only the words of the
    groups marked heldout in the resource file (a test set no training pair shares words with)."""
    res = (resources or load_resources())[lang]
    rng = random.Random(seed)
    skip = set(res["negated_skip"])
    pairs: list[Pair] = []
    while len(pairs) < n:
        scene = _scene(res, lang, heldout, rng)
        text, facts, size, partition = _premise(scene, rng)
        projected = projections(worlds(facts, size, partition))
        wider = projections(worlds(facts, size, partition, WIDER_SIZES)) if size is None else projected
        by_label: dict[str, list[Statement]] = {name: [] for name in LABELS}
        # Q is asked about only where the premise speaks of it: alternatives exclude each other but need
        # not cover everyone, and a reader may take "nobody stayed outside" to mean "all went inside".
        asks_q = partition or any(fact.target == "Q" for fact in facts)
        for hypothesis in _statements(size, ("P", "notP", "Q", "R") if asks_q else ("P", "notP", "R"), skip):
            if hypothesis in facts or (hypothesis.target == "R" and rng.random() > 0.15):
                continue
            if hypothesis.quantifier == "some" and any(c == 1 for _, c in projected[hypothesis.target]):
                continue  # « certains » / "some" when only one may qualify: readers disagree
            found = label(hypothesis, projected)
            if found == label(hypothesis, wider):
                by_label[found].append(hypothesis)
        wanted = LABELS[len(pairs) % 3]
        if not by_label[wanted]:
            continue
        hypothesis = _pick(by_label[wanted], rng)
        pairs.append(Pair(text, scene.render(hypothesis, None, rng), wanted,
                          f"quantifiers:{lang}:{hypothesis.quantifier}:{hypothesis.target}"))
    return pairs
