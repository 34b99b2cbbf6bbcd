"""TSV files of the evaluation scripts: read as dicts, written with a header, CSV quoting."""
from __future__ import annotations

import csv
from pathlib import Path


def read_tsv(path: Path, raw: bool = False) -> list[dict]:
    """Rows of a TSV file; `raw`: quotes are text (authors' files), else CSV quoting (ours)."""
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE if raw else csv.QUOTE_MINIMAL))


def write_tsv(path: Path, rows: list[dict], columns) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, columns, delimiter="\t", lineterminator="\n", extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
