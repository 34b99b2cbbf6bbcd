"""Every compared pair as one TSV row, ready to be labelled and scored with `stance eval claims`.

A desk that wants to know how far to trust stance on its own beat labels a sample of these rows
(the `expected` column: contradiction, agreement or neutral; rows left empty are skipped) and runs
`stance eval claims pairs.tsv`. stance's own label and scores are in their columns; hide them
while labelling to keep the labels blind. One row per line: newlines and tabs inside quotes are
written as spaces, so `file:line` in messages points at the row.
"""
from __future__ import annotations

import csv
import io
import re

from ..types import Report
from .grouping import ReportView

COLUMNS = ("name", "a", "b", "expected", "label", "contradiction", "entailment", "same_actor",
           "actor_a", "actor_b", "article_a", "article_b", "date_a", "date_b", "sentence_a", "sentence_b")


def _one_line(text: str | None) -> str:
    return re.sub(r"\s+", " ", text or "").strip()


def render_pairs_tsv(report: Report) -> str:
    actors = {actor.id: actor.name for actor in report.actors}
    out = io.StringIO()
    writer = csv.writer(out, delimiter="\t", lineterminator="\n")
    writer.writerow(COLUMNS)
    for judgement in ReportView(report).judgements:     # the JSON report's order
        a, b = judgement.pair.a, judgement.pair.b
        writer.writerow([f"{a.id}|{b.id}", _one_line(a.text), _one_line(b.text), "", judgement.label,
                         f"{judgement.scores.contradiction:.4f}", f"{judgement.scores.entailment:.4f}",
                         str(judgement.pair.same_actor).lower(), actors.get(a.actor_id, a.actor_id),
                         actors.get(b.actor_id, b.actor_id), a.article_id, b.article_id, a.date or "",
                         b.date or "", _one_line(a.sentence), _one_line(b.sentence)])
    return out.getvalue()
