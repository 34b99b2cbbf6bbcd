"""Markdown reports of evaluation runs (report.md beside metrics.json)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Optional, Sequence

from .extraction import KINDS, ExtractionResult
from .pairs import PairScores
from .plots import file_stem

if TYPE_CHECKING:
    from .claims import ClaimScores


def _pct(value: float) -> str:
    return f"{100 * value:.1f}"


def _threshold(best: dict) -> str:
    return "-" if best.get("threshold") is None else f"{best['threshold']:.3f}"


def _per_class_lines(per_class: dict[str, dict[str, float]]) -> list[str]:
    return ["| label | precision | recall | F1 | support |", "|---|---:|---:|---:|---:|"] + [
        f"| {label} | {_pct(c['precision'])} | {_pct(c['recall'])} | {_pct(c['f1'])} | {c['support']} |"
        for label, c in per_class.items()]


def _confusion_lines(labels: Sequence[str], confusion: list[list[int]], columns: str) -> list[str]:
    return ([f"| gold \\ {columns} | " + " | ".join(labels) + " |", "|---|" + "---:|" * len(labels)]
            + [f"| {label} | " + " | ".join(str(c) for c in row) + " |" for label, row in zip(labels, confusion)])


def _bad_rows_and_plots(result, second_plot: Optional[str]) -> list[str]:
    """The end of a dataset's section: its first bad rows, its two plots (none: no plots), a blank line."""
    lines = []
    if result.bad_examples:
        lines += ["", "Bad rows (first ones):", ""] + [f"- `{e}`" for e in result.bad_examples]
    if second_plot:
        stem = file_stem(result.name)
        lines += ["", f"![confusion]({stem}-confusion.png) ![{second_plot}]({stem}-{second_plot}.png)"]
    return lines + [""]


def summary_table(results: Sequence[PairScores]) -> str:
    rows = ["| dataset | task | n | accuracy | macro-F1 | ECE | best P(contr.) cut | contr. F1 there "
            "| pairs/s | bad rows |",
            "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        rows.append(f"| {r.name} | {r.task} | {r.n} | {_pct(r.accuracy)} | {_pct(r.macro_f1)} | "
                    f"{r.ece:.3f} | {_threshold(r.best_threshold)} | "
                    f"{_pct(r.best_threshold['contradiction_f1'] or 0.0)} | {r.pairs_per_s:.0f} | "
                    f"{r.bad_rows} |")
    return "\n".join(rows)


def pairs_markdown(model: str, results: Sequence[PairScores], plots: bool = True) -> str:
    lines = [f"# NLI evaluation: {model}", "",
             "Accuracy, macro-F1, per-class F1 and F1 in %; ECE: top-label expected calibration "
             "error, 10 equal-width bins; best cut: the P(contradiction) threshold with the best "
             "contradiction F1 on that dataset (tuned on the test data: an oracle).", "",
             summary_table(results), ""]
    for r in results:
        lines += [f"## {r.name}", "", f"`{r.source}`: {r.rows} rows read, {r.n} scored, "
                  f"{r.bad_rows} bad" + (f"; contradiction when P(contradiction) >= {r.threshold}"
                                         if r.threshold is not None else "") + ".", "",
                  *_per_class_lines(r.per_class), "", *_confusion_lines(r.labels, r.confusion, "predicted")]
        lines += _bad_rows_and_plots(r, "reliability" if plots else None)
    return "\n".join(lines)


def extraction_table(result: ExtractionResult) -> str:
    rows = ["| overlap > | precision | recall | F1 | speaker accuracy | kind accuracy | TP | FP | FN |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for threshold, m in result.thresholds.items():
        rows.append(f"| {threshold} | {_pct(m['precision'])} | {_pct(m['recall'])} | {_pct(m['f1'])} | "
                    f"{_pct(m['speaker_accuracy'])} | {_pct(m['kind_accuracy'])} | {m['tp']} | "
                    f"{m['fp']} | {m['fn']} |")
    return "\n".join(rows)


def kind_table(result: ExtractionResult, threshold: Optional[str] = None) -> str:
    threshold = threshold or next(iter(result.thresholds))
    rows = [f"| kind (overlap > {threshold}) | gold | predicted | precision | recall | F1 | speaker accuracy |",
            "|---|---:|---:|---:|---:|---:|---:|"]
    for kind in KINDS:
        k = result.thresholds[threshold]["per_kind"][kind]
        rows.append(f"| {kind} | {k['gold']} | {k['predicted']} | {_pct(k['precision'])} | "
                    f"{_pct(k['recall'])} | {_pct(k['f1'])} | {_pct(k['speaker_accuracy'])} |")
    return "\n".join(rows)


def extraction_markdown(result: ExtractionResult) -> str:
    lines = [f"# Extraction evaluation: {result.gold}", "",
             f"{result.articles} articles, {result.gold_statements} gold statements, "
             f"{result.predicted_statements} extracted. Span overlap = share of the gold span "
             f"covered; percentages.", "", extraction_table(result), "", kind_table(result), ""]
    titles = {"missed": "Missed (gold statements with no extracted match)",
              "spurious": "Spurious (extracted, not in the gold)",
              "wrong_speaker": "Wrong speaker", "wrong_kind": "Wrong kind"}
    lowest = next(iter(result.thresholds))
    for key, title in titles.items():
        errors = result.errors.get(key, [])
        lines += [f"## {title}: {len(errors)} (overlap > {lowest})", ""]
        for e in errors:
            who = (f"{e['gold']} -> {e['predicted']}" if "gold" in e else e.get("actor", ""))
            text = e["text"] if len(e["text"]) <= 100 else e["text"][:100] + "…"
            lines.append(f"- {e['article']} @{e['start']} [{who}] « {text} »")
        lines.append("")
    return "\n".join(lines)


def claims_markdown(model: str, results: Sequence["ClaimScores"], plots: bool = True) -> str:
    lines = [f"# Claim-pair evaluation: {model}", "",
             "Each pair judged as `stance check` judges it (both directions combined, near-duplicates "
             "are agreements, then the thresholds). Percentages. *best*: the thresholds with the best "
             "macro-F1 on the file (tuned on it: an oracle). *2-fold*: thresholds tuned on one half, "
             "scored on the other, beside the current thresholds on the same halves.", "",
             claims_table(results), ""]
    for r in results:
        lines += [f"## {r.name}", "", f"`{r.source}`: {r.rows} rows read, {r.n} judged, {r.bad_rows} bad"
                  + (f", {r.unlabelled} unlabelled" if r.unlabelled else "")
                  + ("" if r.near_duplicates else "; near-duplicate rule off") + ".", "",
                  *_per_class_lines(r.per_class), "", *_confusion_lines(r.labels, r.confusion, "stance")]
        for target, points in r.curves.items():
            lines += ["", f"{target.capitalize()} threshold (the other held at its value): "
                      "threshold / precision / recall / pairs so labelled", "",
                      "| " + " | ".join(f"{p['threshold']:.2f}" for p in points[1::2]) + " |",
                      "|" + "---:|" * len(points[1::2]),
                      "| " + " | ".join(f"{_pct(p['precision'])} / {_pct(p['recall'])} / {p['predicted']}"
                                        for p in points[1::2]) + " |"]
        if r.errors:
            lines += ["", f"Wrong labels (first {len(r.errors)}):", ""]
            for e in r.errors:
                lines.append(f"- `{e['where']}` {e['expected']} → {e['label']} "
                             f"(c {e['scores']['contradiction']:.2f}, e {e['scores']['entailment']:.2f}): "
                             f"« {_short(e['a'])} » / « {_short(e['b'])} »")
        lines += _bad_rows_and_plots(r, "thresholds" if plots else None)
    return "\n".join(lines)


def claims_table(results: Sequence["ClaimScores"]) -> str:
    rows = ["| file | n | thresholds (contr. / agr.) | accuracy | macro-F1 | contradiction P / R | "
            "agreement P / R | best thresholds | macro-F1 there | 2-fold: tuned | 2-fold: current |",
            "|---|---:|---|---:|---:|---:|---:|---|---:|---:|---:|"]
    for r in results:
        cv = r.cross_validated
        tuned = "-" if cv["tuned_macro_f1"] is None else _pct(cv["tuned_macro_f1"])
        current = "-" if cv["current_macro_f1"] is None else _pct(cv["current_macro_f1"])
        c, a = r.per_class["contradiction"], r.per_class["agreement"]
        rows.append(f"| {r.name} | {r.n} | {r.thresholds.contradiction:.2f} / {r.thresholds.agreement:.2f} | "
                    f"{_pct(r.accuracy)} | {_pct(r.macro_f1)} | {_pct(c['precision'])} / {_pct(c['recall'])} | "
                    f"{_pct(a['precision'])} / {_pct(a['recall'])} | {r.best['contradiction']:.2f} / "
                    f"{r.best['agreement']:.2f} | {_pct(r.best['macro_f1'])} | {tuned} | {current} |")
    return "\n".join(rows)


def _short(text: str, limit: int = 90) -> str:
    return text if len(text) <= limit else text[:limit] + "…"
