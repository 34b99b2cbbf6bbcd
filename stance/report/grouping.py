"""What every report format shows, computed once: a consistent, ordered view of a Report.

The renderers only lay this view out. Ordering rules live here so that JSON,
Markdown, HTML and terminal output agree with each other and never depend on
the order a stage happened to emit things in:

- articles keep the reader's order ("article order");
- statements sort by article order, then position in the article;
- an actor's statements sort by date, undated last, then article order;
- findings sort by their headline score, strongest first.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Optional

from ..types import Actor, Article, Judgement, Report, Statement

#: Labels in the order people read them: what disagrees first.
LABEL_ORDER: tuple[str, ...] = ("contradiction", "agreement", "neutral")

#: The NLI score that backs each label (an agreement is an entailment).
HEADLINE_SCORE: dict[str, str] = {"contradiction": "contradiction", "agreement": "entailment",
                                  "neutral": "neutral"}

# Guillemets for French, curly quotes elsewhere: readers expect their own typography.
# The no-break spaces keep a guillemet from being wrapped alone onto the next line.
_QUOTE_MARKS: dict[str, tuple[str, str]] = {"fr": ("«\u00a0", "\u00a0»")}
_DEFAULT_QUOTE_MARKS = ("“", "”")


@dataclass(frozen=True)
class Summary:
    articles: int
    actors: int
    statements: int
    comparisons: int
    contradictions: int
    agreements: int
    neutral: int
    skipped: int

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class ActorSection:
    actor: Actor
    statements: tuple[Statement, ...]      # date order, undated last, then article order
    findings: tuple[Judgement, ...]        # this actor against itself, strongest first
    cross_actor: int                       # findings shared with another actor (listed apart)


def headline_score(judgement: Judgement) -> float:
    return getattr(judgement.scores, HEADLINE_SCORE[judgement.label])


def one_line(text: str) -> str:
    """Collapse newlines and runs of spaces: a quote must fit a table cell or a list item."""
    return re.sub(r"\s+", " ", text).strip()


def shorten(text: str, limit: int) -> str:
    """Cut at a word boundary and mark the cut, so a shortened quote never ends mid-word."""
    text = one_line(text)
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut[limit // 2:]:
        cut = cut[: cut.rfind(" ")]
    return cut.rstrip(" ,;:.") + "…"


def quoted(text: str, language: str, kind: str) -> str:
    """Direct and mixed quotes in the article language's quote marks; reported speech bare."""
    if kind == "indirect":
        return text
    opening, closing = _QUOTE_MARKS.get(language, _DEFAULT_QUOTE_MARKS)
    return f"{opening}{text}{closing}"


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def format_seconds(seconds: float) -> str:
    return f"{seconds:.2f}s" if seconds < 0.1 else f"{seconds:.1f}s"


def timings_line(timings: dict[str, float]) -> str:
    """'read 0.01s · extract 1.9s · … · total 5.3s'; the total is summed when no stage reports it."""
    if not timings:
        return ""
    stages = [(name, float(sec)) for name, sec in timings.items() if name != "total"]
    total = float(timings["total"]) if "total" in timings else sum(sec for _, sec in stages)
    parts = [f"{name} {format_seconds(sec)}" for name, sec in stages]
    return " · ".join(parts + [f"total {format_seconds(total)}"])


class ReportView:
    """A Report made consistent (every id resolves) and ordered for display."""

    def __init__(self, report: Report, *, show_neutral: bool = False):
        self.report = report
        self.show_neutral = show_neutral
        self.model = report.model
        self.articles: list[Article] = _unique(report.articles, key=lambda a: a.id)
        self._article_rank = {a.id: i for i, a in enumerate(self.articles)}
        self._articles = {a.id: a for a in self.articles}

        # Judged statements always appear in the statement list, so every comparison resolves.
        judged = [s for j in report.judgements for s in (j.pair.a, j.pair.b)]
        statements = _unique(list(report.statements) + judged, key=lambda s: s.id)
        self.statements: list[Statement] = sorted(statements, key=self._position)
        self._statement_rank = {s.id: i for i, s in enumerate(self.statements)}

        actors = {a.id: a for a in reversed(report.actors)}   # first occurrence wins
        for statement in self.statements:   # an actor nobody declared still needs a name
            actors.setdefault(statement.actor_id, Actor(id=statement.actor_id, name=statement.actor_id))
        self.actors: list[Actor] = sorted(actors.values(), key=lambda a: a.id)
        self._actors = actors

        self.judgements: list[Judgement] = sorted(
            report.judgements,
            key=lambda j: (self._statement_rank[j.pair.a.id], self._statement_rank[j.pair.b.id]))
        self.skipped = sorted(report.skipped, key=lambda s: (s.path, s.line or 0, s.reason))
        counts = {label: sum(1 for j in self.judgements if j.label == label) for label in LABEL_ORDER}
        self.summary = Summary(
            articles=len(self.articles), actors=len(self.actors), statements=len(self.statements),
            comparisons=len(self.judgements), contradictions=counts["contradiction"],
            agreements=counts["agreement"], neutral=counts["neutral"], skipped=len(self.skipped))

    # -- lookups ---------------------------------------------------------------------------
    def article(self, article_id: str) -> Optional[Article]:
        return self._articles.get(article_id)

    def actor(self, actor_id: str) -> Actor:
        return self._actors[actor_id]

    def article_title(self, article_id: str) -> str:
        article = self.article(article_id)
        return one_line(article.title) if article is not None and article.title else article_id

    def statement_date(self, statement: Statement) -> Optional[str]:
        if statement.date:
            return statement.date
        article = self.article(statement.article_id)
        return article.date if article is not None else None

    def language(self, statement: Statement) -> str:
        article = self.article(statement.article_id)
        return article.language if article is not None else "fr"

    def quote(self, statement: Statement, limit: Optional[int] = None) -> str:
        text = shorten(statement.text, limit) if limit else one_line(statement.text)
        return quoted(text, self.language(statement), statement.kind)

    def actors_of(self, judgement: Judgement) -> str:
        a, b = self.actor(judgement.pair.a.actor_id), self.actor(judgement.pair.b.actor_id)
        return a.name if a.id == b.id else f"{a.name} / {b.name}"

    # -- grouping --------------------------------------------------------------------------
    @property
    def listed_labels(self) -> tuple[str, ...]:
        return LABEL_ORDER if self.show_neutral else LABEL_ORDER[:2]

    def findings(self, judgements: Optional[Iterable[Judgement]] = None) -> list[Judgement]:
        """Listed findings: contradictions, then agreements (then neutral if asked), strongest first."""
        pool = self.judgements if judgements is None else judgements
        rank = {label: i for i, label in enumerate(self.listed_labels)}
        listed = [j for j in pool if j.label in rank]
        return sorted(listed, key=lambda j: (rank[j.label], -headline_score(j),
                                             self._statement_rank[j.pair.a.id],
                                             self._statement_rank[j.pair.b.id]))

    def cross_actor_findings(self) -> list[Judgement]:
        return self.findings(j for j in self.judgements if not self._same_actor(j))

    def actor_sections(self) -> list[ActorSection]:
        """One section per actor with statements; most contradicted and most quoted first."""
        by_actor: dict[str, list[Statement]] = {}
        for statement in self.statements:
            by_actor.setdefault(statement.actor_id, []).append(statement)
        own: dict[str, list[Judgement]] = {}
        cross: dict[str, int] = {}
        for judgement in self.findings():
            a, b = judgement.pair.a.actor_id, judgement.pair.b.actor_id
            if a == b:
                own.setdefault(a, []).append(judgement)
            else:
                cross[a], cross[b] = cross.get(a, 0) + 1, cross.get(b, 0) + 1
        sections = [ActorSection(actor=self.actor(actor_id),
                                 statements=tuple(sorted(statements, key=self._chronology)),
                                 findings=tuple(own.get(actor_id, ())), cross_actor=cross.get(actor_id, 0))
                    for actor_id, statements in by_actor.items()]
        return sorted(sections, key=lambda s: (
            -sum(1 for j in s.findings if j.label == "contradiction"),
            -len(s.statements), s.actor.name.casefold(), s.actor.id))

    # -- ordering keys ---------------------------------------------------------------------
    def _position(self, statement: Statement) -> tuple:
        rank = self._article_rank.get(statement.article_id, len(self._article_rank))
        return (rank, statement.article_id, statement.start, statement.end, statement.id)

    def _chronology(self, statement: Statement) -> tuple:
        date = self.statement_date(statement)
        return (date is None, date or "", self._position(statement))

    @staticmethod
    def _same_actor(judgement: Judgement) -> bool:
        # Trust the ids over the flag: the flag is set upstream, the ids are what we group by.
        return judgement.pair.a.actor_id == judgement.pair.b.actor_id


def _unique(items: Iterable, key) -> list:
    seen: set = set()
    kept = []
    for item in items:
        if key(item) not in seen:
            seen.add(key(item))
            kept.append(item)
    return kept
