"""Statement extraction against a hand-annotated gold file: quote spans and speakers.

The metrics are those of the Gender Gap Tracker's quote evaluation (Asr et al. 2021, PLOS ONE;
sfu-discourse-lab/GenderGapTracker, NLP/evaluation/src/eval/evaluate_quotes.py):

- span score of a predicted statement for a gold one = |gold chars ∩ predicted chars| / |gold chars|
  (asymmetric: the gold span is the reference, a longer prediction is not penalised);
- per article, gold statements in text order each take the best-scoring predicted statement
  still unmatched, when that score is strictly above the overlap threshold (0.3 and 0.8);
- matched gold = true positives, unmatched gold = false negatives, unmatched predictions =
  false positives; precision, recall and F1 are micro-averaged over all articles;
- speaker accuracy = matched statements whose predicted actor is the gold actor / matches.
  Where the GGT compares speaker spans, stance compares canonical actors: names folded with
  stance.extract.folding (accents, case, honorifics, transliterations, leading determiners),
  the gold actor's aliases included, a bare surname matching a full proper name.

Per kind (direct / indirect / mixed): recall over the gold statements of that kind, precision
over the predicted statements of that kind, speaker accuracy over matched gold of that kind;
`kind_accuracy` is the share of matches whose predicted kind equals the gold kind.
The gold file (gold.py) is documented in eval/README.md.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Optional, Sequence

from ..extract.folding import fold_text, name_words, same_given_name
from ..types import Statement
from .gold import KINDS, GoldActor, GoldStatement, load_gold

THRESHOLDS = (0.3, 0.8)


@dataclass(frozen=True)
class Predicted:
    start: int
    end: int
    text: str
    kind: str
    actor_id: str
    actor_name: str
    speaker: str = ""                # as the article wrote it


@dataclass(frozen=True)
class Match:
    gold: int                        # index in the article's gold statements
    predicted: Optional[int]         # index in its predictions, None when missed
    score: float


# --------------------------------------------------------------------------- matching
def span_score(gold: tuple[int, int], predicted: tuple[int, int]) -> float:
    """Share of the gold span's characters that the predicted span covers."""
    length = gold[1] - gold[0]
    if length <= 0 or predicted[1] <= predicted[0]:
        return 0.0
    overlap = min(gold[1], predicted[1]) - max(gold[0], predicted[0])
    return max(0, overlap) / length


def match_spans(gold: Sequence[tuple[int, int]], predicted: Sequence[tuple[int, int]],
                threshold: float) -> list[Match]:
    """GGT's greedy matching: each gold span, in order, takes the best remaining prediction."""
    remaining = list(range(len(predicted)))
    matches = []
    for g, gold_span in enumerate(gold):
        best, best_score = None, 0.0
        for p in remaining:
            value = span_score(gold_span, predicted[p])
            if value > threshold and value > best_score:
                best, best_score = p, value
        if best is not None:
            remaining.remove(best)
        matches.append(Match(g, best, best_score))
    return matches


@lru_cache(maxsize=None)
def _determiners() -> frozenset[str]:
    from ..extract.lexicon import LANGUAGES, lexicon

    words: set[str] = set()
    for language in LANGUAGES:
        lex = lexicon(language)
        words |= {fold_text(w).replace("'", "") for w in lex.determiners | lex.indefinite}
    return frozenset(words)


def _actor_words(name: str) -> tuple[str, ...]:
    words = list(name_words(name.replace("'", "' ").replace("’", "' ")))
    while len(words) > 1 and words[0] in _determiners():
        words.pop(0)
    return tuple(words)


def _proper_name(name: str) -> bool:
    words = [w for w in name.replace("-", " ").split() if len(w) > 2]
    return bool(words) and all(w[0].isupper() for w in words)


def same_actor(gold: GoldActor, predicted_name: str, predicted_id: str = "") -> bool:
    """Whether a predicted actor is the gold one, names folded (see the module docstring)."""
    if predicted_id and predicted_id == gold.id:
        return True
    predicted = _actor_words(predicted_name)
    if not predicted:
        return False
    for name in gold.names:
        words = _actor_words(name)
        if words == predicted:
            return True
        # « Rutte » for « Mark Rutte », « Sergey Lavrov » for « Sergueï Lavrov »: same surname,
        # compatible given names. Only for proper names: roles share last words too.
        if gold.kind == "person" and _proper_name(name) and words and words[-1] == predicted[-1] \
                and (len(words) == 1 or len(predicted) == 1 or same_given_name(words[0], predicted[0])):
            return True
    return False


# --------------------------------------------------------------------------- evaluation
@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    speaker: int = 0                 # matches with the right actor
    kind: int = 0                    # matches with the right kind

    def as_json(self) -> dict:
        precision = self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0
        recall = self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return {"precision": precision, "recall": recall, "f1": f1, "tp": self.tp, "fp": self.fp,
                "fn": self.fn, "speaker_accuracy": self.speaker / self.tp if self.tp else 0.0,
                "speaker_matches": self.speaker,
                "kind_accuracy": self.kind / self.tp if self.tp else 0.0}


@dataclass
class KindCounts:
    """Recall over gold statements of a kind, precision over predictions of that kind."""
    gold: int = 0
    gold_matched: int = 0
    predicted: int = 0
    predicted_matched: int = 0
    speaker: int = 0                 # matched gold of this kind with the right actor

    def as_json(self) -> dict:
        precision = self.predicted_matched / self.predicted if self.predicted else 0.0
        recall = self.gold_matched / self.gold if self.gold else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return {"precision": precision, "recall": recall, "f1": f1, "gold": self.gold,
                "predicted": self.predicted,
                "speaker_accuracy": self.speaker / self.gold_matched if self.gold_matched else 0.0}


@dataclass
class ExtractionResult:
    gold: str
    articles: int
    gold_statements: int
    predicted_statements: int
    thresholds: dict[str, dict]      # "0.3" -> overall counts + per_kind
    per_article: dict[str, dict]     # article -> "0.3" -> counts
    errors: dict[str, list[dict]]    # missed, spurious, wrong_speaker, wrong_kind (lowest threshold)
    seconds: float = 0.0

    def as_json(self) -> dict:
        return dict(vars(self))


def predictions_of(statements: Sequence[Statement], actor_names: dict[str, str]) -> list[Predicted]:
    return [Predicted(s.start, s.end, s.text, s.kind, s.actor_id, actor_names.get(s.actor_id, s.actor_id),
                      s.speaker) for s in sorted(statements, key=lambda s: (s.start, s.end))]


def compare_article(gold: Sequence[GoldStatement], predicted: Sequence[Predicted],
                    threshold: float) -> tuple[Counts, dict[str, KindCounts], list[Match]]:
    """Overall and per-kind counts for one article at one threshold."""
    matches = match_spans([(g.start, g.end) for g in gold], [(p.start, p.end) for p in predicted],
                          threshold)
    counts, per_kind = Counts(), {kind: KindCounts() for kind in KINDS}
    matched = set()
    for m in matches:
        g = gold[m.gold]
        per_kind[g.kind].gold += 1
        if m.predicted is None:
            counts.fn += 1
            continue
        p = predicted[m.predicted]
        matched.add(m.predicted)
        right_actor = same_actor(g.actor, p.actor_name, p.actor_id)
        counts.tp += 1
        counts.speaker += right_actor
        counts.kind += p.kind == g.kind
        per_kind[g.kind].gold_matched += 1
        per_kind[g.kind].speaker += right_actor
    for index, p in enumerate(predicted):
        counts.fp += index not in matched
        if p.kind in per_kind:
            per_kind[p.kind].predicted += 1
            per_kind[p.kind].predicted_matched += index in matched
    return counts, per_kind, matches


def evaluate_extraction(gold_path: Path, thresholds: Sequence[float] = THRESHOLDS,
                        aliases=None) -> ExtractionResult:
    """Run stance's extraction on the gold file's articles (one batch) and score it."""
    import time

    from ..extract import extract_statements

    started = time.perf_counter()
    thresholds = sorted(thresholds)  # errors are listed at the lowest, which reports show first
    gold_articles, _ = load_gold(gold_path)
    extraction = extract_statements([a.article for a in gold_articles], aliases=aliases)
    names = {actor.id: actor.name for actor in extraction.actors}
    by_article: dict[str, list] = {}
    for statement in extraction.statements:
        by_article.setdefault(statement.article_id, []).append(statement)
    predicted = {a.path: predictions_of(by_article.get(a.article.id, []), names) for a in gold_articles}
    totals = {t: (Counts(), {k: KindCounts() for k in KINDS}) for t in thresholds}
    per_article: dict[str, dict] = {}
    errors: dict[str, list[dict]] = {"missed": [], "spurious": [], "wrong_speaker": [], "wrong_kind": []}
    for article in gold_articles:
        key = article.written
        per_article[key] = {}
        for t in thresholds:
            counts, per_kind, matches = compare_article(article.statements, predicted[article.path], t)
            _add(totals[t][0], counts)
            for kind in KINDS:
                _add(totals[t][1][kind], per_kind[kind])
            per_article[key][str(t)] = counts.as_json()
            if t == thresholds[0]:
                _collect_errors(errors, key, article.statements, predicted[article.path], matches)
    result_thresholds = {}
    for t in thresholds:
        overall, kinds = totals[t]
        entry = overall.as_json()
        entry["per_kind"] = {k: c.as_json() for k, c in kinds.items()}
        result_thresholds[str(t)] = entry
    return ExtractionResult(
        gold=str(gold_path), articles=len(gold_articles),
        gold_statements=sum(len(a.statements) for a in gold_articles),
        predicted_statements=sum(len(p) for p in predicted.values()),
        thresholds=result_thresholds, per_article=per_article, errors=errors,
        seconds=round(time.perf_counter() - started, 2))


def _add(total, counts) -> None:
    for name in vars(counts):
        setattr(total, name, getattr(total, name) + getattr(counts, name))


def _collect_errors(errors: dict[str, list[dict]], article: str, gold: Sequence[GoldStatement],
                    predicted: Sequence[Predicted], matches: list[Match]) -> None:
    matched = {m.predicted for m in matches if m.predicted is not None}
    for m in matches:
        g = gold[m.gold]
        if m.predicted is None:
            errors["missed"].append({"article": article, "start": g.start, "text": g.text,
                                     "actor": g.actor.name, "kind": g.kind})
            continue
        p = predicted[m.predicted]
        if not same_actor(g.actor, p.actor_name, p.actor_id):
            errors["wrong_speaker"].append({"article": article, "start": g.start, "text": g.text,
                                            "gold": g.actor.name, "predicted": p.actor_name,
                                            "written": p.speaker})
        if p.kind != g.kind:
            errors["wrong_kind"].append({"article": article, "start": g.start, "text": g.text,
                                         "gold": g.kind, "predicted": p.kind})
    for index, p in enumerate(predicted):
        if index not in matched:
            errors["spurious"].append({"article": article, "start": p.start, "text": p.text,
                                       "actor": p.actor_name, "kind": p.kind})
