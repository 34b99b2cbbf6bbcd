"""Language resources for extraction, read once from stance/resources/lang/*.toml.

Per language (fr.toml, en.toml): speech verbs and how their claim is found, words that
bound noun phrases, pronouns, honorifics, role nouns. Shared by all languages:
institutions.toml (speaking institutions and places) and names.toml (how names fold).
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

#: Languages with a lexicon; articles in other languages are read with the French one
#: only when their language is undetermined ("und"), otherwise they yield no statement.
LANGUAGES = ("fr", "en")


@dataclass(frozen=True)
class Lexicon:
    language: str
    clause_cues: frozenset[str]          # lemmas: « a déclaré que CLAIM »
    object_cues: frozenset[str]          # lemmas: « a exclu CLAIM » (the verb stays in the claim)
    phrases: dict[str, tuple[tuple[str, ...], ...]]  # first lemma -> following words
    according: tuple[tuple[str, ...], ...]           # ("selon",), ("d'", "après")
    narrative_markers: frozenset[str]
    addressee_cues: frozenset[str]       # « told reporters CLAIM »: an addressee comes before the claim
    infinitive_cues: frozenset[str]      # « a affirmé n'avoir rien pris »: the claim is an infinitive
    forms: dict[str, str]                # written form -> lemma
    pronouns: dict[str, tuple[str, bool]]  # word -> (gender, plural)
    honorifics: dict[str, str]           # word -> gender ("m", "f", "", "m+" for several)
    roles: dict[str, str]                # role noun (one or more words) -> gender
    group_heads: frozenset[str]
    collective: frozenset[str]
    determiners: frozenset[str]
    indefinite: frozenset[str]
    possessives: frozenset[str]
    of_words: frozenset[str]
    possessive_markers: frozenset[str]   # "Fenland Water's director": the owner comes before, the head after
    name_openers: frozenset[str]         # "Department for …", "Ministry of …": a long organisation name goes on
    name_connectors: frozenset[str]      # inside one: "… Housing, Communities and Local Government"
    np_stops: frozenset[str]
    clause_breaks: frozenset[str]
    relatives: frozenset[str]
    complementizers: frozenset[str]
    coordinators: frozenset[str]         # « Macron et Scholz ont déclaré »: several speakers
    negations: frozenset[str]
    time_words: frozenset[str]
    adverbial_openers: frozenset[str]
    role_modifiers: frozenset[str]
    auxiliaries: frozenset[str]
    reflexives: frozenset[str]           # « s'est dit », « se dit »: part of the verb group
    not_names: frozenset[str]
    glued_auxiliaries: frozenset[str]
    headline_max_chars: int

    def cue_lemma(self, lower: str, lemma: str) -> str | None:
        """The speech-verb lemma of a word, from its written form or spaCy's lemma."""
        for candidate in (self.forms.get(lower), lemma.lower(), lower):
            if candidate and (candidate in self.clause_cues or candidate in self.object_cues
                              or candidate in self.phrases):
                return candidate
        return None

    def is_role(self, word: str) -> bool:
        return word.lower() in self.roles


@dataclass(frozen=True)
class Institution:
    key: str          # actor id
    name: str         # display name
    forms: tuple[str, ...]


@dataclass(frozen=True)
class NameRules:
    transliteration: tuple[tuple[re.Pattern, str], ...]
    equivalents: dict[str, str]     # folded name -> folded canonical name
    honorifics: frozenset[str]
    glued_max_letters: int
    glued_min_surname: int


def _read(name: str) -> dict:
    path = resources.files("stance") / "resources" / "lang" / name
    with path.open("rb") as handle:
        return tomllib.load(handle)


def _words(values) -> frozenset[str]:
    return frozenset(str(v).lower() for v in values)


@lru_cache(maxsize=None)
def lexicon(language: str) -> Lexicon:
    data = _read(f"{language}.toml")
    cues, words = data["cues"], data["words"]
    clause, objects = _words(cues["clause"]), _words(cues["object"])
    phrases: dict[str, list[tuple[str, ...]]] = {}
    for phrase in cues.get("phrases", []):
        first, *rest = phrase.lower().split()
        phrases.setdefault(first, []).append(tuple(rest))
    forms = _conjugate(language, clause | objects | {p.split()[0] for p in cues.get("phrases", [])})
    forms.update({k.lower(): v.lower() for k, v in data.get("forms", {}).items()})
    return Lexicon(
        language=language, clause_cues=clause, object_cues=objects,
        phrases={k: tuple(v) for k, v in phrases.items()},
        according=tuple(tuple(_split_elision(a)) for a in cues.get("according", [])),
        narrative_markers=_words(cues.get("narrative_infinitive_markers", [])),
        addressee_cues=_words(cues.get("addressee", [])),
        infinitive_cues=_words(cues.get("infinitive", [])),
        forms=forms,
        pronouns={k.lower(): (v.get("gender", ""), bool(v.get("plural", False)))
                  for k, v in data.get("pronouns", {}).items()},
        honorifics={k.lower(): v for k, v in data.get("honorifics", {}).items()},
        roles={k.lower(): v for k, v in data.get("roles", {}).items()},
        group_heads=_words(data["groups"]["heads"]),
        collective=_words(data["groups"].get("collective", [])),
        determiners=_words(words["determiners_definite"]),
        indefinite=_words(words["determiners_indefinite"]),
        possessives=_words(words["possessives"]),
        of_words=_words(words["of"]),
        possessive_markers=_words(words.get("possessive_markers", [])),
        name_openers=_words(words.get("organisation_name_openers", [])),
        name_connectors=_words(words.get("organisation_name_connectors", [])),
        np_stops=_words(words["np_stops"]),
        clause_breaks=_words(words["clause_breaks"]),
        relatives=_words(words["relatives"]),
        complementizers=_words(words["complementizers"]),
        coordinators=_words(words.get("coordinators", [])),
        negations=_words(words["negations"]),
        time_words=_words(words["time_words"]),
        adverbial_openers=_words(words["adverbial_openers"]),
        role_modifiers=_words(words["role_modifiers"]),
        auxiliaries=_words(words.get("auxiliaries", [])),
        reflexives=_words(words.get("reflexives", [])),
        not_names=_words(words.get("not_names", [])),
        glued_auxiliaries=_words(words.get("glued_auxiliaries", [])),
        headline_max_chars=int(data.get("headline", {}).get("max_chars", 200)),
    )


def _split_elision(phrase: str) -> list[str]:
    """ "d'après" -> ["d'", "après"], as spaCy tokenizes it."""
    return re.findall(r"\w+'|[\w-]+", phrase.lower())


def _conjugate(language: str, lemmas: set[str]) -> dict[str, str]:
    """Written forms of regular verbs, enough to find them when the tagger misses them."""
    forms: dict[str, str] = {}
    for lemma in lemmas:
        if " " in lemma:
            continue
        generated = _french_forms(lemma) if language == "fr" else _english_forms(lemma)
        for form in generated:
            forms.setdefault(form, lemma)
    return forms


def _french_forms(lemma: str) -> list[str]:
    if lemma.endswith("er"):
        stem = lemma[:-2]
        soft = stem + ("e" if stem.endswith("g") else "")
        soft = soft[:-1] + "ç" if soft.endswith("c") else soft
        forms = [stem + e for e in ("e", "ent", "é", "ée", "és", "ées", "èrent", "era", "erait")]
        forms += [soft + e for e in ("ant", "a", "ait", "aient")]
        grave = re.sub(r"é([^aeiouyéè]+)$", r"è\1", stem)
        if grave != stem:
            forms += [grave + "e", grave + "ent"]
        if stem.endswith(("el", "et")):
            forms += [stem + stem[-1] + "e", stem + stem[-1] + "ent"]
        return forms
    if lemma.endswith("ir"):
        stem = lemma[:-2]
        return [stem + e for e in ("it", "issent", "i", "ie", "is", "issant", "issait", "ira")]
    return []


def _english_forms(lemma: str) -> list[str]:
    forms = [lemma]
    if lemma.endswith("e"):
        forms += [lemma + "s", lemma + "d", lemma[:-1] + "ing"]
    elif re.search(r"[^aeiou]y$", lemma):
        forms += [lemma[:-1] + "ies", lemma[:-1] + "ied", lemma + "ing"]
    elif lemma.endswith(("s", "sh", "ch", "x")):
        forms += [lemma + "es", lemma + "ed", lemma + "ing"]
    elif re.search(r"[^aeiou][aeiou][bdgkmnprt]$", lemma) and lemma in _DOUBLING:
        forms += [lemma + "s", lemma + lemma[-1] + "ed", lemma + lemma[-1] + "ing"]
    else:
        forms += [lemma + "s", lemma + "ed", lemma + "ing"]
    return forms


#: English verbs that double their last consonant (admitted, regretted).
_DOUBLING = frozenset({"admit", "regret", "commit", "permit", "omit", "submit", "rebut"})


@lru_cache(maxsize=None)
def institutions() -> tuple[tuple[Institution, ...], frozenset[str]]:
    """(institutions that speak, folded place names that never are a person)."""
    data = _read("institutions.toml")
    places = frozenset(data.pop("places", {}).get("forms", []))
    found = tuple(Institution(key=key, name=entry["name"], forms=tuple(entry["forms"]))
                  for key, entry in data.items())
    return found, places


@lru_cache(maxsize=None)
def name_rules() -> NameRules:
    data = _read("names.toml")
    return NameRules(
        transliteration=tuple((re.compile(pattern), replacement)
                              for pattern, replacement in data["transliteration"]),
        equivalents={},  # filled by folding.equivalents(), which needs the rules above
        honorifics=_words(data["honorifics"]),
        glued_max_letters=int(data["glued_max_letters"]),
        glued_min_surname=int(data["glued_min_surname"]),
    )


@lru_cache(maxsize=None)
def given_name_genders() -> dict[str, str]:
    """Folded given name -> "m" / "f" (resources/lang/given_names.toml)."""
    from .folding import fold_text

    data = _read("given_names.toml")
    return {fold_text(name): gender for gender in ("m", "f") for name in data[gender]}


def equivalent_groups() -> list[list[str]]:
    return [list(group) for group in _read("names.toml").get("equivalents", [])]
