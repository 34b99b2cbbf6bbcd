"""PNG plots of a pairs evaluation: confusion matrix and reliability diagram (matplotlib, Agg)."""
from __future__ import annotations

import re
from pathlib import Path

from .pairs import PairScores


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")  # files only: never open a window, work without a display
    import matplotlib.pyplot as plt
    return plt


def file_stem(name: str) -> str:
    """A dataset name as a file name: 'rte3-fr/test' -> 'rte3-fr-test'."""
    return re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-") or "dataset"


def confusion_png(scores: PairScores, path: Path) -> Path:
    plt = _pyplot()
    labels = scores.labels
    size = 1.2 + 1.1 * len(labels)
    figure, axes = plt.subplots(figsize=(size + 1, size))
    image = axes.imshow(scores.confusion, cmap="Blues")
    peak = max(max(row) for row in scores.confusion) or 1
    for i, row in enumerate(scores.confusion):
        for j, count in enumerate(row):
            axes.text(j, i, str(count), ha="center", va="center",
                      color="white" if count > peak / 2 else "black")
    axes.set_xticks(range(len(labels)), labels, rotation=20)
    axes.set_yticks(range(len(labels)), labels)
    axes.set_xlabel("predicted")
    axes.set_ylabel("gold")
    axes.set_title(f"{scores.name} (n={scores.n}, accuracy {scores.accuracy:.3f})", fontsize=9)
    figure.colorbar(image, ax=axes, fraction=0.046)
    return _save(plt, figure, path)


def reliability_png(scores: PairScores, path: Path) -> Path:
    plt = _pyplot()
    figure, axes = plt.subplots(figsize=(4.8, 4.4))
    bins = [b for b in scores.calibration if b.count]
    width = scores.calibration[0].high - scores.calibration[0].low if scores.calibration else 0.1
    axes.bar([b.low for b in bins], [b.accuracy for b in bins], width=width, align="edge",
             edgecolor="black", alpha=0.75, label="accuracy")
    axes.plot([0, 1], [0, 1], linestyle="--", color="grey", label="perfect calibration")
    axes.scatter([b.confidence for b in bins], [b.accuracy for b in bins], color="black", s=12,
                 zorder=3, label="mean confidence")
    for b in bins:
        axes.text(b.low + width / 2, min(b.accuracy, 0.93) + 0.02, str(b.count), ha="center", fontsize=7)
    axes.set_xlim(0, 1)
    axes.set_ylim(0, 1)
    axes.set_xlabel("confidence in the predicted label")
    axes.set_ylabel("accuracy")
    axes.set_title(f"{scores.name}: ECE {scores.ece:.3f} ({scores.task})", fontsize=9)
    axes.legend(loc="upper left", fontsize=7)
    return _save(plt, figure, path)


def _save(plt, figure, path: Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path


def dataset_plots(scores: PairScores, directory: Path) -> dict[str, Path]:
    stem = file_stem(scores.name)
    return {"confusion": confusion_png(scores, Path(directory) / f"{stem}-confusion.png"),
            "reliability": reliability_png(scores, Path(directory) / f"{stem}-reliability.png")}


def thresholds_png(scores, path: Path) -> Path:
    """Precision and recall of contradiction and of agreement as each threshold moves
    (`scores`: a stance.evaluation.claims.ClaimScores)."""
    plt = _pyplot()
    figure, panels = plt.subplots(1, 2, figsize=(9, 3.8), sharey=True)
    for axes, (target, points) in zip(panels, scores.curves.items()):
        x = [p["threshold"] for p in points]
        axes.plot(x, [p["precision"] for p in points], marker="o", markersize=3, label="precision")
        axes.plot(x, [p["recall"] for p in points], marker="s", markersize=3, label="recall")
        axes.axvline(getattr(scores.thresholds, target), color="grey", linestyle="--", label="current")
        axes.set_xlim(0, 1)
        axes.set_ylim(0, 1.02)
        axes.set_xlabel(f"{target} threshold")
        axes.set_title(f"{target} (gold: {scores.per_class[target]['support']})", fontsize=9)
        axes.legend(loc="lower left", fontsize=7)
    figure.suptitle(f"{scores.name}: n={scores.n}", fontsize=9)
    return _save(plt, figure, path)


def claims_plots(scores, directory: Path) -> dict[str, Path]:
    stem = file_stem(scores.name)
    return {"confusion": confusion_png(scores, Path(directory) / f"{stem}-confusion.png"),
            "thresholds": thresholds_png(scores, Path(directory) / f"{stem}-thresholds.png")}
