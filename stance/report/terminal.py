"""The terminal report (rich): a summary panel, a findings table, the skipped inputs.

Article text is wrapped in rich Text objects, never in markup strings: a quote
containing "[bold]" or "[/]" must print as written, not style or crash the output.
"""
from __future__ import annotations

from io import StringIO

from rich import box
from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from ..types import Judgement, Statement
from .grouping import ReportView, headline_score, plural, shorten, timings_line

QUOTE_LIMIT = 180
TITLE_LIMIT = 40
_LABEL_STYLES = {"contradiction": "bold red", "agreement": "bold green", "neutral": "dim"}


def render_terminal(view: ReportView, *, color: bool = False, width: int | None = None) -> str:
    out = StringIO()
    console = Console(file=out, width=width or 120, color_system="truecolor" if color else None,
                      force_terminal=color, no_color=not color, highlight=False, emoji=False,
                      legacy_windows=False, soft_wrap=False)
    console.print(_summary_panel(view))
    findings = view.findings()
    if findings:
        console.print(_findings_table(view, findings))
    elif view.statements:
        console.print(Text("No contradictions or agreements found.", style="dim"))
    else:
        console.print(Text("No statements were found in this batch.", style="dim"))
    if view.skipped:
        console.print(Text(f"Skipped inputs ({len(view.skipped)})", style="bold yellow"))
        for skipped in view.skipped:
            console.print(Text("  " + skipped.message()))
    return out.getvalue()


def _summary_panel(view: ReportView) -> Panel:
    s = view.summary
    counts = Text()
    counts.append(f"{plural(s.articles, 'article')} · {plural(s.actors, 'actor')} · "
                  f"{plural(s.statements, 'statement')} · {plural(s.comparisons, 'pair')} compared\n")
    counts.append(plural(s.contradictions, "contradiction"), style="bold red" if s.contradictions else "")
    counts.append(" · ")
    counts.append(plural(s.agreements, "agreement"), style="bold green" if s.agreements else "")
    counts.append(f" · {s.neutral} neutral" + ("" if view.show_neutral else " (not listed)"))
    if s.skipped:
        counts.append(f" · {s.skipped} skipped", style="yellow")
    lines = [counts, Text.assemble(("model ", "dim"), view.model.name, (view.model.precision_note, "dim"))]
    if view.report.timings:
        lines.append(Text(timings_line(view.report.timings), style="dim"))
    return Panel(Group(*lines), title="stance", title_align="left", box=box.ROUNDED, expand=True)


def _findings_table(view: ReportView, findings: list[Judgement]) -> Table:
    table = Table(box=box.SIMPLE_HEAD, expand=True, show_lines=False, pad_edge=False)
    table.add_column("Actor(s)", ratio=2, min_width=10, overflow="fold")
    table.add_column("Statement A", ratio=5, overflow="fold")
    table.add_column("Statement B", ratio=5, overflow="fold")
    table.add_column("Label", min_width=len("contradiction"), no_wrap=True)
    table.add_column("Score", justify="right", width=5, no_wrap=True)
    for index, judgement in enumerate(findings):
        if index:
            table.add_row()   # a blank line between findings: long quotes wrap and run together
        label = Text(judgement.label, style=_LABEL_STYLES[judgement.label])
        if judgement.pair.near_duplicate:
            label.append("\nsame quote", style="dim")
        table.add_row(Text(view.actors_of(judgement)), _statement_cell(view, judgement.pair.a),
                      _statement_cell(view, judgement.pair.b), label,
                      Text(f"{headline_score(judgement):.2f}"))
    return table


def _statement_cell(view: ReportView, statement: Statement) -> Text:
    cell = Text(view.quote(statement, limit=QUOTE_LIMIT))
    title = shorten(view.article_title(statement.article_id), TITLE_LIMIT)
    when = view.statement_date(statement) or "undated"
    cell.append(f"\n{title} · {when}", style="dim")
    return cell
