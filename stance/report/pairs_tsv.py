"""Every compared pair as one TSV row, ready to be labelled and scored with `stance eval claims`.

A desk that wants to know how far to trust stance on its own beat labels a random sample of these
rows, not only the findings (the `expected` column: contradiction, agreement or neutral; rows left
empty are skipped), and runs `stance eval claims pairs.tsv` with the model and thresholds the check
used. stance's label and scores are in their own columns (label, contradiction, entailment): hide
them while labelling to keep the labels blind. One row per line: newlines and tabs inside quotes are
written as spaces, so `file:line` in messages points at the row.
"""
from __future__ import annotations

import csv
import io

from ..types import Report
from .grouping import ReportView, one_line

COLUMNS = ("name", "a", "b", "expected", "label", "contradiction", "entailment", "same_actor",
           "actor_a", "actor_b", "article_a", "article_b", "date_a", "date_b", "sentence_a", "sentence_b")


def render_pairs_tsv(report: Report) -> str:
    view = ReportView(report)
    out = io.StringIO()
    writer = csv.writer(out, delimiter="\t", lineterminator="\n")
    writer.writerow(COLUMNS)
    for judgement in view.judgements:     # the JSON report's order
        a, b = judgement.pair.a, judgement.pair.b
        cells = [f"{a.id}|{b.id}", a.text, b.text, "", judgement.label,
                 f"{judgement.scores.contradiction:.4f}", f"{judgement.scores.entailment:.4f}",
                 str(judgement.pair.same_actor).lower(), view.actor(a.actor_id).name,
                 view.actor(b.actor_id).name, a.article_id, b.article_id, view.statement_date(a) or "",
                 view.statement_date(b) or "", a.sentence, b.sentence]
        writer.writerow([one_line(cell) for cell in cells])
    return out.getvalue()
