"""Attribution frames: who is said to have said what, sentence by sentence.

A frame is a speech cue with its speaker, and the claim it attributes:
  forward   « M. Rutte a déclaré que CLAIM », « Il a déclaré : "CLAIM" », « Selon X, CLAIM »,
            « X a exclu CLAIM-with-its-verb » (verbs listed as `object` in the lexicon)
  reversed  « "CLAIM", a ajouté M. Zelensky », « "CLAIM", a-t-il déclaré », « "CLAIM" répond
            Rutte », « "CLAIM", Rutte a insisté », « CLAIM, selon les autorités »
  going on  « …, ajoutant que CLAIM », « Et d'ajouter : "CLAIM" » and « X a confirmé A et a ajouté
            que CLAIM » keep the last speaker.
The speaker is found by patterns over words (speakers.py): the noun phrase after an inverted verb, or
the subject before the verb, read segment by segment between commas so that appositions
(« Le ministre …, Sergey Lavrov, ») teach a role and incises (« , en visite à Kiev, »)
are skipped. The dependency parse is the fallback, used when the patterns find no subject:
on the seeds its nsubj names the patterns' speaker in 54 of 68 frames, none at all in 12
(inverted « a ajouté M. Zelensky » is parsed as an apposition) and once a quotation.
A cue inside a quotation or inside another frame's claim after « que » (« Rutte a déclaré que Trump avait indiqué que… ») is part of that
claim, not a statement of its own; negated cues (« n'a pas voulu révéler ») are none.
"""
from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass, field

from .lexicon import Lexicon
from .mentions import Mention, parse_phrase
from .nlp import Analysis, Word
from .speakers import (apposed_name, coordinated_speakers, organisation_after, parse_subject, speaker_after,
                       speaker_before)

#: Words the search for a forward claim's start (que, colon, quotation) may cross.
MAX_WORDS_TO_CLAIM = 12
_COLON = frozenset({":"})


@dataclass
class Frame:
    cue: str
    mode: str                 # "clause" or "object"
    first: int                # word index range of the verb group (or « selon »)
    last: int
    speaker: Mention | None   # None: the previous speaker goes on
    reversed: bool
    start: int                # char span of speaker + verb group: claims stop there
    end: int
    cut: int                  # where a claim before this frame must end
    claim_start: int = -1
    subordinate: bool = False  # its subject follows « que »: nested in an earlier claim
    co_speakers: list[Mention] = field(default_factory=list)  # « Macron et Scholz ont déclaré »


def sentence_frames(analysis: Analysis, lex: Lexicon, sentence: int) -> list[Frame]:
    first, last = analysis.sentence_words[sentence]
    words = analysis.words
    frames: list[Frame] = []
    i = first
    while i < last:
        frame = _according(words, i, first, last, lex, analysis.text) \
            or _cue(words, i, first, last, lex, analysis.text, frames[-1] if frames else None)
        if frame is not None:
            frames.append(frame)
            i = frame.last + 1
        else:
            i += 1
    return frames


def _according(words, i, first, last, lex, text) -> Frame | None:
    for sequence in lex.according:
        n = len(sequence)
        if tuple(w.lower for w in words[i:i + n]) != sequence or words[i].quote >= 0:
            continue
        j = i + n
        while j < last and words[j].text not in (",", ".", ";", ":") and not words[j].is_quote_mark:
            j += 1
        j = organisation_after(words, i + n, j, last, lex)
        speaker = parse_phrase(words[i + n:j], lex, text)
        if speaker is None:
            return None
        at_start = i == first or all(w.pos in ("ADV", "CCONJ") for w in words[first:i])
        before_comma = i > first and words[i - 1].text == ","
        if at_start and j < last and words[j].text == ",":
            named, k = apposed_name(words, j, last, speaker, lex, text)
            if named is not None and k < last and words[k].text == ",":
                speaker, j = named, k  # « Selon le directeur de l'ARS, Thierry Lambrecht, CLAIM »
            return Frame(cue=" ".join(sequence).replace("' ", "'"), mode="clause", first=i,
                         last=j, speaker=speaker, reversed=False, start=words[i].start,
                         end=words[j].end, cut=words[i].start,
                         claim_start=_start_after(words, j + 1, last))
        if before_comma:
            return Frame(cue=" ".join(sequence).replace("' ", "'"), mode="clause", first=i,
                         last=j - 1, speaker=speaker, reversed=True, start=words[i - 1].start,
                         end=words[j - 1].end, cut=words[i - 1].start)
    return None


def _start_after(words: list[Word], j: int, last: int) -> int:
    return words[j].start if j < last else -1


def _cue(words, i, first, last, lex: Lexicon, text, previous: Frame | None = None) -> Frame | None:
    """The frame of the speech verb at word i, if it is one; `previous`, the sentence's frame before
    it, whose speaker « et a ajouté que » / "and said" may continue."""
    word = words[i]
    if word.quote >= 0 or word.pos in ("DET", "ADP", "PRON", "PUNCT", "CCONJ", "SCONJ", "PROPN"):
        return None
    cue = lex.cue_lemma(word.lower, word.lemma)
    if cue is None:
        return None
    tail_end = i
    if cue in lex.phrases:
        tail_end = _phrase_tail(words, i, last, lex.phrases[cue])
        if tail_end < 0:
            if cue not in lex.clause_cues and cue not in lex.object_cues:
                return None
            tail_end = i
        else:
            cue = " ".join([cue] + [w.lower for w in words[i + 1:tail_end + 1]])
    form = _verb_form(word, lex, words[i - 1].lower if i > first else "")
    if i > first and words[i - 1].lower in lex.determiners | lex.indefinite | lex.possessives:
        return None  # « l'estime », « un appel »: a noun, not the verb
    vg_first = i
    while vg_first > first and _in_verb_group(words[vg_first - 1], lex):
        vg_first -= 1
    vg_last = tail_end
    while vg_last + 1 < last and _is_clitic(words[vg_last + 1]):  # « répond-il », « estime-t-il »
        vg_last += 1
    group = words[vg_first:vg_last + 1]
    if any(w.lower in lex.negations and w.lower in ("ne", "n'", "not", "n't", "never") for w in group):
        return None
    has_aux = any(w.pos == "AUX" or w.lower in lex.auxiliaries for w in group[:i - vg_first])
    object_like = cue in lex.object_cues or cue.split()[0] in lex.object_cues
    mode = "object" if object_like and not _que_follows(words, vg_last + 1, last, lex) else "clause"
    frame = Frame(cue=cue, mode=mode, first=vg_first, last=vg_last, speaker=None, reversed=False,
                  start=words[vg_first].start, end=words[vg_last].end, cut=words[vg_first].start)
    if form == "infinitive":
        # « Et d'ajouter : "…" » goes on with the previous speaker.
        before = [w.lower for w in words[first:i]]
        if not before or before[-1] not in lex.narrative_markers or len(before) > 2:
            return None
        frame.cut = frame.start = words[first].start
        return _claim_start(frame, words, last, lex)
    if form == "participle-present":
        if i == first or words[i - 1].text != ",":
            return None
        frame.cut = words[i - 1].start
        return _claim_start(frame, words, last, lex)
    if form == "participle-past" and not has_aux:
        return None
    clitic = next((w for w in group if w.text.startswith("-") and _is_pronoun(w, lex)), None)
    if clitic is not None:
        frame.speaker = parse_phrase([clitic], lex, text)
        frame.reversed = not _claim_follows(words, vg_last + 1, last, lex)
        return frame if frame.reversed else _claim_start(frame, words, last, lex)
    after_pause = vg_first > first and (words[vg_first - 1].text == ","
                                        or words[vg_first - 1].is_quote_mark)
    if after_pause and _clause_before(words, first, vg_first) \
            and not _claim_follows(words, vg_last + 1, last, lex):
        speaker, end = speaker_after(words, vg_last + 1, last, lex, text)
        if speaker is not None:
            frame.speaker, frame.reversed, frame.end = speaker, True, end
            frame.cut = words[vg_first - 1].start
            return frame
    speaker, start, subordinate = speaker_before(words, vg_first, first, lex, text)
    if speaker is None and _coordinated_with(previous, words, vg_first, lex):
        # "X confirmed A and said B": the verb shares X, the speaker of the frame before.
        frame.speaker, frame.co_speakers = previous.speaker, previous.co_speakers
        frame.cut = frame.start = words[vg_first - 1].start
        return _claim_start(frame, words, last, lex)
    if speaker is None:
        speaker = parse_subject(words, i, first, last, lex, text)
        if speaker is None or speaker.start > word.start:
            return None
        start = speaker.start
    frame.speaker, frame.start, frame.subordinate = speaker, start, subordinate
    frame.co_speakers = coordinated_speakers(words, _index_at(words, speaker.start), first, lex, text)
    if frame.co_speakers:
        start = frame.start = frame.co_speakers[0].start
    frame.cut = start
    j = _index_at(words, start)
    if j > first and (words[j - 1].is_quote_mark or words[j - 1].text == ",") \
            and _quote_closes_before(words, j, first) \
            and not _claim_follows(words, vg_last + 1, last, lex):
        frame.reversed = True  # « "…", Rutte a insisté. »
        frame.cut = words[j - 1].start if words[j - 1].text == "," else start
        return frame
    if lex.language == "en" and mode == "clause" and not _claim_follows(words, vg_last + 1, last, lex) \
            and not any(_is_finite(w) for w in words[vg_last + 1:last]):
        # '"…," opposition leader Lidia Renko told a news conference': what follows the verb is
        # no claim, the quotation before it is. (Without a quotation the words after the verb stay
        # the claim: English has no tagger here to tell "said prices rise" from "said on Monday".)
        closing = next((k for k in range(j - 1, first - 1, -1) if words[k].quote >= 0), None)
        if closing is not None:
            frame.reversed, frame.cut = True, words[closing].end
            return frame
    return _claim_start(frame, words, last, lex)


def _coordinated_with(previous: Frame | None, words, vg_first: int, lex: Lexicon) -> bool:
    """A verb group right after « et » / "and" continues the previous frame's verb when both are in
    the same form: « a confirmé … et a ajouté », "confirmed … and said", « affirme … et annonce ».
    Another form belongs to the claim: « a indiqué que le groupe avait lancé … et proposait »."""
    if previous is None or previous.speaker is None or vg_first == 0 \
            or words[vg_first - 1].lower not in lex.coordinators:
        return False
    before, now = words[previous.first], words[vg_first]
    return before.pos in ("VERB", "AUX") and _form(before, lex) == _form(now, lex) != ""


def _form(word: Word, lex: Lexicon) -> str:
    """A verb's form, enough to tell two coordinated verbs apart: an auxiliary itself, else its tense
    (French, from the tagger) or its ending (English: "confirmed" / "said" past, "says" present)."""
    if word.pos == "AUX" or word.lower in lex.auxiliaries:
        return word.lower
    if word.pos != "VERB" and lex.language != "en":
        return ""
    if word.tense:
        return f"{word.verbform}:{word.tense}"
    lemma = lex.forms.get(word.lower, word.lemma)
    if word.lower == lemma or word.lower.endswith("ing"):
        return ""  # "supply and demand": a bare form may be a noun
    return "present" if word.lower == lemma + "s" or word.lower.endswith("s") else "past"


def _is_finite(word: Word) -> bool:
    return word.pos in ("VERB", "AUX") and word.verbform == "Fin"






def _clause_before(words, first, vg_first) -> bool:
    """Only a claim stands before an inverted attribution: a quotation or a finite verb.
    (« Le secrétaire général Mark Rutte, en visite à Kiev, a appelé … » has neither.)"""
    return any(w.quote >= 0 or _is_finite(w) for w in words[first:vg_first])


def _is_clitic(word: Word) -> bool:
    return word.text.startswith("-") and len(word.text) > 1


def _is_pronoun(word: Word, lex: Lexicon) -> bool:
    return word.lower in lex.pronouns or word.lower.lstrip("-") in lex.pronouns


def _phrase_tail(words, i, last, tails) -> int:
    for tail in tails:
        n = len(tail)
        if tuple(w.lower for w in words[i + 1:i + 1 + n]) == tail and i + n < last:
            return i + n
    return -1


def _verb_form(word: Word, lex: Lexicon, previous: str = "") -> str:
    if lex.language == "en":
        if previous == "to":
            return "infinitive"  # "ask the governor to testify": no one speaks here
        return "participle-present" if word.lower.endswith("ing") else "finite"
    if word.verbform == "Inf" or (not word.verbform and word.lower == word.lemma
                                  and word.lower.endswith(("er", "ir", "re"))):
        return "infinitive"
    if word.verbform == "Part" and word.tense == "Pres" or word.lower.endswith("ant"):
        return "participle-present"
    if word.verbform == "Part" or word.lower.endswith(("é", "ée", "és", "ées")):
        return "participle-past"
    return "finite"


def _in_verb_group(word: Word, lex: Lexicon) -> bool:
    lower = word.lower
    return (word.pos == "AUX" or lower in lex.auxiliaries or lower in lex.reflexives
            or lower in ("ne", "n'", "pas", "not", "n't")
            or word.pos == "ADV" and not word.capitalised and not word.is_quote_mark
            or lower.startswith("-") and len(lower) > 1)


def _que_follows(words, j, last, lex) -> bool:
    return j < last and words[j].lower in lex.complementizers


def _claim_follows(words, j, last, lex) -> bool:
    """A complementizer, a colon or an opening quotation soon after the verb."""
    for k in range(j, min(last, j + MAX_WORDS_TO_CLAIM)):
        w = words[k]
        if w.lower in lex.complementizers or w.text in _COLON:
            return True
        if w.is_quote_mark and k == j:
            return True
        if w.text in (",", ".", ";") or _is_finite(w):
            return False
    return False


def _claim_start(frame: Frame, words, last, lex: Lexicon) -> Frame:
    j = frame.last + 1
    if frame.mode == "object" and not _que_follows(words, j, last, lex):
        frame.claim_start = words[frame.first].start if j < last and words[j].text not in ".;" else -1
        return frame
    for k in range(j, min(last, j + MAX_WORDS_TO_CLAIM)):
        w = words[k]
        if w.lower in lex.complementizers or w.text in _COLON:
            frame.claim_start = words[k + 1].start if k + 1 < last else -1
            return frame
        if w.is_quote_mark and k == j and w.quote < 0:
            frame.claim_start = w.start
            return frame
        if w.text in (",", ".", ";") or _is_finite(w):
            break
    if frame.cue in lex.infinitive_cues:
        k = _infinitive_at(words, j, last, lex)
        if k is not None:
            frame.claim_start = words[k].start
            return frame
    if frame.cue in lex.addressee_cues:
        j = _after_addressee(words, j, last, lex)
    if lex.language == "en" and j < last and words[j].pos not in ("ADP", "PUNCT") \
            and words[j].lower not in lex.np_stops:
        frame.claim_start = words[j].start  # "Smith said the talks failed."
    return frame


def _infinitive_at(words, j, last, lex: Lexicon) -> int | None:
    """Where an infinitive claim opens right after the verb group (time words and adverbs
    aside): « avoir reçu… », « n'avoir "jamais pris…" », « ne pas vouloir… »."""
    while j < last and (words[j].lower in lex.time_words or words[j].pos == "ADV") \
            and words[j].lower not in lex.negations:
        j += 1
    k = j
    while k < last and k <= j + 3 and (words[k].lower in lex.negations or words[k].pos == "ADV"):
        k += 1
    if k < last and words[k].pos in ("VERB", "AUX") and words[k].verbform == "Inf":
        return j
    return None


def _after_addressee(words, j, last, lex: Lexicon) -> int:
    """Past the addressee of "told reporters …", "told the Financial Times …", "told his aides …"."""
    if j >= last or words[j].is_quote_mark:
        return j
    if words[j].lower in lex.determiners | lex.possessives and j + 1 < last:
        j += 1
    if words[j].capitalised:
        while j < last and words[j].capitalised and not words[j].is_quote_mark:
            j += 1
        return j
    return j + 1


def _index_at(words: list[Word], start: int) -> int:
    return bisect_left(words, start, key=lambda w: w.start)


def _quote_closes_before(words, j, first) -> bool:
    k = j - 1
    while k >= first and words[k].text == ",":
        k -= 1
    return k >= first and words[k].is_quote_mark and (k == first or words[k - 1].quote >= 0)
