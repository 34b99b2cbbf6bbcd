"""The Markdown report: for pasting into a ticket, a wiki or a newsroom chat.

Findings between two different actors get their own section, listed once, with
a pointer from each actor; findings of an actor against itself sit under it.
Article-derived text is escaped: a `|` or a newline in a quote must never break
a table, and a `*` or `<` must stay a character, not markup.
"""
from __future__ import annotations

import re

from ..types import Judgement, Statement
from .grouping import ActorSection, ReportView, plural, timings_line

_MARKDOWN_SPECIALS = re.compile(r"([\\`*_\[\]<>|~&])")
_LABEL_TITLES = {"contradiction": "Contradictions", "agreement": "Agreements", "neutral": "Neutral pairs"}


def md(text: str) -> str:
    """Article text as inert Markdown on one line (backslash escapes work in every CommonMark)."""
    return _MARKDOWN_SPECIALS.sub(r"\\\1", re.sub(r"\s+", " ", text).strip())


def code(text: str) -> str:
    text = re.sub(r"\s+", " ", text).replace("`", "'").replace("|", "\\|")
    return f"`{text}`"


def render_markdown(view: ReportView) -> str:
    lines: list[str] = ["# Stance report", ""]
    lines += _summary(view)
    if view.skipped:
        lines += [f"## Skipped inputs ({len(view.skipped)})", ""]
        lines += [f"- {code(s.path + (f':{s.line}' if s.line is not None else ''))}: {md(s.reason)}"
                  for s in view.skipped]
        lines.append("")
    if not view.statements:
        lines += ["No statements were found in this batch.", ""]
        return "\n".join(lines)

    cross = view.cross_actor_findings()
    if cross:
        lines += ["## Between actors", ""]
        lines += _findings_by_label(view, cross, heading="###", show_actors=True)
    lines += ["## By actor", ""]
    for section in view.actor_sections():
        lines += _actor_section(view, section)
    return "\n".join(lines).rstrip("\n") + "\n"


def _summary(view: ReportView) -> list[str]:
    s = view.summary
    neutral_note = "" if view.show_neutral else " (counted, not listed)"
    lines = [
        "| Articles | Actors | Statements | Pairs compared | Contradictions | Agreements | Neutral | Skipped |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
        f"| {s.articles} | {s.actors} | {s.statements} | {s.comparisons} | {s.contradictions} "
        f"| {s.agreements} | {s.neutral}{neutral_note} | {s.skipped} |",
        "",
        f"Model: {code(view.model.name)}{view.model.precision_note}",
        "",
    ]
    if view.report.timings:
        lines += [f"Timings: {timings_line(view.report.timings)}", ""]
    if view.report.settings:
        settings = ", ".join(f"{k}={v}" for k, v in view.report.settings.items())
        lines += [f"Settings: {code(settings)}", ""]
    return lines


def _actor_section(view: ReportView, section: ActorSection) -> list[str]:
    actor = section.actor
    lines = [f"### {md(actor.name)}", ""]
    facts = [actor.kind, plural(len(section.statements), "statement")]
    other_names = [a for a in actor.aliases if a != actor.name]
    if other_names:
        facts.append("also written " + ", ".join(md(a) for a in other_names))
    if section.cross_actor:
        facts.append(f"{section.cross_actor} finding(s) with other actors, see [Between actors](#between-actors)")
    lines += ["*" + " · ".join(facts) + "*", ""]

    lines += ["| Date | Article | Kind | Statement |", "|---|---|---|---|"]
    for statement in section.statements:
        lines.append(f"| {view.statement_date(statement) or 'undated'} | {_article_ref(view, statement)} "
                     f"| {statement.kind} | {md(view.quote(statement))} |")
    lines.append("")
    if section.findings:
        lines += _findings_by_label(view, section.findings, heading="####", show_actors=False)
    return lines


def _findings_by_label(view: ReportView, findings: list[Judgement] | tuple[Judgement, ...], *,
                       heading: str, show_actors: bool) -> list[str]:
    lines: list[str] = []
    for label in view.listed_labels:
        group = [j for j in findings if j.label == label]
        if not group:
            continue
        lines += [f"{heading} {_LABEL_TITLES[label]} ({len(group)})", ""]
        for judgement in group:
            lines += _finding(view, judgement, show_actors)
        lines.append("")
    return lines


def _finding(view: ReportView, judgement: Judgement, show_actors: bool) -> list[str]:
    scores, pair = judgement.scores, judgement.pair
    head = (f"- **{judgement.label}** · entailment {scores.entailment:.2f} · "
            f"neutral {scores.neutral:.2f} · contradiction {scores.contradiction:.2f} · "
            f"similarity {pair.similarity:.2f}")
    if pair.near_duplicate:
        head += " · same quote carried twice"
    return [head, _side(view, "A", pair.a, show_actors), _side(view, "B", pair.b, show_actors)]


def _side(view: ReportView, letter: str, statement: Statement, show_actors: bool) -> str:
    who = f"{md(view.actor(statement.actor_id).name)}: " if show_actors else ""
    when = view.statement_date(statement) or "undated"
    return (f"  - **{letter}** {who}{md(view.quote(statement))} "
            f"({_article_ref(view, statement)}, {when})")


def _article_ref(view: ReportView, statement: Statement) -> str:
    return f"*{md(view.article_title(statement.article_id))}* {code(statement.article_id)}"
