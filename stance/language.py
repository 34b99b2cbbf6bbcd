"""Which language an article is written in.

Latin-script text is scored against stopword profiles (resources/stopwords/<code>.txt):
function words carry the signal whatever the topic, and a profile per language is a data
file, not code. Scripts that name their language by themselves (Greek, Hangul...) are
decided by the writing system (resources/scripts.toml). When the text says too little,
the answer is "und" (ISO 639 "undetermined"), never a guess.
"""
from __future__ import annotations

import re
import tomllib
import unicodedata
from collections import Counter
from functools import lru_cache
from importlib import resources

UNDETERMINED = "und"

#: Fewer stopwords than this and a text is too short to call ("Mark Rutte", a headline stub).
MIN_STOPWORD_HITS = 3
#: The winner's stopwords must cover this share of the words: a language without a profile
#: (Polish, Romanian...) still shares a few short words with the profiles, by chance.
MIN_COVERAGE = 0.12
#: The winner must outscore the runner-up by this factor, or the text is ambiguous.
MIN_MARGIN = 1.5
#: Letters needed before a writing system is trusted to name the language.
MIN_SCRIPT_LETTERS = 12
#: Enough text to decide; long articles are not read to the end.
MAX_CHARS = 20_000

# A word, keeping an apostrophe that joins it to the next word: "l'OTAN" -> "l'", "otan";
# so English "NATO's" gives "nato'" + "s", which no French elision matches.
_WORD = re.compile(r"[^\W\d_]+(?:'(?=[^\W\d_]))?")
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u02bc": "'", "\u2018": "'"})


def detect_language(text: str) -> str:
    """ISO 639-1 code of the language `text` is written in ("fr", "en"...), or "und"."""
    sample = (text or "")[:MAX_CHARS]
    script, letters = _dominant_script(sample)
    if letters < MIN_SCRIPT_LETTERS:
        return UNDETERMINED
    if script == "LATIN":
        return _language_of_words(sample)
    return _language_of_script(script, sample)


def known_languages() -> tuple[str, ...]:
    """Codes with a stopword profile, sorted."""
    return tuple(sorted(_profiles()))


def _language_of_words(text: str) -> str:
    words = [w.lower() for w in _WORD.findall(text.translate(_APOSTROPHES))]
    owners = _owners()
    scores: Counter[str] = Counter()
    hits = 0
    for word in words:
        languages = owners.get(word)
        if languages:
            hits += 1
            # A word shared by several languages is weak evidence for each of them.
            for language in languages:
                scores[language] += 1 / len(languages)
    if hits < MIN_STOPWORD_HITS:
        return UNDETERMINED
    ranked = scores.most_common(2)
    best, best_score = ranked[0]
    runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
    if best_score < MIN_COVERAGE * len(words) or best_score < MIN_MARGIN * runner_up:
        return UNDETERMINED
    return best


def _dominant_script(text: str) -> tuple[str, int]:
    """The writing system most letters belong to, and how many letters the text has."""
    counts: Counter[str] = Counter()
    for char in text:
        if not char.isalpha():
            continue
        if char.isascii():
            counts["LATIN"] += 1
        else:
            counts[unicodedata.name(char, "UNKNOWN").split(" ", 1)[0]] += 1
    if not counts:
        return "", 0
    return counts.most_common(1)[0][0], sum(counts.values())


def _language_of_script(script: str, text: str) -> str:
    scripts = _scripts()
    markers = scripts.get("marker_letters", {}).get(script, {})
    lowered = text.lower()
    found = Counter({code: sum(lowered.count(letter) for letter in letters)
                     for code, letters in markers.items()})
    if found and found.most_common(1)[0][1] > 0:
        return found.most_common(1)[0][0]
    return scripts.get("language_of_script", {}).get(script, UNDETERMINED)


@lru_cache(maxsize=1)
def _profiles() -> dict[str, frozenset[str]]:
    folder = resources.files("stance") / "resources" / "stopwords"
    profiles = {}
    for entry in folder.iterdir():
        if entry.name.endswith(".txt"):
            lines = entry.read_text(encoding="utf-8").splitlines()
            words = {line.split("#", 1)[0].strip().lower() for line in lines}
            profiles[entry.name.removesuffix(".txt")] = frozenset(words - {""})
    return profiles


@lru_cache(maxsize=1)
def _owners() -> dict[str, tuple[str, ...]]:
    """Each stopword -> the languages that list it."""
    owners: dict[str, list[str]] = {}
    for language, words in sorted(_profiles().items()):
        for word in words:
            owners.setdefault(word, []).append(language)
    return {word: tuple(languages) for word, languages in owners.items()}


@lru_cache(maxsize=1)
def _scripts() -> dict:
    source = resources.files("stance") / "resources" / "scripts.toml"
    return tomllib.loads(source.read_text(encoding="utf-8"))
