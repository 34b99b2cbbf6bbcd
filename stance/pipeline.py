"""The whole path as one library call: paths -> Report.

    from stance.pipeline import check, CheckOptions
    report = check(["seeds/"], CheckOptions(model="models/stance-nli-small-v0"))

The CLI's `stance check` is a thin layer over this function; it adds progress
bars (through `progress`) and writes the report formats.
"""
from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, ContextManager, Iterator, Optional, Sequence

from .errors import InputError, StanceError
from .pairs import DEFAULT_MAX_NEIGHBOURS, DEFAULT_SIMILARITY_THRESHOLD
from .types import Advance, Report

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
    cross_actor: bool = True
    contradiction_threshold: float = 0.5
    agreement_threshold: float = 0.5
    batch_size: int = 32
    max_length: int = 128
    device: str = "cpu"
    extra_settings: dict = field(default_factory=dict)


@contextlib.contextmanager
def _no_progress(name: str, total: int) -> Iterator[Advance]:
    yield lambda n: None


def check(paths: Sequence[str | Path], options: CheckOptions | None = None,
          progress: StageProgress | None = None, nli_model=None) -> Report:
    """Read, extract, pair, judge. Raises NothingToCheck when no article is usable.

    `nli_model` lets a caller reuse an already loaded `stance.nli.NLIModel`
    across calls (tests, long-lived services); otherwise `options.model` is loaded.
    """
    from .extract import extract_statements, load_aliases
    from .judge import Thresholds, judge
    from .nli import NLIModel
    from .pairs import build_pairs
    from .readers import read_articles

    options = options or CheckOptions()
    progress = progress or _no_progress
    timings: dict[str, float] = {}
    started = time.perf_counter()

    @contextlib.contextmanager
    def timed(stage: str):
        t0 = time.perf_counter()
        yield
        timings[stage] = time.perf_counter() - t0

    # Bad alias files and unloadable models are usage errors: fail before reading anything.
    aliases = load_aliases(options.aliases) if options.aliases else None
    with timed("load model"):
        model = nli_model or NLIModel.load(options.model, device=options.device,
                                           max_length=options.max_length)

    with timed("read"):
        articles, skipped = read_articles(list(paths))
    if not articles:
        reasons = "; ".join(s.message() for s in skipped[:3]) or "no input files found"
        raise NothingToCheck(f"no usable article in the batch ({reasons})")

    with timed("extract"), progress("extract", len(articles)) as advance:
        extraction = extract_statements(articles, aliases=aliases, advance=advance)

    statements = extraction.statements
    with timed("pair"), progress("pair", len(statements)) as advance:
        pairs = build_pairs(statements, similarity_threshold=options.similarity_threshold,
                            cross_actor=options.cross_actor, max_neighbours=options.max_neighbours, advance=advance)

    thresholds = Thresholds(contradiction=options.contradiction_threshold,
                            agreement=options.agreement_threshold)
    with timed("nli"), progress("nli", len(pairs)) as advance:
        judgements = judge(pairs, model, thresholds, batch_size=options.batch_size, advance=advance)

    timings["total"] = time.perf_counter() - started
    settings = {
        "similarity_threshold": options.similarity_threshold,
        "max_neighbours": options.max_neighbours,
        "cross_actor": options.cross_actor,
        "contradiction_threshold": options.contradiction_threshold,
        "agreement_threshold": options.agreement_threshold,
        **options.extra_settings,
    }
    return Report(model=model.info, articles=articles, actors=extraction.actors,
                  statements=statements, judgements=judgements, skipped=skipped,
                  timings={k: round(v, 3) for k, v in timings.items()}, settings=settings)


__all__ = ["check", "CheckOptions", "NothingToCheck", "InputError"]
