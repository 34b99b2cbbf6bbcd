"""The JSON report: the contract other tools read (schema in stance/resources/report.schema.json).

Keys come out in a fixed order and lists in the ReportView order, so two runs on
the same batch give byte-identical files (timings aside). Floats are rounded to
4 decimals: more digits are noise from the model, and they make diffs unreadable.
"""
from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from .. import __version__
from ..types import Actor, Article, Judgement, Report, Scores, Skipped, Statement
from .grouping import ReportView

SCHEMA_VERSION = 1
SCHEMA_PATH = Path(__file__).resolve().parent.parent / "resources" / "report.schema.json"
DECIMALS = 4


def load_schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def to_json_dict(report: Report) -> dict:
    view = ReportView(report)
    return {
        "schema_version": SCHEMA_VERSION,
        "generator": f"stance {__version__}",
        "model": {"name": report.model.name, "labels": list(report.model.labels),
                  **({"precision": report.model.precision} if report.model.precision else {})},
        "summary": view.summary.as_dict(),
        "articles": [_article(a) for a in view.articles],
        "actors": [_actor(a) for a in view.actors],
        "statements": [_new(_statement(s, view), report, s.id in (report.new_statements or ()))
                       for s in view.statements],
        "comparisons": [_new(_comparison(j), report, report.is_new(j)) for j in view.judgements],
        "skipped": [_skipped(s) for s in view.skipped],
        "timings": {str(stage): _round(sec) for stage, sec in report.timings.items()},
        "settings": _plain(report.settings),
    }


def to_json_text(report: Report) -> str:
    return json.dumps(to_json_dict(report), ensure_ascii=False, indent=2) + "\n"


def _article(article: Article) -> dict:
    return {"id": article.id, "path": article.path, "title": article.title, "date": article.date,
            "language": article.language, "source": article.source, "url": article.url}


def _actor(actor: Actor) -> dict:
    return {"id": actor.id, "name": actor.name, "kind": actor.kind, "aliases": list(actor.aliases)}


def _statement(statement: Statement, view: ReportView) -> dict:
    return {"id": statement.id, "article": statement.article_id, "actor": statement.actor_id,
            "text": statement.text, "kind": statement.kind, "start": statement.start,
            "end": statement.end, "cue": statement.cue, "date": view.statement_date(statement),
            "speaker": statement.speaker, "sentence": statement.sentence}


def _comparison(judgement: Judgement) -> dict:
    pair = judgement.pair
    return {"a": pair.a.id, "b": pair.b.id, "same_actor": pair.a.actor_id == pair.b.actor_id,
            "label": judgement.label, "scores": _scores(judgement.scores),
            "similarity": _round(pair.similarity), "near_duplicate": bool(pair.near_duplicate),
            "forward": _scores(judgement.forward), "backward": _scores(judgement.backward)}


def _new(item: dict, report: Report, new: bool) -> dict:
    """Runs on a store say what is new in this run: a statement of a new article, or a
    comparison not made before (`Report.is_new`). Other reports carry no "new" key (everything
    is new)."""
    if report.new_statements is not None:
        item["new"] = new
    return item


def _skipped(skipped: Skipped) -> dict:
    return {"path": skipped.path, "reason": skipped.reason, "line": skipped.line}


def _scores(scores: Scores) -> dict:
    return {label: _round(value) for label, value in scores.as_dict().items()}


def _round(value: float) -> float | None:
    value = float(value)
    # JSON has no NaN; a missing number is honest, an invalid file is not.
    return None if math.isnan(value) or math.isinf(value) else round(value, DECIMALS)


def _plain(value: Any) -> Any:
    """Settings echo whatever the caller passed: make it JSON (paths and odd objects as text)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value, key=str) if isinstance(value, (set, frozenset)) else value
        return [_plain(v) for v in items]
    if isinstance(value, bool) or value is None or isinstance(value, (int, str)):
        return value
    if isinstance(value, float):
        return _round(value)
    return str(value)
