"""Who an article names: every person (for pronouns and role nouns to refer back to) and every
group a group noun introduces by name (« l'équipe Kervel-Atlantique », "technology company Corvane
Data"), so that « l'équipe » or "the company" later is that group and its name is no person."""
from __future__ import annotations

from dataclasses import dataclass

from .folding import fold_text
from .lexicon import Lexicon
from .mentions import Gazetteer, gazetteer, is_group_noun, is_role_word, parse_phrase
from .nlp import Analysis, Word


@dataclass
class NameSpot:
    """A person named in an article, for later pronouns and role nouns to refer to."""
    start: int
    end: int
    name: str          # as written without honorific
    text: str          # as written
    gender: str
    subject: bool      # subject of its clause (a pronoun prefers those)
    in_quote: bool
    role: str = ""     # a role the article gives it by apposition


def spot_names(analysis: Analysis, lex: Lexicon,
               known_surnames: set[str] = frozenset()) -> list[NameSpot]:
    """Every person named in the article: honorific + capitalised words, French NER
    persons, capitalised runs of two words or more in English, and any capitalised word
    that is the surname of a person found so (« Macron » after « Emmanuel Macron »)."""
    first_pass = _spots(analysis, lex, set(known_surnames))
    surnames = set(known_surnames) | {fold_text(s.name).split()[-1] for s in first_pass if s.name}
    return _spots(analysis, lex, surnames)


def _spots(analysis: Analysis, lex: Lexicon, surnames: set[str]) -> list[NameSpot]:
    gaz = gazetteer()
    words, spots = analysis.words, []
    i = 0
    while i < len(words):
        honorific = (words[i].lower in lex.honorifics and words[i].capitalised
                     and i + 1 < len(words) and words[i + 1].capitalised)
        start = i + 1 if honorific else i
        if not _may_start_name(words[start], lex):
            i += 1
            continue
        end = _run_end(words, start, lex)
        run = _trim_run(words[start:end], gaz, lex)
        followed_by_role = end < len(words) and run and \
            lex.is_role(f"{words[end - 1].lower} {words[end].lower}")
        if run and not followed_by_role and (honorific or _group_noun_before(words, run[0].i, lex) is None) \
                and _is_person(run, honorific, lex, gaz, surnames):
            first = words[i] if honorific else run[0]
            gender = lex.honorifics.get(words[i].lower, "").rstrip("+") if honorific else ""
            spots.append(NameSpot(
                start=first.start, end=run[-1].end,
                name=analysis.text[run[0].start:run[-1].end],
                text=analysis.text[first.start:run[-1].end], gender=gender,
                subject=_is_subject(words, run[-1].i + 1, run), in_quote=run[0].quote >= 0,
                role=_apposed_role(words, first.i, run[-1].i + 1, lex, analysis.text, gender)))
        i = max(end, i + 1)
    return spots


def _group_noun_before(words: list[Word], first: int, lex: Lexicon) -> Word | None:
    """« l'équipe professionnelle Kervel-Atlantique », "company Corvane Data": the group noun (its
    adjectives skipped) that introduces the name at word `first`, if any: such a name is the group's."""
    j = first - 1
    while j >= 0 and words[j].pos == "ADJ" and first - j <= 2:
        j -= 1
    return words[j] if j >= 0 and is_group_noun(words[j], lex) else None


@dataclass(frozen=True)
class GroupSpot:
    """A group an article names after a group noun: « le syndicat USS-Santé »."""
    start: int
    name: str          # "USS-Santé"
    noun: str          # "syndicat", as written


def spot_groups(analysis: Analysis, lex: Lexicon) -> list[GroupSpot]:
    gaz = gazetteer()
    words, found = analysis.words, []
    i = 0
    while i < len(words):
        noun = _group_noun_before(words, i, lex) if _may_start_name(words[i], lex) else None
        if noun is None:
            i += 1
            continue
        end = _run_end(words, i, lex)
        run = words[i:end]
        if not (gaz.institution(run) or gaz.is_place(run)):
            found.append(GroupSpot(noun.start, analysis.text[run[0].start:run[-1].end], noun.text))
        i = end
    return found


def _run_end(words: list[Word], start: int, lex: Lexicon) -> int:
    """Where the run of name-like words opening at `start` ends, within its sentence."""
    end = start
    while end < len(words) and _may_start_name(words[end], lex) and words[end].sent == words[start].sent:
        end += 1
    return end


def _may_start_name(word: Word, lex: Lexicon) -> bool:
    return (word.capitalised and not word.is_quote_mark and word.pos != "PUNCT"
            and word.lower not in lex.not_names and not is_role_word(word, lex)
            and word.lower not in lex.determiners and word.lower not in lex.pronouns)


def _trim_run(run: list[Word], gaz: Gazetteer, lex: Lexicon) -> list[Word]:
    """Drop institutions and places heading the run, and (French) capitalised common
    nouns around it: « l'Otan Mark Rutte » -> « Mark Rutte »,
    « Rencontre Zelensky » -> « Zelensky »."""
    for size in range(min(len(run), gaz.longest), 0, -1):
        if gaz.institution(run[:size]) or gaz.is_place(run[:size]):
            run = run[size:]
            break
    if lex.language == "fr":
        while run and run[0].ent != "PER" and run[0].pos not in ("PROPN", "X"):
            run = run[1:]
        while run and run[-1].ent != "PER" and run[-1].pos not in ("PROPN", "X"):
            run = run[:-1]
    return run


def _is_person(run: list[Word], honorific: bool, lex: Lexicon, gaz: Gazetteer,
               surnames: set[str]) -> bool:
    if gaz.institution(run) or gaz.is_place(run):
        return False
    if any(w.text.isupper() and len(w.text) > 1 for w in run):
        return False
    if honorific or fold_text(run[-1].text) in surnames:
        return True
    if lex.language == "fr":
        return any(w.ent == "PER" for w in run)
    return len(run) >= 2


def _is_subject(words: list[Word], after: int, run: list[Word]) -> bool:
    """A name is a subject when a verb follows it, possibly after an apposition in commas,
    or when the parser says so."""
    if any(w.dep.startswith("nsubj") for w in run):
        return True
    j = after
    if j + 1 < len(words) and words[j].text == "," and not _is_verb(words[j + 1]):
        k = j + 1
        while k < len(words) and words[k].text != "," and k - j < 15 and not _is_verb(words[k]):
            k += 1
        if k < len(words) and words[k].text == ",":
            j = k
    if j < len(words) and words[j].text == ",":
        j += 1
    while j < len(words) and words[j].pos == "ADV" and not words[j].capitalised:
        j += 1
    return j < len(words) and _is_verb(words[j])


def _is_verb(word: Word) -> bool:
    return word.pos in ("AUX", "VERB") and word.verbform != "Inf"


def _apposed_role(words: list[Word], first: int, after: int, lex: Lexicon, text: str, gender: str = "") -> str:
    """ « le président ukrainien Volodymyr Zelensky », « le secrétaire général de
    l'Alliance, Mark Rutte » teach a role; « suspendue par la ministre, M. Casals a annoncé »
    does not (a complement, and a woman's role before a man's title)."""
    end = first
    if first > 0 and words[first - 1].text == ",":
        end = first - 1
    for det in range(end - 1, max(-1, end - 9), -1):
        word = words[det]
        if word.pos in ("PUNCT", "VERB", "AUX", "SCONJ") or word.is_quote_mark:
            return ""
        if word.lower in lex.determiners:
            if det > 0 and words[det - 1].pos == "ADP":
                return ""
            mention = parse_phrase(words[det:end if end < first else after], lex, text)
            if mention is not None and gender and mention.gender and mention.gender != gender:
                return ""
            if mention is not None and end < first and mention.kind == "role":
                return mention.role
            if mention is not None and end == first and mention.kind == "name" and mention.roles:
                return mention.roles[0]
    return ""
