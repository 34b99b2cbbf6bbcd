"""The last stage: a Report rendered for people (terminal, Markdown, HTML) or tools (JSON; TSV of
every compared pair, to label for `stance eval claims`).

    from stance.report import render, to_json_dict, FORMATS
    print(render(report, "terminal", color=True))
    Path("report.html").write_text(render(report, "html"), encoding="utf-8")

Neutral pairs are always in the JSON `comparisons` and always counted; the human
formats list them only with `show_neutral=True`.
"""
from __future__ import annotations

from ..errors import UsageError
from ..types import Report
from .grouping import ReportView
from .jsonreport import SCHEMA_PATH, load_schema, to_json_dict, to_json_text

FORMATS: tuple[str, ...] = ("terminal", "markdown", "html", "json", "tsv")


def render(report: Report, fmt: str, *, color: bool = False, width: int | None = None,
           show_neutral: bool = False) -> str:
    """The report as text in one of FORMATS; `color` and `width` only matter for the terminal."""
    if fmt == "json":
        return to_json_text(report)
    if fmt == "tsv":
        from .pairs_tsv import render_pairs_tsv
        return render_pairs_tsv(report)
    view = ReportView(report, show_neutral=show_neutral)
    if fmt == "terminal":
        from .terminal import render_terminal
        return render_terminal(view, color=color, width=width)
    if fmt == "markdown":
        from .markdown import render_markdown
        return render_markdown(view)
    if fmt == "html":
        from .html import render_html
        return render_html(view)
    raise UsageError(f"unknown report format '{fmt}' (choose from {', '.join(FORMATS)})")


__all__ = ["FORMATS", "render", "to_json_dict", "to_json_text", "load_schema", "SCHEMA_PATH"]
