"""How names are compared: accents, case, honorifics and transliterations folded away.

fold_name("M. Sergueï Lavrov") == fold_name("Sergey Lavrov") == "sergei lavrov".
The transliteration rules and the names that differ by more than spelling
("Poutine" / "Putin") live in stance/resources/lang/names.toml.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from .lexicon import equivalent_groups, name_rules

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "`": "'"})
_NOT_WORD = re.compile(r"[^a-z0-9']+")


def strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def plain(text: str) -> str:
    """Lower case, no accents, every apostrophe a straight one; any script kept."""
    return strip_accents(text.translate(_APOSTROPHES)).lower()


@lru_cache(maxsize=1 << 16)   # called on every name of every article at each store run
def fold_text(text: str) -> str:
    """Lower case, no accents, one space between words: for phrases such as roles."""
    return " ".join(_NOT_WORD.sub(" ", plain(text)).split())


def _fold_word(word: str) -> str:
    for pattern, replacement in name_rules().transliteration:
        word = pattern.sub(replacement, word)
    return word


@lru_cache(maxsize=None)
def _equivalents() -> dict[str, str]:
    table: dict[str, str] = {}
    for group in equivalent_groups():
        folded = [_fold_word(fold_text(name)) for name in group]
        for name in folded:
            table[name] = folded[0]
    return table


def name_words(name: str) -> tuple[str, ...]:
    """The folded words of a person's name, honorifics dropped: ("sergei", "lavrov")."""
    words = fold_text(name.replace("-", " ")).split()
    honorifics = {h.rstrip(".") for h in name_rules().honorifics}
    while words and words[0].rstrip(".") in honorifics:
        words = words[1:]
    equivalents = _equivalents()
    return tuple(equivalents.get(w, w) for w in (_fold_word(w.replace("'", "")) for w in words) if w)


def fold_name(name: str) -> str:
    return " ".join(name_words(name))


def slug(text: str) -> str:
    """A stable ASCII id: "Sergueï Lavrov" -> "serguei-lavrov"."""
    plain = strip_accents(text.translate(_APOSTROPHES)).lower()
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-") or "actor"


def edit_distance(a: str, b: str, limit: int = 2) -> int:
    """Levenshtein distance, stopping early once it exceeds `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i]
        for j, char_b in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1,
                               previous[j - 1] + (char_a != char_b)))
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]


#: Given names this long may differ by one letter (a typo) and still be one person's;
#: shorter ones must fold equal ("jean" / "joan" are two people).
TYPO_MIN_LETTERS = 6


def same_given_name(a: str, b: str) -> bool:
    """Folded given names that may be one person's: equal, an initial, or a one-letter
    typo in a long name ("volodymir" / "volodymr")."""
    if a == b:
        return True
    if len(a) == 1 or len(b) == 1:
        return a[0] == b[0]
    return min(len(a), len(b)) >= TYPO_MIN_LETTERS and edit_distance(a, b, 1) <= 1
