"""The `stance` command: a thin typer layer over the library (stance.pipeline, stance.report, ...).

Exit codes (every command):
  0  success
  1  a gate failed (reserved for CI checks: new contradictions, metrics below a minimum)
  2  usage error, or nothing usable was read
"""
from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path
from typing import Iterator, List, Optional

import typer
from rich.console import Console

from .errors import StanceError
from .pairs import DEFAULT_MAX_NEIGHBOURS, DEFAULT_SIMILARITY_THRESHOLD

EXIT_CODES = """Exit codes: 0 success; 1 a gate failed; 2 usage error or nothing usable was read."""

app = typer.Typer(
    name="stance",
    help="Who said what in a batch of news articles, and do their claims agree or contradict?\n\n"
         + EXIT_CODES,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)



@app.callback()
def _main() -> None:
    """Who said what in a batch of news articles, and do their claims agree or contradict?"""


stderr = Console(stderr=True, highlight=False, soft_wrap=True)

_SUFFIXES = {"terminal": ".txt", "markdown": ".md", "html": ".html", "json": ".json"}


def fail(message: str, code: int = 2) -> None:
    stderr.print(f"[bold red]error:[/] {_escape(message)}")
    raise typer.Exit(code)


def warn(message: str) -> None:
    stderr.print(f"[yellow]warning:[/] {_escape(message)}")


@contextlib.contextmanager
def user_errors() -> Iterator[None]:
    """StanceError -> one line on stderr and exit 2; a traceback only with STANCE_DEBUG=1."""
    try:
        yield
    except StanceError as error:
        if os.environ.get("STANCE_DEBUG"):
            raise
        fail(str(error))


def _escape(text: str) -> str:
    from rich.markup import escape
    return escape(text)


def _parse_formats(values: List[str]) -> list[str]:
    from .report import FORMATS
    formats: list[str] = []
    for value in values:
        for name in filter(None, (v.strip().lower() for v in value.split(","))):
            name = {"md": "markdown", "term": "terminal", "text": "terminal"}.get(name, name)
            if name not in FORMATS:
                fail(f"--format: unknown format '{name}' (choose from {', '.join(FORMATS)})")
            if name not in formats:
                formats.append(name)
    return formats or ["terminal"]


def _rich_stages(quiet: bool):
    """A progress bar per pipeline stage on stderr, or nothing when quiet."""
    if quiet:
        return None
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    @contextlib.contextmanager
    def stage(name: str, total: int) -> Iterator:
        with Progress(TextColumn("{task.description:>8}"), BarColumn(), MofNCompleteColumn(),
                      TimeElapsedColumn(), console=stderr, transient=True) as bars:
            task = bars.add_task(name, total=max(total, 1))
            yield lambda n: bars.advance(task, n)
    return stage


def write_outputs(report, formats: list[str], output: Optional[Path]) -> None:
    """One format: to --output or stdout. Several: --output is a stem, each format gets its suffix."""
    from .report import render
    for fmt in formats:
        if output is None:
            if fmt in ("html", "json") and len(formats) > 1:
                fail(f"--format {fmt} alongside other formats needs --output")
            text = render(report, fmt, color=sys.stdout.isatty() and fmt == "terminal")
            sys.stdout.write(text if text.endswith("\n") else text + "\n")
            continue
        target = output if len(formats) == 1 else output.with_suffix(_SUFFIXES[fmt])
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(render(report, fmt), encoding="utf-8")
        stderr.print(f"wrote {target}")


@app.command()
def check(
    paths: List[Path] = typer.Argument(..., help="Article files or directories (.txt .md .jsonl .json .csv)."),
    model: Optional[str] = typer.Option(None, "--model", "-m",
                                        help="NLI model: hub id or local directory. Default: the embedded model."),
    format: List[str] = typer.Option(["terminal"], "--format", "-f",
                                     help="terminal, markdown, html, json; repeat or comma-separate for several."),
    output: Optional[Path] = typer.Option(None, "--output", "-o",
                                          help="Write here (with several formats: a stem, one file per format)."),
    aliases: Optional[Path] = typer.Option(None, "--aliases", help="TOML or YAML file merging/renaming actors."),
    similarity_threshold: float = typer.Option(
        DEFAULT_SIMILARITY_THRESHOLD, help="Cross-actor pairs need this topic similarity (e5 cosine, see docs)."),
    max_neighbours: int = typer.Option(
        DEFAULT_MAX_NEIGHBOURS, min=0, help="Cross-actor pairs per statement, at most (its most similar ones)."),
    cross_actor: bool = typer.Option(True, help="Also compare different actors on the same topic."),
    contradiction_threshold: float = typer.Option(0.5, help="P(contradiction) from which a pair is a contradiction."),
    agreement_threshold: float = typer.Option(0.5, help="P(entailment) from which a pair is an agreement."),
    batch_size: int = typer.Option(32, min=1, help="NLI batch size."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bars."),
) -> None:
    """Consistency report for a batch of articles: statements per actor, agreements, contradictions.

    Exit codes: 0 report written; 2 usage error or no usable article (bad files are skipped with a warning).
    """
    from .pipeline import CheckOptions, check as run_check

    formats = _parse_formats(format)
    for name, value in (("--contradiction-threshold", contradiction_threshold),
                        ("--agreement-threshold", agreement_threshold)):
        if not 0.0 <= value <= 1.0:
            fail(f"{name} must be between 0 and 1, got {value}")
    options = CheckOptions(model=model, aliases=aliases, similarity_threshold=similarity_threshold,
                           max_neighbours=max_neighbours, cross_actor=cross_actor, contradiction_threshold=contradiction_threshold,
                           agreement_threshold=agreement_threshold, batch_size=batch_size)
    with user_errors():
        report = run_check(paths, options, progress=_rich_stages(quiet))
        for skipped in report.skipped:
            warn(f"skipped {skipped.message()}")
        write_outputs(report, formats, output)


if __name__ == "__main__":
    app()
