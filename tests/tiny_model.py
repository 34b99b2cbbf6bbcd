"""A tiny, untrained NLI-shaped classifier that tests can build offline in well under a second.

It is a real BertForSequenceClassification with a real fast tokenizer (word-level, vocabulary
taken from the seed articles), saved exactly as a hub checkpoint would be, so NLIModel loads it
through the same AutoTokenizer / AutoModelForSequenceClassification path as any real model.
Its weights are random but seeded, and initialised wide enough that different sentences get
clearly different probabilities: order bugs then show up as wrong numbers, not as noise.
"""
from __future__ import annotations

import re
from pathlib import Path

import torch
from tokenizers import Tokenizer, normalizers, pre_tokenizers, processors
from tokenizers.models import WordLevel
from transformers import BertConfig, BertForSequenceClassification, PreTrainedTokenizerFast
from transformers.utils import logging as hf_logging

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
SPECIAL_TOKENS = ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")
DEFAULT_ID2LABEL = {0: "entailment", 1: "neutral", 2: "contradiction"}
MAX_POSITIONS = 128
# Same rule as the tokenizer's pre-tokenizer below (BertPreTokenizer): words, or single punctuation.
_WORD = re.compile(r"\w+|[^\w\s]")
_SENTENCE_END = re.compile(r"(?<=[.!?])(?<!\b[A-Z]\.)\s+(?=[A-ZÀ-Ý«\"])")


def seed_vocabulary() -> list[str]:
    words: set[str] = set()
    for path in sorted(SEEDS.glob("*.txt")):
        words.update(_WORD.findall(path.read_text(encoding="utf-8").lower()))
    return list(SPECIAL_TOKENS) + sorted(words)


def seed_sentences() -> list[str]:
    """Every sentence of the seed articles, in file order (titles count as sentences)."""
    sentences = []
    for path in sorted(SEEDS.glob("*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            sentences += [part for part in _SENTENCE_END.split(line.strip()) if part]
    return sentences


def _build_tokenizer() -> PreTrainedTokenizerFast:
    vocab = {token: index for index, token in enumerate(seed_vocabulary())}
    tokenizer = Tokenizer(WordLevel(vocab, unk_token="[UNK]"))
    tokenizer.normalizer = normalizers.BertNormalizer(lowercase=True, strip_accents=False)
    tokenizer.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tokenizer.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]",
        pair="[CLS] $A [SEP] $B:1 [SEP]:1",
        special_tokens=[("[CLS]", vocab["[CLS]"]), ("[SEP]", vocab["[SEP]"])],
    )
    return PreTrainedTokenizerFast(
        tokenizer_object=tokenizer, unk_token="[UNK]", pad_token="[PAD]", cls_token="[CLS]",
        sep_token="[SEP]", mask_token="[MASK]", model_max_length=MAX_POSITIONS,
        # BERT reads which segment (premise or hypothesis) each token belongs to.
        model_input_names=["input_ids", "token_type_ids", "attention_mask"],
    )


def build_tiny_model(out_dir: Path, id2label: dict[int, str] | None = None,
                     bias: tuple[float, ...] | None = None, seed: int = 0) -> Path:
    """Save a tiny sequence classifier in `out_dir` and return it.

    `id2label` is written to the config as given (any order, any names, any count).
    `bias`, one value per label in id order, zeroes the classifier weights and sets its bias,
    so every input gets exactly softmax(bias): a test can force the model's answer.
    """
    out_dir = Path(out_dir)
    id2label = dict(DEFAULT_ID2LABEL if id2label is None else id2label)
    tokenizer = _build_tokenizer()
    config = BertConfig(
        vocab_size=len(tokenizer), hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
        intermediate_size=64, max_position_embeddings=MAX_POSITIONS, type_vocab_size=2,
        hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0,
        # Far wider than BERT's 0.02: with the default, every input scores ~1/3 each.
        initializer_range=0.5,
        id2label=id2label, label2id={label: index for index, label in id2label.items()},
        pad_token_id=tokenizer.pad_token_id,
    )
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = BertForSequenceClassification(config)
    if bias is not None:
        if len(bias) != len(id2label):
            raise ValueError(f"bias has {len(bias)} values for {len(id2label)} labels")
        with torch.no_grad():
            model.classifier.weight.zero_()
            model.classifier.bias.copy_(torch.tensor(bias, dtype=torch.float32))
    out_dir.mkdir(parents=True, exist_ok=True)
    bars = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()
    try:
        model.save_pretrained(out_dir)
        tokenizer.save_pretrained(out_dir)
    finally:
        if bars:
            hf_logging.enable_progress_bar()
    return out_dir
