"""From attribution frames to claims: spans, kinds, floating quotations, headlines.

A claim's text is an exact slice of the article. A direct claim is one quotation and
its text is the quotation's words without the marks; a mixed claim keeps the quotation
marks it contains (« le travail était « très difficile » »), an indirect claim has none.

Decisions, measured on the seeds:
- The first line (under a date line, if any) is skipped when it is a headline (short, not
  ending a sentence): it repeats the article's lead and names the speaker by a bare role
  (« Le chef de l'OTAN appelle à… »). A first line that is the lead itself (seeds/002, seeds/003) is read.
- A quotation with no attribution of its own that makes up its whole sentence, four words
  or more, in the same or the next paragraph as the previous statement, continues that
  statement's speaker (a floating quote). Shorter quotations without a speech verb are
  scare quotes (la "force de réassurance"), not statements; inside an attributed claim
  they only make it mixed (« a qualifié de "constructive" » stays inside « a appelé … »).
- A quotation of any length attributed by a speech verb (« "Non", a-t-il répondu ») is
  a statement.
"""
from __future__ import annotations

from dataclasses import dataclass

from .attribution import Frame, sentence_frames
from .lexicon import Lexicon
from .mentions import Mention
from .nlp import Analysis
from .segment import Quote, paragraphs
from ..readers import is_date_line

#: A quotation standing alone needs this many words to be a floating statement.
MIN_FLOATING_WORDS = 4
_TRAILING = ".,;:!?…-–— \t\n"


@dataclass
class Claim:
    start: int
    end: int
    kind: str                  # direct, indirect, mixed
    cue: str
    speaker: Mention | None    # None: continues the previous statement's speaker
    sentence: tuple[int, int]  # char span of the sentence(s) it stands in
    frame_start: int


def article_claims(analysis: Analysis, lex: Lexicon) -> list[Claim]:
    text = analysis.text
    headline_end = _headline_end(text, lex)
    claims: list[Claim] = []
    covered: list[tuple[int, int]] = []
    for index, (s_start, s_end) in enumerate(analysis.sentences):
        if s_end <= headline_end:
            continue
        frames = _unnested(sentence_frames(analysis, lex, index))
        for position, frame in enumerate(frames):
            region = _region(frames, position, s_start, s_end)
            if region is None:
                continue
            covered.append((min(region[0], frame.start), max(region[1], frame.end)))
            claim = _make_claim(text, analysis.quotes, region, lex)
            if claim is None:
                continue
            start, end, kind = claim
            for speaker in [*frame.co_speakers, frame.speaker]:  # each of « X et Y » says it
                claims.append(Claim(start=start, end=end, kind=kind, cue=frame.cue, speaker=speaker,
                                    sentence=(s_start, s_end), frame_start=frame.start))
    claims.extend(_floating(analysis, claims, covered, headline_end))
    claims.sort(key=lambda c: (c.start, c.end))
    return claims


def _headline_end(text: str, lex: Lexicon) -> int:
    paras = paragraphs(text)
    # A date line above the headline (« date 2026-03-02 ») is no headline: the next line may be.
    if paras and is_date_line(text[paras[0][0]:paras[0][1]]):
        paras = paras[1:]
    if not paras:
        return 0
    start, end = paras[0]
    line = text[start:end]
    short = len(line) <= lex.headline_max_chars
    if len(paras) > 1 and short and not line.endswith((".", "!", "?", "…")):
        return end
    return 0


def _unnested(frames: list[Frame]) -> list[Frame]:
    """Drop frames whose subject stands after « que » inside an earlier frame's claim."""
    kept: list[Frame] = []
    for frame in frames:
        previous = kept[-1] if kept else None
        if previous is not None and frame.subordinate and not previous.reversed \
                and 0 <= previous.claim_start <= frame.start:
            continue
        kept.append(frame)
    return kept


def _region(frames: list[Frame], position: int, s_start: int, s_end: int):
    frame = frames[position]
    if frame.reversed:
        if position == 0:
            begin = s_start
        else:
            before = frames[position - 1]
            begin = before.end if before.reversed or before.claim_start < 0 else -1
            if begin < 0:
                return None  # the text before belongs to the previous frame's claim
        return (begin, frame.cut) if begin < frame.cut else None
    if frame.claim_start < 0:
        return None
    end = frames[position + 1].cut if position + 1 < len(frames) else s_end
    return (frame.claim_start, end) if frame.claim_start < end else None


def _make_claim(text: str, quotes: list[Quote], region: tuple[int, int], lex: Lexicon):
    start, end = region
    while True:
        before = (start, end)
        while start < end and (text[start].isspace() or text[start] in ",;:"):
            start += 1
        while end > start and text[end - 1] in _TRAILING:
            end -= 1
        words = text[start:end].rsplit(None, 1)
        if len(words) == 2 and words[1].lower() in lex.clause_breaks:
            end = start + len(words[0])
        if (start, end) == before:
            break
    if end - start < 2:
        return None
    for quote in quotes:
        whole = quote.open_at == start and (
            end <= quote.close_end and quote.close_end - end <= 2
            or end >= quote.close_end and not text[quote.close_end:end].strip(_TRAILING + "»”\""))
        if whole:
            return quote.start, _content_end(text, quote, end), "direct"
    # A mixed claim keeps whole quotations: do not cut the closing mark off.
    for quote in quotes:
        if quote.start < end <= quote.end < quote.close_end:
            end = quote.close_end
    inside = any(start <= q.open_at < end or start < q.close_end <= end for q in quotes)
    return start, end, "mixed" if inside else "indirect"


def _content_end(text: str, quote: Quote, limit: int | None = None) -> int:
    """Where a quotation's words end: « "Non," a-t-il dit » — the comma is the frame's."""
    end = quote.end if limit is None else min(quote.end, limit)
    while end > quote.start and text[end - 1] in ",;:. ":
        end -= 1
    return end


def _floating(analysis: Analysis, claims: list[Claim], covered, headline_end: int) -> list[Claim]:
    text = analysis.text
    paragraph_of = _paragraph_index(text)
    found: list[Claim] = []
    for quote in analysis.quotes:
        if quote.open_at < headline_end or quote.words(text) < MIN_FLOATING_WORDS:
            continue
        if any(a <= quote.start < b or a < quote.end <= b for a, b in covered):
            continue
        sentence = next(((a, b) for a, b in analysis.sentences if a <= quote.start < b), None)
        if sentence is None:
            continue
        rest = text[sentence[0]:quote.open_at] + text[quote.close_end:sentence[1]]
        if sum(c.isalnum() for c in rest) > 3:
            continue
        previous = [c for c in claims + found if c.end <= quote.start]
        if not previous:
            continue
        last = max(previous, key=lambda c: c.end)
        if paragraph_of(quote.start) - paragraph_of(last.end) > 1:
            continue
        found.append(Claim(start=quote.start, end=_content_end(text, quote), kind="direct", cue="",
                           speaker=None, sentence=sentence, frame_start=quote.open_at))
    return found


def _paragraph_index(text: str):
    spans = paragraphs(text)

    def index(offset: int) -> int:
        for n, (start, end) in enumerate(spans):
            if offset < end:
                return n
        return len(spans)
    return index
