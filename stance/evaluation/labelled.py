"""Labelled pairs for evaluation: a TSV/CSV/JSONL file or a `datasets` directory (save_to_disk).

Unlike training, where one bad row stops the run (stance.train.read_pairs), an evaluation keeps
going: rows with a missing text or an unknown label are counted and reported with their
file:line, and the rest is scored. Files are read with `datasets` exactly as read_pairs reads
them (same builders, same options, "NA" stays a text); rows become stance.train.Pair.

Label maps. Without one, a file's labels must be the three NLI labels (any case, or the
spellings stance.nli accepts from model configs: "entails", "contradictory"...). A map renames
the file's labels onto entailment / neutral / contradiction, or onto the binary task
contradiction / not_contradiction: as soon as one target is not_contradiction the task is
binary, and the NLI labels not named in the map default to it (entailment and neutral are
not contradictions).
"""
from __future__ import annotations

import itertools
import random
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Optional, Union

from ..errors import InputError, UsageError, first_line
from ..nli import LABEL_ALIASES
from ..readers import is_binary
from ..train import Pair
from ..types import NLI_LABELS

NOT_CONTRADICTION = "not_contradiction"
BINARY_LABELS: tuple[str, str] = ("contradiction", NOT_CONTRADICTION)
#: --limit draws the same sample every time.
SAMPLE_SEED = 13
SPLIT_NAMES = frozenset({"test", "dev", "train", "validation", "valid", "val", "trial"})
#: Bad rows quoted in reports, at most (all are counted).
MAX_EXAMPLES = 5


@dataclass(frozen=True)
class Columns:
    premise: str = "premise"
    hypothesis: str = "hypothesis"
    label: str = "label"


@dataclass(frozen=True)
class LabelMap:
    """The file's label names (folded) -> stance's labels, and the task they define."""
    mapping: dict[str, str]
    binary: bool

    @property
    def labels(self) -> tuple[str, ...]:
        return BINARY_LABELS if self.binary else NLI_LABELS

    def target(self, raw: object) -> Optional[str]:
        return self.mapping.get(_fold_label(raw))


@dataclass
class BadRow:
    where: str        # "file:line"
    reason: str

    def message(self) -> str:
        return f"{self.where}: {self.reason}"


@dataclass
class LabelledSet:
    name: str
    source: str
    pairs: list[Pair]
    bad_rows: list[BadRow] = field(default_factory=list)
    rows: int = 0                 # rows read, good and bad, before --limit
    unlabelled: int = 0           # rows with an empty label, skipped (with unlabelled_ok)


def _fold_label(raw: object) -> str:
    return re.sub(r"[\s-]+", "_", str(raw).strip().lower())


def parse_label_map(text: Union[str, Mapping[str, str], None]) -> LabelMap:
    """'entails=entailment,contradicts=contradiction', or the same as a mapping
    (None: the three NLI labels as they are)."""
    targets = set(NLI_LABELS) | {NOT_CONTRADICTION}
    given: dict[str, str] = {}
    items = ([f"{k}={v}" for k, v in text.items()] if isinstance(text, Mapping)
             else (part.strip() for part in (text or "").split(",")))
    for item in filter(None, items):
        source, sep, target = item.partition("=")
        target = _fold_label(target)
        if not sep or not source.strip() or not target:
            raise UsageError(f"--label-map: expected NAME=LABEL pairs separated by commas, got '{item}'")
        if target not in targets:
            raise UsageError(f"--label-map: unknown target '{target}' in '{item}' "
                             f"(use {', '.join(NLI_LABELS)} or {NOT_CONTRADICTION})")
        given[_fold_label(source)] = target
    binary = NOT_CONTRADICTION in given.values()
    if binary and {"entailment", "neutral"} & set(given.values()):
        raise UsageError("--label-map: a binary map (not_contradiction) cannot also name "
                         "entailment or neutral as targets")
    defaults = {alias: label for alias, label in LABEL_ALIASES.items()}
    if binary:
        defaults = {alias: ("contradiction" if label == "contradiction" else NOT_CONTRADICTION)
                    for alias, label in defaults.items()}
    return LabelMap(mapping=defaults | given, binary=binary)


def dataset_name(path: Path) -> str:
    """'…/rte3-fr/test.tsv' -> 'rte3-fr/test' (a bare split name says little), 'pairs.tsv' -> 'pairs'."""
    path = Path(path)
    if path.is_dir():
        return path.name
    if path.stem.lower() in SPLIT_NAMES and path.parent.name:
        return f"{path.parent.name}/{path.stem}"
    return path.stem


def load_labelled(path: Path, label_map: LabelMap, columns: Columns = Columns(),
                  split: str = "test", limit: Optional[int] = None, unlabelled_ok: bool = False,
                  label_hint: str = " or a --label-map entry") -> LabelledSet:
    """Read one dataset; raises InputError when it cannot be read at all. With `unlabelled_ok`,
    rows whose label is empty are counted and skipped, not bad: a file labelled in part."""
    path = Path(path)
    table, first_row = _load_table(path, split)
    missing = [c for c in (columns.premise, columns.hypothesis, columns.label)
               if c not in table.column_names]
    if missing:
        raise InputError(str(path), f"no column {missing[0]!r} (columns: {', '.join(table.column_names)})")
    names = _class_names(table, columns.label)
    result = LabelledSet(name=dataset_name(path), source=str(path), pairs=[], rows=len(table))
    for index, (premise, hypothesis, raw) in enumerate(zip(
            table[columns.premise], table[columns.hypothesis], table[columns.label])):
        where = f"{path}:{index + first_row}"
        if names is not None and isinstance(raw, int) and 0 <= raw < len(names):
            raw = names[raw]
        label = label_map.target(raw) if raw is not None else None
        if unlabelled_ok and (raw is None or not str(raw).strip()):
            result.unlabelled += 1
        elif label is None:
            expected = sorted({k for k, v in label_map.mapping.items() if k in _shown(label_map)})
            result.bad_rows.append(BadRow(where, f"unknown label {raw!r} (expected one of "
                                                 f"{', '.join(expected)}{label_hint})"))
        elif not str(premise or "").strip() or not str(hypothesis or "").strip():
            result.bad_rows.append(BadRow(where, "empty premise or hypothesis"))
        else:
            result.pairs.append(Pair(str(premise), str(hypothesis), label, where))
    if limit is not None and limit < len(result.pairs):
        # A seeded sample rather than the first rows: test files are often sorted by label.
        keep = sorted(random.Random(SAMPLE_SEED).sample(range(len(result.pairs)), limit))
        result.pairs = [result.pairs[i] for i in keep]
    return result


def _shown(label_map: LabelMap) -> set[str]:
    """Label names worth listing in an error: the canonical ones and the user's own."""
    return set(NLI_LABELS) | set(BINARY_LABELS) | {
        k for k in label_map.mapping if k not in LABEL_ALIASES}


#: How much of a file is read to tell text from binary data.
_SNIFF_BYTES = 65536


def _load_table(path: Path, split: str):
    """(datasets.Dataset, line number of its first row in the file)."""
    import datasets

    datasets.disable_progress_bars()
    if path.is_dir():
        try:
            loaded = datasets.load_from_disk(str(path))
        except Exception as error:  # datasets raises several types for a foreign directory
            raise InputError(str(path), f"not a dataset saved by datasets.save_to_disk "
                                        f"({first_line(error)})") from None
        if isinstance(loaded, datasets.DatasetDict):
            if split not in loaded:
                raise InputError(str(path), f"no split {split!r} (splits: {', '.join(loaded)}); "
                                            f"choose one with --split")
            loaded = loaded[split]
        return loaded, 1
    if not path.is_file():
        raise InputError(str(path), "no such file or directory")
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".json"):
        builder, options, first_row = "json", {}, 1
    elif suffix in (".tsv", ".csv", ".txt"):
        builder, first_row = "csv", 2
        options = {"delimiter": "," if suffix == ".csv" else "\t", "keep_default_na": False,
                   "na_filter": False}
    else:
        raise InputError(str(path), "unsupported file type (use .tsv, .csv, .jsonl or a "
                                    "datasets directory)")
    with path.open("rb") as handle:   # datasets' own message for these is about its "train" split
        if is_binary(handle.read(_SNIFF_BYTES)):
            raise InputError(str(path), "binary file, not text")
        handle.seek(0)
        rows = sum(1 for line in itertools.islice(handle, first_row) if line.strip())
    if rows < first_row:
        raise InputError(str(path), "empty file" if rows == 0 else "no rows after the header")
    try:
        table = datasets.load_dataset(builder, data_files=str(path), split="train", **options)
    except Exception as error:  # datasets wraps parser errors in several exception types
        raise InputError(str(path), f"cannot read as {suffix[1:]} ({first_line(error)})") from None
    return table, first_row


def _class_names(table, column: str) -> Optional[list[str]]:
    feature = table.features.get(column)
    names = getattr(feature, "names", None)
    return list(names) if names else None
