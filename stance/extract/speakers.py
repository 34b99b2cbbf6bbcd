"""Speaker phrases around a speech verb: the subject before it, the inverted subject after it.

The subject is read segment by segment between commas, right to left, so that appositions
(« Le ministre …, Sergey Lavrov, ») teach a role and incises (« , en visite à Kiev, ») are
skipped; the dependency parse (`parse_subject`) is the fallback.
"""
from __future__ import annotations

from .lexicon import Lexicon
from .mentions import Mention, organisation_end, parse_phrase
from .nlp import Word


def parse_subject(words, verb: int, first: int, last: int, lex: Lexicon, text) -> Mention | None:
    """The subject the dependency parser gives a verb (French only): the words under its
    nsubj dependent, read as a speaker phrase."""
    head = next((w for w in words[first:last] if w.head == verb and w.dep.startswith("nsubj")), None)
    if head is None:
        return None
    under = [w for w in words[first:last] if _descends(words, w, head.i, first, last)]
    low, high = min(w.i for w in under), max(w.i for w in under)
    return _phrase_in(words[low:high + 1], lex, text)


def _descends(words, word: Word, ancestor: int, first: int, last: int) -> bool:
    for _ in range(12):
        if word.i == ancestor:
            return True
        if not first <= word.head < last or word.head == word.i:
            return False
        word = words[word.head]
    return False


def speaker_after(words, j, last, lex: Lexicon, text) -> tuple[Mention | None, int]:
    """The inverted subject: « a déclaré vendredi le secrétaire général de l'Alliance,
    Mark Rutte, »."""
    while j < last and (words[j].lower in lex.time_words
                        or words[j].pos == "ADV" and not words[j].capitalised):
        j += 1
    start = j
    while j < last:
        w = words[j]
        if w.is_quote_mark or w.pos == "PUNCT" or w.lower in lex.time_words:
            break
        if w.lower in lex.np_stops and not w.capitalised \
                or w.pos in ("VERB", "AUX") and w.verbform == "Fin":
            break
        j += 1
    j = organisation_after(words, start, j, last, lex)
    speaker = parse_phrase(words[start:j], lex, text)
    if speaker is None:
        return None, 0
    named, k = apposed_name(words, j, last, speaker, lex, text)
    if named is not None:
        return named, words[k - 1].end
    return speaker, words[j - 1].end


def apposed_name(words, j, last, speaker: Mention, lex: Lexicon, text) -> tuple[Mention | None, int]:
    """« le porte-parole du Kremlin, Dmitri Peskov »: the name in apposition after a role
    phrase ending before word j (a comma), the role learned; and the index after the name."""
    if speaker.kind not in ("role", "anonymous") or j + 1 >= last or words[j].text != ",":
        return None, j
    k = j + 1
    # « son président, le Dr Yannick Deprez »: a determiner before a title opens the name too.
    if k + 1 < last and words[k].lower in lex.determiners and words[k + 1].lower in lex.honorifics:
        k += 1
    opens = k
    while k < last and words[k].capitalised and not words[k].is_quote_mark and words[k].pos != "PUNCT":
        k += 1
    named = parse_phrase(words[opens:k], lex, text) if k > opens else None
    if named is None or named.kind != "name":
        return None, j
    named.roles.append(speaker.role)
    named.gender = named.gender or speaker.gender
    named.start, named.text = speaker.start, text[speaker.start:named.end]
    return named, k


def speaker_before(words, vg_first, first, lex: Lexicon, text):
    """The subject before the verb group, read between commas from right to left.
    Returns (mention, char start of the frame, whether the clause is subordinate)."""
    j = vg_first - 1
    breaker = ""
    organisation = _organisation_before(words, vg_first, first, lex)
    while j >= first:
        w = words[j]
        if organisation is not None and j >= organisation:
            j -= 1  # its commas and "and" are part of the name
            continue
        if w.text == ")" and (opening := _parenthesis_opening(words, j, first)) is not None:
            j = opening - 1  # « Nadia Ferrandis, directrice générale des Eaux … (EPR), a salué »
            continue
        if w.quote >= 0 or w.is_quote_mark:
            break
        if w.lower in lex.clause_breaks or w.lower in lex.relatives:
            breaker = w.lower
            break
        if w.pos in ("VERB", "AUX") and w.verbform in ("Fin", "Inf") and not w.capitalised:
            if lex.language == "en" and lex.cue_lemma(w.lower, w.lemma) is not None:
                breaker = "that"  # "Renko said the minister's comments confirmed…": a bare object clause
            break
        j -= 1
    if breaker in lex.relatives:
        return None, 0, False
    segments = _comma_segments(_outside_parentheses(words[j + 1:vg_first if organisation is None else organisation]))
    if organisation is not None:  # one segment, whatever commas the name holds
        segments[-1] = segments[-1] + words[organisation:vg_first]
    appositions: list[Mention] = []
    for index in range(len(segments) - 1, -1, -1):
        segment = segments[index]
        if not segment:
            continue
        if _adverbial(segment, lex):
            continue
        mention = _phrase_in(segment, lex, text)
        if mention is None:
            return None, 0, False
        bare = segment[0].lower not in lex.determiners | lex.indefinite
        if mention.kind == "role" and bare and index > 0:
            appositions.append(mention)
            continue
        before = segments[index - 1] if index > 0 else []
        left = _phrase_in(before, lex, text) if before and not _adverbial(before, lex) else None
        if mention.kind == "name" and left is not None and left.kind == "role":
            mention.roles.append(left.role)
            mention.start = left.start
        elif mention.kind == "role" and left is not None and left.kind == "name" and not left.role:
            left.roles.append(mention.role)
            mention = left
        for apposition in appositions:
            if mention.kind == "name":
                mention.roles.append(apposition.role)
        subordinate = breaker in lex.complementizers
        return mention, mention.start, subordinate
    return None, 0, False


def _parenthesis_opening(words, close: int, first: int) -> int | None:
    """The « ( » of a short aside closing at word `close` (an acronym, a party, an age), if any."""
    for k in range(close - 1, max(first, close - 8) - 1, -1):
        if words[k].text == "(":
            return k
        if words[k].is_quote_mark or words[k].pos in ("VERB", "AUX") or words[k].text in "()":
            return None
    return None


def _outside_parentheses(words: list[Word]) -> list[Word]:
    kept, depth = [], 0
    for w in words:
        depth += w.text == "("
        if depth == 0:
            kept.append(w)
        depth -= w.text == ")" and depth > 0
    return kept


def _organisation_before(words, end: int, first: int, lex: Lexicon) -> int | None:
    """The first word (its determiner included) of a long organisation name ending right before
    word `end`: "The Ministry of Housing, Communities and Local Government confirmed"."""
    for k in range(end - 2, max(first, end - 16) - 1, -1):
        if organisation_end(words, k, end, lex) == end:
            return k - 1 if k > first and words[k - 1].lower in lex.determiners else k
    return None


def organisation_after(words, start: int, j: int, last: int, lex: Lexicon) -> int:
    """`j`, or past it when the phrase opening at `start` is a long organisation name that goes on:
    "according to the Department for Energy Security and Net Zero, …"."""
    head = start + 1 if start < last and words[start].lower in lex.determiners else start
    return max(j, organisation_end(words, head, last, lex))


def _adverbial(segment: list[Word], lex: Lexicon) -> bool:
    """« De son côté », « Interrogée sur ce point », « mardi »: a segment that is no subject."""
    return (segment[0].lower in lex.adverbial_openers or segment[0].pos == "ADP"
            or all(w.pos in ("ADV", "NUM") or w.lower in lex.time_words for w in segment))


def _phrase_in(segment: list[Word], lex: Lexicon, text) -> Mention | None:
    """The speaker phrase ending a segment: « date 2025-08-22 Le secrétaire… » reads from
    « Le »; « Donald Trump lors de sa visite » (its comma lost) stops before « lors »."""
    for k, w in enumerate(segment[1:], 1):
        if w.lower in lex.np_stops and not w.capitalised \
                and not any(organisation_end(segment, h, len(segment), lex) > k for h in range(k)):
            segment = segment[:k]
            break
    for k, w in enumerate(segment):
        previous = segment[k - 1].lower if k else ""
        if previous in lex.of_words or previous in lex.determiners or previous in lex.honorifics:
            continue  # inside a noun phrase that starts earlier
        if w.lower in lex.determiners or w.lower in lex.indefinite or w.lower in lex.possessives \
                or w.lower in lex.honorifics or w.lower in lex.pronouns or w.capitalised \
                or (k == 0 and lex.is_role(w.lower)):
            mention = parse_phrase(segment[k:], lex, text)
            if mention is not None:
                return mention
    return None


def coordinated_speakers(words, speaker_first: int, first: int, lex: Lexicon, text) -> list[Mention]:
    """The speakers joined to the one starting at word `speaker_first`: « MM. Macron et Scholz »,
    "Macron, Scholz and Tusk". Only names and institutions, each a whole segment, count:
    « Après avoir rencontré Macron et Scholz a… » has none."""
    k = speaker_first - 1
    if k <= first or words[k].lower not in lex.coordinators:
        return []
    j = k - 1
    while j >= first and not (words[j].quote >= 0 or words[j].is_quote_mark
                              or words[j].lower in lex.clause_breaks or words[j].lower in lex.relatives
                              or words[j].pos in ("VERB", "AUX") and not words[j].capitalised):
        j -= 1
    found: list[Mention] = []
    for segment in reversed(_comma_segments(words[j + 1:k])):
        if segment and lex.honorifics.get(segment[0].lower, "").endswith("+") and len(segment) > 1:
            segment = segment[1:]  # « MM. Macron et Scholz »: the plural title covers each name
        mention = parse_phrase(segment, lex, text) if segment else None
        if mention is None or mention.kind not in ("name", "institution") or mention.start != segment[0].start:
            break
        found.append(mention)
    return found[::-1]


def _comma_segments(words: list[Word]) -> list[list[Word]]:
    segments: list[list[Word]] = [[]]
    for w in words:
        if w.text == ",":
            segments.append([])
        else:
            segments[-1].append(w)
    return segments
