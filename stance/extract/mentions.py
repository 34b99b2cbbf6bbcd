"""Who a noun phrase names: a person, a role, a pronoun, an institution, or nobody.

A speaker is written many ways: « M. Lavrov », « le président ukrainien », « -t-il »,
« le Kremlin », « le secrétaire général de l'Otan Mark Rutte », « l'administration
militaire municipale », « un haut responsable » (anonymous), « son équipe » (a group no
single actor stands for). `parse_phrase` reads one such phrase (stance.extract.spots finds the
people and groups an article names).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from .folding import fold_text
from .lexicon import Lexicon, given_name_genders, institutions
from .nlp import Word

#: Mention kinds that name no actor: their statements are not attributed.
UNATTRIBUTED = frozenset({"anonymous", "collective"})


@dataclass
class Mention:
    kind: str                 # name, role, pronoun, institution, group, anonymous, collective
    start: int                # offsets of the whole phrase
    end: int
    text: str                 # the phrase as written
    name: str = ""            # a person's name as written, honorific dropped: "Mark Rutte"
    name_text: str = ""       # with its honorific: "M. Rutte"
    name_start: int = -1
    role: str = ""            # a role as written, determiner dropped: "président ukrainien"
    institution: str = ""     # institution id, or the phrase naming an unlisted one
    gender: str = ""
    plural: bool = False
    roles: list[str] = field(default_factory=list)  # roles learned by apposition


@dataclass(frozen=True)
class Gazetteer:
    by_form: dict[str, str]        # folded form -> institution id
    acronyms: dict[str, str]       # form as written (upper case) -> institution id
    names: dict[str, str]          # institution id -> display name
    places: frozenset[str]         # folded
    longest: int                   # words in the longest form

    def institution(self, words: list[Word]) -> str:
        """The institution id the words are exactly, or ""."""
        if not words:
            return ""
        written = " ".join(w.text for w in words)
        if written in self.acronyms:
            return self.acronyms[written]
        if not words[0].capitalised or (len(words) == 1 and words[0].text.isupper()):
            return ""
        return self.by_form.get(fold_text(written), "")

    def is_place(self, words: list[Word]) -> bool:
        return fold_text(" ".join(w.text for w in words)) in self.places


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    found, places = institutions()
    by_form, acronyms = {}, {}
    for inst in found:
        for form in inst.forms:
            if form.replace(".", "").isupper() and len(form) <= 5:
                acronyms[form] = inst.key
            else:
                by_form[fold_text(form)] = inst.key
    longest = max(len(f.split()) for inst in found for f in inst.forms)
    return Gazetteer(by_form=by_form, acronyms=acronyms,
                     names={inst.key: inst.name for inst in found},
                     places=frozenset(fold_text(p) for p in places), longest=longest)


def _strip(words: list[Word]) -> list[Word]:
    """Without punctuation around, nor an aside in parentheses at the end: « l'Agence … (AFLD) »."""
    opened = next((k for k in range(len(words) - 1, -1, -1) if words[k].text == "("), None)
    if opened is not None and all(w.text != ")" for w in words[opened:-1]):
        words = words[:opened]
    start, end = 0, len(words)
    while start < end and (words[start].pos == "PUNCT" or words[start].is_quote_mark):
        start += 1
    while end > start and (words[end - 1].pos == "PUNCT" or words[end - 1].is_quote_mark):
        end -= 1
    return words[start:end]


def parse_phrase(words: list[Word], lex: Lexicon, text: str) -> Mention | None:
    """What a speaker phrase names, or None when it names no speaker at all."""
    words = _strip(words)
    if not words:
        return None
    gaz = gazetteer()
    first = words[0].lower
    mention = Mention(kind="", start=words[0].start, end=words[-1].end,
                      text=text[words[0].start:words[-1].end])
    pronoun = first if first in lex.pronouns else first.lstrip("-")
    if len(words) == 1 and pronoun in lex.pronouns:
        mention.gender, mention.plural = lex.pronouns[pronoun]
        mention.kind = "collective" if mention.plural else "pronoun"
        return mention
    # « son équipe », « ses proches » are groups; « son président », "its spokesman" a role.
    if first in lex.possessives and not (len(words) > 1 and not words[0].plural
                                         and lex.is_role(words[1].lower)):
        mention.kind = "collective"
        return mention
    if first in lex.honorifics and words[0].capitalised:
        return _honorific_name(mention, words, lex)
    if first in lex.determiners and len(words) > 2 and words[1].lower in lex.honorifics and words[1].capitalised:
        titled = _honorific_name(Mention(kind="", start=words[1].start, end=mention.end,
                                         text=text[words[1].start:mention.end]), words[1:], lex)
        if titled is not None and titled.kind == "name":  # « le Dr Yannick Deprez »
            titled.start, titled.text = mention.start, mention.text
            return titled
    body = words[1:] if first in lex.determiners or first in lex.indefinite \
        or first in lex.possessives else words
    if not body:
        return None
    institution = gaz.institution(body)
    if institution:
        mention.kind, mention.institution = "institution", institution
        return mention
    if len(body) > 2 and organisation_end(body, 0, len(body), lex) == len(body):
        mention.kind, mention.institution = "group", text[body[0].start:body[-1].end]
        return mention
    role_words, name_words = _split_role_and_name(body, lex, gaz)
    if name_words and not role_words and body is not words:
        # « le Hamas », « les Européens »: a determiner before a bare name is no person.
        plural = words[0].plural or first in ("les", "des")
        mention.kind = "collective" if plural else "group"
        mention.institution = text[name_words[0].start:name_words[-1].end]
        return mention
    if name_words:
        _set_name(mention, name_words, text)
        mention.kind = "name"
    if role_words:
        head = _head(role_words, lex)
        if name_words and head is not None and _names_an_organisation(head, role_words, lex):
            # « l'équipe Kervel-Atlantique », "technology company Corvane Data": the name is the group's
            mention.kind, mention.name, mention.name_text, mention.name_start = "group", "", "", -1
            mention.institution = text[name_words[0].start:name_words[-1].end]
            mention.role = text[role_words[0].start:role_words[-1].end]
            mention.roles.append(mention.role)
            return mention
        if name_words and (head is None or not lex.is_role(head.lower)):
            return None  # « la demande de Zelensky »: the name is a complement, no speaker
        mention.role = text[role_words[0].start:role_words[-1].end]
        mention.gender = mention.gender or _gender(words[0], head, lex)
        if name_words:
            mention.roles.append(mention.role)
        elif head and head.lower in lex.collective or (head and head.lower in lex.group_heads
                                                        and first in lex.indefinite):
            mention.kind = "collective"
        elif first in lex.indefinite:
            mention.kind = "anonymous"
        elif head and head.lower in lex.group_heads:
            mention.kind, mention.institution = "group", mention.role
        elif head and lex.is_role(head.lower):
            mention.kind = "role"
        else:
            return None
    if not mention.kind:
        return None
    if first in lex.indefinite and mention.kind == "name":
        return None
    return mention


def organisation_end(words: list[Word], head: int, last: int, lex: Lexicon) -> int:
    """Where a long organisation name opened by the group head at `head` ends ("Ministry of Housing,
    Communities and Local Government"): after its last capitalised word; `head` when none opens there.
    A given name after a connector starts a person, not more of the name ("… of Health and Tom Smith")."""
    if not (head + 1 < last and words[head].capitalised and words[head].lower in lex.group_heads
            and words[head + 1].lower in lex.name_openers):
        return head
    end, k = head, head + 1
    while k < last and words[k].sent == words[head].sent and not words[k].is_quote_mark:
        if words[k].capitalised:
            if words[k - 1].lower in lex.name_connectors and fold_text(words[k].text) in given_name_genders():
                break
            end = k
        elif words[k].lower not in lex.name_connectors:
            break
        k += 1
    return end + 1 if end > head else head


def _names_an_organisation(head: Word, role_words: list[Word], lex: Lexicon) -> bool:
    """A group noun right before a name, with no « de » complement between: « le syndicat USS-Santé »,
    not « le syndicat de Mme Delattre »."""
    return is_group_noun(head, lex) and not any(w.lower in lex.of_words for w in role_words[role_words.index(head):])


def is_group_noun(word: Word, lex: Lexicon) -> bool:
    """« syndicat », « équipe », "company": a singular noun that a name after it makes a group's name."""
    return not word.plural and (word.lower in lex.group_heads or word.lower in lex.collective)


def _honorific_name(mention: Mention, words: list[Word], lex: Lexicon) -> Mention | None:
    gender = lex.honorifics[words[0].lower]
    names = [w for w in words[1:] if w.capitalised]
    if not names or gender.endswith("+"):
        mention.kind = "collective"
        return mention
    run = words[1:]
    while run and not run[-1].capitalised:
        run = run[:-1]
    mention.kind, mention.gender = "name", gender
    mention.name = mention.text[run[0].start - mention.start:run[-1].end - mention.start]
    mention.name_text = mention.text[:run[-1].end - mention.start]
    mention.name_start = run[0].start
    return mention


def _set_name(mention: Mention, run: list[Word], text: str) -> None:
    mention.name = text[run[0].start:run[-1].end]
    mention.name_text = mention.name
    mention.name_start = run[0].start


def _split_role_and_name(body: list[Word], lex: Lexicon, gaz: Gazetteer):
    """ "secrétaire général de l'Otan Mark Rutte" -> (role words, name words)."""
    end = len(body)
    start = end
    while start > 0 and body[start - 1].capitalised and not is_role_word(body[start - 1], lex):
        start -= 1
    run = body[start:end]
    # Institutions and places at the head of the run belong to the role's complement.
    cut = 0
    for size in range(min(len(run), gaz.longest), 0, -1):
        if gaz.institution(run[:size]) or gaz.is_place(run[:size]):
            cut = size
            break
    name = run[cut:]
    in_complement = start > 0 and (body[start - 1].lower in lex.of_words
                                   or body[start - 1].lower in lex.determiners)
    if in_complement and cut == 0:
        # « le chef de l'État »: a capitalised complement, no name — unless NER sees one.
        while name and name[0].ent != "PER":
            name = name[1:]
    if name and not _looks_like_name(name, lex, gaz):
        name = []
    role = body[:len(body) - len(name)]
    return role, name


def is_role_word(word: Word, lex: Lexicon) -> bool:
    lower = word.lower
    return lex.is_role(lower) or lower in lex.role_modifiers


def _looks_like_name(run: list[Word], lex: Lexicon, gaz: Gazetteer) -> bool:
    """A capitalised run in a speaker's place is a person unless it is a listed
    institution or place, an acronym, or a word that never starts a name."""
    if gaz.institution(run) or gaz.is_place(run):
        return False
    return not any(w.lower in lex.not_names or w.lower in lex.collective
                   or (w.text.isupper() and len(w.text) > 1) for w in run)


def _head(role_words: list[Word], lex: Lexicon) -> Word | None:
    """The role's head noun: the last role noun before any « de » complement."""
    head = None
    for i, word in enumerate(role_words):
        if word.lower in lex.possessive_markers:
            head = None  # "Fenland Water's director of …": the head follows its owner
            continue
        if word.lower in lex.of_words and head is not None:
            break
        if lex.is_role(word.lower) or word.lower in lex.group_heads or word.lower in lex.collective:
            head = word
        elif i + 1 < len(role_words) and lex.is_role(f"{word.lower} {role_words[i + 1].lower}"):
            head = role_words[i + 1]
        elif head is None and word.pos in ("NOUN", "PROPN", "X") and word.lower not in lex.of_words:
            head = word
    return head


def _gender(determiner: Word, head: Word | None, lex: Lexicon) -> str:
    if determiner.lower in ("le", "un", "ce", "cet"):
        return "m"
    if determiner.lower in ("la", "une", "cette"):
        return "f"
    if head is not None:
        return lex.roles.get(head.lower, "") or head.gender
    return ""


def role_key(role: str, lex: Lexicon) -> tuple[frozenset[str], str]:
    """ "nouveau secrétaire général de l'Otan" -> ({"secretaire", "general"}, "otan");
    "Fenland Water's director" -> ({"director"}, "fenland water")."""
    words = fold_text(role).split()
    of_words = {fold_text(w).rstrip("'") for w in lex.of_words}
    owner: list[str] = []
    markers = tuple(fold_text(m) for m in lex.possessive_markers)
    for k in range(len(words) - 1, -1, -1):
        marker = next((m for m in markers if words[k].endswith(m)), None)
        if marker:
            owner, words = words[:k] + [words[k][:-len(marker)]], words[k + 1:]
            break
    head, complement = [], []
    target = head
    for word in words:
        if target is head and (word in of_words or word.rstrip("'") in of_words) and head:
            target = complement
            continue
        target.append(word)
    determiners = {fold_text(w).rstrip("'") for w in lex.determiners} | {"l"}
    complement_text = " ".join(w for w in complement or owner if w.rstrip("'") not in determiners)
    institution = gazetteer().by_form.get(complement_text)
    modifiers = {fold_text(m) for m in lex.role_modifiers}
    return (frozenset(w for w in head if w not in modifiers and w not in determiners),
            institution or complement_text)


def roles_match(a: tuple[frozenset[str], str], b: tuple[frozenset[str], str]) -> bool:
    head_a, comp_a = a
    head_b, comp_b = b
    if not head_a or not head_b or not (head_a <= head_b or head_b <= head_a):
        return False
    return not comp_a or not comp_b or comp_a == comp_b
