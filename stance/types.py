"""The few data types that flow through stance, one stage to the next.

articles -> statements -> claim pairs -> judgements -> report

Every stage takes and returns these plain dataclasses, so each can be run and
tested alone. Dates are ISO strings ("YYYY-MM-DD") or None: they sort, they
serialise, and an unknown date is common in scraped news.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Literal, Optional

StatementKind = Literal["direct", "indirect", "mixed"]
ActorKind = Literal["person", "organization"]
PairLabel = Literal["agreement", "contradiction", "neutral"]

#: Canonical NLI label order used everywhere inside stance (scores arrays too).
NLI_LABELS: tuple[str, str, str] = ("entailment", "neutral", "contradiction")

#: Called with the number of items a stage just finished; drives progress bars.
Advance = Callable[[int], None]


@dataclass(frozen=True)
class Article:
    id: str                      # file stem, or the record's `id`
    path: str                    # where it was read from (file, or file:line for JSONL/CSV)
    text: str                    # full text; every offset in stance points into this string
    title: Optional[str] = None
    date: Optional[str] = None   # "YYYY-MM-DD"
    language: str = "fr"         # ISO 639-1 code, detected per article
    source: Optional[str] = None
    url: Optional[str] = None


@dataclass(frozen=True)
class Skipped:
    """An input that could not be used, and why (one line, for humans)."""
    path: str
    reason: str
    line: Optional[int] = None

    def message(self) -> str:
        where = f"{self.path}:{self.line}" if self.line is not None else self.path
        return f"{where}: {self.reason}"


@dataclass(frozen=True)
class Actor:
    id: str                      # stable slug, e.g. "sergey-lavrov"
    name: str                    # display name, e.g. "Sergueï Lavrov"
    kind: ActorKind = "person"
    aliases: tuple[str, ...] = ()  # every surface form seen in the batch


@dataclass(frozen=True)
class Statement:
    id: str                      # "<article id>:<n>", n counted in text order
    article_id: str
    actor_id: str
    text: str                    # the claim itself, without the attribution frame
    kind: StatementKind
    start: int                   # offsets of `text` in Article.text
    end: int
    cue: str                     # speech verb lemma ("déclarer", "said") or "selon"
    sentence: str                # the sentence(s) the statement stands in
    date: Optional[str] = None   # the article's date
    speaker: str = ""            # the speaker as the article wrote it ("M. Lavrov", "il")


@dataclass(frozen=True)
class ClaimPair:
    a: Statement
    b: Statement
    same_actor: bool
    similarity: float            # topic similarity in [-1, 1] (cosine of sentence embeddings)
    near_duplicate: bool = False  # the same quote carried twice (e.g. by two outlets)


@dataclass(frozen=True)
class Scores:
    entailment: float
    neutral: float
    contradiction: float

    def as_dict(self) -> dict[str, float]:
        return {"entailment": self.entailment, "neutral": self.neutral,
                "contradiction": self.contradiction}


@dataclass(frozen=True)
class Judgement:
    pair: ClaimPair
    label: PairLabel
    scores: Scores               # both directions combined
    forward: Scores              # premise a, hypothesis b
    backward: Scores             # premise b, hypothesis a


@dataclass(frozen=True)
class ModelInfo:
    name: str
    labels: tuple[str, ...] = NLI_LABELS
    precision: Optional[str] = None     # "fp32" / "bf16"; None where unknown (a run stored before precision was recorded)

    @property
    def precision_note(self) -> str:
        """" (bf16)" after the model name in a report header; "" when the precision is unknown."""
        return f" ({self.precision})" if self.precision else ""


@dataclass
class Report:
    model: ModelInfo
    articles: list[Article]
    actors: list[Actor]
    statements: list[Statement]
    judgements: list[Judgement]
    skipped: list[Skipped] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)   # stage -> seconds
    settings: dict[str, object] = field(default_factory=dict)  # thresholds etc., echoed in reports
    # Ids of the statements new in this run, for runs on a store (stance.store); None otherwise,
    # where every statement is new.
    new_statements: Optional[frozenset[str]] = None
    # (a, b) statement ids of comparisons the store's previous run did not make (or made as a
    # cross-actor pair) although both statements were there: an actor merge put them together.
    new_pairs: frozenset[tuple[str, str]] = frozenset()

    def is_new(self, judgement: Judgement) -> bool:
        """A comparison is new when either statement is, or the pair itself is."""
        if self.new_statements is None:
            return True
        a, b = judgement.pair.a.id, judgement.pair.b.id
        return a in self.new_statements or b in self.new_statements or (a, b) in self.new_pairs
