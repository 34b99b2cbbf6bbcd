"""What every stance command prints to people on stderr: errors, warnings, progress bars."""
from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Iterator

import typer
from rich.console import Console
from rich.markup import escape

from .errors import StanceError
from .pipeline import no_progress

stderr = Console(stderr=True, highlight=False, soft_wrap=True)


def fail(message: str, code: int = 2) -> None:
    stderr.print(f"[bold red]error:[/] {escape(message)}")
    raise typer.Exit(code)


def require_probabilities(*named: tuple[str, float | None]) -> None:
    """Exit 2 naming the first option outside [0, 1] (None: the option was not given)."""
    for name, value in named:
        if value is not None and not 0.0 <= value <= 1.0:
            fail(f"{name} must be between 0 and 1, got {value}")


#: The --model option of the commands that run the NLI model.
MODEL_OPTION = typer.Option(None, "--model", "-m",
                            help="NLI model: hub id or local directory. Default: the embedded model.")

#: The --precision option of the commands that run the NLI model (stance check, stance eval pairs).
PRECISION_OPTION = typer.Option(
    "fp32", "--precision", help="NLI arithmetic: fp32 (default; scores independent of batch-mates), bf16 "
                                "(1.4-1.7x faster on CPUs with AVX512-BF16 or AMX, scores within ~0.01), "
                                "auto (bf16 where the hardware has it).")


def require_choice(name: str, value: str, choices: tuple[str, ...]) -> None:
    """Exit 2 when an option's value is not one of `choices`."""
    if value not in choices:
        fail(f"{name}: unknown value '{value}' (expected one of {', '.join(choices)})")


def write_file(path: Path, text: str) -> None:
    """UTF-8, parent folders made."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def wrote(what: object) -> None:
    stderr.print(f"wrote {escape(str(what))}")  # a path may hold [brackets], Rich markup


def warn(message: str) -> None:
    stderr.print(f"[yellow]warning:[/] {escape(message)}")


@contextlib.contextmanager
def user_errors() -> Iterator[None]:
    """StanceError -> one line on stderr and exit 2; a traceback only with STANCE_DEBUG=1."""
    try:
        yield
    except StanceError as error:
        if os.environ.get("STANCE_DEBUG"):
            raise
        fail(str(error))


def stage_progress(quiet: bool):
    """A progress bar per pipeline stage on stderr, or nothing when quiet (a StageProgress)."""
    if quiet:
        return no_progress
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    @contextlib.contextmanager
    def stage(name: str, total: int) -> Iterator:
        with Progress(TextColumn("{task.description:>8}"), BarColumn(), MofNCompleteColumn(),
                      TimeElapsedColumn(), console=stderr, transient=True) as bars:
            task = bars.add_task(name, total=max(total, 1))
            yield lambda n: bars.advance(task, n)
    return stage


