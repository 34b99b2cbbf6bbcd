"""Paragraphs, quotations and sentences of an article, as character offsets into its text.

Scraped news is messy, so quotation marks are read with their surroundings rather than
trusted: « closes a quotation when punctuation follows it ("de paix« , a-t-il affirmé"),
a closing mark with nothing open extends the quotation just closed in the same sentence
("… avec les Russes », faites-le en position de force« , a justifié…"), a straight quote
opens or closes depending on the spaces around it, a quotation still open at the end of
a paragraph goes on when the next paragraph opens with the same mark (French style for
several paragraphs) and ends with its paragraph otherwise. Sentences never break inside
a quotation, so « "A. B.", a-t-il déclaré » is one sentence.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

_OPENERS = {"«": "guillemet", "“": "curly", "„": "curly", '"': "straight"}
_CLOSERS = {"»": "guillemet", "”": "curly", '"': "straight"}
_MARKS = re.compile(r'[«»“”„"]')
_AFTER_CLOSER = set(",.;:!?)…")
_OPEN_CONTEXT = set(" \t\n([{—–-'’«")
#: Text an orphan closing mark may reach back over to extend the quotation before it.
_ORPHAN_REACH = 120
_SENTENCE_END = re.compile(r'[.!?…]+[»”"\')\]]*(?=\s+["«“„(\-—–]?\s*[A-ZÀ-ÖØ-Ý0-9])')
_WORD_BEFORE = re.compile(r"(\S+)$")
_INITIALS = re.compile(r"(?:[A-Za-z]\.)*[A-Za-z]")
#: Abbreviations whose period ends no sentence (honorifics are added by the caller).
ABBREVIATIONS = frozenset({"etc", "av", "apr", "cf", "vol", "art", "no", "st", "gén", "gal",
                           "sen", "rep", "gov", "jr", "sr", "inc", "ltd", "co", "vs", "p"})


@dataclass(frozen=True)
class Quote:
    """One top-level quotation: `start`/`end` bound its words, without the marks."""
    open_at: int          # offset of the opening mark
    start: int
    end: int
    close_end: int        # just after the closing mark (== end when it was never closed)
    kind: str             # "guillemet", "curly" or "straight"
    closed: bool

    def words(self, text: str) -> int:
        return len(text[self.start:self.end].split())


def paragraphs(text: str) -> list[tuple[int, int]]:
    """(start, end) of each non-empty line, whitespace trimmed."""
    spans = []
    for match in re.finditer(r"[^\n]+", text):
        start, end = _trim(text, match.start(), match.end())
        if start < end:
            spans.append((start, end))
    return spans


def find_quotes(text: str) -> list[Quote]:
    quotes: list[Quote] = []
    open_at, kind, para_end = -1, "", 0
    for p_start, p_end in paragraphs(text):
        carried = open_at >= 0 and _OPENERS.get(text[p_start]) == kind
        if open_at >= 0 and not carried:
            quotes.append(_make(text, open_at, para_end, kind, closed=False))
            open_at = -1
        for match in _MARKS.finditer(text, p_start, p_end):
            at, mark = match.start(), match.group()
            if carried and at == p_start:  # the mark that carries a quotation into this paragraph
                continue
            if open_at < 0:
                role = _role_when_closed(text, at, mark, p_end)
                if role == "open":
                    open_at, kind = at, _OPENERS[mark]
                elif role == "close":
                    _extend_last(text, quotes, at, p_start)
            elif mark == '"' and kind == "straight":
                if _looks_opening(text, at, p_end) and not _looks_closing(text, at, p_end):
                    open_at = at  # the straight quote opened before was a stray one
                else:
                    quotes.append(_make(text, open_at, at, kind, closed=True))
                    open_at = -1
            elif _CLOSERS.get(mark) == kind or (mark == "«" and kind == "guillemet"
                                                and _followed_by_punctuation(text, at, p_end)):
                quotes.append(_make(text, open_at, at, kind, closed=True))
                open_at = -1
        para_end = p_end
    if open_at >= 0:
        quotes.append(_make(text, open_at, para_end, kind, closed=False))
    return [q for q in quotes if q.start < q.end]


def sentences(text: str, quotes: list[Quote],
              abbreviations: frozenset[str] = ABBREVIATIONS) -> list[tuple[int, int]]:
    """Sentence spans, paragraph by paragraph, never breaking inside a quotation.

    `abbreviations` are lower-case words without their final period ("m", "mme", "dr").
    """
    inside = [(q.start, q.end) for q in quotes]
    spans = []
    for p_start, p_end in paragraphs(text):
        start = p_start
        for match in _SENTENCE_END.finditer(text, p_start, p_end):
            cut = match.end()
            if any(s < match.start() < e - 1 for s, e in inside) or any(s < cut < e for s, e in inside):
                continue
            if _is_abbreviation(text, p_start, match.start(), abbreviations):
                continue
            spans.append(_trim(text, start, cut))
            start = cut
        spans.append(_trim(text, start, p_end))
    merged: list[tuple[int, int]] = []
    for span in spans:  # a quotation running over paragraphs joins their sentences
        if merged and any(s < merged[-1][1] and e > span[0] for s, e in inside):
            merged[-1] = (merged[-1][0], span[1])
        elif span[0] < span[1]:
            merged.append(span)
    return merged


def _is_abbreviation(text: str, p_start: int, period: int, abbreviations: frozenset[str]) -> bool:
    if text[period] != ".":
        return False
    word = _WORD_BEFORE.search(text, max(p_start, period - 12), period)
    if not word:
        return False
    token = word.group(1).lstrip("(«“\"'")
    return (token.lower() in abbreviations or token.lower() in ABBREVIATIONS
            or bool(_INITIALS.fullmatch(token) and len(token.replace(".", "")) <= 3
                    and token[:1].isupper()))


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _next_char(text: str, at: int, limit: int) -> str:
    for char in text[at + 1:limit]:
        if not char.isspace() or char == "\n":
            return char
    return ""


def _prev_char(text: str, at: int) -> str:
    return text[at - 1] if at > 0 else " "


def _looks_opening(text: str, at: int, limit: int) -> bool:
    after = text[at + 1] if at + 1 < limit else " "
    return _prev_char(text, at) in _OPEN_CONTEXT and not after.isspace()


def _looks_closing(text: str, at: int, limit: int) -> bool:
    after = text[at + 1] if at + 1 < limit else " "
    return not _prev_char(text, at).isspace() and (after.isspace() or after in _AFTER_CLOSER)


def _role_when_closed(text: str, at: int, mark: str, limit: int) -> str:
    """What a mark does when no quotation is open: "open", "close" (orphan) or ""."""
    if mark == "«":
        return "close" if _closing_guillemet(text, at, limit) else "open"
    if mark == "“" or mark == "„":
        return "open"
    if mark in ("»", "”"):
        return "open" if mark == "”" and _looks_opening(text, at, limit) else "close"
    if _looks_closing(text, at, limit) and not _looks_opening(text, at, limit):
        return "close"
    return "open"


def _followed_by_punctuation(text: str, at: int, limit: int) -> bool:
    after = _next_char(text, at, limit)
    return after == "" or after in _AFTER_CLOSER


def _closing_guillemet(text: str, at: int, limit: int) -> bool:
    """« written where » belongs: glued to a word and followed by punctuation or line end."""
    return not _prev_char(text, at).isspace() and _followed_by_punctuation(text, at, limit)


def _extend_last(text: str, quotes: list[Quote], at: int, p_start: int) -> None:
    """An orphan closing mark: the quotation just closed really ended here."""
    if not quotes:
        return
    last = quotes[-1]
    between = text[last.close_end:at]
    if last.close_end < p_start or len(between) > _ORPHAN_REACH or re.search(r"[.!?]", between):
        return
    quotes[-1] = _make(text, last.open_at, at, last.kind, closed=True)


def _make(text: str, open_at: int, close_at: int, kind: str, closed: bool) -> Quote:
    start, end = _trim(text, open_at + 1, close_at)
    return Quote(open_at=open_at, start=start, end=end,
                 close_end=close_at + 1 if closed else end, kind=kind, closed=closed)
