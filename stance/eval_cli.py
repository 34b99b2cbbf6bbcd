"""`stance eval`: evaluation runs, as a typer sub-app registered by stance/cli.py.

    stance eval pairs DATASET... [--model M] [--output DIR]   an NLI model on labelled pairs
    stance eval claims FILE... [--model M] [--output DIR]    stance's labels on labelled claim pairs
    stance eval extraction GOLD [--output DIR]                 statements against a gold file

Exit codes: 0 done; 1 a dataset fell below --min-accuracy / --min-macro-f1, or a gate was set and a
dataset had to be skipped; 2 usage error, no usable dataset, or an unreadable gold file.
An unreadable dataset among several is skipped with a warning and listed in the report.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import List, Optional

import typer

from .console import (MODEL_OPTION, PRECISION_OPTION, escape, fail, require_choice, require_probabilities,
                      stage_progress, stderr, user_errors, warn, write_file, wrote)
from .errors import InputError
from .nli import PRECISIONS

eval_app = typer.Typer(
    help="Evaluate stance: the NLI model on labelled pairs, extraction on an annotated gold file.",
    no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)


_RESULTS_OPTION = typer.Option(None, "--output", "-o", help="Directory for metrics.json, report.md and PNG plots.")


@eval_app.command("pairs")
def pairs(
    datasets: List[Path] = typer.Argument(..., help="TSV/CSV/JSONL files or datasets directories (save_to_disk)."),
    model: Optional[str] = MODEL_OPTION,
    output: Optional[Path] = _RESULTS_OPTION,
    premise: str = typer.Option("premise", help="Premise column."),
    hypothesis: str = typer.Option("hypothesis", help="Hypothesis column."),
    label: str = typer.Option("label", help="Label column."),
    label_map: Optional[str] = typer.Option(
        None, help="Map the file's labels: 'entails=entailment,...'; a target not_contradiction "
                   "makes the task binary (contradiction vs not)."),
    split: str = typer.Option("test", help="Split to read from a datasets directory holding several."),
    contradiction_threshold: float = typer.Option(
        0.5, help="Binary task: contradiction when P(contradiction) is at least this."),
    limit: Optional[int] = typer.Option(None, min=1, help="Score a seeded sample of at most N pairs per dataset."),
    batch_size: int = typer.Option(32, min=1, help="NLI batch size."),
    max_length: int = typer.Option(128, min=8, help="Tokens per pair; longer pairs are truncated."),
    device: str = typer.Option("cpu", help="cpu, cuda, ..."),
    precision: str = PRECISION_OPTION,
    min_accuracy: Optional[float] = typer.Option(None, help="Exit 1 when a dataset's accuracy is below this."),
    min_macro_f1: Optional[float] = typer.Option(None, help="Exit 1 when a dataset's macro-F1 is below this."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bars."),
) -> None:
    """Accuracy, macro-F1, per-class scores, confusion, calibration and speed on labelled pairs.

    Exit codes: 0 done; 1 a dataset below --min-accuracy / --min-macro-f1 (or skipped while a minimum is
    set); 2 usage error or no usable dataset (unreadable ones among several are skipped with a warning).
    """
    from .evaluation.labelled import Columns, load_labelled, parse_label_map
    from .evaluation.pairs import evaluate_dataset
    from .evaluation.report import pairs_markdown

    require_choice("--precision", precision, PRECISIONS)
    require_probabilities(("--contradiction-threshold", contradiction_threshold),
                          ("--min-accuracy", min_accuracy), ("--min-macro-f1", min_macro_f1))
    with user_errors():
        mapping = parse_label_map(label_map)
        columns = Columns(premise, hypothesis, label)
        loaded, skipped = _loaded(datasets, lambda path: load_labelled(path, mapping, columns, split=split,
                                                                       limit=limit))
        nli = _load_model(model, device, max_length, precision)
        results = []
        for data in loaded:
            with stage_progress(quiet)(data.name, len(data.pairs)) as advance:
                results.append(evaluate_dataset(nli, data, mapping.labels, contradiction_threshold,
                                                batch_size=batch_size, advance=advance))
    from .evaluation.plots import dataset_plots

    _publish(nli, results, skipped, pairs_markdown, dataset_plots, output,
             _gate(results, skipped, min_accuracy, min_macro_f1))


def _load_model(model: Optional[str], device: str, max_length: int, precision: str):
    from .nli import NLIModel

    nli = NLIModel.load(model, device=device, max_length=max_length, precision=precision)
    if nli.max_length < max_length:
        warn(f"--max-length {max_length}: {nli.name} reads at most {nli.max_length} tokens per pair; "
             f"longer pairs are truncated there")
    return nli


def _publish(nli, results: list, skipped: list[InputError], markdown, plots, output: Optional[Path],
             failures: list[str]) -> None:
    """The summary on stdout; with --output, metrics.json, report.md and two plots per dataset;
    then the gate: each failure on stderr, exit 1."""
    skipped_section = _skipped_markdown(skipped)
    sys.stdout.write(markdown(nli.name, results, plots=False) + skipped_section)
    if output is not None:
        metrics = {"model": nli.name, "precision": nli.precision,
                   "datasets": {r.name: r.as_json() for r in results},
                   "skipped": [{"path": e.path, "line": e.line, "reason": e.reason} for e in skipped]}
        write_file(output / "metrics.json", json.dumps(metrics, indent=2, ensure_ascii=False) + "\n")
        write_file(output / "report.md", markdown(nli.name, results) + skipped_section)
        for result in results:
            plots(result, output)
        wrote(f"{output}/metrics.json, report.md and {2 * len(results)} plots")
    for failure in failures:
        stderr.print(f"[bold red]gate failed:[/] {escape(failure)}")
    if failures:
        raise typer.Exit(1)


def _skipped_markdown(skipped: list[InputError]) -> str:
    if not skipped:
        return ""
    return "\n## Skipped\n\n" + "".join(f"- `{e}`\n" for e in skipped)


def _gate(results: list, skipped: list[InputError], min_accuracy, min_macro_f1) -> list[str]:
    """A gate cannot pass on a dataset it did not read: with a minimum set, a skipped file fails it."""
    from .evaluation.pairs import below_minimum

    failures = below_minimum(results, min_accuracy, min_macro_f1)
    if min_accuracy is not None or min_macro_f1 is not None:
        failures += [f"{e.path}: skipped, not evaluated ({e.reason})" for e in skipped]
    return failures


def _loaded(paths: list[Path], load) -> tuple[list, list[InputError]]:
    """Each file loaded, renamed apart, its bad rows warned about. A file that cannot be read, or has
    no usable pair, is skipped with a warning; exit 2 only when no file is usable."""
    loaded, skipped = [], []
    for path in paths:
        try:
            data = load(path)
        except InputError as error:
            skipped.append(error)
            continue
        if data.bad_rows:
            warn(f"{data.source}: {len(data.bad_rows)} bad row(s) skipped, e.g. {data.bad_rows[0].message()}")
        if data.pairs:
            loaded.append(data)
        else:
            unlabelled = f", {data.unlabelled} without a label" if data.unlabelled else ""
            skipped.append(InputError(str(data.source), f"no usable pair ({data.rows} rows read{unlabelled})"))
    if not loaded:
        if len(skipped) == 1:
            fail(str(skipped[0]))
        fail("no usable dataset (" + "; ".join(str(e) for e in skipped) + ")")
    for error in skipped:
        warn(f"{error} (skipped)")
    _unique_names(loaded)
    return loaded, skipped


def _unique_names(loaded) -> None:
    """Two test.tsv from folders of the same name would overwrite each other's plots."""
    seen: dict[str, int] = {}
    for data in loaded:
        count = seen.get(data.name, 0) + 1
        seen[data.name] = count
        if count > 1:
            data.name = f"{data.name}-{count}"


@eval_app.command("claims")
def claims(
    files: List[Path] = typer.Argument(..., help="TSV/CSV/JSONL files of labelled claim pairs."),
    model: Optional[str] = MODEL_OPTION,
    output: Optional[Path] = _RESULTS_OPTION,
    claim_a: str = typer.Option("a", help="Column of the first claim."),
    claim_b: str = typer.Option("b", help="Column of the second claim."),
    label: str = typer.Option("expected", help="Label column: contradiction, agreement or neutral."),
    contradiction_threshold: float = typer.Option(0.5, help="As in stance check."),
    agreement_threshold: float = typer.Option(0.5, help="As in stance check."),
    near_duplicates: bool = typer.Option(True, "--near-duplicates/--model-only",
                                         help="Near-duplicate texts are agreements, as in stance check; "
                                              "--model-only labels every pair by its scores."),
    batch_size: int = typer.Option(32, min=1, help="NLI batch size."),
    max_length: int = typer.Option(128, min=8, help="Tokens per pair; longer pairs are truncated."),
    device: str = typer.Option("cpu", help="cpu, cuda, ..."),
    precision: str = PRECISION_OPTION,
    min_macro_f1: Optional[float] = typer.Option(None, help="Exit 1 when a file's macro-F1 is below this."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bars."),
) -> None:
    """stance check's labels on labelled claim pairs: precision/recall per label, threshold curves,
    the best thresholds for the file and a 2-fold estimate of what tuning them buys.

    Exit codes: 0 done; 1 a file below --min-macro-f1 (or skipped while it is set); 2 usage error or no
    usable file (unreadable ones among several are skipped with a warning).
    """
    from .evaluation.claims import evaluate_claims, load_claim_pairs
    from .evaluation.labelled import Columns
    from .evaluation.report import claims_markdown
    from .judge import Thresholds

    require_choice("--precision", precision, PRECISIONS)
    require_probabilities(("--contradiction-threshold", contradiction_threshold),
                          ("--agreement-threshold", agreement_threshold), ("--min-macro-f1", min_macro_f1))
    thresholds = Thresholds(contradiction=contradiction_threshold, agreement=agreement_threshold)
    with user_errors():
        loaded, skipped = _loaded(files, lambda path: load_claim_pairs(path, Columns(claim_a, claim_b, label)))
        nli = _load_model(model, device, max_length, precision)
        results = []
        for data in loaded:
            with stage_progress(quiet)(data.name, len(data.pairs)) as advance:
                result, _ = evaluate_claims(nli, data, thresholds, batch_size=batch_size,
                                            near_duplicates=near_duplicates, advance=advance)
                results.append(result)
    from .evaluation.plots import claims_plots

    _publish(nli, results, skipped, claims_markdown, claims_plots, output, _gate(results, skipped, None, min_macro_f1))


@eval_app.command("extraction")
def extraction(
    gold: Path = typer.Argument(..., help="Gold file (JSON, format in eval/README.md)."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Directory for metrics.json and report.md."),
    aliases: Optional[Path] = typer.Option(None, "--aliases", help="TOML or YAML file merging/renaming actors."),
) -> None:
    """Quote-span precision/recall/F1 at overlaps 0.3 and 0.8, speaker accuracy, per kind.

    Exit codes: 0 done; 2 usage error or unreadable gold file.
    """
    from .evaluation.extraction import evaluate_extraction
    from .evaluation.report import extraction_markdown
    from .extract import load_aliases

    with user_errors():
        result = evaluate_extraction(gold, aliases=load_aliases(aliases) if aliases else None)
    report = extraction_markdown(result)
    sys.stdout.write(report)
    if output is not None:
        write_file(output / "metrics.json", json.dumps(result.as_json(), indent=2, ensure_ascii=False) + "\n")
        write_file(output / "report.md", report)
        wrote(f"{output}/metrics.json and report.md")
